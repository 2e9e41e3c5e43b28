/** /api/v1/debrief (see http/routes.ts for what it does). */
import { app } from '@azure/functions';
import { httpOptions } from '../http/azure';

app.http('debrief', httpOptions('debrief'));
