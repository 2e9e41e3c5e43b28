/** Anything else under /api: 404 problem+json naming the routes that exist. */
import { app } from '@azure/functions';
import { notFoundOptions } from '../http/azure';

app.http('notFound', notFoundOptions());
