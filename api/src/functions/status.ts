/** /api/v1/status (see http/routes.ts for what it does). */
import { app } from '@azure/functions';
import { httpOptions } from '../http/azure';

app.http('status', httpOptions('status'));
