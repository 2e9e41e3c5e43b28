/** /api/v1/signal (see http/routes.ts for what it does). */
import { app } from '@azure/functions';
import { httpOptions } from '../http/azure';

app.http('signal', httpOptions('signal'));
