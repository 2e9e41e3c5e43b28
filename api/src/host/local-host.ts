/**
 * A local stand-in for the Azure Functions host (`func start` cannot be installed here
 * and is not needed): Node's HTTP server in front of the same route table and handlers.
 * It enforces what Azure enforces, so code that works here works there: function keys
 * on `function`-level routes (when keys are configured), the CORS allowlist with
 * preflight, and the body-size limit before a body is read into memory.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { MAX_BODY_BYTES } from '../contracts/params';
import { makeProblem, type Problem } from '../contracts/problem';
import { notFoundHandler, routeHandler, ROUTES, type RouteSpec } from '../http/routes';
import type { Runtime } from '../service/runtime';

export interface LocalHostOptions {
  runtime: Runtime;
  /** Accepted function keys; empty = routes are open (like `func start`, but say so at start). */
  functionKeys: string[];
  /** Origins allowed to call from a browser (the add-in's web host), e.g. https://localhost:3000. */
  corsOrigins: string[];
  log?: (msg: string) => void;
}

const ALLOWED_HEADERS = 'content-type, x-functions-key, authorization';
const PREFIX = '/api/';

function sendProblem(res: ServerResponse, problem: Problem, headers: Record<string, string> = {}): void {
  res.writeHead(problem.status, { 'content-type': 'application/problem+json; charset=utf-8', ...headers });
  res.end(JSON.stringify(problem));
}

function keyMatches(given: string, keys: readonly Buffer[]): boolean {
  const g = Buffer.from(given);
  // Compare against every key in constant time per key, so timing says nothing about which matched.
  let ok = false;
  for (const k of keys) if (k.length === g.length && timingSafeEqual(k, g)) ok = true;
  return ok;
}

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
    req.on('error', reject);
  });
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
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const origin = req.headers.origin;
    const cors: Record<string, string> = {};
    if (origin && origins.has(origin)) {
      cors['access-control-allow-origin'] = origin;
      cors.vary = 'Origin';
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const entry = routes.get(url.pathname);

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
      const out = await notFound(new HttpRequest({ method, url: url.href, headers: {} }));
      writeResponse(res, out, cors);
      return;
    }
    if (entry.spec.authLevel === 'function' && keys.length > 0) {
      const given = (req.headers['x-functions-key'] as string | undefined) ?? url.searchParams.get('code') ?? '';
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
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const request = new HttpRequest({
      method,
      url: url.href,
      headers,
      ...(body ? { body: { string: body.toString('utf8') } } : {}),
    });
    const out = await entry.handler(request, new InvocationContext({ functionName: entry.spec.name }));
    writeResponse(res, out, cors);
  };

  return (req, res) => {
    handle(req, res).catch((err) => {
      log(`local host: ${(err as Error).stack ?? err}`);
      if (!res.headersSent) sendProblem(res, makeProblem('internal', 'unexpected error in the local host'));
      else res.destroy();
    });
  };
}

/** The API over plain HTTP (http://127.0.0.1:7071/api/v1 under `npm start`). */
export function createLocalHost(options: LocalHostOptions): Server {
  return createServer(createRequestHandler(options));
}
