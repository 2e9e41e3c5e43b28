/**
 * A FIFO counting semaphore: acquire() resolves with a release function, called exactly
 * once. It bounds provider downloads (http-client.ts) and heavy API requests
 * (service/gate.ts).
 */
export class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.free = limit;
  }

  /** Slots free now. */
  get available(): number {
    return this.free;
  }

  /** Acquirers waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Takes a slot, or joins the queue, at once (before the first await). */
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    // The releasing holder hands its slot straight to the next waiter (see release).
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}
