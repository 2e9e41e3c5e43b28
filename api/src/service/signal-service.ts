/**
 * The service layer between the HTTP handlers (or the CLI) and the engine. It loads the
 * current snapshot from the store, computes each (pair, profile) history once and keeps
 * it, and answers every API function from that history: a reading is a slice of the
 * history, never a second code path. Arguments are checked with the shared contracts
 * first, so the HTTP routes and the batch route accept exactly the same things.
 *
 * Caches are keyed by the data generation, so a refresh (here or on another instance)
 * can never mix old and new numbers: when the manifest names a new generation, every
 * cache is dropped.
 */
import { z } from 'zod';
import { ARGS, type ArgsOf, type FunctionName } from '../contracts/params';
import { ProblemError, zodIssues } from '../contracts/problem';
import { backtest } from '../engine/backtest';
import { formatDay, parseIsoDay } from '../engine/dates';
import { debriefsBetween } from '../engine/debrief';
import { computeHistory, type History } from '../engine/engine';
import { DEFAULT_HISTORY_FIELDS, fieldValue } from '../engine/fields';
import { eventWindow, positionDay } from '../engine/macro';
import { profileHash, resolveProfile, type Profile } from '../engine/profile';
import { historyTable, levelsReport, type Reading } from '../engine/reading';
import { SessionError, refDay, relativeSession, sessionIndex, sessionRange } from '../engine/sessions';
import type { MacroEvent } from '../engine/types';
import type { BarStore, RefreshStatus, Snapshot, SnapshotManifest } from '../storage/types';
import type { ServiceConfig } from './config';
import { NETWORK_SOURCES } from './config';
import { expectedLastSession, freshness, type Freshness } from './freshness';
import { Lru } from './lru';
import { pairData, type PairData } from './market-data';
import { baseMetaOf, readingWithContext, type BaseMeta } from './views';
import { sourceKey } from './snapshot-source';

export interface ServiceOptions {
  config: ServiceConfig;
  store: BarStore;
  /**
   * The macro calendar (the shipped default or the user's file, already parsed). A profile's
   * own events (`macro.customEvents`) are added to it by computeHistory, per profile.
   */
  events: readonly MacroEvent[];
  /** Runs a refresh (build + store the snapshot, precompute readings); see refresh.ts. */
  refresh: () => Promise<unknown>;
  clock?: () => Date;
  version?: string;
  log?: (msg: string) => void;
}

interface Loaded {
  manifest: SnapshotManifest;
  snapshot: Snapshot;
  checkedAt: number;
}

/** The stored-readings key of a series of readings. */
export const readingKey = (symbol: string, benchmark: string, hash: string) => `${symbol}-${benchmark}-${hash}`;

/** Cache keys: a history is one (generation, pair, profile); a session is one index of it. */
const historyKey = (e: { generation: string; pair: { symbol: string; benchmark: string }; hash: string }) =>
  `${e.generation}|${e.pair.symbol}|${e.pair.benchmark}|${e.hash}`;
const sessionKey = (e: Entry, t: number) => `${historyKey(e)}|${t}`;

/** One computed history plus what every response about it repeats. */
export interface Entry {
  pair: PairData;
  profile: Profile;
  hash: string;
  history: History;
  generation: string;
}

const MAX_HISTORIES = 16;
const MAX_READINGS = 5000;

const NO_STATUS: RefreshStatus = {
  lastAttemptAt: null,
  lastSuccessAt: null,
  generation: null,
  lastError: null,
  lastErrorAt: null,
};

/** A session error from the engine, as a problem naming the parameter. */
function sessionProblem(err: SessionError, field: string): ProblemError {
  return ProblemError.of(err.kind === 'invalid' ? 'invalid-parameter' : 'not-available', err.message, [
    { field, message: err.message.replace(/^[^:]*: /, '') },
  ]);
}

function at(h: History, date: string | undefined, field: string): number {
  if (date === undefined) return h.length - 1;
  try {
    return sessionIndex(h, date, field);
  } catch (err) {
    if (err instanceof SessionError) throw sessionProblem(err, field);
    throw err;
  }
}

function range(h: History, from: string | undefined, to: string | undefined): [number, number] {
  try {
    return sessionRange(h, from, to, 'from/to');
  } catch (err) {
    if (err instanceof SessionError) throw sessionProblem(err, err.end ?? (from !== undefined ? 'from' : 'to'));
    throw err;
  }
}

/** The calendar day of a date parameter (a relative session is that session's date). */
function dayOf(h: History, ref: string, field: string): number {
  try {
    return refDay(h, ref, field);
  } catch (err) {
    if (err instanceof SessionError) throw sessionProblem(err, field);
    throw err;
  }
}

export class SignalService {
  readonly config: ServiceConfig;
  readonly store: BarStore;
  readonly version: string;
  private readonly events: readonly MacroEvent[];
  private readonly clock: () => Date;
  private readonly log: (msg: string) => void;
  private readonly runRefresh: () => Promise<unknown>;
  private loaded: Loaded | null = null;
  private loading: Promise<Loaded> | null = null;
  private backgroundRefresh: Promise<unknown> | null = null;
  private pairs = new Map<string, PairData>();
  private histories = new Lru<string, Entry>(MAX_HISTORIES);
  private readings = new Lru<string, Reading>(MAX_READINGS);
  private readingTexts = new Lru<string, string>(MAX_READINGS);
  private metaTexts = new Lru<string, string>(64);
  private hashes = new WeakMap<Profile, string>();
  private status: { value: RefreshStatus; readAt: number } | null = null;
  private fresh: { key: string; value: Freshness; at: number } | null = null;

  constructor(options: ServiceOptions) {
    this.config = options.config;
    this.store = options.store;
    this.events = options.events;
    this.runRefresh = options.refresh;
    this.clock = options.clock ?? (() => new Date());
    this.version = options.version ?? '0.0.0';
    this.log = options.log ?? (() => {});
  }

  /** Validates raw arguments for `fn` with the shared contract; a problem names every bad field. */
  parse<F extends FunctionName>(fn: F, raw: unknown): ArgsOf<F> {
    const parsed = (ARGS[fn] as z.ZodType).safeParse(raw ?? {});
    if (!parsed.success) {
      const issues = zodIssues(parsed.error);
      throw ProblemError.of(
        'invalid-parameter',
        `${fn}: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
        issues,
      );
    }
    return parsed.data as ArgsOf<F>;
  }

  /** Runs one API function on raw (unvalidated) arguments. */
  async call(fn: FunctionName, raw: unknown): Promise<unknown> {
    switch (fn) {
      case 'signal':
        return this.signal(this.parse('signal', raw));
      case 'field':
        return this.field(this.parse('field', raw));
      case 'history':
        return this.history(this.parse('history', raw));
      case 'levels':
        return this.levels(this.parse('levels', raw));
      case 'debrief':
        return this.debrief(this.parse('debrief', raw));
      case 'backtest':
        return this.backtest(this.parse('backtest', raw));
      case 'calendar':
        return this.calendar(this.parse('calendar', raw));
      case 'status':
        this.parse('status', raw);
        return this.statusReport();
    }
  }

  // ---- data loading -------------------------------------------------------------------

  /** The current snapshot; loads or reloads it when the manifest names a new generation. */
  async current(): Promise<Loaded> {
    const now = Date.now();
    if (this.loaded && now - this.loaded.checkedAt < this.config.manifestTtlMs) return this.loaded;
    // One load at a time: 100 concurrent first requests share one read of the store.
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(): Promise<Loaded> {
    let manifest = await this.store.readManifest();
    if (this.loaded && manifest && manifest.generation === this.loaded.manifest.generation) {
      this.loaded.checkedAt = Date.now();
      return this.loaded;
    }
    if (!manifest || manifest.notes.sourceKey !== sourceKey(this.config)) {
      if (NETWORK_SOURCES.includes(this.config.source)) {
        // A network refresh can take minutes: start it, and say so, rather than hold the request.
        this.backgroundRefresh ??= this.runRefresh()
          .catch((err) => this.log(`background refresh failed: ${(err as Error).message}`))
          .finally(() => {
            this.backgroundRefresh = null;
          });
        if (!manifest || !this.loaded)
          throw ProblemError.of(
            'data-unavailable',
            `no ${this.config.source} data stored yet; a refresh has started (or run "iwm-signals refresh"); try again in a few minutes`,
          );
        return this.loaded;
      }
      await this.runRefresh();
      manifest = await this.store.readManifest();
      if (!manifest) throw ProblemError.of('data-unavailable', 'the refresh stored no data');
    }
    const snapshot = await this.store.readSnapshot(manifest);
    if (!snapshot)
      throw ProblemError.of('data-unavailable', 'the stored data set disappeared while loading; try again');
    this.pairs.clear();
    this.histories.clear();
    this.readings.clear();
    this.readingTexts.clear();
    this.metaTexts.clear();
    this.status = null;
    this.loaded = { manifest, snapshot, checkedAt: Date.now() };
    this.log(`loaded ${manifest.source} data, generation ${manifest.generation}`);
    return this.loaded;
  }

  /** Forces the next request to check the store (after a refresh in this process). */
  invalidate(): void {
    if (this.loaded) this.loaded.checkedAt = -Infinity;
    this.status = null;
  }

  private async refreshStatus(): Promise<RefreshStatus> {
    const now = Date.now();
    if (this.status && now - this.status.readAt < Math.max(1000, this.config.manifestTtlMs)) return this.status.value;
    let value: RefreshStatus;
    try {
      value = await this.store.readStatus();
    } catch {
      value = NO_STATUS;
    }
    this.status = { value, readAt: now };
    return value;
  }

  private hashOf(profile: Profile): string {
    let h = this.hashes.get(profile);
    if (!h) {
      h = profileHash(profile);
      this.hashes.set(profile, h);
    }
    return h;
  }

  async entry(args: { symbol?: string; benchmark?: string; profile?: Profile }): Promise<Entry> {
    const { manifest, snapshot } = await this.current();
    const symbol = args.symbol ?? this.config.symbol;
    const benchmark = args.benchmark ?? this.config.benchmark;
    const profile = args.profile ?? resolveProfile('iwm');
    const hash = this.hashOf(profile);
    const key = historyKey({ generation: manifest.generation, pair: { symbol, benchmark }, hash });
    let e = this.histories.get(key);
    if (!e) {
      const pairKey = `${symbol}|${benchmark}`;
      let pair = this.pairs.get(pairKey);
      if (!pair) {
        pair = pairData(snapshot, symbol, benchmark, this.events);
        this.pairs.set(pairKey, pair);
      }
      e = { pair, profile, hash, history: computeHistory(pair.input, profile), generation: manifest.generation };
      this.histories.set(key, e);
    }
    return e;
  }

  private freshnessOf(lastBarDay: number, lastError: string | null): Freshness {
    const now = this.clock();
    const key = `${lastBarDay}|${lastError}`;
    if (this.fresh && this.fresh.key === key && Math.abs(now.getTime() - this.fresh.at) < 1000) return this.fresh.value;
    const value = freshness(now, lastBarDay, {
      sample: this.config.source === 'sample',
      staleAfterSessions: this.config.staleAfterSessions,
      closeLagMinutes: this.config.closeLagMinutes,
      lastError,
    });
    this.fresh = { key, value, at: now.getTime() };
    return value;
  }

  /** What every response about this history repeats, before the freshness check. */
  baseMeta(e: Entry): BaseMeta {
    return baseMetaOf(this.config.source, e.pair, e.profile, e.hash, e.history, e.generation);
  }

  /** Adds staleness as of now (the clock and the latest refresh's outcome). */
  private async withFreshness(base: BaseMeta) {
    const st = await this.refreshStatus();
    const f = this.freshnessOf(parseIsoDay(base.lastBarDate) as number, st.lastError);
    return {
      ...base,
      stale: f.stale,
      staleReason: f.staleReason,
      warnings: f.stale ? [...base.warnings, `STALE: ${f.staleReason}`] : base.warnings,
    };
  }

  private meta(e: Entry) {
    return this.withFreshness(this.baseMeta(e));
  }

  /**
   * A cold instance (just started on Azure) answers a preset's latest readings from the
   * readings the nightly refresh stored, while the snapshot loads in the background;
   * anything else waits for the load.
   */
  private async storedSignal(args: ArgsOf<'signal'>) {
    if (this.loaded || this.config.source === 'sample') return null;
    const manifest = await this.store.readManifest();
    if (!manifest || manifest.notes.sourceKey !== sourceKey(this.config)) return null;
    const symbol = args.symbol ?? this.config.symbol;
    const benchmark = args.benchmark ?? this.config.benchmark;
    // A relative asOf needs the history to resolve, except -1: the last bar, as when omitted.
    const relative = args.asOf !== undefined ? relativeSession(args.asOf) : null;
    if (relative !== null && relative !== 1) return null;
    const date = args.asOf === undefined || relative === 1 ? manifest.lastBarDates[symbol] : args.asOf;
    if (!date) return null;
    const key = readingKey(symbol, benchmark, this.hashOf(args.profile ?? resolveProfile('iwm')));
    const stored = await this.store.getReading(key, date, manifest.generation);
    if (!stored) return null;
    void this.current().catch((err) => this.log(`background load failed: ${(err as Error).message}`));
    const { meta, ...reading } = JSON.parse(stored.json) as { meta: BaseMeta } & Reading;
    return { meta: await this.withFreshness(meta), ...reading };
  }

  /** The reading of session t with its context; cached per generation, pair, profile and session. */
  readingOf(e: Entry, t: number): Reading {
    const key = sessionKey(e, t);
    let reading = this.readings.get(key);
    if (!reading) {
      reading = readingWithContext(e.history, t, this.loaded?.snapshot.series ?? {});
      this.readings.set(key, reading);
    }
    return reading;
  }

  async signal(args: ArgsOf<'signal'>) {
    const stored = await this.storedSignal(args);
    if (stored) return stored;
    const e = await this.entry(args);
    const t = at(e.history, args.asOf, 'asOf');
    return { meta: await this.meta(e), ...this.readingOf(e, t) };
  }

  /**
   * The signal response as JSON text. The reading's text is cached with the reading and
   * the meta's text per freshness state, so a hot reading costs a concatenation, not a
   * JSON.stringify of ~3 KB (the largest cost per request under load).
   */
  async signalText(args: ArgsOf<'signal'>): Promise<string> {
    const stored = await this.storedSignal(args);
    if (stored) return JSON.stringify(stored);
    const e = await this.entry(args);
    const t = at(e.history, args.asOf, 'asOf');
    const key = sessionKey(e, t);
    let body = this.readingTexts.get(key);
    if (body === undefined) {
      const text = JSON.stringify(this.readingOf(e, t));
      body = text.length > 2 ? `,${text.slice(1)}` : '}';
      this.readingTexts.set(key, body);
    }
    // The meta depends on the history and its freshness only: build it on a cache miss,
    // not per request (building it was a tenth of the host's time under load).
    const fresh = this.freshnessOf(e.history.dates[e.history.length - 1], (await this.refreshStatus()).lastError);
    const metaKey = `${historyKey(e)}|${fresh.staleReason}`;
    let metaText = this.metaTexts.get(metaKey);
    if (metaText === undefined) {
      metaText = JSON.stringify(await this.meta(e));
      this.metaTexts.set(metaKey, metaText);
    }
    return `{"meta":${metaText}${body}`;
  }

  async field(args: ArgsOf<'field'>) {
    const e = await this.entry(args);
    const t = at(e.history, args.asOf, 'asOf');
    return {
      value: fieldValue(e.history, args.field, t),
      date: formatDay(e.history.dates[t]),
      field: args.field,
      generation: e.generation,
      profileHash: e.hash,
    };
  }

  async history(args: ArgsOf<'history'>) {
    const e = await this.entry(args);
    const [a, b] = range(e.history, args.from, args.to);
    const table = historyTable(e.history, a, b, args.fields ?? DEFAULT_HISTORY_FIELDS);
    return { meta: await this.meta(e), ...table };
  }

  async levels(args: ArgsOf<'levels'>) {
    const e = await this.entry(args);
    const t = at(e.history, args.asOf, 'asOf');
    return { meta: await this.meta(e), ...levelsReport(e.history, t, args.count ?? 5) };
  }

  async debrief(args: ArgsOf<'debrief'>) {
    const e = await this.entry(args);
    const h = e.history;
    let a: number;
    let b: number;
    if (args.from !== undefined || args.to !== undefined) [a, b] = range(h, args.from, args.to);
    else a = b = at(h, args.date, 'date');
    let debriefs;
    try {
      debriefs = debriefsBetween(h, a, b);
    } catch (err) {
      if (err instanceof SessionError) throw sessionProblem(err, args.date !== undefined ? 'date' : 'from');
      throw err;
    }
    return { meta: await this.meta(e), debriefs };
  }

  async backtest(args: ArgsOf<'backtest'>) {
    const e = await this.entry(args);
    const [a, b] = range(e.history, args.from, args.to);
    return { meta: await this.meta(e), ...backtest(e.history, a, b, args.horizon) };
  }

  async calendar(args: ArgsOf<'calendar'>) {
    const e = await this.entry(args);
    const h = e.history;
    const last = h.dates[h.length - 1];
    const fromDay = args.from !== undefined ? dayOf(h, args.from, 'from') : last - 30;
    const toDay = args.to !== undefined ? dayOf(h, args.to, 'to') : last + 180;
    if (fromDay > toDay)
      throw ProblemError.of('invalid-parameter', `from ${args.from} is after to ${args.to}`, [
        { field: 'from', message: 'must not be after to' },
      ]);
    const events = [];
    // The history's events: the server's calendar, then the profile's own (macro.customEvents).
    for (let i = 0; i < h.events.length; i++) {
      const ev = h.events[i];
      const [first, lastPos] = eventWindow(h.dates, ev, h.profile);
      const ws = positionDay(h.dates, first);
      const we = positionDay(h.dates, lastPos);
      // An event belongs to the range when its window overlaps it.
      if (we < fromDay || ws > toDay) continue;
      const source = i < h.calendarEvents ? ('calendar' as const) : ('profile' as const);
      events.push({ ...ev, windowStart: formatDay(ws), windowEnd: formatDay(we), source });
    }
    events.sort((x, y) => (x.windowStart < y.windowStart ? -1 : x.windowStart > y.windowStart ? 1 : 0));
    return {
      meta: await this.meta(e),
      from: formatDay(fromDay),
      to: formatDay(toDay),
      overlayEnabled: h.profile.macro.enabled,
      events,
    };
  }

  /** Status never fails for want of data: it reports what is there and what went wrong. */
  async statusReport() {
    let loaded: Loaded | null = null;
    let loadError: string | null = null;
    try {
      loaded = await this.current();
    } catch (err) {
      loadError = err instanceof ProblemError ? err.problem.detail : (err as Error).message;
    }
    const st = await this.refreshStatus();
    const m = loaded?.manifest;
    const lastBarDate = m?.lastBarDates[this.config.symbol] ?? null;
    const lastDay = lastBarDate ? parseIsoDay(lastBarDate) : null;
    const lastError = st.lastError ?? loadError;
    // Without data nothing is fresh: stale, with the reason the load or refresh gave.
    const f =
      lastDay !== null
        ? this.freshnessOf(lastDay, lastError)
        : {
            expectedLastSession: formatDay(expectedLastSession(this.clock(), this.config.closeLagMinutes)),
            stale: true,
            staleReason: lastError ?? 'no data loaded',
          };
    return {
      version: this.version,
      source: this.config.source,
      sample: this.config.source === 'sample',
      store: this.store.location,
      generation: m?.generation ?? null,
      symbols: m?.lastBarDates ?? {},
      lastBarDate,
      expectedLastSession: f.expectedLastSession,
      stale: f.stale,
      staleReason: f.staleReason,
      lastRefreshAt: st.lastSuccessAt,
      lastAttemptAt: st.lastAttemptAt,
      lastError,
      universeMembers: loaded?.snapshot.universe?.symbols.length ?? 0,
      series: loaded ? Object.keys(loaded.snapshot.series).sort() : [],
      now: this.clock().toISOString(),
    };
  }
}
