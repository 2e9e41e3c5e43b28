/** /api/v1/batch (see http/routes.ts for what it does). */
import { app } from '@azure/functions';
import { httpOptions } from '../http/azure';

app.http('batch', httpOptions('batch'));
