/**
 * Small hand-built engine inputs for the layer, profile and reading tests, and naive
 * reference formulas written straight from docs/SIGNALS.md (O(n*k) loops, no running
 * sums), so expectations never come from the engine's own helpers.
 */
import type { BreadthSeries, EngineInput, MacroEvent, UniverseCloses } from '../../api/src/engine/types';
import { rng } from '../support/rng';

export { rng };

const MS_PER_DAY = 86_400_000;
/** 2024-01-01 was a Monday. */
const FIRST_MONDAY = Date.UTC(2024, 0, 1) / MS_PER_DAY;

/** Day number (days since 1970-01-01) of session i: weekdays from Monday 2024-01-01. */
export function sessionDay(i: number): number {
  return FIRST_MONDAY + 7 * Math.floor(i / 5) + (i % 5);
}

/** ISO date of session i (or of any day number via isoOfDay). */
export function sessionIso(i: number): string {
  return isoOfDay(sessionDay(i));
}

export function isoOfDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export interface BuildSpec {
  close: readonly number[];
  high?: readonly number[];
  low?: readonly number[];
  open?: readonly number[];
  volume?: readonly number[] | number;
  /**
   * Bar shape when high/low are not given:
   *  - a number r: high = close + r/2, low = close - r/2 (TR = r while |close step| <= r/2);
   *  - { tr: r }: bars whose true range is exactly r for any close step <= r.
   * Default 2.
   */
  range?: number | { tr: number };
  /** Benchmark closes; default a constant 100. */
  benchmark?: readonly number[];
  breadth?: UniverseCloses | BreadthSeries | null;
  events?: MacroEvent[];
}

/**
 * Bars whose true range is exactly r: the bar spans from the previous close to the
 * close, padded evenly to a total range of r (so |h - c[t-1]| and |l - c[t-1]| <= r).
 */
export function trBars(close: readonly number[], r: number): { high: number[]; low: number[] } {
  const high: number[] = [];
  const low: number[] = [];
  close.forEach((c, t) => {
    if (t === 0) {
      high.push(c + r / 2);
      low.push(c - r / 2);
      return;
    }
    const p = close[t - 1];
    const x = Math.abs(c - p);
    if (x > r) throw new Error(`trBars: step ${x} at ${t} exceeds the range ${r}`);
    const pad = (r - x) / 2;
    high.push(Math.max(p, c) + pad);
    low.push(Math.min(p, c) - pad);
  });
  return { high, low };
}

export function buildInput(spec: BuildSpec): EngineInput {
  const n = spec.close.length;
  const close = Float64Array.from(spec.close);
  let high: Float64Array;
  let low: Float64Array;
  if (spec.high && spec.low) {
    high = Float64Array.from(spec.high);
    low = Float64Array.from(spec.low);
  } else {
    const range = spec.range ?? 2;
    if (typeof range === 'number') {
      high = close.map((c) => c + range / 2);
      low = close.map((c) => c - range / 2);
    } else {
      const b = trBars(spec.close, range.tr);
      high = Float64Array.from(b.high);
      low = Float64Array.from(b.low);
    }
  }
  const open = spec.open ? Float64Array.from(spec.open) : close.slice();
  const vol = spec.volume ?? 1000;
  const volume = typeof vol === 'number' ? new Float64Array(n).fill(vol) : Float64Array.from(vol);
  const dates = new Int32Array(n);
  for (let i = 0; i < n; i++) dates[i] = sessionDay(i);
  const benchmarkClose = spec.benchmark ? Float64Array.from(spec.benchmark) : new Float64Array(n).fill(100);
  for (const [name, col] of Object.entries({ high, low, open, volume, benchmarkClose })) {
    if (col.length !== n) throw new Error(`buildInput: ${name} has ${col.length} values for ${n} closes`);
  }
  return {
    primary: { dates, open, high, low, close, volume },
    benchmarkClose,
    breadth: spec.breadth ?? null,
    events: spec.events ?? [],
  };
}

/** An external breadth series (pct200 defaults to pct50). */
export function breadthSeries(pct50: readonly number[], pct200?: readonly number[]): BreadthSeries {
  return { kind: 'series', pct50: Float64Array.from(pct50), pct200: Float64Array.from(pct200 ?? pct50) };
}

/** A universe from members listing at session `start` with consecutive daily closes. */
export function universe(members: { symbol: string; start: number; closes: readonly number[] }[]): UniverseCloses {
  const offsets = new Int32Array(members.length + 1);
  const dayIndex: number[] = [];
  const close: number[] = [];
  members.forEach((m, i) => {
    m.closes.forEach((c, k) => {
      dayIndex.push(m.start + k);
      close.push(c);
    });
    offsets[i + 1] = close.length;
  });
  return {
    kind: 'universe',
    symbols: members.map((m) => m.symbol),
    offsets,
    dayIndex: Int32Array.from(dayIndex),
    close: Float64Array.from(close),
  };
}

/** Sequence helpers. */
export const repeat = (v: number, count: number): number[] => new Array<number>(count).fill(v);
export const steps = (from: number, step: number, count: number): number[] =>
  Array.from({ length: count }, (_, k) => from + step * (k + 1));

/** A random-walk close series around `start` with daily moves up to +-pct %. */
export function randomWalk(count: number, seed: number, start = 100, pct = 1.5): number[] {
  const r = rng(seed);
  const out: number[] = [];
  let c = start;
  for (let t = 0; t < count; t++) {
    c *= 1 + ((r() - 0.5) * 2 * pct) / 100;
    out.push(c);
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Naive references, straight from SIGNALS.md "Indicators" (NaN = undefined).

export function refSma(x: ArrayLike<number>, n: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < x.length; t++) {
    if (t < n - 1) {
      out.push(NaN);
      continue;
    }
    let s = 0;
    for (let j = t - n + 1; j <= t; j++) s += x[j];
    out.push(s / n);
  }
  return out;
}

export function refEma(x: ArrayLike<number>, n: number): number[] {
  const a = 2 / (n + 1);
  const seed = refSma(x, n);
  const out: number[] = [];
  for (let t = 0; t < x.length; t++) {
    if (t < n - 1) out.push(NaN);
    else if (t === n - 1) out.push(seed[t]);
    else out.push(a * x[t] + (1 - a) * out[t - 1]);
  }
  return out;
}

export function refRoc(x: ArrayLike<number>, n: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < x.length; t++) out.push(t < n ? NaN : (x[t] / x[t - n] - 1) * 100);
  return out;
}

export function refAtr(h: ArrayLike<number>, l: ArrayLike<number>, c: ArrayLike<number>, n: number): number[] {
  const tr = (t: number) => Math.max(h[t] - l[t], Math.abs(h[t] - c[t - 1]), Math.abs(l[t] - c[t - 1]));
  const out: number[] = [];
  for (let t = 0; t < c.length; t++) {
    if (t < n) out.push(NaN);
    else if (t === n) {
      let s = 0;
      for (let j = 1; j <= n; j++) s += tr(j);
      out.push(s / n);
    } else out.push((out[t - 1] * (n - 1) + tr(t)) / n);
  }
  return out;
}

/** Closes to within a relative 1e-9 (NaN only equals NaN). */
export function near(a: number, e: number, rel = 1e-9): boolean {
  if (Number.isNaN(e)) return Number.isNaN(a);
  return Math.abs(a - e) <= rel * Math.max(1, Math.abs(a), Math.abs(e));
}

/** Indices where two series differ (at most `max`), for readable failures. */
export function mismatches(actual: ArrayLike<number>, expected: ArrayLike<number>, max = 5): string[] {
  const bad: string[] = [];
  const len = Math.max(actual.length, expected.length);
  for (let i = 0; i < len && bad.length < max; i++) {
    if (!near(actual[i], expected[i])) bad.push(`[${i}] got ${actual[i]}, expected ${expected[i]}`);
  }
  return bad;
}
