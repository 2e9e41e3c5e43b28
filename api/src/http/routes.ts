/**
 * The route table: the one place that says which URL runs what, with which methods and
 * which auth level. The Azure Functions entry points (api/src/functions/*.ts) register
 * these with `app.http`, and the local host serves the same table, so both answer the
 * same requests the same way.
 *
 * Handlers are thin: read the query or body, hand raw arguments to the service (which
 * checks them with the shared zod contracts), and turn the result or the error into
 * JSON or problem+json.
 */
import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import {
  BatchCall,
  BatchEnvelope,
  BatchRequest,
  MAX_BODY_BYTES,
  withDefaults,
  type FunctionName,
} from '../contracts/params';
import { makeProblem, ProblemError, zodIssues, type Problem } from '../contracts/problem';
import type { Runtime } from '../service/runtime';
import { BUDGET } from '../service/budget';
import { yieldTurn } from '../service/gate';
import { toProblem } from './errors';
import { openApiDocument } from './openapi';

/**
 * What a handler reads from a request. Azure's HttpRequest satisfies it as it is; the
 * local host passes a thin adapter over Node's IncomingMessage instead, because building
 * an HttpRequest (an undici Request with its AbortSignal and Headers) per request was the
 * local host's largest own cost under load, and undici refuses some methods (TRACE) that
 * must get a 405 rather than a 500. Handlers must not read more than this, so both hosts
 * stay interchangeable.
 */
export interface RouteRequest {
  readonly method: string;
  /** The absolute URL. */
  readonly url: string;
  readonly query: URLSearchParams;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
/** Every route is registered for all methods so a wrong one gets 405 (not 404) with Allow. */
export const ALL_METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];

export interface RouteSpec {
  /** Azure function name. */
  name: string;
  /** Route under the host's `api` prefix. */
  route: string;
  /** Methods the route answers; the others get 405. */
  allow: HttpMethod[];
  authLevel: 'anonymous' | 'function';
  summary: string;
  handle: (request: RouteRequest, runtime: Runtime) => Promise<HttpResponseInit>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const JSON_HEADERS = { 'content-type': JSON_TYPE, 'cache-control': 'no-store' };

export function json(value: unknown, status = 200): HttpResponseInit {
  return { status, body: JSON.stringify(value), headers: { ...JSON_HEADERS } };
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status: problem.status,
    body: JSON.stringify(problem),
    headers: { 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  };
}

/** Query parameters as raw arguments; a parameter given twice is an error, not "the last one wins". */
export function queryArgs(request: RouteRequest): Record<string, string> {
  // A Map, not `k in {}`: "constructor" or "__proto__" is an unknown parameter, not a repeat.
  const args = new Map<string, string>();
  const repeated: string[] = [];
  for (const [k, v] of request.query.entries()) {
    // `code` is the function key (Azure reads it); it is not an argument.
    if (k === 'code') continue;
    if (args.has(k)) repeated.push(k);
    args.set(k, v);
  }
  if (repeated.length)
    throw ProblemError.of(
      'invalid-parameter',
      `parameter(s) given more than once: ${[...new Set(repeated)].join(', ')}`,
      [...new Set(repeated)].map((field) => ({ field, message: 'is given more than once' })),
    );
  // fromEntries defines "__proto__" as a key, so the contract reports it as unknown.
  return Object.fromEntries(args);
}

/** A GET route that runs one service function on the query. */
function fnRoute(fn: FunctionName, summary: string, route: string = fn): RouteSpec {
  return {
    name: fn,
    route: `v1/${route}`,
    allow: ['GET', 'HEAD'],
    authLevel: 'function',
    summary,
    handle: async (request, rt) => json(await rt.service.call(fn, queryArgs(request))),
  };
}

async function readBody(request: RouteRequest): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > MAX_BODY_BYTES)
    throw ProblemError.of('payload-too-large', `the body is ${declared} bytes; the limit is ${MAX_BODY_BYTES}`);
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type))
    throw ProblemError.of(
      'unsupported-media-type',
      `the body must be JSON with Content-Type: application/json (got ${type ? JSON.stringify(type) : 'none'})`,
    );
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES)
    throw ProblemError.of('payload-too-large', `the body is over the limit of ${MAX_BODY_BYTES} bytes`);
  return text;
}

/** POST batch: each call succeeds or fails on its own; the batch only fails when its body is unusable. */
async function handleBatch(request: RouteRequest, rt: Runtime): Promise<HttpResponseInit> {
  queryArgsNone(request);
  const text = await readBody(request);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw ProblemError.of('invalid-body', `the body is not valid JSON (${(err as Error).message})`, [
      { field: '(body)', message: 'is not valid JSON' },
    ]);
  }
  // A bare array of calls, or {defaults, calls}.
  const parsed = Array.isArray(body) ? BatchRequest.safeParse(body) : BatchEnvelope.safeParse(body);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error, '(body)');
    const tooMany = parsed.error.issues.some((i) => i.code === 'too_big');
    throw ProblemError.of(
      tooMany ? 'payload-too-large' : 'invalid-body',
      `the body must be a JSON array of {fn, args} calls, or {defaults, calls}: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
      issues,
    );
  }
  const { calls, defaults } = Array.isArray(parsed.data)
    ? { calls: parsed.data, defaults: undefined }
    : (parsed.data as BatchEnvelope);
  // The service checks the whole batch against the request budget before any call runs.
  const results = await rt.service.batch(
    calls.map((item, i) => {
      const call = BatchCall.safeParse(item);
      if (!call.success) {
        const issues = zodIssues(call.error, `[${i}]`);
        return {
          error: ProblemError.of('invalid-parameter', issues.map((x) => `${x.field} ${x.message}`).join('; '), issues),
        };
      }
      return { fn: call.data.fn, args: withDefaults(call.data.fn, call.data.args, defaults) };
    }),
  );
  // One result's JSON at a time, letting other requests in between large ones: a batch of
  // several long ranges would otherwise be serialised in one turn of the event loop.
  const parts: string[] = [];
  let sinceYield = 0;
  for (const r of results) {
    if (sinceYield >= BUDGET.yieldBytes) {
      await yieldTurn();
      sinceYield = 0;
    }
    const part = JSON.stringify('error' in r ? { error: toProblem(r.error) } : r);
    parts.push(part);
    sinceYield += part.length;
  }
  return { status: 200, body: `[${parts.join(',')}]`, headers: { ...JSON_HEADERS } };
}

function queryArgsNone(request: RouteRequest): void {
  const extra = [...request.query.keys()].filter((k) => k !== 'code');
  if (extra.length)
    throw ProblemError.of(
      'invalid-parameter',
      `this route takes no query parameters (got ${extra.join(', ')})`,
      extra.map((field) => ({ field, message: 'is not a known parameter' })),
    );
}

/** A GET route without parameters or key (health checks and API discovery). */
function anonymousRoute(name: string, route: string, summary: string, produce: (rt: Runtime) => unknown): RouteSpec {
  return {
    name,
    route,
    allow: ['GET', 'HEAD'],
    authLevel: 'anonymous',
    summary,
    handle: async (request, rt) => {
      queryArgsNone(request);
      return json(await produce(rt));
    },
  };
}

function text(body: string): HttpResponseInit {
  return { status: 200, body, headers: { ...JSON_HEADERS } };
}

export const ROUTES: RouteSpec[] = [
  {
    ...fnRoute('signal', 'the full reading of one session'),
    // The hottest route: served from cached JSON text (same content as service.signal()).
    handle: async (request, rt) => text(await rt.service.signalText(rt.service.parse('signal', queryArgs(request)))),
  },
  {
    name: 'batch',
    route: 'v1/batch',
    allow: ['POST'],
    authLevel: 'function',
    summary: 'many calls in one request: [{fn, args}] -> [{value} | {error}]',
    handle: handleBatch,
  },
  fnRoute('history', 'one row per session over a date range, as columns + rows'),
  fnRoute('levels', 'support and resistance levels as of a session'),
  fnRoute('debrief', 'end-of-day debrief of a session or a range'),
  fnRoute('backtest', 'composite setups and failure rates, with the generic SMA-cross comparison'),
  fnRoute('calendar', 'macro events and their windows over a date range'),
  anonymousRoute('status', 'v1/status', 'data source, last bar date, staleness, version', (rt) =>
    rt.service.statusReport(),
  ),
  anonymousRoute(
    'openapi',
    'v1/openapi.json',
    'this API described as OpenAPI 3.1, generated from the zod contracts',
    (rt) => openApiDocument(rt.service.version),
  ),
];

/** Wraps a route for any host: method check, then the handler, every error as problem+json. */
export function routeHandler(
  spec: RouteSpec,
  runtime: () => Promise<Runtime>,
  log: (m: string) => void = console.error,
) {
  return async (request: RouteRequest, _context?: InvocationContext): Promise<HttpResponseInit> => {
    try {
      const method = request.method.toUpperCase() as HttpMethod;
      if (!spec.allow.includes(method))
        return problemResponse(
          makeProblem(
            'method-not-allowed',
            `${request.method} is not allowed on /api/${spec.route}; use ${spec.allow.join(', ')}`,
          ),
          { allow: spec.allow.join(', ') },
        );
      const res = await spec.handle(request, await runtime());
      return method === 'HEAD' ? { ...res, body: undefined } : res;
    } catch (err) {
      // A problem may carry headers of its own (Retry-After on 503 busy).
      return problemResponse(toProblem(err, log), err instanceof ProblemError ? err.headers : {});
    }
  };
}

/** Anything under /api that no route matches. */
export function notFoundHandler() {
  return async (request: RouteRequest): Promise<HttpResponseInit> =>
    problemResponse(
      makeProblem(
        'not-found',
        `no route ${new URL(request.url).pathname}; see /api/v1/openapi.json for the routes (${ROUTES.map((r) => r.route).join(', ')})`,
      ),
    );
}
