/**
 * A refresh: what the nightly timer does and what `iwm-signals refresh` does on demand.
 * Build the snapshot from the source, store it (objects first, manifest last), then
 * precompute the latest readings of each preset. Repeatable: the same data gives the same
 * generation (nothing rewritten) and readings are upserted by (series, date). A failure
 * is recorded in the refresh status and leaves the last good snapshot in place.
 */
import { PRESET_NAMES, profileHash, resolveProfile } from '../engine/profile';
import { computeHistory } from '../engine/engine';
import { formatDay } from '../engine/dates';
import type { MacroEvent } from '../engine/types';
import type { BarStore, RefreshStatus, StoredReading } from '../storage/types';
import type { ServiceConfig } from './config';
import { pairData } from './market-data';
import { readingKey } from './signal-service';
import { buildSnapshot } from './snapshot-source';
import { baseMetaOf, readingWithContext } from './views';
import type { Snapshot, SnapshotManifest } from '../storage/types';

export interface RefreshResult {
  generation: string;
  /** True when the data was identical to what was stored (nothing rewritten). */
  unchanged: boolean;
  source: string;
  lastBarDates: Record<string, string>;
  readings: number;
  universeMembers: number;
  ms: number;
}

export interface RefreshDeps {
  config: ServiceConfig;
  store: BarStore;
  events: readonly MacroEvent[];
  clock?: () => Date;
  log?: (msg: string) => void;
}

/** The readings a refresh stores: the last `sessions` sessions of each preset, default pair. */
export function precomputeReadings(
  snapshot: Snapshot,
  manifest: SnapshotManifest,
  config: ServiceConfig,
  events: readonly MacroEvent[],
): StoredReading[] {
  const pair = pairData(snapshot, config.symbol, config.benchmark, events);
  const out: StoredReading[] = [];
  for (const preset of PRESET_NAMES) {
    const profile = resolveProfile(preset);
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

export async function runRefresh(deps: RefreshDeps): Promise<RefreshResult> {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log ?? (() => {});
  const started = clock();
  const t0 = Date.now();
  await deps.store.init();
  let previous: RefreshStatus;
  try {
    previous = await deps.store.readStatus();
  } catch {
    previous = { lastAttemptAt: null, lastSuccessAt: null, generation: null, lastError: null, lastErrorAt: null };
  }
  try {
    const before = await deps.store.readManifest();
    const snapshot = await buildSnapshot(deps.config, started.toISOString(), log);
    const manifest = await deps.store.writeSnapshot(snapshot);
    const readings = precomputeReadings(snapshot, manifest, deps.config, deps.events);
    await deps.store.putReadings(readings);
    await deps.store.writeStatus({
      lastAttemptAt: started.toISOString(),
      lastSuccessAt: clock().toISOString(),
      generation: manifest.generation,
      lastError: null,
      lastErrorAt: null,
    });
    const result: RefreshResult = {
      generation: manifest.generation,
      unchanged: before?.generation === manifest.generation,
      source: manifest.source,
      lastBarDates: manifest.lastBarDates,
      readings: readings.length,
      universeMembers: snapshot.universe?.symbols.length ?? 0,
      ms: Date.now() - t0,
    };
    log(
      `refresh: ${result.source} generation ${result.generation}${result.unchanged ? ' (unchanged)' : ''}, ${result.readings} readings, ${result.ms} ms`,
    );
    return result;
  } catch (err) {
    const message = (err as Error).message.split('\n').slice(0, 4).join(' | ');
    try {
      await deps.store.writeStatus({
        ...previous,
        lastAttemptAt: started.toISOString(),
        lastError: message,
        lastErrorAt: clock().toISOString(),
      });
    } catch (statusErr) {
      log(`refresh: could not record the failure: ${(statusErr as Error).message}`);
    }
    throw err;
  }
}
