/**
 * A scriptable HTTP server on 127.0.0.1 for provider tests: each test queues the
 * answers a path should give, in order, and reads back what the client sent. Answers
 * can be delayed (timeouts), cut off mid-body (truncation) or declare more bytes than
 * they send; the server tracks how many requests are in flight at once.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface FixtureResponse {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Wait this long before sending anything (the client may give up first). */
  delayMs?: number;
  /** Declare the full Content-Length, send only this many bytes, then destroy the socket. */
  truncateAfter?: number;
  /** Declare this Content-Length, send the whole (shorter) body, then destroy the socket. */
  declaredLength?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  /** Path and query as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  /** performance.now() when the request arrived. */
  at: number;
}

export class HttpFixture {
  readonly requests: RecordedRequest[] = [];
  /** Most requests in flight at once since the last reset. */
  peakInFlight = 0;
  private inFlight = 0;
  private readonly queues = new Map<string, FixtureResponse[]>();
  private readonly fallbacks = new Map<string, FixtureResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly server = createServer((req, res) => this.handle(req, res));

  /** A fixture on a free port; see useHttpFixture for the usual per-file setup. */
  static async start(): Promise<HttpFixture> {
    const fixture = new HttpFixture();
    await fixture.listen();
    return fixture;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
  }

  /** http://127.0.0.1:<port> */
  get baseUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Answers for the next requests to `path` (no query), in order. */
  queue(path: string, ...responses: FixtureResponse[]): this {
    const list = this.queues.get(path) ?? [];
    list.push(...responses);
    this.queues.set(path, list);
    return this;
  }

  /** The answer for `path` once its queue is empty (e.g. 503 forever). */
  always(path: string, response: FixtureResponse): this {
    this.fallbacks.set(path, response);
    return this;
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** Forgets queued answers, fallbacks, recorded requests and the concurrency peak. */
  reset(): void {
    this.queues.clear();
    this.fallbacks.clear();
    this.requests.length = 0;
    this.peakInFlight = this.inFlight;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fixture');
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      url: req.url ?? '/',
      headers: req.headers,
      at: performance.now(),
    });
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);

    // An unscripted request gets a 4xx the client does not retry, so the test fails on it.
    const response = this.queues.get(url.pathname)?.shift() ??
      this.fallbacks.get(url.pathname) ?? { status: 418, body: `no response queued for ${url.pathname}` };
    if (!response.delayMs) {
      send(res, response);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!res.destroyed) send(res, response);
    }, response.delayMs);
    this.timers.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    });
  }
}

/**
 * One fixture for a test file: listening before all tests, reset before each, closed after
 * all. Use it at the top level or in a describe; baseUrl is valid inside tests.
 */
export function useHttpFixture(): HttpFixture {
  const fixture = new HttpFixture();
  beforeAll(() => fixture.listen());
  beforeEach(() => fixture.reset());
  afterAll(() => fixture.close());
  return fixture;
}

/** The error `promise` rejects with; fails the test when it resolves instead. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected the promise to reject');
    },
    (error: Error) => error,
  );
}

function send(res: ServerResponse, response: FixtureResponse): void {
  const body = Buffer.from(response.body ?? '');
  const status = response.status ?? 200;
  if (response.truncateAfter === undefined && response.declaredLength === undefined) {
    res.writeHead(status, response.headers);
    res.end(body);
    return;
  }
  const declared = response.declaredLength ?? body.length;
  const sent = response.truncateAfter === undefined ? body : body.subarray(0, response.truncateAfter);
  res.writeHead(status, { ...response.headers, 'content-length': String(declared) });
  // Destroy once the bytes are out, so the client sees a connection closed mid-body.
  res.write(sent, () => res.socket?.destroy());
}
