/** /api/v1/history (see http/routes.ts for what it does). */
import { app } from '@azure/functions';
import { httpOptions } from '../http/azure';

app.http('history', httpOptions('history'));
