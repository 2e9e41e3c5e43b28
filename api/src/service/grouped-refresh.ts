/**
 * IWM_UNIVERSE=grouped (Massive): the breadth universe from grouped daily answers, one
 * request per session, built incrementally on the previous generation and resumable.
 *
 * - Members are the iShares IWM holdings; their closes come from the grouped answers.
 * - The pair and extra symbols (IWM_SYMBOLS) take their whole history from the aggregates
 *   endpoint once, on first sight; afterwards their new bars come from the grouped answers.
 * - A refresh starts from the previous generation and asks only for the sessions after its
 *   last one, plus OVERLAP_SESSIONS re-reads: a stored close that changed is a split
 *   adjustment, and that series is fetched again whole (aggregates), noted and logged.
 * - The first backfill covers IWM_BACKFILL_SESSIONS sessions. Each session fetched is staged
 *   in the store at once, so a run that is killed loses nothing; a run that reaches its
 *   time budget (IWM_REFRESH_BUDGET_MS) publishes what it has and the next run goes on.
 * - A member that joins the holdings after the backfill started gets its history from the
 *   aggregates endpoint (one request); until then it is left out of the universe.
 */
import { DataFileError, type ParsedBars } from '../data/csv-bars';
import type { HttpClient } from '../data/http-client';
import { fetchIwmHoldings, type GroupedDaily, type MassiveProvider } from '../data/providers';
import { ProviderError } from '../data/providers/types';
import { decodeColumns, encodeColumns } from '../storage/codec';
import type { BarStore, MemberCloses, MembershipList, RefreshLease, Snapshot } from '../storage/types';
import { CorruptObjectError } from '../storage/types';
import { formatDay } from '../engine/dates';
import type { BarColumns } from '../engine/types';
import {
  backfillNote,
  backfillProgress,
  planSessions,
  readBackfillNote,
  sessionsBack,
  stagedSessionDay,
  stagedSessionName,
  type BackfillProgress,
  type Coverage,
} from './backfill-plan';
import type { ServiceConfig } from './config';
import { expectedLastSession } from './freshness';
import { SourceError, UNIVERSE_OWNER, fetchContextSeries, packMembers } from './snapshot-source';

export interface GroupedRefreshDeps {
  config: ServiceConfig;
  store: BarStore;
  lease: RefreshLease;
  /** The last good generation of this configuration, or null (the backfill starts over). */
  previous: Snapshot | null;
  client: HttpClient;
  provider: Pick<MassiveProvider, 'fetchGroupedDaily' | 'fetchBars'>;
  /** Wall clock (ms): the time budget and which session closed last. */
  now: () => number;
  log: (msg: string) => void;
  onProgress?: (progress: BackfillProgress) => void;
}

export interface GroupedOutcome {
  snapshot: Snapshot;
  /** Staged objects the snapshot holds: delete them once it is published. */
  consumed: string[];
  progress: BackfillProgress;
  requests: { grouped: number; aggregates: number };
  /** The time budget ran out before the plan was done. */
  budgetReached: boolean;
}

/** One grouped session as staged: the wanted symbols' bars, or the news that there was no session. */
export interface SessionBars {
  day: number;
  noSession: boolean;
  index: Map<string, number>;
  symbols: string[];
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

const STAGED_KIND = 'grouped-session';

/** The wanted symbols' bars of an answer; bad rows of a wanted symbol fail unless allowed (then listed). */
export function pickSession(
  answer: GroupedDaily,
  wanted: ReadonlySet<string>,
  allowBadRows: boolean,
  skipped: unknown[],
): SessionBars {
  if (answer.kind === 'no-session') return sessionOf(answer.day, true, [], () => [0, 0, 0, 0, 0]);
  const bad = answer.issues.filter((i) => i.ticker === null || wanted.has(i.ticker));
  if (bad.length > 0) {
    const source = `massive:grouped:${answer.date}`;
    if (!allowBadRows) {
      throw new DataFileError(source, `${bad.length} bad row(s); fix them or set IWM_ALLOW_BAD_ROWS=true`, bad);
    }
    skipped.push({ file: source, issues: bad.slice(0, 20) });
  }
  const symbols = [...answer.bars.keys()].filter((s) => wanted.has(s)).sort();
  return sessionOf(answer.day, false, symbols, (s) => {
    const b = answer.bars.get(s)!;
    return [b.open, b.high, b.low, b.close, b.volume];
  });
}

function sessionOf(day: number, noSession: boolean, symbols: string[], ohlcv: (s: string) => number[]): SessionBars {
  const cols = [0, 1, 2, 3, 4].map(() => new Float64Array(symbols.length));
  symbols.forEach((s, i) => ohlcv(s).forEach((v, c) => (cols[c][i] = v)));
  return {
    day,
    noSession,
    symbols,
    index: new Map(symbols.map((s, i) => [s, i])),
    open: cols[0],
    high: cols[1],
    low: cols[2],
    close: cols[3],
    volume: cols[4],
  };
}

export function encodeSession(s: SessionBars): Buffer {
  return encodeColumns(
    { kind: STAGED_KIND, date: formatDay(s.day), noSession: s.noSession, symbols: s.symbols },
    { open: s.open, high: s.high, low: s.low, close: s.close, volume: s.volume },
  );
}

export function decodeSession(bytes: Buffer, name: string, day: number): SessionBars {
  const { meta, columns } = decodeColumns(bytes, name);
  const symbols = meta.symbols as string[];
  const cols = ['open', 'high', 'low', 'close', 'volume'].map((c) => columns[c]);
  if (
    meta.kind !== STAGED_KIND ||
    meta.date !== formatDay(day) ||
    !Array.isArray(symbols) ||
    cols.some((c) => !(c instanceof Float64Array) || c.length !== symbols.length)
  ) {
    throw new CorruptObjectError(name, `is not the staged grouped session of ${formatDay(day)}`);
  }
  const [open, high, low, close, volume] = cols as Float64Array[];
  return {
    day,
    noSession: meta.noSession === true,
    symbols,
    index: new Map(symbols.map((s, i) => [s, i])),
    open,
    high,
    low,
    close,
    volume,
  };
}

/** Index of `day` in rising `dates[from..to)`, or -1. */
function findDay(dates: Int32Array, from: number, to: number, day: number): number {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (dates[mid] === day) return mid;
    if (dates[mid] < day) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Close of a member of a packed universe on `day`, or null. */
function memberClose(u: MemberCloses, i: number, day: number): number | null {
  const k = findDay(u.dates, u.offsets[i], u.offsets[i + 1], day);
  return k < 0 ? null : u.close[k];
}

const changed = (a: number, b: number) => Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(b));

/**
 * Base (dates, closes) merged with the sessions' closes of `symbol` on days the base lacks,
 * rising. The base wins a tie: it is the stored (or freshly re-fetched) history.
 */
export function mergeCloses(
  base: { dates: ArrayLike<number>; close: ArrayLike<number> },
  sessions: readonly SessionBars[],
  symbol: string,
): { dates: Int32Array; close: Float64Array } {
  const dates: number[] = [];
  const close: number[] = [];
  let k = 0;
  const push = (d: number, c: number) => {
    dates.push(d);
    close.push(c);
  };
  for (const s of sessions) {
    const i = s.index.get(symbol);
    if (i === undefined) continue;
    while (k < base.dates.length && base.dates[k] < s.day) push(base.dates[k], base.close[k++]);
    if (k < base.dates.length && base.dates[k] === s.day) continue;
    push(s.day, s.close[i]);
  }
  while (k < base.dates.length) push(base.dates[k], base.close[k++]);
  return { dates: Int32Array.from(dates), close: Float64Array.from(close) };
}

/** `bars` with the sessions' bars of `symbol` after its last date appended; null when a session lacks it. */
function appendBars(bars: BarColumns, sessions: readonly SessionBars[], symbol: string): BarColumns | null {
  const last = bars.dates.length ? bars.dates[bars.dates.length - 1] : -Infinity;
  const rows = sessions.filter((s) => s.day > last && !s.noSession);
  if (rows.some((s) => !s.index.has(symbol))) return null;
  if (rows.length === 0) return bars;
  const n = bars.dates.length;
  const out: BarColumns = {
    dates: new Int32Array(n + rows.length),
    open: new Float64Array(n + rows.length),
    high: new Float64Array(n + rows.length),
    low: new Float64Array(n + rows.length),
    close: new Float64Array(n + rows.length),
    volume: new Float64Array(n + rows.length),
  };
  for (const key of ['dates', 'open', 'high', 'low', 'close', 'volume'] as const) out[key].set(bars[key]);
  rows.forEach((s, r) => {
    const i = s.index.get(symbol)!;
    out.dates[n + r] = s.day;
    out.open[n + r] = s.open[i];
    out.high[n + r] = s.high[i];
    out.low[n + r] = s.low[i];
    out.close[n + r] = s.close[i];
    out.volume[n + r] = s.volume[i];
  });
  return out;
}

/** The dated lists with today's holdings appended when they are newer and differ from the last list. */
export function appendMembership(
  lists: readonly MembershipList[],
  asOf: string,
  symbols: readonly string[],
): MembershipList[] {
  const sorted = [...new Set(symbols)].sort();
  const last = lists[lists.length - 1];
  if (last && asOf <= last.asOf) return [...lists];
  // An unchanged list adds nothing: breadth uses the latest list dated on or before a session.
  if (last && last.symbols.length === sorted.length && last.symbols.every((s, i) => s === sorted[i])) return [...lists];
  return [...lists, { asOf, symbols: sorted }];
}

export async function groupedSnapshot(deps: GroupedRefreshDeps, createdAt: string): Promise<GroupedOutcome> {
  const { config, store, lease, provider, log } = deps;
  const deadline = deps.now() + config.refreshBudgetMs;
  const outOfTime = () => deps.now() >= deadline;
  const requests = { grouped: 0, aggregates: 0 };
  const skipped: unknown[] = [];

  const holdings = await fetchIwmHoldings(deps.client, { url: config.urls.holdings });
  const members = [...new Set(holdings.members.map((h) => h.ticker))].sort();
  log(`holdings as of ${holdings.asOf}: ${members.length} equity members`);

  const prevNote = deps.previous?.universe ? readBackfillNote(deps.previous.notes) : null;
  const previous = prevNote ? deps.previous : null;
  const prevUniverse = previous?.universe ?? null;
  const lastSession = Math.max(
    expectedLastSession(new Date(deps.now()), config.closeLagMinutes),
    prevNote?.coverage.to ?? -Infinity,
  );
  const backfillFrom = prevNote?.backfillFrom ?? sessionsBack(lastSession, config.backfillSessions);
  const coverage0: Coverage | null = prevNote?.coverage ?? null;
  const plan = planSessions(coverage0, backfillFrom, lastSession);
  const wanted = new Set([...members, ...(prevUniverse?.symbols ?? []), ...config.symbols]);
  const staged = new Set(await store.listStaging());

  let budgetReached = false;
  /** One session, from staging or from Massive (then staged at once); null once out of time. */
  const session = async (day: number): Promise<SessionBars | null> => {
    const name = stagedSessionName(day);
    if (staged.has(name)) {
      const bytes = await store.getStaging(name);
      if (bytes !== null) {
        try {
          return decodeSession(bytes, name, day);
        } catch (err) {
          if (!(err instanceof CorruptObjectError)) throw err;
          log(`refresh: staged ${name} is damaged (${err.message}); fetching it again`);
        }
      }
    }
    if (outOfTime()) {
      budgetReached = true;
      return null;
    }
    const answer = await provider.fetchGroupedDaily(formatDay(day));
    requests.grouped++;
    const bars = pickSession(answer, wanted, config.allowBadRows, skipped);
    // The latest session may simply not be published yet: not staged, asked again next time.
    if (!(bars.noSession && day === lastSession)) {
      await store.putStaging(name, encodeSession(bars), lease);
      staged.add(name);
    }
    if (bars.noSession) log(`refresh: Massive has no bars for ${formatDay(day)} (market closed, or not published yet)`);
    return bars;
  };

  let coverage = coverage0;
  const report = () => deps.onProgress?.(backfillProgress(coverage, backfillFrom, lastSession, config.massiveRpm));
  report();

  const overlap: SessionBars[] = [];
  for (const day of plan.overlap) {
    const s = await session(day);
    if (s === null) break;
    overlap.push(s);
  }
  const fetched: SessionBars[] = [];
  for (const day of plan.forward) {
    const s = await session(day);
    if (s === null || (s.noSession && day === lastSession)) break;
    fetched.push(s);
    coverage = { from: coverage?.from ?? day, to: day };
    report();
  }
  for (const day of plan.backward) {
    const s = await session(day);
    if (s === null) break;
    if (s.noSession && day === lastSession) continue;
    fetched.push(s);
    coverage = { from: day, to: coverage?.to ?? day };
    report();
  }
  if (coverage === null) {
    throw new SourceError(
      `universe: no grouped daily session could be fetched${budgetReached ? ' within IWM_REFRESH_BUDGET_MS' : ''}`,
    );
  }
  const cov = coverage;
  fetched.sort((a, b) => a.day - b.day);

  // Split adjustments: a stored close the re-read disagrees with.
  const rewrites = new Set<string>();
  const prevIndex = new Map((prevUniverse?.symbols ?? []).map((s, i) => [s, i]));
  for (const s of overlap) {
    s.symbols.forEach((symbol, i) => {
      const m = prevIndex.get(symbol);
      const bars = previous?.bars[symbol];
      let stored: number | null = null;
      if (m !== undefined && prevUniverse) stored = memberClose(prevUniverse, m, s.day);
      else if (bars) {
        const k = findDay(bars.dates, 0, bars.dates.length, s.day);
        stored = k < 0 ? null : bars.close[k];
      }
      if (stored !== null && changed(s.close[i], stored)) {
        rewrites.add(symbol);
        log(
          `refresh: ${symbol} closed ${formatDay(s.day)} at ${stored} as stored, ${s.close[i]} now ` +
            '(a split adjustment?): fetching its history again',
        );
      }
    });
  }

  const fetchBars = async (symbol: string, options: { from?: string; to?: string } = {}): Promise<ParsedBars> => {
    const parsed = await provider.fetchBars(symbol, options);
    requests.aggregates++;
    if (parsed.issues.length > 0) {
      if (!config.allowBadRows) {
        throw new DataFileError(parsed.source, `${parsed.issues.length} bad row(s); set IWM_ALLOW_BAD_ROWS=true`);
      }
      skipped.push({ file: parsed.source, issues: parsed.issues.slice(0, 5) });
    }
    return parsed;
  };

  // Members whose history the grouped answers of this generation cannot give: new members
  // (joined after the backfill started) and rewritten ones. One aggregates request each.
  const seenNow = new Set(fetched.flatMap((s) => s.symbols));
  const unavailableBefore = new Set((previous?.notes.membersUnavailable as string[] | undefined) ?? []);
  const needFill = prevUniverse
    ? [
        ...new Set([
          ...[...rewrites].filter((s) => prevIndex.has(s)),
          ...members.filter((s) => !prevIndex.has(s) && (!unavailableBefore.has(s) || seenNow.has(s))),
        ]),
      ]
    : [];
  const filled = new Map<string, { dates: Int32Array; close: Float64Array }>();
  const pending: string[] = [];
  const unavailable = new Set([...unavailableBefore].filter((s) => !needFill.includes(s)));
  for (const symbol of needFill) {
    if (outOfTime()) {
      budgetReached = true;
      pending.push(symbol);
      continue;
    }
    try {
      const { bars } = await fetchBars(symbol, { from: formatDay(cov.from), to: formatDay(cov.to) });
      filled.set(symbol, { dates: bars.dates, close: bars.close });
      unavailable.delete(symbol);
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      unavailable.add(symbol);
      log(`refresh: no history for member ${symbol}: ${err.message}`);
    }
  }

  // The universe: stored series extended by the new sessions, or a re-fetched history.
  const inUniverse = new Set<string>(prevUniverse ? [...prevIndex.keys(), ...filled.keys()] : members);
  for (const s of [...rewrites, ...pending]) if (!filled.has(s)) inUniverse.delete(s);
  const packed: { symbol: string; bars: { dates: Int32Array; close: Float64Array } }[] = [];
  const absent: string[] = [];
  for (const symbol of [...inUniverse].sort()) {
    const m = prevIndex.get(symbol);
    const base =
      filled.get(symbol) ??
      (m !== undefined && prevUniverse
        ? {
            dates: prevUniverse.dates.subarray(prevUniverse.offsets[m], prevUniverse.offsets[m + 1]),
            close: prevUniverse.close.subarray(prevUniverse.offsets[m], prevUniverse.offsets[m + 1]),
          }
        : { dates: new Int32Array(0), close: new Float64Array(0) });
    const merged = mergeCloses(base, fetched, symbol);
    if (merged.dates.length === 0) absent.push(symbol);
    else packed.push({ symbol, bars: merged });
  }
  if (packed.length === 0) throw new SourceError(`universe: none of the ${members.length} members has a close`);

  // The pair and the extra symbols: aggregates once (first sight, or rewritten), then grouped.
  const bars: Record<string, BarColumns> = {};
  for (const symbol of deps.config.symbols) {
    const stored = previous?.bars[symbol];
    const b = stored && !rewrites.has(symbol) ? stored : (await fetchBars(symbol)).bars;
    let next = appendBars(b, fetched, symbol);
    if (next === null) {
      // Missing from a grouped answer: the aggregates endpoint fills in after its last bar.
      const from = formatDay(b.dates[b.dates.length - 1] + 1);
      next = concatBars(b, (await fetchBars(symbol, { from })).bars);
    }
    bars[symbol] = next;
  }

  const progress = backfillProgress(cov, backfillFrom, lastSession, config.massiveRpm);
  const membership = appendMembership(previous?.membership ?? [], holdings.asOf, members);
  const consumed = [...staged].filter((name) => {
    const day = stagedSessionDay(name);
    return day !== null && (day < backfillFrom || (day >= cov.from && day <= cov.to));
  });
  const notes: Record<string, unknown> = {
    universeOwner: UNIVERSE_OWNER,
    universeSource: 'grouped',
    holdingsAsOf: holdings.asOf,
    membersListed: members.length,
    membersAbsent: absent.length,
    membersAbsentFirst: absent.slice(0, 20),
    membersPending: pending.length,
    membersUnavailable: [...unavailable].sort(),
    splitRewrites: [...rewrites].sort(),
    backfill: backfillNote(backfillFrom, cov, lastSession),
    backfillProgress: progress,
    requests,
    skippedRows: skipped,
  };
  log(
    `refresh: universe ${formatDay(cov.from)}..${formatDay(cov.to)}, backfill ${progress.sessionsDone} of ` +
      `${progress.sessionsTotal} sessions; ${requests.grouped} grouped + ${requests.aggregates} aggregates requests` +
      (budgetReached ? '; time budget reached, the next refresh goes on' : ''),
  );
  const series = await fetchContextSeries(config, deps.client);
  return {
    snapshot: {
      source: 'massive',
      createdAt,
      bars,
      universe: packMembers(packed),
      series,
      notes,
      membership,
    },
    consumed,
    progress,
    requests,
    budgetReached,
  };
}

/** `a` followed by the bars of `b` after a's last date. */
function concatBars(a: BarColumns, b: BarColumns): BarColumns {
  const last = a.dates.length ? a.dates[a.dates.length - 1] : -Infinity;
  let k = 0;
  while (k < b.dates.length && b.dates[k] <= last) k++;
  const out = {} as BarColumns;
  for (const key of ['dates', 'open', 'high', 'low', 'close', 'volume'] as const) {
    const tail = b[key].subarray(k);
    const col =
      key === 'dates' ? new Int32Array(a.dates.length + tail.length) : new Float64Array(a.dates.length + tail.length);
    col.set(a[key]);
    col.set(tail, a.dates.length);
    (out as unknown as Record<string, Int32Array | Float64Array>)[key] = col;
  }
  return out;
}
