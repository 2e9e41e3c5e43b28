/** /api/v1/levels (see http/routes.ts for what it does). */
import { app } from '@azure/functions';
import { httpOptions } from '../http/azure';

app.http('levels', httpOptions('levels'));
