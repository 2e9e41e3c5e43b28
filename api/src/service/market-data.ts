/**
 * From a stored snapshot to the engine's input for one (symbol, benchmark) pair: the
 * join on dates (with its data-quality notes), the breadth universe or breadth file when it belongs to
 * the primary, every symbol's closes on the pair's sessions (the credit overlay reads
 * the profile's high-yield and Treasury symbols among them), and the macro calendar.
 * Pure. The input does not depend on the profile, so one pair serves every profile.
 */
import { alignInputs, type DataQuality, type MemberBars } from '../data/align';
import {
  BREADTH_SERIES,
  breadthFileLagWarning,
  breadthSeriesOn,
  describeBreadthFile,
  universeSource,
} from '../data/breadth-file';
import type { EngineInput, MacroEvent } from '../engine/types';
import { memberBreadth, type BreadthPeriods } from '../engine/member-breadth';
import { ProblemError } from '../contracts/problem';
import type { Snapshot } from '../storage/types';
import { UNIVERSE_OWNER } from './snapshot-source';
import {
  DEFAULT_BREADTH_PERIODS,
  membershipMeta,
  storedBreadthNote,
  storedBreadthOn,
  survivorshipWarning,
  type MembershipMeta,
} from './breadth-store';

export interface PairData {
  symbol: string;
  benchmark: string;
  input: EngineInput;
  quality: DataQuality;
  /** 'universe: N members (source)', 'file: NAME (FIRST to LAST)', or null when breadth is unavailable for this pair. */
  breadthSource: string | null;
  /** The dated membership lists breadth used; null without lists (or without universe breadth). */
  membership: MembershipMeta | null;
  warnings: string[];
}

/** The owner's universe breadth at `periods` needs the members' closes (not loaded, not stored). */
export function needsUniverse(
  snapshot: Snapshot,
  symbol: string,
  periods: BreadthPeriods = DEFAULT_BREADTH_PERIODS,
): boolean {
  const owner = (snapshot.notes.universeOwner as string | undefined) ?? UNIVERSE_OWNER;
  return symbol === owner && snapshot.universe === null && storedBreadthNote(snapshot, periods) === null;
}

function members(snapshot: Snapshot): MemberBars[] {
  const u = snapshot.universe;
  if (!u) return [];
  const out: MemberBars[] = [];
  for (let i = 0; i < u.symbols.length; i++) {
    const a = u.offsets[i];
    const b = u.offsets[i + 1];
    out.push({ symbol: u.symbols[i], bars: { dates: u.dates.subarray(a, b), close: u.close.subarray(a, b) } });
  }
  return out;
}

export function pairData(
  snapshot: Snapshot,
  symbol: string,
  benchmark: string,
  events: readonly MacroEvent[],
  periods: BreadthPeriods = DEFAULT_BREADTH_PERIODS,
): PairData {
  const available = Object.keys(snapshot.bars).sort().join(', ');
  for (const [what, s] of [
    ['symbol', symbol],
    ['benchmark', benchmark],
  ] as const) {
    if (!snapshot.bars[s])
      throw ProblemError.of(
        'not-available',
        `${what} ${s} is not in the ${snapshot.source} data (available: ${available})`,
        [{ field: what, message: `${s} is not in the data (available: ${available})` }],
      );
  }
  if (symbol === benchmark)
    throw ProblemError.of('invalid-parameter', `symbol and benchmark are both ${symbol}`, [
      { field: 'benchmark', message: 'must differ from symbol (relative strength needs two series)' },
    ]);
  const owner = (snapshot.notes.universeOwner as string | undefined) ?? UNIVERSE_OWNER;
  const file50 = snapshot.series[BREADTH_SERIES.pct50];
  const file200 = snapshot.series[BREADTH_SERIES.pct200];
  const fromFile = file50 !== undefined && file200 !== undefined;
  // Universe breadth: precomputed at refresh for these periods (the members' closes need
  // not be loaded), else computed from the members' closes.
  const stored = storedBreadthNote(snapshot, periods);
  const hasUniverse = snapshot.universe !== null || stored !== null;
  const useUniverse = hasUniverse && symbol === owner;
  const useFile = !useUniverse && fromFile && symbol === owner;
  const lists = snapshot.membership?.length ? snapshot.membership : null;
  const aligned = alignInputs({
    primary: { symbol, bars: snapshot.bars[symbol] },
    benchmark: { symbol: benchmark, bars: snapshot.bars[benchmark] },
    universe: useUniverse && !stored ? members(snapshot) : undefined,
    // A few symbols of 6,300 closes each: placing them all costs less than a cache per profile.
    others: Object.entries(snapshot.bars).map(([s, bars]) => ({ symbol: s, bars })),
  });
  const calendar = aligned.input.primary.dates;
  const fileName = String(snapshot.notes.breadthFile ?? 'breadth file');
  const warnings: string[] = [];
  if (snapshot.source === 'sample')
    warnings.push('SAMPLE DATA: synthetic bars for trying the product, not market prices');
  if ((hasUniverse || fromFile) && symbol !== owner)
    warnings.push(
      `breadth unavailable: the stored ${hasUniverse ? 'universe' : 'breadth file'} belongs to ${owner}, not ${symbol}`,
    );
  else if (!hasUniverse && !fromFile)
    warnings.push('breadth unavailable: no universe loaded; the composite uses three layers');
  if (useFile) {
    const lag = breadthFileLagWarning(fileName, file50, calendar);
    if (lag) warnings.push(lag);
  }
  const q = aligned.quality;
  if (useUniverse && stored)
    // Measured at refresh on the owner's sessions (the pair's sessions, unless it drops days).
    Object.assign(q, {
      universeMembers: stored.members,
      universeMembersEmpty: stored.membersEmpty,
      universeBarsOffCalendar: stored.barsOffCalendar,
    } satisfies Partial<typeof q>);
  if (q.primaryOnlyDropped || q.benchmarkOnlyDropped)
    warnings.push(
      `dropped ${q.primaryOnlyDropped} ${symbol}-only and ${q.benchmarkOnlyDropped} ${benchmark}-only dates (inner join)`,
    );
  const failed = snapshot.notes.membersFailed;
  if (useUniverse && typeof failed === 'number' && failed > 0)
    warnings.push(`breadth computed without ${failed} member(s) that could not be fetched`);
  const membership = useUniverse ? membershipMeta(lists) : null;
  if (membership) {
    const biased = survivorshipWarning(membership, calendar);
    if (biased) warnings.push(biased);
  }
  let breadth: EngineInput['breadth'] = aligned.input.breadth;
  let breadthSource: string | null = null;
  const origin = String(snapshot.notes.universeSource ?? snapshot.source);
  if (useUniverse && stored) {
    breadth = storedBreadthOn(snapshot, calendar);
    breadthSource = universeSource(stored.members, origin);
  } else if (useUniverse && aligned.input.breadth) {
    breadthSource = universeSource(aligned.input.breadth.symbols.length, origin);
    // Dated lists: counted per session by the list that applies (the engine's pass has no lists).
    if (lists && snapshot.universe) {
      const b = memberBreadth(snapshot.universe, calendar, lists, periods);
      breadth = { kind: 'series', pct50: b.pct50, pct200: b.pct200, members: b.counted50 };
    }
  } else if (useFile) {
    breadth = breadthSeriesOn(calendar, file50, file200);
    breadthSource = describeBreadthFile(fileName, file50, file200);
  }
  return {
    symbol,
    benchmark,
    input: { ...aligned.input, breadth, events },
    quality: q,
    breadthSource,
    membership,
    warnings,
  };
}
