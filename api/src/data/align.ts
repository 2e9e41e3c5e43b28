/**
 * Puts parsed bar files on one trading calendar for the engine.
 *
 * The contract (docs/SIGNALS.md, "Inputs") inner-joins the primary and the benchmark on
 * date: a day missing from either has no relative strength or rotation, so it is
 * dropped rather than filled, and the drop is counted so the response can say so.
 * Universe members are mapped onto that calendar in the packed CSR layout of
 * `UniverseCloses`, every bar kept: a bar on a day that is not a session still belongs
 * to the member's own SMA (docs/ENGINE.md, "Breadth"). Everything is a two-pointer merge over sorted dates: O(total bars)
 * with no Map per bar, which matters at 2,000 members x 8,000 days.
 */
import { formatDay, lowerBound } from '../engine/dates';
import { OFF_CALENDAR, type BarColumns, type EngineInput, type UniverseCloses } from '../engine/types';

export interface SymbolBars {
  symbol: string;
  /** Dates must rise strictly, as parseBarsCsv guarantees. */
  bars: BarColumns;
}

/** A breadth member needs only its dates and closes (a stored universe keeps nothing else). */
export interface MemberBars {
  symbol: string;
  bars: Pick<BarColumns, 'dates' | 'close'>;
}

export interface AlignRequest {
  primary: SymbolBars;
  benchmark: SymbolBars;
  universe?: readonly MemberBars[];
  /** Other symbols whose closes the engine may read (the credit overlay's HYG and IEF). */
  others?: readonly MemberBars[];
}

/** The engine input minus what the data files do not provide (the event calendar). */
export type AlignedInput = Omit<EngineInput, 'events' | 'breadth' | 'closes'> & {
  breadth: UniverseCloses | null;
  closes: Record<string, Float64Array>;
};

/** What alignment left out, for the response's data-quality notes. */
export interface DataQuality {
  primarySymbol: string;
  benchmarkSymbol: string;
  /** Days on the joined calendar. */
  tradingDays: number;
  /** Primary bars on days the benchmark lacks (dropped). */
  primaryOnlyDropped: number;
  /** The first few of those days (ISO), for messages. */
  primaryOnlyDates: string[];
  /** Benchmark bars on days the primary lacks (dropped). */
  benchmarkOnlyDropped: number;
  benchmarkOnlyDates: string[];
  /** Members kept in the breadth universe (those with at least one bar on the calendar). */
  universeMembers: number;
  /** Members left out because none of their bars fell on the calendar. */
  universeMembersEmpty: string[];
  /**
   * Bars of kept members on days that are not sessions, over all members: they are in
   * each member's own SMA but counted on no session.
   */
  universeBarsOffCalendar: number;
}

/** How many dropped dates the notes quote; the counts carry the rest. */
export const DROPPED_DATES_SHOWN = 5;

/**
 * Joins primary and benchmark on date and maps the universe onto the joined calendar.
 * Throws when the join is empty (nothing to compute), when a series is not sorted by
 * date, or when a universe symbol is listed twice (it would be counted twice in breadth).
 */
export function alignInputs(request: AlignRequest): { input: AlignedInput; quality: DataQuality } {
  const { primary, benchmark } = request;
  assertRisingDates(primary);
  assertRisingDates(benchmark);

  const join = innerJoin(primary.bars.dates, benchmark.bars.dates);
  if (join.length === 0) {
    throw new Error(
      `${primary.symbol} (${describeRange(primary.bars.dates)}) and ${benchmark.symbol} ` +
        `(${describeRange(benchmark.bars.dates)}) have no trading dates in common`,
    );
  }
  const p = primary.bars;
  const calendar = gather(p.dates, join.left, new Int32Array(join.length));
  const input: AlignedInput = {
    primary: {
      dates: calendar,
      open: gather(p.open, join.left, new Float64Array(join.length)),
      high: gather(p.high, join.left, new Float64Array(join.length)),
      low: gather(p.low, join.left, new Float64Array(join.length)),
      close: gather(p.close, join.left, new Float64Array(join.length)),
      volume: gather(p.volume, join.left, new Float64Array(join.length)),
    },
    benchmarkClose: gather(benchmark.bars.close, join.right, new Float64Array(join.length)),
    breadth: null,
    closes: {},
  };
  for (const other of request.others ?? []) {
    assertRisingDates(other);
    input.closes[other.symbol] = placeCloses(calendar, other.bars);
  }

  const universe = packUniverse(request.universe ?? [], calendar);
  input.breadth = universe.closes;
  const quality: DataQuality = {
    primarySymbol: primary.symbol,
    benchmarkSymbol: benchmark.symbol,
    tradingDays: join.length,
    primaryOnlyDropped: join.leftOnly.count,
    primaryOnlyDates: join.leftOnly.first.map(formatDay),
    benchmarkOnlyDropped: join.rightOnly.count,
    benchmarkOnlyDates: join.rightOnly.first.map(formatDay),
    universeMembers: universe.closes ? universe.closes.symbols.length : 0,
    universeMembersEmpty: universe.empty,
    universeBarsOffCalendar: universe.offCalendar,
  };
  return { input, quality };
}

/** Days dropped from one side of the join: the count and the first few day numbers. */
interface Dropped {
  count: number;
  first: number[];
}

function drop(dropped: Dropped, day: number): void {
  if (dropped.first.length < DROPPED_DATES_SHOWN) dropped.first.push(day);
  dropped.count++;
}

/** Index pairs of the days both sorted series share, plus what each side had alone. */
function innerJoin(left: Int32Array, right: Int32Array) {
  const capacity = Math.min(left.length, right.length);
  const leftIndex = new Int32Array(capacity);
  const rightIndex = new Int32Array(capacity);
  const leftOnly: Dropped = { count: 0, first: [] };
  const rightOnly: Dropped = { count: 0, first: [] };
  let n = 0;
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    if (left[i] === right[j]) {
      leftIndex[n] = i++;
      rightIndex[n] = j++;
      n++;
    } else if (left[i] < right[j]) {
      drop(leftOnly, left[i++]);
    } else {
      drop(rightOnly, right[j++]);
    }
  }
  while (i < left.length) drop(leftOnly, left[i++]);
  while (j < right.length) drop(rightOnly, right[j++]);
  return { length: n, left: leftIndex.subarray(0, n), right: rightIndex.subarray(0, n), leftOnly, rightOnly };
}

/** out[k] = source[index[k]]; returns out. */
function gather<T extends Int32Array | Float64Array>(source: T, index: Int32Array, out: T): T {
  for (let k = 0; k < index.length; k++) out[k] = source[index[k]];
  return out;
}

/**
 * Packs members' closes, member after member (CSR), each bar with its session index or
 * OFF_CALENDAR. A member with no bar on a session counts nowhere and is left out.
 * Buffers are sized to the total member bars (an upper bound) and trimmed once at the end.
 */
function packUniverse(
  members: readonly MemberBars[],
  calendar: Int32Array,
): { closes: UniverseCloses | null; empty: string[]; offCalendar: number } {
  let total = 0;
  const seen = new Set<string>();
  for (const member of members) {
    if (seen.has(member.symbol)) throw new Error(`universe lists ${member.symbol} more than once`);
    seen.add(member.symbol);
    assertRisingDates(member);
    total += member.bars.dates.length;
  }

  const symbols: string[] = [];
  const offsets: number[] = [0];
  const dayIndex = new Int32Array(total);
  const close = new Float64Array(total);
  const empty: string[] = [];
  let n = 0;
  let offCalendar = 0;
  for (const { symbol, bars } of members) {
    const dates = bars.dates;
    const closes = bars.close;
    const start = n;
    let off = 0;
    // Skip straight to the member's first day: members listed late start late.
    let k = dates.length > 0 ? lowerBound(calendar, dates[0]) : 0;
    for (let u = 0; u < dates.length; u++) {
      while (k < calendar.length && calendar[k] < dates[u]) k++;
      const on = k < calendar.length && calendar[k] === dates[u];
      dayIndex[n] = on ? k : OFF_CALENDAR;
      close[n] = closes[u];
      n++;
      if (!on) off++;
    }
    if (off === n - start) {
      // No bar on a session: the member counts nowhere.
      n = start;
      empty.push(symbol);
    } else {
      offCalendar += off;
      symbols.push(symbol);
      offsets.push(n);
    }
  }

  if (symbols.length === 0) return { closes: null, empty, offCalendar };
  return {
    closes: {
      kind: 'universe',
      symbols,
      offsets: Int32Array.from(offsets),
      dayIndex: n === total ? dayIndex : dayIndex.slice(0, n),
      close: n === total ? close : close.slice(0, n),
    },
    empty,
    offCalendar,
  };
}

/**
 * A symbol's closes on the calendar's sessions: NaN on a session it has no bar for;
 * its bars on other days are left out (a close is read on a session, never carried).
 */
export function placeCloses(calendar: Int32Array, bars: Pick<BarColumns, 'dates' | 'close'>): Float64Array {
  const out = new Float64Array(calendar.length).fill(NaN);
  const { dates, close } = bars;
  let u = 0;
  for (let k = 0; k < calendar.length; k++) {
    while (u < dates.length && dates[u] < calendar[k]) u++;
    if (u < dates.length && dates[u] === calendar[k]) out[k] = close[u];
  }
  return out;
}

/** The two-pointer merges are only correct on strictly rising dates; check, O(n). */
function assertRisingDates({ symbol, bars }: MemberBars): void {
  const dates = bars.dates;
  for (let i = 1; i < dates.length; i++) {
    if (dates[i] <= dates[i - 1]) {
      throw new Error(
        `${symbol}: bar dates must rise strictly (${formatDay(dates[i])} follows ${formatDay(dates[i - 1])} at index ${i})`,
      );
    }
  }
}

function describeRange(dates: Int32Array): string {
  if (dates.length === 0) return 'no bars';
  return `${dates.length} bars, ${formatDay(dates[0])} to ${formatDay(dates[dates.length - 1])}`;
}
