/**
 * The add-in's client for the signal API: batches, caches and always settles.
 *
 * Excel recalculates formulas in bursts (a sheet of 1,000 `=IWM.COMPOSITE(A2)` cells calls
 * the function 1,000 times in a few milliseconds). Each call is validated here with the
 * API's own zod contracts, then queued; one timer per burst sends the queue as one
 * `POST /api/v1/batch` and settles every call by its index (Microsoft's batching pattern
 * for custom functions). A request that fails as a whole (network down, timeout, 401, a
 * reply that is not the expected array) rejects every call in it with an error that says
 * what happened, so no cell is left on #BUSY!. Two whole-request answers are not failures
 * of the cells: over the API's request budget, the burst is split until it fits; API busy,
 * the request is sent again after its Retry-After (see send). A profile most calls share
 * (the workbook's) is sent once per request, in the body's `defaults`.
 *
 * Cache: results are kept per (API address, function, arguments, profile hash). A call
 * whose dates are all explicit ISO dates asks about closed sessions, whose numbers do not
 * change when later bars arrive (the engine is causal), so it is kept until the cache is
 * cleared (the taskpane's refresh, or a change of API address). A call that depends on the
 * latest session (no date, a relative date, `status`, `backtest` whose outcomes look
 * forward) is kept for `latestTtlMs` only. Identical calls in flight share one entry.
 */
import type { z } from 'zod';
import { ARGS, MAX_BATCH_CALLS, MAX_BODY_BYTES, type FunctionName } from '../../api/src/contracts/params';
import { issuesText, problemKind, zodIssues, type Problem } from '../../api/src/contracts/problem';
import { PRESETS, canonicalJson, profileHash, type Profile } from '../../api/src/engine/profile';

/** How a failure should look in a cell: `invalid` -> #VALUE!, the others -> #N/A (with the message). */
export type ApiErrorKind = 'invalid' | 'not-available' | 'network' | 'auth' | 'server';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly problem?: Problem,
    /** A busy API's Retry-After, in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ClientOptions {
  /** The API root, e.g. `https://localhost:3000/api/v1` (read at every flush, so settings apply at once). */
  baseUrl: () => string;
  /** The function key sent as `x-functions-key`, if any. */
  apiKey?: () => string | undefined;
  fetch?: typeof fetch;
  /** Wait this long after the first queued call before sending the burst (Microsoft's pattern: ~100 ms). */
  flushDelayMs?: number;
  /** Give up on a request after this long; its calls reject with a timeout message. */
  timeoutMs?: number;
  /** Keep results that depend on the latest session this long. */
  latestTtlMs?: number;
  /** Most results kept (least recently used go first). */
  cacheSize?: number;
  /** Most calls in one request (the API refuses more than MAX_BATCH_CALLS). */
  maxCalls?: number;
  /** Times a request the API was too busy for (503 `busy`) is sent again, after its Retry-After. */
  busyRetries?: number;
  /** Longest wait before sending a busy request again, whatever Retry-After says. */
  maxRetryWaitMs?: number;
  now?: () => number;
}

interface Pending {
  fn: FunctionName;
  args: Record<string, unknown>;
  key: string | null;
  /** Cache until cleared (closed sessions only) or for latestTtlMs. */
  closed: boolean;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Cached {
  value: unknown;
  expires: number;
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;
const DATE_ARGS = ['asOf', 'date', 'from', 'to'] as const;
/** Bytes of JSON the client puts in one request, safely under the API's 1 MB limit. */
const BODY_BUDGET = Math.floor(MAX_BODY_BYTES * 0.9);
const DEFAULT_HASH = profileHash(PRESETS.iwm);

/** The cell message of a problem the API returned for one call or a whole request. */
function problemError(problem: Problem): ApiError {
  const kind = problemKind(problem);
  const errorKind: ApiErrorKind =
    kind === 'invalid-parameter' || kind === 'invalid-body'
      ? 'invalid'
      : kind === 'not-available' || kind === 'data-unavailable'
        ? 'not-available'
        : kind === 'unauthorized' || kind === 'forbidden'
          ? 'auth'
          : 'server';
  return new ApiError(errorKind, problem.detail || problem.title, problem);
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && typeof (value as Problem).type === 'string';
}

/** Retry-After in milliseconds (delta-seconds or an HTTP date), or undefined. */
function retryAfterMs(response: Response): number | undefined {
  const raw = response.headers.get('retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** True when every date the call names is an explicit ISO date (a closed session). */
function asksAboutClosedSessions(fn: FunctionName, args: Record<string, unknown>): boolean {
  if (fn === 'status' || fn === 'backtest') return false;
  const needsTwo = fn === 'history' || fn === 'calendar' || (fn === 'debrief' && args.date === undefined);
  const named = DATE_ARGS.filter((k) => args[k] !== undefined);
  if (needsTwo ? !(ISO.test(String(args.from)) && ISO.test(String(args.to))) : named.length === 0) return false;
  return named.every((k) => ISO.test(String(args[k])));
}

/** The canonical JSON of the profile most calls carry, when at least two share it; else null. */
function sharedProfile(calls: readonly Pending[]): string | null {
  const counts = new Map<string, number>();
  let best: string | null = null;
  let bestCount = 1;
  for (const call of calls) {
    if (call.args.profile === undefined) continue;
    const text = canonicalJson(call.args.profile);
    const n = (counts.get(text) ?? 0) + 1;
    counts.set(text, n);
    if (n > bestCount) [best, bestCount] = [text, n];
  }
  return best;
}

/** A call's args for the body: without the profile when the batch's defaults carry it. */
function withoutProfile(call: Pending, shared: string | null): Record<string, unknown> {
  if (shared === null || call.args.profile === undefined || canonicalJson(call.args.profile) !== shared)
    return call.args;
  const { profile: _shared, ...rest } = call.args;
  return rest;
}

export class BatchingClient {
  /** HTTP requests sent so far (for the taskpane's status line and tests). */
  requestsSent = 0;
  private readonly options: Required<Omit<ClientOptions, 'apiKey'>> & Pick<ClientOptions, 'apiKey'>;
  private queue: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly cache = new Map<string, Cached>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly hashes = new WeakMap<Profile, string>();

  constructor(options: ClientOptions) {
    this.options = {
      fetch: (...a) => fetch(...a),
      flushDelayMs: 50,
      timeoutMs: 30_000,
      latestTtlMs: 60_000,
      cacheSize: 50_000,
      maxCalls: MAX_BATCH_CALLS,
      busyRetries: 3,
      maxRetryWaitMs: 10_000,
      now: () => Date.now(),
      ...options,
    };
  }

  /**
   * Calls one API function. Arguments are the API's raw arguments (ISO or relative dates,
   * preset name or profile object); bad ones reject at once with kind `invalid`.
   * `fresh` skips the cache (IWM.LIVE).
   */
  call(fn: FunctionName, args: Record<string, unknown>, options: { fresh?: boolean } = {}): Promise<unknown> {
    const clean: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(args)) if (v !== undefined) clean[k] = v;
    const parsed = (ARGS[fn] as z.ZodType).safeParse(clean);
    if (!parsed.success) {
      const issues = zodIssues(parsed.error);
      return Promise.reject(new ApiError('invalid', issuesText(issues), undefined));
    }
    const profile = (parsed.data as { profile?: Profile }).profile;
    const { profile: _raw, ...rest } = clean;
    const key = `${this.options.baseUrl()}|${fn}|${canonicalJson(rest)}|${profile ? this.hashOf(profile) : DEFAULT_HASH}`;
    if (!options.fresh) {
      const hit = this.cache.get(key);
      if (hit && hit.expires > this.options.now()) {
        // Refresh its place in the LRU order.
        this.cache.delete(key);
        this.cache.set(key, hit);
        return Promise.resolve(hit.value);
      }
      const shared = this.inFlight.get(key);
      if (shared) return shared;
    }
    const promise = new Promise<unknown>((resolve, reject) => {
      this.queue.push({ fn, args: clean, key, closed: asksAboutClosedSessions(fn, clean), resolve, reject });
    });
    if (!options.fresh) {
      this.inFlight.set(key, promise);
      const forget = () => {
        if (this.inFlight.get(key) === promise) this.inFlight.delete(key);
      };
      promise.then(forget, forget);
    }
    if (this.queue.length >= this.options.maxCalls) this.flushNow();
    else this.timer ??= setTimeout(() => this.flushNow(), this.options.flushDelayMs);
    return promise;
  }

  /** Forgets every cached result (after a data refresh or a change of settings). */
  clearCache(): void {
    this.cache.clear();
  }

  /** Sends everything queued now; resolves when every call in it has settled. */
  flushNow(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const calls = this.queue;
    this.queue = [];
    return this.sendAll(calls);
  }

  /**
   * Sends `calls` in as few requests as the call count and the body size allow. A profile
   * that several calls share (the workbook's) goes once per request, in the body's
   * defaults, instead of once per call: a profile with custom events is kilobytes.
   */
  private sendAll(calls: Pending[]): Promise<void> {
    const shared = sharedProfile(calls);
    const head = shared === null ? '[' : `{"defaults":{"profile":${shared}},"calls":[`;
    const tail = shared === null ? ']' : ']}';
    const sends: Promise<void>[] = [];
    let chunk: Pending[] = [];
    let items: string[] = [];
    let bytes = head.length + tail.length;
    for (const call of calls) {
      const item = JSON.stringify({ fn: call.fn, args: withoutProfile(call, shared) });
      if (chunk.length && (chunk.length >= this.options.maxCalls || bytes + item.length + 1 > BODY_BUDGET)) {
        sends.push(this.send(chunk, head + items.join(',') + tail));
        chunk = [];
        items = [];
        bytes = head.length + tail.length;
      }
      chunk.push(call);
      items.push(item);
      bytes += item.length + 1;
    }
    if (chunk.length) sends.push(this.send(chunk, head + items.join(',') + tail));
    return Promise.all(sends).then(() => undefined);
  }

  private hashOf(profile: Profile): string {
    let h = this.hashes.get(profile);
    if (!h) this.hashes.set(profile, (h = profileHash(profile)));
    return h;
  }

  private remember(call: Pending, value: unknown): void {
    if (call.key === null) return;
    const { cacheSize, latestTtlMs, now } = this.options;
    this.cache.delete(call.key);
    this.cache.set(call.key, { value, expires: call.closed ? Infinity : now() + latestTtlMs });
    if (this.cache.size > cacheSize) this.cache.delete(this.cache.keys().next().value as string);
  }

  /**
   * One request; settles every call in `chunk` whatever happens. Two answers about the
   * request rather than its calls are handled here instead of failing every cell: a
   * request over the API's budget (422 `over-budget`: a sheet of heavy formulas in one
   * burst) is split in halves and each half sent on its own, down to single calls, so only
   * a call over the budget by itself fails; a busy API (503 `busy`) gets the same request
   * again after its Retry-After, a few times (busyRetries), then the calls fail saying so.
   */
  private async send(chunk: Pending[], body: string, busyTries = 0): Promise<void> {
    const base = this.options.baseUrl().replace(/\/+$/, '');
    try {
      const results = await this.post(base, chunk, body).catch(async (err: unknown) => {
        const kind = err instanceof ApiError && err.problem ? problemKind(err.problem) : null;
        if (kind === 'over-budget' && chunk.length > 1) {
          const half = Math.ceil(chunk.length / 2);
          await Promise.all([this.sendAll(chunk.slice(0, half)), this.sendAll(chunk.slice(half))]);
          return null;
        }
        if (kind === 'busy' && busyTries < this.options.busyRetries) {
          const wait = Math.min((err as ApiError).retryAfterMs ?? 1000, this.options.maxRetryWaitMs);
          await new Promise((resolve) => setTimeout(resolve, wait));
          await this.send(chunk, body, busyTries + 1);
          return null;
        }
        throw err;
      });
      // Settled by the split halves or the retry.
      if (results === null) return;
      chunk.forEach((call, i) => {
        const item = results[i] as { value?: unknown; error?: unknown } | null;
        if (item && typeof item === 'object' && 'value' in item) {
          this.remember(call, item.value);
          call.resolve(item.value);
        } else if (item && isProblem(item.error)) {
          call.reject(problemError(item.error));
        } else {
          call.reject(new ApiError('server', `the IWM API at ${base} returned an unreadable result for ${call.fn}`));
        }
      });
    } catch (err) {
      const error = err instanceof ApiError ? err : new ApiError('server', (err as Error).message);
      for (const call of chunk) call.reject(error);
    }
  }

  private async post(base: string, chunk: Pending[], body: string): Promise<unknown[]> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    const key = this.options.apiKey?.();
    if (key) headers['x-functions-key'] = key;
    const url = `${base}/batch`;
    this.requestsSent++;
    let response: Response;
    try {
      response = await this.options.fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      const e = err as Error;
      const reason =
        e.name === 'TimeoutError'
          ? `no answer within ${Math.round(this.options.timeoutMs / 1000)} s`
          : `${e.message}${e.cause ? ` (${(e.cause as Error).message ?? String(e.cause)})` : ''}`;
      throw new ApiError('network', `cannot reach the IWM API at ${base}: ${reason}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw new ApiError('network', `the IWM API at ${base} dropped the connection: ${(err as Error).message}`);
    }
    let reply: unknown;
    try {
      reply = JSON.parse(text);
    } catch {
      reply = undefined;
    }
    if (!response.ok) {
      if (response.status === 401 || response.status === 403)
        throw new ApiError(
          'auth',
          `the IWM API at ${base} refused the request (${response.status}): ${
            isProblem(reply) ? reply.detail : 'check the API key in the taskpane'
          }`,
          isProblem(reply) ? reply : undefined,
        );
      if (isProblem(reply))
        throw new ApiError(problemError(reply).kind, `IWM API: ${reply.detail}`, reply, retryAfterMs(response));
      throw new ApiError('server', `the IWM API at ${base} answered HTTP ${response.status}`);
    }
    if (!Array.isArray(reply) || reply.length !== chunk.length)
      throw new ApiError(
        'server',
        `the IWM API at ${base} sent an unexpected reply (expected ${chunk.length} results)`,
      );
    return reply;
  }
}
