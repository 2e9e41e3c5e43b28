/**
 * A local stand-in for the Azure Functions host (`func start` cannot be installed here
 * and is not needed): Node's HTTP server in front of the same route table and handlers.
 * It enforces what Azure enforces, so code that works here works there: function keys
 * on `function`-level routes (when keys are configured), the CORS allowlist with
 * preflight, and the body-size limit before a body is read into memory. Below the routes,
 * http-server.ts answers what Azure's front end would (Host, framing, timeouts).
 */
import type { IncomingHttpHeaders, IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { HttpResponseInit } from '@azure/functions';
import { MAX_BODY_BYTES } from '../contracts/params';
import { makeProblem } from '../contracts/problem';
import { notFoundHandler, routeHandler, ROUTES, type RouteRequest, type RouteSpec } from '../http/routes';
import type { Runtime } from '../service/runtime';
import { createHttpServer, sendProblem, type ServerTimeouts } from './http-server';

export interface LocalHostOptions {
  runtime: Runtime;
  /** Accepted function keys; empty = routes are open (like `func start`, but say so at start). */
  functionKeys: string[];
  /** Origins allowed to call from a browser (the add-in's web host), e.g. https://localhost:3000. */
  corsOrigins: string[];
  log?: (msg: string) => void;
  /** Server timeouts (http-server.ts); tests shorten them. */
  timeouts?: Partial<ServerTimeouts>;
}

const ALLOWED_HEADERS = 'content-type, x-functions-key, authorization';
const PREFIX = '/api/';

function keyMatches(given: string, keys: readonly Buffer[]): boolean {
  const g = Buffer.from(given);
  // Compare against every key in constant time per key, so timing says nothing about which matched.
  let ok = false;
  for (const k of keys) if (k.length === g.length && timingSafeEqual(k, g)) ok = true;
  return ok;
}

/** The client went away (or the server cut a stalled body) before the body was in. */
class ClientGoneError extends Error {}

/** Reads the body up to the limit; resolves null (and stops reading) when it is larger. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        resolve(null);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', () => reject(new ClientGoneError()));
    req.on('close', () => {
      if (!req.complete) reject(new ClientGoneError());
    });
  });
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
  const v = headers[name.toLowerCase()];
  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
}

/** The parts of a request target the host reads. */
export interface Target {
  pathname: string;
  query: URLSearchParams;
  href: string;
}

// A path WHATWG URL would leave as it is: segments of word characters with dotted
// extensions; no `.`/`..` segments, percent escapes, backslashes or empty segments.
const PLAIN_PATH = /^(?:\/[\w-]+(?:\.[\w-]+)*)*\/?$/;

/**
 * The request target's path and query as WHATWG URL would parse them (`href` keeps the
 * Host as sent), or null when it is not a valid URL.
 * A plain origin-form path (every request a client of this API sends) skips the full URL
 * parser, a few per cent of the host's time under load; anything else goes through it.
 */
export function parseTarget(rawUrl: string, host: string): Target | null {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  if (!rawUrl.includes('#') && PLAIN_PATH.test(path))
    return {
      pathname: path,
      query: new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)),
      href: `http://${host}${rawUrl}`,
    };
  try {
    const url = new URL(rawUrl, `http://${host}`);
    return { pathname: url.pathname, query: url.searchParams, href: url.href };
  } catch {
    return null;
  }
}

/**
 * The request as handlers see it (routes.ts RouteRequest): Node's parsed URL and headers
 * as they are. Not an @azure/functions HttpRequest: building one (an undici Request, its
 * Headers and AbortSignal) per request cost more than the rest of the host together.
 * No InvocationContext either: no handler reads it (Azure passes its own).
 */
function localRequest(method: string, target: Target, headers: IncomingHttpHeaders, body: string): RouteRequest {
  return {
    method,
    url: target.href,
    query: target.query,
    headers: { get: (name) => headerValue(headers, name) },
    text: () => Promise.resolve(body),
  };
}

function writeResponse(res: ServerResponse, out: HttpResponseInit, extra: Record<string, string>): void {
  const headers: Record<string, string> = { ...extra };
  if (out.headers) for (const [k, v] of Object.entries(out.headers as Record<string, string>)) headers[k] = v;
  let body: string | Buffer | undefined;
  if (out.jsonBody !== undefined) {
    body = JSON.stringify(out.jsonBody);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  } else if (typeof out.body === 'string' || Buffer.isBuffer(out.body)) {
    body = out.body;
  } else if (out.body !== undefined && out.body !== null) {
    throw new Error('the local host only serves string, Buffer or jsonBody responses');
  }
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(out.status ?? 200, headers);
  res.end(body);
}

/**
 * The host's request handler: the route table under /api/v1 with function keys, CORS and
 * the body limit. Attach it to an http server (createLocalHost) or an https one (the
 * add-in host, which serves the same API same-origin next to the add-in's files).
 */
export function createRequestHandler(options: LocalHostOptions): RequestListener {
  const log = options.log ?? (() => {});
  const keys = options.functionKeys.map((k) => Buffer.from(k));
  const origins = new Set(options.corsOrigins);
  const routes = new Map<string, { spec: RouteSpec; handler: ReturnType<typeof routeHandler> }>();
  for (const spec of ROUTES)
    routes.set(PREFIX + spec.route, { spec, handler: routeHandler(spec, async () => options.runtime, log) });
  const notFound = notFoundHandler();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // The server checked the Host header (http-server.ts); HTTP/1.0 may come without one.
    const target = parseTarget(req.url ?? '/', req.headers.host ?? '127.0.0.1');
    if (!target) {
      sendProblem(res, makeProblem('bad-request', `the request target ${JSON.stringify(req.url)} is not a valid URL`));
      return;
    }
    const origin = req.headers.origin;
    const cors: Record<string, string> = {};
    if (origin && origins.has(origin)) {
      cors['access-control-allow-origin'] = origin;
      cors.vary = 'Origin';
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const entry = routes.get(target.pathname);

    if (method === 'OPTIONS') {
      // A CORS preflight: answered by the host (as Azure's platform CORS does), no key needed.
      if (origin && req.headers['access-control-request-method']) {
        if (!cors['access-control-allow-origin']) {
          sendProblem(res, makeProblem('forbidden', `origin ${origin} is not allowed (IWM_CORS_ORIGINS)`));
          return;
        }
        res.writeHead(204, {
          ...cors,
          'access-control-allow-methods': entry ? entry.spec.allow.join(', ') : 'GET, POST',
          'access-control-allow-headers': ALLOWED_HEADERS,
          'access-control-max-age': '600',
        });
        res.end();
        return;
      }
      res.writeHead(204, { allow: entry ? entry.spec.allow.join(', ') : 'GET, POST', ...cors });
      res.end();
      return;
    }

    if (!entry) {
      const out = await notFound(localRequest(method, target, {}, ''));
      writeResponse(res, out, cors);
      return;
    }
    if (entry.spec.authLevel === 'function' && keys.length > 0) {
      const given = (req.headers['x-functions-key'] as string | undefined) ?? target.query.get('code') ?? '';
      if (!given || !keyMatches(given, keys)) {
        sendProblem(
          res,
          makeProblem(
            'unauthorized',
            given
              ? 'the function key is not valid'
              : 'this route needs a function key (x-functions-key header or ?code=)',
          ),
          cors,
        );
        return;
      }
    }
    let body: Buffer | null = null;
    if (method !== 'GET' && method !== 'HEAD') {
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared > MAX_BODY_BYTES) {
        sendProblem(
          res,
          makeProblem('payload-too-large', `the body is ${declared} bytes; the limit is ${MAX_BODY_BYTES}`),
          {
            ...cors,
            connection: 'close',
          },
        );
        req.resume();
        return;
      }
      body = await readBody(req, MAX_BODY_BYTES);
      if (body === null) {
        sendProblem(res, makeProblem('payload-too-large', `the body is over the limit of ${MAX_BODY_BYTES} bytes`), {
          ...cors,
          connection: 'close',
        });
        return;
      }
    }
    const out = await entry.handler(localRequest(method, target, req.headers, body ? body.toString('utf8') : ''));
    writeResponse(res, out, cors);
  };

  return (req, res) => {
    handle(req, res).catch((err) => {
      // Nobody is left to answer (a stalled body that the server cut answered 408 already).
      if (err instanceof ClientGoneError) return void res.destroy();
      log(`local host: ${(err as Error).stack ?? err}`);
      if (!res.headersSent) sendProblem(res, makeProblem('internal', 'unexpected error in the local host'));
      else res.destroy();
    });
  };
}

/** The API over plain HTTP (http://127.0.0.1:7071/api/v1 under `npm start`). */
export function createLocalHost(options: LocalHostOptions): Server {
  return createHttpServer(createRequestHandler(options), options.timeouts);
}
