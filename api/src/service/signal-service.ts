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
import { coverageText, eventWindow, positionDay } from '../engine/macro';
import { profileHash, resolveProfile, type Profile } from '../engine/profile';
import { historyTable, levelsReport, type Reading } from '../engine/reading';
import { SessionError, refDay, relativeSession, sessionIndex, sessionRange, type Sessions } from '../engine/sessions';
import type { MacroEvent } from '../engine/types';
import { leaseLapsed } from '../storage/lease';
import { newestVerifiedGeneration } from '../storage/recovery';
import { EMPTY_STATUS } from '../storage/snapshot-objects';
import {
  CorruptObjectError,
  StoreUnavailableError,
  type BarStore,
  type LeaseInfo,
  type MemberCloses,
  type RefreshStatus,
  type Snapshot,
  type SnapshotManifest,
} from '../storage/types';
import { BUDGET, QUEUE, callCost, checkBudget, type CallCost } from './budget';
import type { ServiceConfig } from './config';
import { NETWORK_SOURCES } from './config';
import { expectedLastSession, freshness, type Freshness } from './freshness';
import { Gate, yieldTurn } from './gate';
import { Lru } from './lru';
import { needsUniverse, pairData, type PairData } from './market-data';
import { DEFAULT_BREADTH_PERIODS, storedBreadthNote, UNIVERSE_BREADTH_SERIES } from './breadth-store';

const UNIVERSE_BREADTH_IDS = new Set<string>(Object.values(UNIVERSE_BREADTH_SERIES));
import type { BreadthPeriods } from '../engine/member-breadth';
import { configuredPaths, withoutPaths, type KnownPath } from './redact';
import { baseMetaOf, readingWithContext, type BaseMeta } from './views';
import { sourceKey } from './snapshot-source';
import { backfillStatus } from './backfill-plan';
import { refreshState } from './refresh';

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
  /**
   * Why this is not the generation manifest.json names (unreadable, damaged, missing): the
   * data is the newest stored generation that verifies, served stale. Null normally.
   */
  problem: string | null;
}

/** The stored-readings key of a series of readings. */
export const readingKey = (symbol: string, benchmark: string, hash: string) => `${symbol}-${benchmark}-${hash}`;

/** Cache keys: a history is one (generation, pair, profile); a session is one index of it. */
const pairProfileKey = (symbol: string, benchmark: string, hash: string) => `${symbol}|${benchmark}|${hash}`;
const historyKey = (e: { generation: string; pair: { symbol: string; benchmark: string }; hash: string }) =>
  `${e.generation}|${pairProfileKey(e.pair.symbol, e.pair.benchmark, e.hash)}`;
const sessionKey = (e: Entry, t: number) => `${historyKey(e)}|${t}`;

/** One computed history plus what every response about it repeats. */
export interface Entry {
  pair: PairData;
  profile: Profile;
  hash: string;
  history: History;
  generation: string;
}

/** One call of a request as it arrives: a function and its raw arguments, or a failure already known. */
export type RequestCall = { fn: FunctionName; args: unknown } | { error: unknown };
/** One call's outcome, in the order of the request. */
export type CallResult = { value: unknown } | { error: unknown };

/** A call checked and costed before anything runs. */
type Planned =
  { fn: FunctionName; args: ArgsOf<FunctionName>; cost: CallCost; history: string | null } | { error: unknown };

const MAX_HISTORIES = 16;
const MAX_READINGS = 5000;

const NO_STATUS: RefreshStatus = EMPTY_STATUS;

/** A session error from the engine, as a problem naming the parameter. */
function sessionProblem(err: SessionError, field: string): ProblemError {
  return ProblemError.of(err.kind === 'invalid' ? 'invalid-parameter' : 'not-available', err.message, [
    { field, message: err.message.replace(/^[^:]*: /, '') },
  ]);
}

function at(h: Sessions, date: string | undefined, field: string): number {
  if (date === undefined) return h.length - 1;
  try {
    return sessionIndex(h, date, field);
  } catch (err) {
    if (err instanceof SessionError) throw sessionProblem(err, field);
    throw err;
  }
}

function range(h: Sessions, from: string | undefined, to: string | undefined): [number, number] {
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
  /** Heavy requests wait here (budget.ts, QUEUE); cheap ones never do. */
  readonly gate: Gate;
  private readonly events: readonly MacroEvent[];
  private readonly clock: () => Date;
  private readonly log: (msg: string) => void;
  private readonly runRefresh: () => Promise<unknown>;
  private loaded: Loaded | null = null;
  private loading: Promise<Loaded> | null = null;
  private backgroundRefresh: Promise<unknown> | null = null;
  /** While serving a fallback: the store state it was chosen in; the same state keeps it without re-reading. */
  private degradedIn: string | null = null;
  private pairs = new Map<string, PairData>();
  /** The loaded generation's universe, read on first need when breadth was precomputed (install() clears it). */
  private universeLoad: Promise<MemberCloses | null> | null = null;
  private histories = new Lru<string, Entry>(MAX_HISTORIES);
  private readings = new Lru<string, Reading>(MAX_READINGS);
  private readingTexts = new Lru<string, string>(MAX_READINGS);
  private metaTexts = new Lru<string, string>(64);
  private hashes = new WeakMap<Profile, string>();
  private status: { value: RefreshStatus; lease: LeaseInfo | null; readAt: number } | null = null;
  /** Configured folders, named by their setting in anything a response says (see redact.ts). */
  private readonly paths: KnownPath[];
  private fresh: { key: string; value: Freshness; at: number } | null = null;

  constructor(options: ServiceOptions) {
    this.config = options.config;
    this.store = options.store;
    this.events = options.events;
    this.runRefresh = options.refresh;
    this.clock = options.clock ?? (() => new Date());
    this.version = options.version ?? '0.0.0';
    this.log = options.log ?? (() => {});
    this.paths = configuredPaths(this.config);
    this.gate = new Gate({ ...this.config.heavy, retryAfterSeconds: QUEUE.retryAfterSeconds });
  }

  /** A message as a response may carry it: no absolute paths of this server. */
  private wireText(message: string): string {
    return withoutPaths(message, this.paths);
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

  /** Runs one API function on raw (unvalidated) arguments, as one request (budget and queue apply). */
  async call(fn: FunctionName, raw: unknown): Promise<unknown> {
    const [result] = await this.request([{ fn, args: raw }], false);
    if ('error' in result) throw result.error;
    return result.value;
  }

  /**
   * Runs a batch: every call is validated and costed first, and the sum is held to the
   * budget before any call runs (a 422 `over-budget` ProblemError otherwise). A call that
   * fails on its own fails alone, as { error } in its place.
   */
  batch(calls: readonly RequestCall[]): Promise<CallResult[]> {
    return this.request(calls, true);
  }

  private async request(calls: readonly RequestCall[], batch: boolean): Promise<CallResult[]> {
    const planned: Planned[] = [];
    for (const c of calls) planned.push('error' in c ? c : await this.plan(c.fn, c.args));
    const costs = planned.map((p) => ('cost' in p ? p.cost : null));
    const histories = new Set(planned.map((p) => ('history' in p ? p.history : null)).filter((h) => h !== null));
    checkBudget(costs, batch, histories.size);
    // Heavy: large, or computing a history this process does not hold (a cold start, a new profile).
    const generation = this.loaded?.manifest.generation;
    let cells = 0;
    for (const c of costs) cells += c?.cells ?? 0;
    const heavy = cells >= BUDGET.heavyCells || [...histories].some((h) => !this.histories.has(`${generation}|${h}`));
    return heavy ? this.gate.run(() => this.runPlanned(planned, true)) : this.runPlanned(planned, false);
  }

  /** Validates a call and sizes it against the data, without computing anything. */
  private async plan(fn: FunctionName, raw: unknown): Promise<Planned> {
    try {
      const args = this.parse(fn, raw);
      if (fn === 'status') return { fn, args, cost: callCost(fn, args, { sessions: 0, events: 0 }), history: null };
      const a = args as ArgsOf<'signal'>;
      const symbol = a.symbol ?? this.config.symbol;
      const benchmark = a.benchmark ?? this.config.benchmark;
      const profile = a.profile ?? resolveProfile('iwm');
      const history = pairProfileKey(symbol, benchmark, this.hashOf(profile));
      let sessions = 0;
      if (fn === 'history' || fn === 'backtest' || fn === 'debrief') {
        const r = args as ArgsOf<'history'> & { date?: string };
        if (r.date !== undefined || (fn === 'debrief' && r.from === undefined && r.to === undefined)) sessions = 1;
        else {
          const { snapshot } = await this.current();
          // Only the dates: the pair at the precomputed breadth periods needs no universe read.
          const dates = this.pairOf(snapshot, symbol, benchmark, DEFAULT_BREADTH_PERIODS).input.primary.dates;
          const [from, to] = range({ dates, length: dates.length }, r.from, r.to);
          sessions = to - from + 1;
        }
      }
      const events = this.events.length + profile.macro.customEvents.length;
      return { fn, args, cost: callCost(fn, args, { sessions, events }), history };
    } catch (err) {
      return { error: err };
    }
  }

  /** Runs planned calls in order; a heavy request yields to other requests every few cells. */
  private async runPlanned(planned: readonly Planned[], heavy: boolean): Promise<CallResult[]> {
    const out: CallResult[] = [];
    // A slot handed over by a finishing request resumes this one in the same turn as that
    // request's response is serialised: start in a turn of its own.
    if (heavy) await yieldTurn();
    let sinceYield = 0;
    for (const p of planned) {
      if ('error' in p) {
        out.push(p);
        continue;
      }
      if (heavy && sinceYield >= BUDGET.yieldCells) {
        await yieldTurn();
        sinceYield = 0;
      }
      try {
        out.push({ value: await this.run(p.fn, p.args) });
      } catch (err) {
        out.push({ error: err });
      }
      sinceYield += p.cost.cells;
    }
    return out;
  }

  /** Runs one API function on validated arguments. */
  private run(fn: FunctionName, args: ArgsOf<FunctionName>): Promise<unknown> {
    switch (fn) {
      case 'signal':
        return this.signal(args as ArgsOf<'signal'>);
      case 'field':
        return this.field(args as ArgsOf<'field'>);
      case 'history':
        return this.history(args as ArgsOf<'history'>);
      case 'levels':
        return this.levels(args as ArgsOf<'levels'>);
      case 'debrief':
        return this.debrief(args as ArgsOf<'debrief'>);
      case 'backtest':
        return this.backtest(args as ArgsOf<'backtest'>);
      case 'calendar':
        return this.calendar(args as ArgsOf<'calendar'>);
      case 'status':
        return this.statusReport();
    }
  }

  // ---- data loading -------------------------------------------------------------------

  /** The current snapshot; loads or reloads it when the manifest names a new generation. */
  async current(): Promise<Loaded> {
    const now = Date.now();
    if (this.loaded && now - this.loaded.checkedAt < this.config.manifestTtlMs) return this.loaded;
    // One load at a time: 100 concurrent first requests share one read of the store.
    this.loading ??= this.load()
      .catch((err) => this.keepServing(err))
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  /**
   * The store cannot be read (network, permissions) or a refresh cannot start: what is
   * loaded was verified when it was read, so it stays in service, stale with the reason,
   * and the store is tried again after the manifest TTL. Without loaded data, the error.
   */
  private keepServing(err: unknown): Loaded {
    if (!this.loaded || !(err instanceof StoreUnavailableError)) throw err;
    this.loaded.problem = `the store cannot be read (${err.message}); serving generation ${this.loaded.manifest.generation} loaded before`;
    this.loaded.checkedAt = Date.now();
    this.log(this.loaded.problem);
    return this.loaded;
  }

  /**
   * What to serve: the generation manifest.json names, when it belongs to the configured
   * source and every object verifies. Otherwise a refresh is run (offline sources) or
   * started in the background (network sources), and, if that does not put good data at
   * the top, the newest stored generation of this source that verifies is served, stale,
   * with the reason. Only a store without any good data for the source answers 503.
   */
  private async load(): Promise<Loaded> {
    const key = sourceKey(this.config);
    let top = await this.readTop();
    const loaded = this.loaded;
    if (loaded && top.manifest && top.manifest.generation === loaded.manifest.generation) {
      Object.assign(loaded, { manifest: top.manifest, checkedAt: Date.now(), problem: null });
      this.degradedIn = null;
      return loaded;
    }
    if (loaded?.problem && this.degradedIn === (await this.storeState(top))) {
      loaded.checkedAt = Date.now();
      return loaded;
    }
    const servable = await this.readIfServable(top, key);
    if (servable) return servable;

    if (NETWORK_SOURCES.includes(this.config.source)) {
      // A network refresh can take minutes: start it, and say so, rather than hold the request.
      this.startBackgroundRefresh();
    } else {
      // Another writer's refresh is under way: serve what verifies now rather than wait for it.
      if (await this.refreshRunning()) {
        const meanwhile = await this.fallback(top, key);
        if (meanwhile) return meanwhile;
      }
      let refreshError: unknown = null;
      try {
        await this.runRefresh();
      } catch (err) {
        refreshError = err;
      }
      top = await this.readTop();
      const fresh = await this.readIfServable(top, key);
      if (fresh) return fresh;
      const fallback = await this.fallback(top, key);
      if (fallback) return fallback;
      if (refreshError) throw refreshError;
      throw ProblemError.of('data-unavailable', 'the refresh stored no data');
    }
    const fallback = await this.fallback(top, key);
    if (fallback) return fallback;
    if (this.loaded) return this.loaded;
    throw ProblemError.of(
      'data-unavailable',
      `no ${this.config.source} data stored yet; a refresh has started (or run "iwm-signals refresh"); try again in a few minutes`,
    );
  }

  /** Does a live refresh lease exist (this process's or another's)? */
  private async refreshRunning(): Promise<boolean> {
    const lease = await this.store.readLease().catch(() => null);
    return lease !== null && !leaseLapsed(lease);
  }

  /** manifest.json, or why it cannot be read (its content is damaged). */
  private async readTop(): Promise<{ manifest: SnapshotManifest | null; problem: string | null }> {
    try {
      return { manifest: await this.store.readManifest(), problem: null };
    } catch (err) {
      if (!(err instanceof CorruptObjectError)) throw err;
      return { manifest: null, problem: err.message };
    }
  }

  /** The top generation loaded, when it is this source's and verifies; else null (the reason kept in `top`). */
  private async readIfServable(
    top: { manifest: SnapshotManifest | null; problem: string | null },
    key: string,
  ): Promise<Loaded | null> {
    const m = top.manifest;
    if (!m || m.notes.sourceKey !== key) return null;
    try {
      // With breadth precomputed, a cold start reads the bars and series only (see breadth-store.ts).
      const universe = storedBreadthNote(m, DEFAULT_BREADTH_PERIODS) === null;
      const snapshot = await this.store.readSnapshot(m, { universe });
      return snapshot ? this.install(m, snapshot, null) : null;
    } catch (err) {
      if (!(err instanceof CorruptObjectError)) throw err;
      top.problem = `generation ${m.generation} is damaged (${err.message})`;
      return null;
    }
  }

  /** The newest verified generation of this source, installed as a stale fallback. */
  private async fallback(
    top: { manifest: SnapshotManifest | null; problem: string | null },
    key: string,
  ): Promise<Loaded | null> {
    const damaged = top.problem && top.manifest ? new Set([top.manifest.generation]) : undefined;
    const found = await newestVerifiedGeneration(this.store, {
      accept: (m) => m.notes.sourceKey === key,
      skip: damaged,
      known: this.loaded,
    });
    if (!found) return null;
    const why =
      top.problem ??
      (top.manifest
        ? `manifest.json names ${top.manifest.source} data stored under other settings`
        : 'manifest.json is missing');
    const problem = `the store's current data cannot be served (${why}); serving generation ${found.manifest.generation} of ${found.manifest.createdAt}, the newest stored one that verifies, until a refresh repairs the store`;
    this.degradedIn = await this.storeState(top);
    if (this.loaded && found === this.loaded) {
      Object.assign(this.loaded, { checkedAt: Date.now(), problem });
      return this.loaded;
    }
    this.log(problem);
    return this.install(found.manifest, found.snapshot, problem);
  }

  /** Identifies the store's state for the degraded-mode check: the top manifest and the latest success. */
  private async storeState(top: { manifest: SnapshotManifest | null; problem: string | null }): Promise<string> {
    const st = await this.store.readStatus().catch(() => NO_STATUS);
    return `${top.manifest?.generation ?? top.problem ?? 'none'}|${st.lastSuccessAt}|${st.generation}`;
  }

  private install(manifest: SnapshotManifest, snapshot: Snapshot, problem: string | null): Loaded {
    this.pairs.clear();
    this.universeLoad = null;
    this.histories.clear();
    this.readings.clear();
    this.readingTexts.clear();
    this.metaTexts.clear();
    this.status = null;
    this.degradedIn = problem === null ? null : this.degradedIn;
    this.loaded = { manifest, snapshot, checkedAt: Date.now(), problem };
    this.log(`loaded ${manifest.source} data, generation ${manifest.generation}`);
    return this.loaded;
  }

  private startBackgroundRefresh(): void {
    this.backgroundRefresh ??= this.runRefresh()
      .catch((err) => this.log(`background refresh failed: ${(err as Error).message}`))
      .finally(() => {
        this.backgroundRefresh = null;
      });
  }

  /** Forces the next request to check the store (after a refresh in this process). */
  invalidate(): void {
    if (this.loaded) this.loaded.checkedAt = -Infinity;
    this.status = null;
    this.degradedIn = null;
  }

  private async refreshStatus(): Promise<RefreshStatus> {
    return (await this.storeStatus()).value;
  }

  /** The refresh status and the lease's holder, read together and kept as long as a manifest is trusted. */
  private async storeStatus(): Promise<{ value: RefreshStatus; lease: LeaseInfo | null }> {
    const now = Date.now();
    if (this.status && now - this.status.readAt < Math.max(1000, this.config.manifestTtlMs)) return this.status;
    const [stored, lease] = await Promise.all([
      this.store.readStatus().catch(() => NO_STATUS),
      this.store.readLease().catch(() => null),
    ]);
    let value = stored;
    // The recorded error reaches staleReason, warnings and status: named as on the wire.
    if (value.lastError) value = { ...value, lastError: this.wireText(value.lastError) };
    this.status = { value, lease, readAt: now };
    return this.status;
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
      const periods = { shortPeriod: profile.breadth.shortPeriod, longPeriod: profile.breadth.longPeriod };
      // Breadth periods other than the precomputed ones need the members' closes: read them now, once.
      if (needsUniverse(snapshot, symbol, periods) && manifest.universe) {
        this.universeLoad ??= this.store.readUniverse(manifest).catch((err: unknown) => {
          this.universeLoad = null; // a failed read is tried again by the next request
          throw err;
        });
        snapshot.universe = await this.universeLoad;
      }
      const pair = this.pairOf(snapshot, symbol, benchmark, periods);
      e = { pair, profile, hash, history: computeHistory(pair.input, profile), generation: manifest.generation };
      this.histories.set(key, e);
      // A history over 25 years takes a few hundred ms of one thread: let waiting requests in.
      await yieldTurn();
    }
    return e;
  }

  /** The aligned data of a pair (cached per generation: load() clears it). */
  private pairOf(snapshot: Snapshot, symbol: string, benchmark: string, periods: BreadthPeriods): PairData {
    const pairKey = `${symbol}|${benchmark}|${periods.shortPeriod}/${periods.longPeriod}`;
    let pair = this.pairs.get(pairKey);
    if (!pair) {
      pair = pairData(snapshot, symbol, benchmark, this.events, periods);
      this.pairs.set(pairKey, pair);
    }
    return pair;
  }

  private freshnessOf(lastBarDay: number, lastError: string | null, storeProblem: string | null): Freshness {
    const now = this.clock();
    const key = `${lastBarDay}|${lastError}|${storeProblem}`;
    if (this.fresh && this.fresh.key === key && Math.abs(now.getTime() - this.fresh.at) < 1000) return this.fresh.value;
    const value = freshness(now, lastBarDay, {
      sample: this.config.source === 'sample',
      staleAfterSessions: this.config.staleAfterSessions,
      closeLagMinutes: this.config.closeLagMinutes,
      lastError,
      // The store's own messages name its files; on the wire they are named as configured.
      storeProblem: storeProblem === null ? null : this.wireText(storeProblem),
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
    const f = this.freshnessOf(parseIsoDay(base.lastBarDate) as number, st.lastError, this.problemOf(base.generation));
    return {
      ...base,
      stale: f.stale,
      staleReason: f.staleReason,
      warnings: f.stale ? [...base.warnings, `STALE: ${f.staleReason}`] : base.warnings,
    };
  }

  /** The store problem behind serving `generation` (a fallback), or null. */
  private problemOf(generation: string): string | null {
    return this.loaded?.manifest.generation === generation ? this.loaded.problem : null;
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
    // An unreadable manifest is the full load's to handle (it falls back to a verified generation).
    const manifest = await this.store.readManifest().catch(() => null);
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
    const fresh = this.freshnessOf(
      e.history.dates[e.history.length - 1],
      (await this.refreshStatus()).lastError,
      this.problemOf(e.generation),
    );
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
      coverage: h.coverage.kinds,
      covers: coverageText(h.coverage.kinds),
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
      loadError = this.wireText(err instanceof ProblemError ? err.problem.detail : (err as Error).message);
    }
    const { value: st, lease } = await this.storeStatus();
    const m = loaded?.manifest;
    const lastBarDate = m?.lastBarDates[this.config.symbol] ?? null;
    const lastDay = lastBarDate ? parseIsoDay(lastBarDate) : null;
    const lastError = st.lastError ?? loadError;
    // Without data nothing is fresh: stale, with the reason the load or refresh gave.
    const f =
      lastDay !== null
        ? this.freshnessOf(lastDay, lastError, loaded?.problem ?? null)
        : {
            expectedLastSession: formatDay(expectedLastSession(this.clock(), this.config.closeLagMinutes)),
            stale: true,
            staleReason: lastError ?? 'no data loaded',
          };
    return {
      version: this.version,
      source: this.config.source,
      sample: this.config.source === 'sample',
      // The kind only: this route is anonymous, and a folder or account name is the server's business.
      store: this.store.kind,
      generation: m?.generation ?? null,
      symbols: m?.lastBarDates ?? {},
      lastBarDate,
      expectedLastSession: f.expectedLastSession,
      stale: f.stale,
      staleReason: f.staleReason,
      lastRefreshAt: st.lastSuccessAt,
      lastAttemptAt: st.lastAttemptAt,
      lastError,
      refresh: refreshState(st, lease, Date.now()),
      universeMembers:
        loaded?.snapshot.universe?.symbols.length ??
        (loaded ? storedBreadthNote(loaded.snapshot, DEFAULT_BREADTH_PERIODS)?.listed : undefined) ??
        0,
      backfill: m
        ? backfillStatus(m.notes, await this.store.listStaging().catch(() => []), this.config.massiveRpm)
        : null,
      // Context series only: the precomputed universe breadth is part of the universe, not a series to ask for.
      series: loaded
        ? Object.keys(loaded.snapshot.series)
            .filter((id) => !UNIVERSE_BREADTH_IDS.has(id))
            .sort()
        : [],
      now: this.clock().toISOString(),
    };
  }
}
