/**
 * Breadth straight from the members' own bars, by date, with dated index membership
 * (SIGNALS.md "Layer 3"; docs/ENGINE.md "Breadth").
 *
 * Unlike `universeBreadth`, which reads a universe already packed onto the pair's
 * calendar, this reads every member's (dates, closes) as stored and a list of session
 * days. Each member's SMA runs over all its own bars (a bar on a day that is not a session
 * still belongs to its average), and a member counts on session t when it has a bar on
 * that day, a defined SMA there, and is in the membership list that applies to the day.
 * So breadth on a day depends on the members and the day only, never on which calendar
 * asked: a series computed once on the owner's sessions serves every pair by date.
 *
 * Membership: the list that applies to a day is the latest one dated on or before it,
 * else the earliest one (sessions before the first list use the oldest members known,
 * which makes them survivorship biased). No lists: every member counts.
 *
 * `breadthPass` computes sessions `from..n-1` only, starting each member's running sums
 * from its last `long` bars before `from`: the one-pass result is `from = 0`, a nightly
 * increment is `from = n - 1`, and both run the same per-bar code (so they agree exactly
 * whenever the sums are exact; with arbitrary decimals a session where a close equals
 * its SMA to ~1e-13 may round either way).
 */
import { lowerBound, isoDay } from './dates';
import type { BreadthPercents } from './breadth';

/** Members' closes on their own dates, member after member (the stored universe's layout). */
export interface MemberColumns {
  symbols: readonly string[];
  /** Member i owns entries offsets[i] .. offsets[i+1]-1. */
  offsets: Int32Array;
  /** Day numbers, rising strictly within a member. */
  dates: Int32Array;
  close: Float64Array;
}

/** One dated membership list (ISO asOf, upper-case tickers). */
export interface DatedMembers {
  asOf: string;
  symbols: readonly string[];
}

/** Breadth periods: the short and long SMA lengths (50 and 200 in the presets). */
export interface BreadthPeriods {
  shortPeriod: number;
  longPeriod: number;
}

/**
 * Which sessions each member counts on: `starts[i]` is the first session list i applies
 * to (list 0 applies from session 0), `inList[m * lists + i]` is 1 when member m is on list i.
 * Null means no lists: everyone counts.
 */
interface Schedule {
  lists: number;
  starts: Int32Array;
  inList: Uint8Array;
}

function scheduleOf(
  symbols: readonly string[],
  calendar: Int32Array,
  membership: readonly DatedMembers[] | null | undefined,
): Schedule | null {
  if (!membership || membership.length === 0) return null;
  const sorted = membership
    .map((l, i) => ({ day: isoDay(l.asOf, `membership list ${i} asOf`), symbols: l.symbols }))
    .sort((a, b) => a.day - b.day);
  const lists = sorted.length;
  const starts = new Int32Array(lists);
  for (let i = 1; i < lists; i++) starts[i] = lowerBound(calendar, sorted[i].day);
  const index = new Map<string, number>();
  symbols.forEach((s, m) => index.set(s, m));
  const inList = new Uint8Array(symbols.length * lists);
  sorted.forEach((l, i) => {
    for (const s of l.symbols) {
      const m = index.get(s);
      if (m !== undefined) inList[m * lists + i] = 1;
    }
  });
  return { lists, starts, inList };
}

function checkPeriods({ shortPeriod: S, longPeriod: L }: BreadthPeriods): void {
  if (!Number.isInteger(S) || !Number.isInteger(L) || S < 1 || L <= S)
    throw new RangeError(`member breadth: need integer periods 1 <= short < long (got ${S}, ${L})`);
}

/**
 * Breadth on sessions `from .. calendar.length-1` (entries before `from` are left NaN / 0).
 * O(members x (long + bars from `from` on)) plus a binary search per member.
 */
export function breadthPass(
  u: MemberColumns,
  calendar: Int32Array,
  membership: readonly DatedMembers[] | null | undefined,
  periods: BreadthPeriods,
  from = 0,
): BreadthPercents {
  checkPeriods(periods);
  const S = periods.shortPeriod;
  const L = periods.longPeriod;
  const n = calendar.length;
  if (!Number.isInteger(from) || from < 0 || from > n)
    throw new RangeError(`member breadth: from must be a session index 0..${n} (got ${from})`);
  const schedule = scheduleOf(u.symbols, calendar, membership);
  const lists = schedule ? schedule.lists : 0;
  // Four counters per session side by side (above S, counted S, above L, counted L).
  const acc = new Int32Array(4 * n);
  const { offsets, dates, close } = u;
  const firstDay = from < n ? calendar[from] : Infinity;
  for (let m = 0; m < offsets.length - 1; m++) {
    const start = offsets[m];
    const end = offsets[m + 1];
    // First bar on or after session `from`, and the sums of the windows that end before it
    // (exactly what the running sums hold there when they start at the member's first bar).
    let j = from === 0 ? start : lowerBound(dates, firstDay, start, end);
    if (j >= end) continue;
    let sumS = 0;
    let sumL = 0;
    for (let i = Math.max(start, j - S); i < j; i++) sumS += close[i];
    for (let i = Math.max(start, j - L); i < j; i++) sumL += close[i];
    let t = lowerBound(calendar, dates[j]);
    let li = 0;
    const base = m * lists;
    for (; j < end; j++) {
      const c = close[j];
      const k = j - start;
      sumS += c;
      if (k >= S) sumS -= close[j - S];
      sumL += c;
      if (k >= L) sumL -= close[j - L];
      if (k < S - 1) continue;
      while (t < n && calendar[t] < dates[j]) t++;
      if (t === n) break;
      if (calendar[t] !== dates[j]) continue; // not a session: in the average, counted nowhere
      if (schedule) {
        while (li + 1 < lists && schedule.starts[li + 1] <= t) li++;
        if (schedule.inList[base + li] === 0) continue;
      }
      const d = t << 2;
      acc[d] += +(c > sumS / S);
      acc[d + 1]++;
      if (k >= L - 1) {
        acc[d + 2] += +(c > sumL / L);
        acc[d + 3]++;
      }
    }
  }
  const out: BreadthPercents = {
    pct50: new Float64Array(n).fill(NaN),
    pct200: new Float64Array(n).fill(NaN),
    counted50: new Int32Array(n),
    counted200: new Int32Array(n),
  };
  for (let t = from, d = 4 * from; t < n; t++, d += 4) {
    out.counted50[t] = acc[d + 1];
    out.counted200[t] = acc[d + 3];
    if (acc[d + 1] > 0) out.pct50[t] = (100 * acc[d]) / acc[d + 1];
    if (acc[d + 3] > 0) out.pct200[t] = (100 * acc[d + 2]) / acc[d + 3];
  }
  return out;
}

/** One-pass breadth over every session of `calendar`. */
export function memberBreadth(
  u: MemberColumns,
  calendar: Int32Array,
  membership: readonly DatedMembers[] | null | undefined,
  periods: BreadthPeriods,
): BreadthPercents {
  return breadthPass(u, calendar, membership, periods, 0);
}

/**
 * Extends breadth known on the first `known.counted50.length` sessions of `calendar` (a
 * prefix of it, as a previous refresh stored it) to every session, computing only the new
 * ones. The caller vouches that the prefix was computed from the same members' bars and
 * the same lists for those days (breadth-store.ts checks both).
 */
export function extendBreadth(
  u: MemberColumns,
  calendar: Int32Array,
  membership: readonly DatedMembers[] | null | undefined,
  periods: BreadthPeriods,
  known: BreadthPercents,
): BreadthPercents {
  const k = known.counted50.length;
  if (k > calendar.length) throw new RangeError(`extendBreadth: ${k} known sessions, calendar has ${calendar.length}`);
  const out = breadthPass(u, calendar, membership, periods, k);
  out.pct50.set(known.pct50);
  out.pct200.set(known.pct200);
  out.counted50.set(known.counted50);
  out.counted200.set(known.counted200);
  return out;
}
