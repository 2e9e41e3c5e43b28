/**
 * A clock for code that waits (rate limiters, backoff, Retry-After), so a test checks a
 * schedule of minutes without spending them. sleep() queues the sleeper; once the
 * event loop has nothing else to do this turn (a setImmediate later) the clock jumps to
 * the earliest wake-up and wakes that sleeper, then the next, in time order. Code that
 * is not sleeping (a request in flight, a continuation) sees the time stand still.
 */
import { setImmediate } from 'node:timers';
import { HttpClient, type HttpClientOptions } from '../../api/src/data/http-client';

interface Sleeper {
  wake: number;
  order: number;
  resolve: () => void;
}

export class VirtualClock {
  private time: number;
  private readonly sleepers: Sleeper[] = [];
  private pumping = false;
  private calls = 0;
  /** Every sleep asked for, in ms, in call order. */
  readonly sleeps: number[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  readonly now = (): number => this.time;

  readonly sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    return new Promise((resolve) => {
      this.sleepers.push({ wake: this.time + Math.max(0, ms), order: this.calls++, resolve });
      this.schedule();
    });
  };

  /** Lets time pass without anyone waiting (a quiet spell). */
  advance(ms: number): void {
    this.time += ms;
  }

  private schedule(): void {
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => {
      this.pumping = false;
      this.sleepers.sort((a, b) => a.wake - b.wake || a.order - b.order);
      const next = this.sleepers.shift();
      if (next === undefined) return;
      this.time = Math.max(this.time, next.wake);
      next.resolve();
      if (this.sleepers.length > 0) this.schedule();
    });
  }
}

/**
 * An HttpClient whose waits (backoff, Retry-After) run on `clock`, with test-sized limits
 * and a fixed jitter of 0.5; `sent` gets the clock's time of every request it sends.
 */
export function clockedHttpClient(
  clock: VirtualClock,
  options: HttpClientOptions = {},
): { client: HttpClient; sent: number[] } {
  const sent: number[] = [];
  const client = new HttpClient({
    timeoutMs: 5_000,
    retries: 2,
    backoffMs: 100,
    random: () => 0.5,
    now: clock.now,
    sleep: clock.sleep,
    fetch: (input, init) => {
      sent.push(clock.now());
      return globalThis.fetch(input, init);
    },
    ...options,
  });
  return { client, sent };
}
