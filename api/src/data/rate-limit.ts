/**
 * A token bucket for providers that allow so many requests per minute (Massive's free
 * plan: 5). The HttpClient takes a token before every attempt, retries included, since
 * the provider counts those too; a 429 drains the bucket so a burst does not carry on
 * into the wall. Waiters are served in call order: each take() reserves the next token
 * and sleeps until it is due, so concurrent callers never share one. The clock and the sleep are injectable, so tests check the schedule
 * without waiting for it.
 */

/** What the HttpClient needs from a limiter (see RequestOptions.limiter). */
export interface RateLimiter {
  /** Resolves when the next request may be sent, and counts it. */
  take(): Promise<void>;
  /** The provider said "too many requests": the next token is a full interval away. */
  drain(): void;
}

export interface TokenBucketOptions {
  /** Tokens added per minute (requests per minute over the long run). */
  perMinute: number;
  /**
   * Tokens the bucket holds, i.e. requests that may go at once after a quiet spell
   * (default 1: evenly spaced requests, which no per-minute limit can object to,
   * whether the provider counts a fixed minute or a sliding one).
   */
  burst?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class TokenBucket implements RateLimiter {
  /** Milliseconds between two tokens. */
  readonly intervalMs: number;
  readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /**
   * The bucket as a time (GCRA, the token bucket's equivalent): the next request may go
   * at `due - (burst - 1) * interval`, and each one pushes `due` an interval on. Times
   * rather than fractional tokens keep the schedule in whole milliseconds.
   */
  private due: number;

  constructor(options: TokenBucketOptions) {
    const { perMinute } = options;
    if (!(perMinute > 0) || !Number.isFinite(perMinute)) {
      throw new RangeError(`TokenBucket: perMinute must be > 0, got ${perMinute}`);
    }
    const burst = options.burst ?? 1;
    if (!Number.isInteger(burst) || burst < 1) {
      throw new RangeError(`TokenBucket: burst must be an integer >= 1, got ${burst}`);
    }
    this.intervalMs = 60_000 / perMinute;
    this.burst = burst;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.due = Number.NEGATIVE_INFINITY;
  }

  async take(): Promise<void> {
    const now = this.now();
    const sendAt = Math.max(now, this.due - this.slack());
    // Reserve before sleeping, so the next caller queues behind this one.
    this.due = Math.max(sendAt, this.due) + this.intervalMs;
    if (sendAt > now) await this.sleep(Math.ceil(sendAt - now));
  }

  drain(): void {
    this.due = Math.max(this.due, this.now() + this.intervalMs + this.slack());
  }

  /** How far ahead of `due` a request may go: the burst's other tokens. */
  private slack(): number {
    return (this.burst - 1) * this.intervalMs;
  }
}
