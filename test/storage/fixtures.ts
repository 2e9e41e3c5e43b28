/**
 * Snapshots generated in code for the storage tests: small, deterministic per seed, and
 * different in every column between seeds, so a store that mixes generations up shows.
 */
import { isWeekday, parseIsoDay } from '../../api/src/engine/dates';
import type { BarColumns } from '../../api/src/engine/types';
import type { MemberCloses, Snapshot, ValueSeries } from '../../api/src/storage/types';
import { rng } from '../support/rng';

export { rng };

/** `count` weekdays from 2023-01-02 on, as day numbers. */
export function weekdays(count: number, from = '2023-01-02'): Int32Array {
  const out = new Int32Array(count);
  let day = parseIsoDay(from) as number;
  for (let i = 0; i < count;) {
    if (isWeekday(day)) out[i++] = day;
    day++;
  }
  return out;
}

export function makeBars(dates: Int32Array, random: () => number, level: number): BarColumns {
  const n = dates.length;
  const close = new Float64Array(n);
  let price = level;
  for (let i = 0; i < n; i++) close[i] = price *= 1 + (random() - 0.5) * 0.04;
  return {
    dates: dates.slice(),
    open: close.map((c) => c * (1 + (random() - 0.5) * 0.01)),
    high: close.map((c) => c * (1 + random() * 0.02)),
    low: close.map((c) => c * (1 - random() * 0.02)),
    close,
    volume: close.map(() => Math.round(random() * 5e7)),
  };
}

/** A universe whose members start and end on different days; one member has no bars at all. */
export function makeUniverse(calendar: Int32Array, members: number, random: () => number): MemberCloses {
  const symbols: string[] = [];
  const offsets = new Int32Array(members + 1);
  const dates: number[] = [];
  const close: number[] = [];
  for (let m = 0; m < members; m++) {
    symbols.push(m === 1 ? 'BRK.B' : `M${m}`);
    const start = Math.floor(random() * calendar.length * 0.3);
    const end = m === 2 ? start : start + Math.floor(random() * (calendar.length - start));
    for (let i = start; i < end; i++) {
      dates.push(calendar[i]);
      close.push(10 + random() * 90);
    }
    offsets[m + 1] = dates.length;
  }
  return { symbols, offsets, dates: Int32Array.from(dates), close: Float64Array.from(close) };
}

export function makeSeries(calendar: Int32Array, random: () => number): ValueSeries {
  // Every other day, so the series' own dates differ from the calendar; one NaN on purpose.
  const dates = calendar.filter((_, i) => i % 2 === 0);
  const values = Float64Array.from(dates, () => random() * 3 - 1);
  if (values.length > 3) values[3] = NaN;
  return { dates, values };
}

/** A full snapshot; every seed gives different numbers in every column. */
export function makeSnapshot(seed: number, options: { days?: number; members?: number } = {}): Snapshot {
  const random = rng(seed);
  const calendar = weekdays(options.days ?? 120);
  return {
    source: 'sample',
    createdAt: `2024-01-0${(seed % 9) + 1}T22:30:00.000Z`,
    bars: { IWM: makeBars(calendar, random, 200), SPY: makeBars(calendar, random, 470) },
    universe: makeUniverse(calendar, options.members ?? 12, random),
    series: { T10Y2Y: makeSeries(calendar, random), BAMLH0A0HYM2: makeSeries(calendar, random) },
    notes: { seed, holdingsDate: '2024-01-05', skipped: ['XYZ'] },
  };
}

/** Raw bytes of a typed array, for byte-exact comparisons (NaN payloads, -0). */
export function bytesOf(a: Int32Array | Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Expects two snapshots to hold the same data, column by column and byte for byte. */
export function expectSameSnapshot(actual: Snapshot | null, expected: Snapshot): void {
  expect(actual).not.toBeNull();
  const a = actual as Snapshot;
  expect(a.source).toBe(expected.source);
  expect(a.notes).toEqual(expected.notes);
  expect(Object.keys(a.bars).sort()).toEqual(Object.keys(expected.bars).sort());
  for (const [symbol, bars] of Object.entries(expected.bars)) {
    for (const key of ['dates', 'open', 'high', 'low', 'close', 'volume'] as const) {
      expect(a.bars[symbol][key]).toBeInstanceOf(bars[key].constructor);
      expect({ symbol, key, bytes: bytesOf(a.bars[symbol][key]) }).toEqual({ symbol, key, bytes: bytesOf(bars[key]) });
    }
  }
  if (expected.universe === null) {
    expect(a.universe).toBeNull();
  } else {
    const u = a.universe as MemberCloses;
    expect(u.symbols).toEqual(expected.universe.symbols);
    expect(bytesOf(u.offsets)).toEqual(bytesOf(expected.universe.offsets));
    expect(bytesOf(u.dates)).toEqual(bytesOf(expected.universe.dates));
    expect(bytesOf(u.close)).toEqual(bytesOf(expected.universe.close));
  }
  expect(Object.keys(a.series).sort()).toEqual(Object.keys(expected.series).sort());
  for (const [id, series] of Object.entries(expected.series)) {
    expect(bytesOf(a.series[id].dates)).toEqual(bytesOf(series.dates));
    expect(bytesOf(a.series[id].values)).toEqual(bytesOf(series.values));
  }
}
