/**
 * The one HTTP client every data provider uses. A refresh fetches a few thousand files
 * from services that time out, rate-limit and drop connections, so this bounds each
 * attempt in time, retries what is worth retrying (with jittered backoff, honouring
 * Retry-After), never retries what will fail again (a rejected key, an unknown symbol),
 * caps concurrency so we stay polite, keeps to a provider's requests-per-minute quota
 * when given one (rate-limit.ts), refuses an HTML page where data was expected (a bot
 * check, a login or a moved URL answers 200 with a page), and turns every failure into a
 * ProviderError that says who, what, how many attempts and why, with keys scrubbed from
 * the message.
 */
import { ProviderError } from './providers/types';
import { Semaphore } from './semaphore';
import type { RateLimiter } from './rate-limit';

export interface HttpClientOptions {
  /** Per attempt, headers and body together (default 15 s). */
  timeoutMs?: number;
  /** Further attempts after the first (default 3). */
  retries?: number;
  /** Backoff base: attempt n waits random() * min(maxBackoffMs, backoffMs * 2^(n-1)) (default 500). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Longest Retry-After we wait for; a longer one fails at once (default 60 s). */
  maxRetryAfterMs?: number;
  /** Requests in flight at once across all providers (default 4). */
  maxConcurrency?: number;
  /** Larger bodies are refused (default 50 MB; the iShares file is ~2 MB). */
  maxBodyBytes?: number;
  userAgent?: string;
  /** Injectable for tests: the wait between attempts, jitter and the clock for Retry-After dates. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /** Names the source in messages (stooq, tiingo, fred, ishares). */
  provider: string;
  /** What is being fetched, for messages ("daily bars of IWM"). */
  what: string;
  headers?: Record<string, string>;
  /** Values (keys) to scrub from every message, on top of token=/api_key=/apikey= query values. */
  secrets?: readonly string[];
  /** What the body should be, for messages ("CSV", "JSON"; default "data"). */
  expects?: string;
  /** Added to the message when an HTML page comes instead (the likely cause, the setting to check). */
  htmlHint?: string;
  /** The provider's request quota: a token is taken before every attempt, and a 429 drains it. */
  limiter?: RateLimiter;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** Only these say when to come back (RFC 9110 also allows it on 3xx, which fetch follows). */
const RETRY_AFTER_STATUS = new Set([429, 503]);
/** How much of an error body goes into a message. */
const EXCERPT_CHARS = 200;

/** The outcome of one failed attempt. */
interface Failure {
  reason: string;
  retryable: boolean;
  status?: number;
  retryAfterMs?: number;
  cause?: unknown;
}

/** A body decoded, or why it could not be (a Failure, retried when it says so). */
type Decoded<T> = { value: T } | Failure;

function parseJson(text: string): Decoded<unknown> {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { reason: `answer is not valid JSON (cut short?): ${describe(error)}`, retryable: true, cause: error };
  }
}

export class HttpClient {
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly maxBodyBytes: number;
  private readonly userAgent: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly fetch: typeof fetch;
  private readonly slots: Semaphore;

  constructor(options: HttpClientOptions = {}) {
    this.timeoutMs = positive(options.timeoutMs ?? 15_000, 'timeoutMs');
    this.retries = nonNegativeInteger(options.retries ?? 3, 'retries');
    this.backoffMs = nonNegative(options.backoffMs ?? 500, 'backoffMs');
    this.maxBackoffMs = nonNegative(options.maxBackoffMs ?? 8_000, 'maxBackoffMs');
    this.maxRetryAfterMs = nonNegative(options.maxRetryAfterMs ?? 60_000, 'maxRetryAfterMs');
    this.maxBodyBytes = positive(options.maxBodyBytes ?? 50 * 1024 * 1024, 'maxBodyBytes');
    this.userAgent = options.userAgent ?? 'iwm-signal-analyzer/0.1 (daily data refresh)';
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.slots = new Semaphore(positiveInteger(options.maxConcurrency ?? 4, 'maxConcurrency'));
  }

  /** The body of a 2xx answer as text; anything else, after retries, is a ProviderError. */
  async getText(url: string, request: RequestOptions): Promise<string> {
    return this.run(url, request, (text) => ({ value: text }));
  }

  /**
   * The body of a 2xx answer parsed as JSON. A body that does not parse is retried like a
   * truncated one: a connection cut at a chunk boundary, or a proxy that ends a stream
   * early, leaves a well-framed answer that is only part of the JSON.
   */
  async getJson(url: string, request: RequestOptions): Promise<unknown> {
    return this.run(url, { expects: 'JSON', ...request }, parseJson);
  }

  private async run<T>(url: string, request: RequestOptions, decode: (text: string) => Decoded<T>): Promise<T> {
    // fetch would reject a malformed URL like a network error, and we would retry it.
    if (!URL.canParse(url)) {
      throw new ProviderError(request.provider, redact(`${request.what}: not a valid URL [${url}]`, request.secrets));
    }
    for (let attempt = 1; ; attempt++) {
      // The quota first: a request waiting for its token should not hold a slot either.
      await request.limiter?.take();
      // A slot per attempt, not per request: a request waiting out its backoff
      // should not keep others from running.
      const release = await this.slots.acquire();
      let outcome: Decoded<T>;
      try {
        const answer = await this.attempt(url, request);
        outcome = typeof answer === 'string' ? decode(answer) : answer;
      } finally {
        release();
      }
      if ('value' in outcome) return outcome.value;
      if (outcome.status === 429) request.limiter?.drain();

      if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > this.maxRetryAfterMs) {
        const wait = Math.ceil(outcome.retryAfterMs / 1000);
        const cap = Math.round(this.maxRetryAfterMs / 1000);
        const message = `${request.what}: rate limited, retry after ${wait} s (more than the ${cap} s we wait; HTTP ${outcome.status}, attempt ${attempt})`;
        throw this.error(request, `${message} [${url}]`, outcome);
      }
      if (!outcome.retryable || attempt > this.retries) {
        const attempts = `${attempt} attempt${attempt === 1 ? '' : 's'}`;
        throw this.error(request, `${request.what} failed after ${attempts}: ${outcome.reason} [${url}]`, outcome);
      }
      await this.sleep(outcome.retryAfterMs ?? this.backoff(attempt));
    }
  }

  /** Full jitter (AWS architecture blog): spreads retries of many clients evenly. */
  private backoff(attempt: number): number {
    return Math.floor(this.random() * Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempt - 1)));
  }

  private async attempt(url: string, request: RequestOptions): Promise<string | Failure> {
    // One signal bounds the whole attempt: connecting, headers and reading the body.
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await this.fetch(url, {
        headers: { 'user-agent': this.userAgent, ...request.headers },
        signal,
        redirect: 'follow',
      });
    } catch (error) {
      return signal.aborted
        ? this.timedOut(error)
        : { reason: `network error: ${describe(error)}`, retryable: true, cause: error };
    }

    if (!response.ok) return this.statusFailure(response, signal);

    const declared = declaredLength(response);
    if (declared !== null && declared > this.maxBodyBytes) {
      await discard(response);
      return { reason: `response of ${declared} bytes is over the ${this.maxBodyBytes}-byte limit`, retryable: false };
    }
    let body: Buffer;
    try {
      body = await readBody(response, this.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) return { reason: error.message, retryable: false };
      if (signal.aborted) return this.timedOut(error);
      return { reason: `connection dropped mid-body (truncated): ${describe(error)}`, retryable: true, cause: error };
    }
    // fetch drops a short body without complaint when the server closes cleanly; a
    // compressed body is decoded, so its length can only be compared when not encoded.
    if (declared !== null && body.length < declared) {
      return { reason: `truncated body: ${body.length} of ${declared} bytes`, retryable: true };
    }
    const text = body.toString('utf8');
    if (isHtmlPage(response.headers.get('content-type'), text)) {
      // A browser check, a login or a moved-URL page: asking again gets the same page.
      return { reason: htmlReason(text, request), retryable: false };
    }
    return text;
  }

  private timedOut(error: unknown): Failure {
    return { reason: `timed out after ${this.timeoutMs} ms`, retryable: true, cause: error };
  }

  private async statusFailure(response: Response, signal: AbortSignal): Promise<Failure> {
    const status = response.status;
    const excerpt = await bodyExcerpt(response, signal);
    const detail = excerpt === '' ? '' : `: ${excerpt}`;
    if (RETRYABLE_STATUS.has(status)) {
      const retryAfterMs = RETRY_AFTER_STATUS.has(status)
        ? parseRetryAfter(response.headers.get('retry-after'), this.now())
        : undefined;
      const what = status === 429 ? 'rate limited' : 'server error';
      return { reason: `${what} (HTTP ${status})${detail}`, retryable: true, status, retryAfterMs };
    }
    if (status === 401 || status === 403) {
      return { reason: `access refused (HTTP ${status}): key rejected or missing${detail}`, retryable: false, status };
    }
    if (status === 404) return { reason: `not found (HTTP 404)${detail}`, retryable: false, status };
    return { reason: `HTTP ${status}${detail}`, retryable: false, status };
  }

  private error(request: RequestOptions, message: string, failure: Failure): ProviderError {
    return new ProviderError(request.provider, redact(message, request.secrets), failure.status, {
      cause: failure.cause,
    });
  }
}

/**
 * Removes key material from a message: query values of token/api_key/apikey (any case)
 * and every literal secret given.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/([?&](?:token|api_key|apikey)=)[^&#\s\]]*/gi, '$1***');
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join('***');
  }
  return out;
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An IMF-fixdate ("Fri, 29 Nov 2024 21:00:00 GMT"); Date.parse alone would take "-5" as a year.
  if (!/^[A-Za-z]{3}, /.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

class BodyTooLarge extends Error {}

/** Reads the body, refusing it once it passes `limit` bytes rather than after buffering it all. */
async function readBody(response: Response, limit: number): Promise<Buffer> {
  if (response.body === null) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge(`response is over the ${limit}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/** The start of an error body for a message ('' when empty or unreadable), on one line. */
async function bodyExcerpt(response: Response, signal: AbortSignal): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < 4096 && !signal.aborted) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } catch {
    // The status already says what went wrong; a broken error body adds nothing.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text.startsWith('<')) return '(an HTML page)';
  const line = text.replace(/\s+/g, ' ');
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}...` : line;
}

/**
 * An HTML page where data was expected. A body starting with "<" is one (no provider
 * here sends XML); so is a body labelled text/html that carries an HTML tag early on.
 * The label alone is not enough: some servers send CSV as text/html.
 */
export function isHtmlPage(contentType: string | null, text: string): boolean {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('<')) return true;
  if (contentType === null || !/^\s*text\/html\b/i.test(contentType)) return false;
  return /<(?:!doctype|html|head|body|script|title)\b/i.test(start.slice(0, 2048));
}

/** "answered an HTML page, not CSV (title "Just a moment..."): <hint>". */
function htmlReason(text: string, request: RequestOptions): string {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1].replace(/\s+/g, ' ').trim() ?? '';
  const shown = title === '' ? '' : ` (title ${JSON.stringify(title.slice(0, 80))})`;
  const hint = request.htmlHint === undefined ? '' : `: ${request.htmlHint}`;
  return `answered an HTML page, not ${request.expects ?? 'data'}${shown}${hint}`;
}

/** Content-Length when it can be compared with the decoded body (not compressed), else null. */
function declaredLength(response: Response): number | null {
  const encoding = response.headers.get('content-encoding');
  if (encoding !== null && encoding.trim().toLowerCase() !== 'identity') return null;
  const text = response.headers.get('content-length');
  if (text === null || !/^\d+$/.test(text.trim())) return null;
  return Number(text);
}

/** Frees the connection of an answer we will not read. */
async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/**
 * An error's message with its cause's: undici says "fetch failed" and puts the useful
 * part (ECONNREFUSED, "other side closed") in the cause. Duck-typed, because fetch's
 * errors may come from another realm (a test VM) where instanceof Error is false.
 */
function describe(error: unknown): string {
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
  return cause === undefined ? messageOf(error) : `${messageOf(error)} (${messageOf(cause)})`;
}

function messageOf(value: unknown): string {
  if (typeof value !== 'object' || value === null || !('message' in value) || typeof value.message !== 'string') {
    return String(value);
  }
  // A connection error's message can be empty (an AggregateError) while its code says it all.
  const code = 'code' in value && typeof value.code === 'string' ? value.code : '';
  return code !== '' && !value.message.includes(code) ? `${value.message} ${code}`.trim() : value.message;
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`HttpClient: ${name} must be > 0, got ${value}`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`HttpClient: ${name} must be >= 0, got ${value}`);
  return value;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`HttpClient: ${name} must be an integer >= 1, got ${value}`);
  return value;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`HttpClient: ${name} must be an integer >= 0, got ${value}`);
  return value;
}
