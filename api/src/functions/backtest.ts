/** /api/v1/backtest (see http/routes.ts for what it does). */
import { app } from '@azure/functions';
import { httpOptions } from '../http/azure';

app.http('backtest', httpOptions('backtest'));
