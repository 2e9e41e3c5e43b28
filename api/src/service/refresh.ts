/**
 * A refresh: what the nightly timer does and what `iwm-signals refresh` does on demand.
 * Take the store's refresh lease (waiting a bounded time for another refresh), record the
 * attempt, sweep what a crashed writer left, build the snapshot from the source, store it
 * (objects first, manifest last; the same data is verified, and repaired where damaged),
 * then precompute the latest readings of each preset. Repeatable: the same data gives the
 * same generation and readings are upserted by (series, date). A failure is recorded in the
 * refresh status and leaves the last good snapshot in place.
 */
import { PRESET_NAMES, profileHash, resolveProfile } from '../engine/profile';
import { computeHistory } from '../engine/engine';
import { formatDay } from '../engine/dates';
import type { MacroEvent } from '../engine/types';
import { EMPTY_STATUS } from '../storage/snapshot-objects';
import { holdLease, leaseLapsed } from '../storage/lease';
import type { BarStore, LeaseInfo, RefreshStatus, StoredReading } from '../storage/types';
import type { ServiceConfig } from './config';
import { pairData } from './market-data';
import { readingKey } from './signal-service';
import { buildSnapshot, httpClientOf, sourceKey, UNIVERSE_OWNER } from './snapshot-source';
import { groupedSnapshot } from './grouped-refresh';
import type { BackfillProgress } from './backfill-plan';
import { MassiveProvider } from '../data/providers';
import type { HttpClient } from '../data/http-client';
import type { RateLimiter } from '../data/rate-limit';
import { newestVerifiedGeneration } from '../storage/recovery';
import { addUniverseBreadth, DEFAULT_BREADTH_PERIODS, storedBreadthNote } from './breadth-store';
import { baseMetaOf, readingWithContext } from './views';
import type { Snapshot, SnapshotManifest } from '../storage/types';

export interface RefreshResult {
  generation: string;
  /** True when the data was what the store held and every stored object verified (nothing rewritten). */
  unchanged: boolean;
  /** Stored objects of this generation that were missing or damaged and were rewritten. */
  repaired: string[];
  /** Stored objects checked against the manifest's length and CRC-32 (same data as stored). */
  verified: number;
  /** Generations the clean-up removed. */
  removed: string[];
  /** Temp files of crashed writers swept before the refresh. */
  leftovers: number;
  source: string;
  lastBarDates: Record<string, string>;
  readings: number;
  universeMembers: number;
  /** IWM_UNIVERSE=grouped: how far the universe's backfill has come. */
  backfill?: BackfillProgress;
  ms: number;
}

export interface RefreshDeps {
  config: ServiceConfig;
  store: BarStore;
  events: readonly MacroEvent[];
  clock?: () => Date;
  log?: (msg: string) => void;
  /** IWM_UNIVERSE=grouped: called as each session is fetched (the CLI's progress bar). */
  onProgress?: (progress: BackfillProgress) => void;
  /** Network parts to use instead of the configured ones (tests: a limiter and a budget on a virtual clock). */
  network?: { client?: HttpClient; limiter?: RateLimiter | null; now?: () => number };
}

/** The readings a refresh stores: the last `sessions` sessions of each preset, default pair. */
export function precomputeReadings(
  snapshot: Snapshot,
  manifest: SnapshotManifest,
  config: ServiceConfig,
  events: readonly MacroEvent[],
): StoredReading[] {
  const out: StoredReading[] = [];
  for (const preset of PRESET_NAMES) {
    const profile = resolveProfile(preset);
    const { shortPeriod, longPeriod } = profile.breadth;
    const pair = pairData(snapshot, config.symbol, config.benchmark, events, { shortPeriod, longPeriod });
    const hash = profileHash(profile);
    const h = computeHistory(pair.input, profile);
    const meta = baseMetaOf(snapshot.source, pair, profile, hash, h, manifest.generation);
    for (let t = Math.max(0, h.length - config.precomputeSessions); t < h.length; t++) {
      const reading = readingWithContext(h, t, snapshot.series);
      out.push({
        key: readingKey(pair.symbol, pair.benchmark, hash),
        date: formatDay(h.dates[t]),
        generation: manifest.generation,
        json: JSON.stringify({ meta, ...reading }),
      });
    }
  }
  return out;
}

const ownerOf = (snapshot: Snapshot) => (snapshot.notes.universeOwner as string | undefined) ?? UNIVERSE_OWNER;

/**
 * The current generation's stored breadth (bars and series, never the universe), for the
 * new generation to extend; null when there is none or it cannot be read (a full pass then).
 */
async function previousBreadth(
  store: BarStore,
  sourceKey: unknown,
  log: (msg: string) => void,
): Promise<Snapshot | null> {
  try {
    const manifest = await store.readManifest();
    // Another source's members are other members: never extend their breadth.
    if (
      !manifest ||
      manifest.notes.sourceKey !== sourceKey ||
      storedBreadthNote(manifest, DEFAULT_BREADTH_PERIODS) === null
    )
      return null;
    return await store.readSnapshot(manifest, { universe: false });
  } catch (err) {
    log(`refresh: previous breadth unreadable, computing it in full (${(err as Error).message})`);
    return null;
  }
}

export async function runRefresh(deps: RefreshDeps): Promise<RefreshResult> {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log ?? (() => {});
  const { store } = deps;
  await store.init();
  // One writer at a time; a second refresh waits here (bounded) or fails naming the holder.
  const lease = await holdLease(store, { waitMs: deps.config.refreshWaitMs, log });
  try {
    const started = clock();
    const t0 = Date.now();
    let previous: RefreshStatus;
    try {
      previous = await store.readStatus();
    } catch {
      previous = { ...EMPTY_STATUS };
    }
    // Recorded before the work: a refresh killed from here on shows in status.
    await store.writeStatus({ ...previous, lastAttemptAt: started.toISOString(), runningSince: started.toISOString() });
    try {
      const leftovers = await store.removeLeftovers();
      if (leftovers > 0) log(`refresh: removed ${leftovers} temp file(s) left by an interrupted writer`);
      const grouped = deps.config.universe === 'grouped' ? await buildGrouped(deps, lease, started, log) : null;
      const snapshot = grouped?.snapshot ?? (await buildSnapshot(deps.config, started.toISOString(), log));
      const breadth = addUniverseBreadth(
        snapshot,
        ownerOf(snapshot),
        await previousBreadth(store, snapshot.notes.sourceKey, log),
      );
      if (breadth)
        log(
          `refresh: breadth ${breadth.incremental ? 'extended' : 'computed'} (${breadth.computed} of ${breadth.sessions} sessions)` +
            (breadth.fullBecause ? `; not extended: ${breadth.fullBecause}` : ''),
        );
      const outcome = await store.writeSnapshot(snapshot, { lease });
      // Published: the staged sessions it holds are no longer needed.
      if (grouped && grouped.consumed.length > 0) await store.deleteStaging(grouped.consumed, lease);
      const { manifest } = outcome;
      const readings = precomputeReadings(snapshot, manifest, deps.config, deps.events);
      await store.putReadings(readings);
      await store.writeStatus({
        lastAttemptAt: started.toISOString(),
        runningSince: null,
        lastSuccessAt: clock().toISOString(),
        generation: manifest.generation,
        lastError: null,
        lastErrorAt: null,
      });
      const result: RefreshResult = {
        generation: manifest.generation,
        unchanged: outcome.unchanged,
        repaired: outcome.repaired,
        verified: outcome.verified,
        removed: outcome.removed,
        leftovers,
        source: manifest.source,
        lastBarDates: manifest.lastBarDates,
        readings: readings.length,
        universeMembers: snapshot.universe?.symbols.length ?? 0,
        ...(grouped ? { backfill: grouped.progress } : {}),
        ms: Date.now() - t0,
      };
      log(`refresh: ${result.source} generation ${result.generation} (${outcomeText(result)}), ${result.ms} ms`);
      return result;
    } catch (err) {
      const message = (err as Error).message.split('\n').slice(0, 4).join(' | ');
      try {
        await store.writeStatus({
          ...previous,
          lastAttemptAt: started.toISOString(),
          runningSince: null,
          lastError: message,
          lastErrorAt: clock().toISOString(),
        });
      } catch (statusErr) {
        log(`refresh: could not record the failure: ${(statusErr as Error).message}`);
      }
      throw err;
    }
  } finally {
    await lease.release().catch((err) => log(`refresh: could not release the lease: ${(err as Error).message}`));
  }
}

/**
 * IWM_UNIVERSE=grouped: the snapshot built on the newest verified generation of this
 * configuration (none: the backfill starts over).
 */
async function buildGrouped(
  deps: RefreshDeps,
  lease: Awaited<ReturnType<typeof holdLease>>,
  started: Date,
  log: (msg: string) => void,
) {
  const { config, store } = deps;
  const key = sourceKey(config);
  const found = await newestVerifiedGeneration(store, { accept: (m) => m.notes.sourceKey === key });
  const client = deps.network?.client ?? httpClientOf(config);
  // The refresh's clock decides which session closed last (tests and backfills set one).
  const clock = deps.clock;
  const now = deps.network?.now ?? (clock ? () => clock().getTime() : Date.now);
  const provider = new MassiveProvider(client, {
    key: config.massiveKey ?? undefined,
    baseUrl: config.urls.massive,
    requestsPerMinute: config.massiveRpm,
    now,
    ...(deps.network?.limiter !== undefined ? { limiter: deps.network.limiter } : {}),
  });
  const outcome = await groupedSnapshot(
    {
      config,
      store,
      lease,
      previous: found?.snapshot ?? null,
      client,
      provider,
      now,
      log,
      ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
    },
    started.toISOString(),
  );
  outcome.snapshot.notes.sourceKey = key;
  return outcome;
}

/** What a refresh did to the store, in words: "unchanged: 5 objects verified", "new data", "repaired 2 objects: ...". */
export function outcomeText(r: Pick<RefreshResult, 'unchanged' | 'repaired' | 'verified'>): string {
  if (r.repaired.length > 0)
    return `same data as stored; repaired ${r.repaired.length} missing or damaged object(s): ${r.repaired.join(', ')}`;
  if (r.unchanged) return `unchanged: same data as stored, ${r.verified} objects verified`;
  return 'new data';
}

/** Where the refresh stands, for status: from the recorded attempt and the lease. */
export interface RefreshState {
  state: 'idle' | 'running' | 'interrupted';
  /** Start of the running or interrupted refresh. */
  since: string | null;
  /** When the running refresh's lease lapses unless renewed. */
  leaseUntil: string | null;
  /** The same in words; null when idle. */
  note: string | null;
}

/**
 * A live lease means a refresh is running. An attempt recorded as started and never ended,
 * or a lease left behind by a holder that is gone, means a refresh was killed: the next one
 * takes over (and sweeps what it left). Pure; `now` in ms.
 */
export function refreshState(status: RefreshStatus, lease: LeaseInfo | null, now: number): RefreshState {
  if (lease && !leaseLapsed(lease, now)) {
    const since = status.runningSince ?? lease.since;
    return {
      state: 'running',
      since,
      leaseUntil: lease.expiresAt,
      note: `a refresh is running since ${since} (its lease runs until ${lease.expiresAt} unless renewed)`,
    };
  }
  const since = status.runningSince ?? lease?.since ?? null;
  if (since === null) return { state: 'idle', since: null, leaseUntil: null, note: null };
  return {
    state: 'interrupted',
    since,
    leaseUntil: null,
    note: `a refresh started at ${since} did not finish (stopped or killed); the next refresh takes over and cleans up`,
  };
}
