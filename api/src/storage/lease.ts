/**
 * The refresh lease: one writer at a time per store. Each store takes and renews it its
 * own way (a lock file, a blob lease, an in-process lock); what a writer does with it is
 * here, once: wait a bounded time for it, renew it in the background while the work runs,
 * check it right before committing, and say plainly who holds it when it cannot be had.
 *
 * Figures (README "refresh lease"): a lease lasts LEASE_TTL_MS unless renewed, is renewed
 * every LEASE_RENEW_MS, and a second refresh polls every LEASE_POLL_MS for at most its wait
 * (IWM_REFRESH_WAIT_MS). Old generations stay GC_GRACE_MS after being replaced.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  LeaseBusyError,
  LeaseLostError,
  type BarStore,
  type HeldLease,
  type LeaseInfo,
  type RefreshLease,
} from './types';

/** How long a lease lasts without renewal; the longest blob lease Azure grants (15-60 s). */
export const LEASE_TTL_MS = 60_000;
/** Renewal period: three chances to renew before the lease lapses. */
export const LEASE_RENEW_MS = 20_000;
/** How often a waiting refresh asks for the lease again. */
export const LEASE_POLL_MS = 1_000;
/** A replaced generation is kept this long, for readers that fetched its manifest just before. */
export const GC_GRACE_MS = 10 * 60_000;

/** The record of a lease this process takes now. */
export function newLeaseInfo(now = Date.now()): LeaseInfo {
  return {
    id: randomUUID(),
    pid: process.pid,
    host: hostname(),
    since: new Date(now).toISOString(),
    expiresAt: new Date(now + LEASE_TTL_MS).toISOString(),
    abandoned: false,
  };
}

/**
 * The record of a holder not (yet) known: a lease taken at `sinceMs` whose owner has not
 * written its record; it counts as held for one lease duration from then.
 */
export function unknownHolder(sinceMs: number, now = Date.now()): LeaseInfo {
  const expiresAt = sinceMs + LEASE_TTL_MS;
  return {
    id: '?',
    pid: null,
    host: null,
    since: new Date(sinceMs).toISOString(),
    expiresAt: new Date(expiresAt).toISOString(),
    abandoned: now >= expiresAt,
  };
}

/** May another writer take this lease over? Only once it lapsed or its holder is known to be gone. */
export function leaseLapsed(info: LeaseInfo, now = Date.now()): boolean {
  return info.abandoned || now >= Date.parse(info.expiresAt);
}

/** Is `pid` a running process of this host? (EPERM: it runs, under another user.) */
export function processRuns(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the holder was a process on this host that is no longer running. */
export function holderDied(info: Pick<LeaseInfo, 'pid' | 'host'>): boolean {
  return info.host === hostname() && info.pid !== null && !processRuns(info.pid);
}

const clock = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');

/** "pid 1234 on host build-7, since 2024-06-05T19:02:11Z" */
export function describeHolder(info: LeaseInfo): string {
  return `pid ${info.pid ?? '?'} on host ${info.host ?? '?'}, since ${clock(info.since)}`;
}

/** Why a refresh could not start: who holds the lease and until when (and how long it waited, if at all). */
export function busyMessage(holder: LeaseInfo | null, waitedMs: number): string {
  const waited = waitedMs > 0 ? `; waited ${Math.round(waitedMs / 1000)} s (IWM_REFRESH_WAIT_MS)` : '';
  if (!holder) return `another refresh holds the refresh lease${waited}`;
  return `another refresh (${describeHolder(holder)}) holds the refresh lease until ${clock(holder.expiresAt)}${waited}`;
}

export interface HoldOptions {
  /** How long to wait for a busy lease before giving up with LeaseBusyError (0: do not wait). */
  waitMs: number;
  log?: (msg: string) => void;
  renewMs?: number;
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the store's refresh lease, waiting up to `waitMs` while another writer holds it,
 * and keeps it renewed until released. A renewal that fails because the lease was taken
 * over marks it lost: check() then throws, so the holder commits nothing afterwards.
 */
export async function holdLease(store: BarStore, options: HoldOptions): Promise<RefreshLease> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  // Said once per holder: a waiter that sees the lease pass to a third writer says so.
  let told: string | null = null;
  for (;;) {
    const attempt = await store.tryLease();
    if (attempt.lease) {
      if (told !== null) log(`refresh lease taken after ${Math.round((Date.now() - started) / 1000)} s`);
      return keepRenewed(attempt.lease, options.renewMs ?? LEASE_RENEW_MS, log);
    }
    const waited = Date.now() - started;
    if (waited >= options.waitMs) throw new LeaseBusyError(busyMessage(attempt.holder, options.waitMs), attempt.holder);
    const holder = attempt.holder?.id ?? '?';
    if (told !== holder) {
      log(`waiting up to ${Math.round(options.waitMs / 1000)} s: ${busyMessage(attempt.holder, 0)}`);
      told = holder;
    }
    await sleep(Math.min(options.pollMs ?? LEASE_POLL_MS, options.waitMs - waited));
  }
}

function keepRenewed(held: HeldLease, renewMs: number, log: (msg: string) => void): RefreshLease {
  let lost: Error | null = null;
  let released = false;
  // One renewal at a time: the timer's and check()'s never interleave.
  let queue: Promise<void> = Promise.resolve();
  const renew = (): Promise<void> => {
    const next = queue.then(async () => {
      if (lost) throw lost;
      try {
        await held.renew();
      } catch (err) {
        if (err instanceof LeaseLostError) lost = err;
        throw err;
      }
    });
    queue = next.catch(() => undefined);
    return next;
  };
  const timer = setInterval(() => {
    // A transient failure is retried on the next tick; check() reports it if it lasts.
    renew().catch((err) => log(`refresh lease: renewal failed: ${(err as Error).message}`));
  }, renewMs);
  timer.unref();
  return {
    info: held.info,
    check: renew,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      await queue;
      if (!lost) await held.release();
    },
  };
}

/** The error a holder gets when its lease lapsed (and `taker`, when known, took it over). */
export function lostLease(mine: LeaseInfo, taker: LeaseInfo | null): LeaseLostError {
  const what = `the refresh lease taken at ${clock(mine.since)}`;
  return new LeaseLostError(
    taker
      ? `${what} lapsed and another refresh (${describeHolder(taker)}) took it over; this refresh stops before committing`
      : `${what} lapsed before it could be renewed; this refresh stops before committing`,
  );
}

/**
 * A renewal's check, for stores that keep the lease record themselves: `stored` must still
 * be `mine`, and not lapsed (renewing a lapsed lease could overwrite a writer that just took
 * it over). Returns the extended expiry; throws LeaseLostError.
 */
export function renewedExpiry(mine: LeaseInfo, stored: LeaseInfo | null, now = Date.now()): string {
  if (stored?.id !== mine.id) throw lostLease(mine, stored);
  if (now >= Date.parse(mine.expiresAt)) throw lostLease(mine, null);
  return new Date(now + LEASE_TTL_MS).toISOString();
}

/**
 * Runs `work` under the lease the caller holds, or, without one, under a lease taken for
 * it alone (no waiting: a busy lease is LeaseBusyError) and released afterwards.
 */
export async function withLease<T>(
  store: BarStore,
  given: RefreshLease | undefined,
  work: (lease: RefreshLease) => Promise<T>,
): Promise<T> {
  if (given) return work(given);
  const lease = await holdLease(store, { waitMs: 0 });
  try {
    return await work(lease);
  } finally {
    await lease.release();
  }
}
