/**
 * Options for `app.http` built from the route table, so each file in src/functions is
 * one line of registration and the table stays the single source of routes.
 */
import type { HttpFunctionOptions } from '@azure/functions';
import { sharedRuntime } from '../service/runtime';
import { ALL_METHODS, notFoundHandler, routeHandler, ROUTES } from './routes';

/** Nightly refresh, in UTC (Azure timers run in UTC unless WEBSITE_TIME_ZONE is set):
 * 22:30 Mon-Fri is 17:30 New York in winter and 18:30 in summer, after the close either way. */
export const REFRESH_SCHEDULE = '0 30 22 * * 1-5';

export function httpOptions(name: string): HttpFunctionOptions {
  const spec = ROUTES.find((r) => r.name === name);
  if (!spec) throw new Error(`no route named ${name}`);
  return {
    methods: ALL_METHODS,
    authLevel: spec.authLevel,
    route: spec.route,
    handler: routeHandler(spec, sharedRuntime),
  };
}

/** Catch-all under /api: unknown routes answer 404 problem+json instead of the platform's empty 404. */
export function notFoundOptions(): HttpFunctionOptions {
  return { methods: ALL_METHODS, authLevel: 'anonymous', route: '{*path}', handler: notFoundHandler() };
}
