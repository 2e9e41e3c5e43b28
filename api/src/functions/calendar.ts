/** /api/v1/calendar (see http/routes.ts for what it does). */
import { app } from '@azure/functions';
import { httpOptions } from '../http/azure';

app.http('calendar', httpOptions('calendar'));
