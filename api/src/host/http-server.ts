/**
 * The Node HTTP(S) servers of the local hosts, with what both share at the protocol
 * level, below the route table:
 *
 * - Timeouts: the headers must arrive within 10 s and the whole request (body included)
 *   within 15 s of its first byte, else 408. Node's defaults (60 s and 5 minutes) let a
 *   client that stalls hold a connection for minutes. 15 s carries the largest body
 *   (1 MB) at 70 KB/s, far below loopback or LAN speed. Node checks every second.
 * - Host: an HTTP/1.1 request without a Host header, with two, or with one that is not a
 *   host name or address (with an optional port) is 400. Node's own check answers an
 *   empty 400, so it is off and this one answers problem+json.
 * - What Node rejects before any listener runs (a request line or header it cannot
 *   parse, a bad Content-Length, headers over Node's 16 KB, a method it does not know,
 *   the timeouts above) gets a minimal problem+json response written to the socket,
 *   then the connection is closed. Node's default answer there has no body at all.
 * - CONNECT (this host is not a proxy) is 405 with Allow, instead of a dropped
 *   connection. TRACE and other methods Node parses reach the routes, which answer 405.
 */
import {
  createServer as createHttp,
  maxHeaderSize,
  STATUS_CODES,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { makeProblem, type Problem } from '../contracts/problem';

export interface ServerTimeouts {
  /** Until the request line and headers are in. */
  headersMs: number;
  /** Until the whole request, body included, is in. */
  requestMs: number;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = { headersMs: 10_000, requestMs: 15_000 };

/** The methods the hosts answer on some path (routes narrow it with their own Allow). */
export const HOST_METHODS = 'GET, HEAD, POST, OPTIONS';

/** How long a rejected connection may stay open for the client to read the answer. */
const CLOSE_GRACE_MS = 2_000;

const PROBLEM_HEADERS = { 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store' };

export function sendProblem(res: ServerResponse, problem: Problem, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(problem);
  res.writeHead(problem.status, {
    ...PROBLEM_HEADERS,
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

function resolveTimeouts(t: Partial<ServerTimeouts> = {}): ServerTimeouts & { checkMs: number } {
  const requestMs = t.requestMs ?? DEFAULT_TIMEOUTS.requestMs;
  // Node requires headersTimeout <= requestTimeout.
  const headersMs = Math.min(t.headersMs ?? DEFAULT_TIMEOUTS.headersMs, requestMs);
  // Node looks for expired requests on an interval (30 s by default): keep it well under the timeout.
  return { requestMs, headersMs, checkMs: Math.max(10, Math.min(1_000, Math.floor(headersMs / 4))) };
}

function serverOptions(t: ServerTimeouts & { checkMs: number }): ServerOptions {
  return {
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    connectionsCheckingInterval: t.checkMs,
    requireHostHeader: false,
  };
}

// A host name (letters, digits, `.-_~`), an IPv4 address or a bracketed IPv6 one, with an optional port.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~-]+)(?::\d{1,5})?$/;

/** What is wrong with the request's Host header, or null. HTTP/1.0 may leave it out. */
export function hostProblem(req: Pick<IncomingMessage, 'headers' | 'rawHeaders' | 'httpVersion'>): Problem | null {
  const host = req.headers.host;
  if (host === undefined)
    return req.httpVersion === '1.0' ? null : makeProblem('bad-request', 'an HTTP/1.1 request needs a Host header');
  // Node keeps the first of several Host headers; RFC 9112 says such a request is a 400.
  let count = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    if (req.rawHeaders[i].length === 4 && req.rawHeaders[i].toLowerCase() === 'host') count++;
  if (count > 1) return makeProblem('bad-request', 'the request has more than one Host header');
  if (!HOST.test(host))
    return makeProblem(
      'bad-request',
      `the Host header ${JSON.stringify(host)} is not a host name or address with an optional port`,
    );
  return null;
}

/** The detail for a request Node's parser refused, by its error code (llhttp's HPE_*). */
const PARSE_ERRORS: Readonly<Record<string, string>> = {
  HPE_INVALID_CONTENT_LENGTH: 'the Content-Length header must be one non-negative decimal number',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'a request may not carry both Content-Length and Transfer-Encoding',
  HPE_INVALID_TRANSFER_ENCODING: 'the Transfer-Encoding header is not valid (chunked must come last)',
  HPE_INVALID_CHUNK_SIZE: 'a chunk size of the chunked body is not a hexadecimal number',
  HPE_INVALID_HEADER_TOKEN: 'a header line is malformed (a header name must be a token followed by ":")',
  HPE_LF_EXPECTED: 'a line of the request does not end with CRLF',
  HPE_INVALID_URL: 'the request target is not a valid path',
  HPE_INVALID_VERSION: 'the protocol version is not HTTP/1.0 or HTTP/1.1',
};

/**
 * The problem for an error Node reports on a connection ('clientError'), or null when
 * there is nothing to answer (the client left, the TLS handshake failed).
 */
export function clientErrorProblem(
  err: NodeJS.ErrnoException & { reason?: string },
  t: ServerTimeouts,
): Problem | null {
  const code = err.code ?? '';
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return makeProblem(
        'headers-too-large',
        `the request line and headers are over the limit of ${maxHeaderSize} bytes`,
      );
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return makeProblem('payload-too-large', 'the chunk extensions of the body are too large');
    case 'HPE_INVALID_METHOD':
      return makeProblem('not-implemented', `the method is not one this server knows; it answers ${HOST_METHODS}`);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return makeProblem(
        'request-timeout',
        `the request did not arrive in time: headers are due within ${t.headersMs} ms and the whole request within ${t.requestMs} ms`,
      );
  }
  if (!code.startsWith('HPE_')) return null;
  return makeProblem('bad-request', `the request is not valid HTTP/1.1: ${PARSE_ERRORS[code] ?? err.reason ?? code}`);
}

/** A complete HTTP/1.1 response carrying a problem, for a socket no ServerResponse can write to. */
export function rawProblemResponse(problem: Problem, headers: Record<string, string> = {}): Buffer {
  const body = JSON.stringify(problem);
  const all: Record<string, string> = {
    ...PROBLEM_HEADERS,
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
    ...headers,
  };
  let head = `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}\r\n`;
  for (const [k, v] of Object.entries(all)) head += `${k}: ${v}\r\n`;
  return Buffer.from(`${head}\r\n${body}`);
}

/**
 * Writes the answer and half-closes; the socket is destroyed when the client closes or
 * after a grace period. Destroying at once could reset the connection while the client
 * is still sending, and a reset can discard the answer before the client reads it.
 */
function answerAndClose(socket: Duplex, response: Buffer): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(response);
  const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** Attaches the listener (behind the Host check) and the protocol-level answers to a server. */
function protect<S extends Server | HttpsServer>(server: S, listener: RequestListener, t: ServerTimeouts): S {
  // The exchange in flight on each connection: an error is answered only where the
  // client will read the answer as the answer to the request that caused it.
  const current = new WeakMap<object, { req: IncomingMessage; res: ServerResponse }>();
  const answered = new WeakSet<Duplex>();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    current.set(req.socket, { req, res });
    const problem = hostProblem(req);
    if (problem) {
      sendProblem(res, problem, { connection: 'close' });
      req.resume();
      return;
    }
    listener(req, res);
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Node may report several errors for one connection (more bytes after the first); answer once.
    if (answered.has(socket)) return;
    answered.add(socket);
    const problem = clientErrorProblem(err, t);
    if (!problem) return void socket.destroy();
    const answer = () =>
      answerAndClose(
        socket,
        rawProblemResponse(problem, problem.status === 501 || problem.status === 405 ? { allow: HOST_METHODS } : {}),
      );
    const inFlight = current.get(socket);
    if (!inFlight || inFlight.res.writableFinished) return answer();
    // The error is in a later request pipelined behind the one being answered: answer after it.
    if (inFlight.req.complete) return void inFlight.res.once('finish', answer);
    // The error is in the body of the request being answered (or it timed out): answer it
    // now, unless its response has started, which a second one would corrupt.
    if (inFlight.res.headersSent) socket.destroy();
    else answer();
  });

  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    answerAndClose(
      socket,
      rawProblemResponse(
        makeProblem('method-not-allowed', `CONNECT ${req.url ?? ''} is not allowed: this server is not a proxy`),
        { allow: HOST_METHODS },
      ),
    );
  });
  return server;
}

/** A plain HTTP server for `listener` with the protections above. */
export function createHttpServer(listener: RequestListener, timeouts?: Partial<ServerTimeouts>): Server {
  const t = resolveTimeouts(timeouts);
  return protect(createHttp(serverOptions(t)), listener, t);
}

/** An HTTPS server for `listener` with the same protections. */
export function createHttpsServer(
  tls: { cert: Buffer | string; key: Buffer | string },
  listener: RequestListener,
  timeouts?: Partial<ServerTimeouts>,
): HttpsServer {
  const t = resolveTimeouts(timeouts);
  return protect(createHttps({ cert: tls.cert, key: tls.key, ...serverOptions(t) }), listener, t);
}
