/** /api/v1/openapi (see http/routes.ts for what it does). */
import { app } from '@azure/functions';
import { httpOptions } from '../http/azure';

app.http('openapi', httpOptions('openapi'));
