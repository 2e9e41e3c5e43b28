/**
 * Breadth precomputed at refresh and stored beside the bars, so a cold start reads the
 * pair's bars and four small series instead of every member's closes (universe.bin, tens
 * of MB at 2,000 members x 25 years). The members' closes are read only when a profile
 * asks for other breadth periods.
 *
 * Stored as snapshot series on the owner's own sessions (the universe belongs to it):
 * UNIVERSE_N50 / UNIVERSE_N200 hold the member counts on every session (their dates are
 * the sessions covered), UNIVERSE_PCT50 / UNIVERSE_PCT200 the percentages on the sessions
 * where they are defined. `notes.universeBreadth` says which periods, through which day,
 * and a key of the membership lists those days used. Breadth on a day does not depend on
 * which calendar asks (member-breadth.ts), so the series serve any pair by date.
 *
 * A refresh whose previous generation covers a prefix of the new sessions with the same
 * periods and the same lists for those days extends it (member-breadth extendBreadth);
 * it re-computes the last few stored sessions and falls back to a full pass when they
 * differ (a member's history was revised).
 */
import { createHash } from 'node:crypto';
import { valuesOn } from '../data/breadth-file';
import { formatDay, isoDay, lowerBound } from '../engine/dates';
import type { BreadthPercents } from '../engine/breadth';
import {
  breadthPass,
  memberBreadth,
  type BreadthPeriods,
  type DatedMembers,
  type MemberColumns,
} from '../engine/member-breadth';
import { PRESETS } from '../engine/profile';
import type { BreadthSeries } from '../engine/types';
import type { Snapshot, ValueSeries } from '../storage/types';

export const UNIVERSE_BREADTH_SERIES = {
  pct50: 'UNIVERSE_PCT50',
  pct200: 'UNIVERSE_PCT200',
  n50: 'UNIVERSE_N50',
  n200: 'UNIVERSE_N200',
} as const;

/** The presets' breadth periods (iwm and standard share them): what a refresh precomputes. */
export const DEFAULT_BREADTH_PERIODS: BreadthPeriods = {
  shortPeriod: PRESETS.iwm.breadth.shortPeriod,
  longPeriod: PRESETS.iwm.breadth.longPeriod,
};

/** Stored sessions a refresh re-computes before trusting the rest of the previous series. */
export const OVERLAP_SESSIONS = 5;

/** `notes.universeBreadth`: what the stored series are. */
export interface StoredBreadthNote extends BreadthPeriods {
  /** Last session covered (ISO). */
  through: string;
  /** Key of the membership lists the covered sessions used ('' without lists). */
  membershipKey: string;
  /** Members in the universe, and those with a bar on at least one of the owner's sessions. */
  listed: number;
  members: number;
  /** Members with no bar on any session (first few), and bars on days that are not sessions. */
  membersEmpty: string[];
  barsOffCalendar: number;
}

export interface BreadthRefresh {
  sessions: number;
  /** Sessions computed (all of them on a full pass, the new ones when extended). */
  computed: number;
  incremental: boolean;
  /** Why a previous generation's series were not extended (null when they were, or there were none). */
  fullBecause: string | null;
}

const isNote = (v: unknown): v is StoredBreadthNote =>
  typeof v === 'object' && v !== null && typeof (v as StoredBreadthNote).through === 'string';

/** The lists applying to days up to `through`: the earliest one and every one dated on or before it. */
export function membershipKey(lists: readonly DatedMembers[] | null | undefined, through: number): string {
  if (!lists || lists.length === 0) return '';
  const sorted = [...lists].sort((a, b) => (a.asOf < b.asOf ? -1 : 1));
  const used = sorted.filter((l, i) => i === 0 || isoDay(l.asOf) <= through);
  const hash = createHash('sha256');
  for (const l of used) hash.update(`${l.asOf}:${[...l.symbols].sort().join(',')};`);
  return hash.digest('hex').slice(0, 16);
}

/** Member counts on the owner's sessions: who has a bar on one, who has none, bars off them. */
function coverage(u: MemberColumns, calendar: Int32Array) {
  let members = 0;
  let off = 0;
  const empty: string[] = [];
  for (let m = 0; m < u.symbols.length; m++) {
    let on = 0;
    let t = 0;
    for (let j = u.offsets[m]; j < u.offsets[m + 1]; j++) {
      while (t < calendar.length && calendar[t] < u.dates[j]) t++;
      if (t < calendar.length && calendar[t] === u.dates[j]) on++;
      else off++;
    }
    if (on > 0) members++;
    else empty.push(u.symbols[m]);
  }
  return { members, membersEmpty: empty, barsOffCalendar: off };
}

/** The stored breadth on the first sessions it covers, or why it cannot be extended. */
function storedPrefix(
  previous: Pick<Snapshot, 'series' | 'notes'>,
  calendar: Int32Array,
  lists: readonly DatedMembers[] | null,
  periods: BreadthPeriods,
): BreadthPercents | string {
  const note = previous.notes.universeBreadth;
  const n50 = previous.series[UNIVERSE_BREADTH_SERIES.n50];
  const n200 = previous.series[UNIVERSE_BREADTH_SERIES.n200];
  if (!isNote(note) || !n50 || !n200) return 'the previous data has no stored breadth';
  if (note.shortPeriod !== periods.shortPeriod || note.longPeriod !== periods.longPeriod)
    return `the previous breadth is for ${note.shortPeriod}/${note.longPeriod} days`;
  const k = n50.dates.length;
  if (k > calendar.length || n200.dates.length !== k) return 'the previous sessions are not a prefix of the new ones';
  for (let t = 0; t < k; t++)
    if (n50.dates[t] !== calendar[t] || n200.dates[t] !== calendar[t])
      return `the sessions differ from ${formatDay(calendar[t])} on`;
  if (k > 0 && membershipKey(lists, calendar[k - 1]) !== note.membershipKey)
    return 'the membership lists for the stored sessions changed';
  const prefix = calendar.subarray(0, k);
  return {
    pct50: valuesOn(prefix, previous.series[UNIVERSE_BREADTH_SERIES.pct50] ?? EMPTY),
    pct200: valuesOn(prefix, previous.series[UNIVERSE_BREADTH_SERIES.pct200] ?? EMPTY),
    counted50: Int32Array.from(n50.values),
    counted200: Int32Array.from(n200.values),
  };
}

const EMPTY: ValueSeries = { dates: new Int32Array(0), values: new Float64Array(0) };

/** Equal as numbers, NaN equal to NaN. */
function sameRange(a: BreadthPercents, b: BreadthPercents, from: number, to: number): boolean {
  const same = (x: number, y: number) => x === y || (Number.isNaN(x) && Number.isNaN(y));
  for (let t = from; t < to; t++)
    if (
      !same(a.pct50[t], b.pct50[t]) ||
      !same(a.pct200[t], b.pct200[t]) ||
      a.counted50[t] !== b.counted50[t] ||
      a.counted200[t] !== b.counted200[t]
    )
      return false;
  return true;
}

/**
 * Breadth on every session of `calendar`: the previous series extended when they are a
 * verified prefix, else one full pass. Pure.
 */
export function refreshBreadth(
  u: MemberColumns,
  calendar: Int32Array,
  lists: readonly DatedMembers[] | null,
  periods: BreadthPeriods,
  previous: Pick<Snapshot, 'series' | 'notes'> | null,
): { breadth: BreadthPercents } & BreadthRefresh {
  const n = calendar.length;
  let fullBecause: string | null = null;
  if (previous) {
    const known = storedPrefix(previous, calendar, lists, periods);
    if (typeof known === 'string') fullBecause = known;
    else {
      const k = known.counted50.length;
      const from = Math.max(0, k - OVERLAP_SESSIONS);
      const out = breadthPass(u, calendar, lists, periods, from);
      if (sameRange(out, known, from, k)) {
        out.pct50.set(known.pct50.subarray(0, from));
        out.pct200.set(known.pct200.subarray(0, from));
        out.counted50.set(known.counted50.subarray(0, from));
        out.counted200.set(known.counted200.subarray(0, from));
        return { breadth: out, sessions: n, computed: n - from, incremental: true, fullBecause: null };
      }
      fullBecause = `the last ${k - from} stored sessions re-computed differently (a member's history was revised)`;
    }
  }
  return {
    breadth: memberBreadth(u, calendar, lists, periods),
    sessions: n,
    computed: n,
    incremental: false,
    fullBecause,
  };
}

/** A column on the sessions where it is defined (NaN left out, as a ValueSeries keeps it). */
function defined(calendar: Int32Array, values: Float64Array): ValueSeries {
  const keep: number[] = [];
  for (let t = 0; t < values.length; t++) if (!Number.isNaN(values[t])) keep.push(t);
  return { dates: Int32Array.from(keep, (t) => calendar[t]), values: Float64Array.from(keep, (t) => values[t]) };
}

/**
 * At refresh: computes the owner's breadth (extending `previous` where it can) and stores it
 * in the snapshot's series and notes. Does nothing without a universe or owner bars.
 */
export function addUniverseBreadth(
  snapshot: Snapshot,
  owner: string,
  previous: Pick<Snapshot, 'series' | 'notes'> | null,
  periods: BreadthPeriods = DEFAULT_BREADTH_PERIODS,
): BreadthRefresh | null {
  const u = snapshot.universe;
  const bars = snapshot.bars[owner];
  if (!u || !bars || bars.dates.length === 0) return null;
  const calendar = bars.dates;
  const lists = snapshot.membership?.length ? snapshot.membership : null;
  const r = refreshBreadth(u, calendar, lists, periods, previous);
  const b = r.breadth;
  const S = UNIVERSE_BREADTH_SERIES;
  snapshot.series[S.pct50] = defined(calendar, b.pct50);
  snapshot.series[S.pct200] = defined(calendar, b.pct200);
  snapshot.series[S.n50] = { dates: calendar.slice(), values: Float64Array.from(b.counted50) };
  snapshot.series[S.n200] = { dates: calendar.slice(), values: Float64Array.from(b.counted200) };
  const cov = coverage(u, calendar);
  const note: StoredBreadthNote = {
    ...periods,
    through: formatDay(calendar[calendar.length - 1]),
    membershipKey: membershipKey(lists, calendar[calendar.length - 1]),
    listed: u.symbols.length,
    members: cov.members,
    membersEmpty: cov.membersEmpty.slice(0, 20),
    barsOffCalendar: cov.barsOffCalendar,
  };
  snapshot.notes.universeBreadth = note;
  const { breadth: _, ...rest } = r;
  return rest;
}

/** The stored breadth note when the snapshot has series for `periods`, else null. */
export function storedBreadthNote(
  snapshot: { series: Record<string, unknown>; notes: Record<string, unknown> },
  periods: BreadthPeriods,
): StoredBreadthNote | null {
  const note = snapshot.notes.universeBreadth;
  if (!isNote(note) || note.shortPeriod !== periods.shortPeriod || note.longPeriod !== periods.longPeriod) return null;
  return Object.values(UNIVERSE_BREADTH_SERIES).every((id) => snapshot.series[id]) ? note : null;
}

/** The engine's breadth input from the stored series, on a pair's calendar (NaN/0 where not covered). */
export function storedBreadthOn(snapshot: Pick<Snapshot, 'series'>, calendar: Int32Array): BreadthSeries {
  const S = UNIVERSE_BREADTH_SERIES;
  return {
    kind: 'series',
    pct50: valuesOn(calendar, snapshot.series[S.pct50]),
    pct200: valuesOn(calendar, snapshot.series[S.pct200]),
    members: Int32Array.from(valuesOn(calendar, snapshot.series[S.n50]), (v) => (Number.isNaN(v) ? 0 : v)),
  };
}

/** What meta says about dated membership; null without lists. */
export interface MembershipMeta {
  lists: number;
  firstAsOf: string;
  lastAsOf: string;
  /** Sessions before this day count the earliest list's members: survivorship biased. */
  survivorshipBiasedBefore: string;
}

export function membershipMeta(lists: readonly DatedMembers[] | null | undefined): MembershipMeta | null {
  if (!lists || lists.length === 0) return null;
  const days = lists.map((l) => l.asOf).sort();
  return {
    lists: lists.length,
    firstAsOf: days[0],
    lastAsOf: days[days.length - 1],
    survivorshipBiasedBefore: days[0],
  };
}

/** The warning for sessions of `calendar` before the first list, or null when there are none. */
export function survivorshipWarning(m: MembershipMeta, calendar: Int32Array): string | null {
  const before = lowerBound(calendar, isoDay(m.firstAsOf));
  if (before === 0) return null;
  return (
    `breadth counts the index members as of ${m.firstAsOf} on the ${before} session(s) before that date ` +
    `(no earlier membership list): those sessions are survivorship biased`
  );
}
