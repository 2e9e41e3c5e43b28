/**
 * A bounded queue for heavy work. Node runs a request's computation on one thread, so
 * many heavy requests at once only share that thread and stack their memory: at most
 * `maxInFlight` run, at most `maxQueued` wait in arrival order, and one more is refused at
 * once with 503 `busy` and Retry-After instead of piling up. Cheap requests never pass
 * through the gate, so they keep answering while heavy ones wait.
 */
import { ProblemError } from '../contracts/problem';
import { Semaphore } from '../data/semaphore';

export interface GateLimits {
  maxInFlight: number;
  maxQueued: number;
  retryAfterSeconds: number;
}

/** Lets other requests in (one turn of the event loop) between chunks of heavy work. */
export const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Releases a slot; calling it again does nothing. */
export type Release = () => void;

export class Gate {
  private readonly slots: Semaphore;

  constructor(readonly limits: GateLimits) {
    this.slots = new Semaphore(limits.maxInFlight);
  }

  /** Heavy requests running now. */
  get inFlight(): number {
    return this.limits.maxInFlight - this.slots.available;
  }

  /** Heavy requests waiting for a slot. */
  get queued(): number {
    return this.slots.queued;
  }

  /** A slot, now or when one frees up (first come, first served); rejects with `busy` when the queue is full. */
  acquire(): Promise<Release> {
    const { maxInFlight, maxQueued, retryAfterSeconds } = this.limits;
    if (this.slots.available === 0 && this.slots.queued >= maxQueued)
      return Promise.reject(
        ProblemError.of(
          'busy',
          `the API is busy: ${maxInFlight} heavy requests (long history, debrief or backtest ranges, large batches) are running and ${maxQueued} are waiting; retry in ${retryAfterSeconds} s, or ask for less at once`,
          undefined,
          { 'retry-after': String(retryAfterSeconds) },
        ),
      );
    return this.slots.acquire();
  }

  /** Runs `work` in a slot. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }
}
