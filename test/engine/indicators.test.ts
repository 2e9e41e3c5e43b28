/**
 * Pins api/src/engine/indicators.ts against independent references, to 1e-9 relative
 * (docs/SIGNALS.md, "Indicators": TA-Lib conventions).
 *
 *  1. Hand vectors: literal numbers worked out outside this code base (exact rational
 *     arithmetic straight from the SIGNALS.md formulas, rounded once to the nearest
 *     double), pasted below.
 *  2. Oracle: the `technicalindicators` package (dev-only) on 400 deterministic
 *     pseudo-random OHLCV bars, mapped onto our index convention.
 *  3. Slow naive references written straight from the formulas, O(n*k), beside each
 *     fast kernel, on 2,000 bars for periods {1,2,5,14,21,63}.
 *  4. A contract shared by all indicators: NaN exactly before the look-back, finite
 *     from it on, output length = input length, input not mutated.
 *
 * How `technicalindicators` (3.1) differs from TA-Lib / SIGNALS.md, and what we do:
 *  - Output alignment: it returns only the defined values, so its element i is our
 *    index i + lookback. Its warm-ups are the TA-Lib ones for everything compared
 *    here (SMA/EMA/MAX/MIN first at n-1, ROC and ATR first at n, TR first at 1, i.e.
 *    TR has no value for bar 0, as in TA-Lib). Inputs shorter than the warm-up give
 *    []; we give all-NaN of the input's length.
 *  - EMA: seeded with SMA(n) at n-1 (TA-Lib's default compatibility, not Metastock's
 *    "seed with the first value"), update written prev + a*(x - prev): same numbers up
 *    to rounding. Quirk: the seed is tested with `if (prevEma)`, so an SMA seed of
 *    exactly 0 is treated as missing and the value at n-1 becomes a*x[n-1] instead of
 *    0. Not reachable with positive prices; pinned by a hand vector below.
 *  - ATR: TR fed into WEMA (Wilder, alpha 1/n) seeded with the mean of the first n
 *    TR values, i.e. TR_1..TR_n, first value at bar n: the TA-Lib definition, written
 *    prev + (TR - prev)/n instead of (prev*(n-1) + TR)/n (rounding-level difference).
 *    Period 1 gives TR, as TA-Lib does.
 *  - ROC: (x - p)/p*100 instead of TA-Lib's (x/p - 1)*100. Both are a difference of
 *    nearly equal numbers near 0, so we compare with the 1e-9 relative bound plus an
 *    absolute floor of 1e-12 percentage points (the rounding of either form is about
 *    100 * 2^-52 = 2e-14). NaN values (0/0) are dropped from its output. (TA-Lib
 *    itself returns 0 when x[t-n] = 0; SIGNALS.md never allows 0 for undefined and
 *    prices are positive, so we do not copy that.)
 *  - Highest: its running maximum starts at 0, not -Infinity, so a window that is
 *    entirely negative returns 0 (TA-Lib MAX returns the true maximum). Lowest starts
 *    at +Infinity and is fine. The oracle data are positive prices, where the
 *    definitions agree; negative windows are pinned by hand vectors.
 *  - Periods are not validated: SMA period 0 returns Infinity values; ours throws a
 *    RangeError.
 */
import {
  atr,
  atrLookback,
  ema,
  emaLookback,
  roc,
  rocLookback,
  rollingLookback,
  rollingMax,
  rollingMin,
  sma,
  smaLookback,
  trueRange,
  trueRangeLookback,
  volumeAverage,
  volumeAverageLookback,
} from '../../api/src/engine/indicators';
import { ATR, EMA, Highest, Lowest, ROC, SMA, TrueRange } from 'technicalindicators';
import { rng as mulberry32 } from '../support/rng';

// ---------------------------------------------------------------------------------
// helpers

const REL = 1e-9;

const f64 = (values: readonly number[]): Float64Array => Float64Array.from(values);

/**
 * Compare a series element by element: NaN where expected is NaN, otherwise finite and
 * |a - e| <= rel * max(|a|, |e|) + abs. Reports the first few mismatches by index.
 */
function expectSeries(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  opts: { rel?: number; abs?: number; label?: string } = {},
): void {
  const rel = opts.rel ?? REL;
  const abs = opts.abs ?? 0;
  expect({ label: opts.label, length: actual.length }).toEqual({
    label: opts.label,
    length: expected.length,
  });
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    let ok: boolean;
    if (Number.isNaN(e)) ok = Number.isNaN(a);
    else ok = Number.isFinite(a) && Math.abs(a - e) <= rel * Math.max(Math.abs(a), Math.abs(e)) + abs;
    if (!ok && bad.length < 5) bad.push(`[${i}] got ${a}, expected ${e}`);
  }
  expect({ label: opts.label, mismatches: bad }).toEqual({ label: opts.label, mismatches: [] });
}

/** Index of the first non-NaN value, or the length if there is none. */
function firstDefined(x: ArrayLike<number>): number {
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i])) return i;
  return x.length;
}

const nans = (length: number): number[] => new Array<number>(length).fill(NaN);

interface Bars {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/**
 * Deterministic daily bars: a multiplicative random walk around 200 with overnight
 * gaps (some large, so every branch of TR wins on some bar), intraday moves of up to
 * +-2 % and wicks of up to 1 %, volume between 1e6 and 4.1e7 shares.
 */
function makeBars(count: number, seed: number): Bars {
  const rand = mulberry32(seed);
  const b: Bars = {
    open: new Float64Array(count),
    high: new Float64Array(count),
    low: new Float64Array(count),
    close: new Float64Array(count),
    volume: new Float64Array(count),
  };
  let prev = 200;
  for (let t = 0; t < count; t++) {
    const gap = (rand() - 0.5) * 0.01 * (rand() < 0.15 ? 6 : 1);
    const open = prev * (1 + gap);
    const close = open * (1 + (rand() - 0.5) * 0.04);
    b.open[t] = open;
    b.close[t] = close;
    b.high[t] = Math.max(open, close) * (1 + rand() * 0.01);
    b.low[t] = Math.min(open, close) * (1 - rand() * 0.01);
    b.volume[t] = Math.round(1e6 + rand() * 4e7);
    prev = close;
  }
  return b;
}

const PERIODS = [1, 2, 5, 14, 21, 63] as const;

// ---------------------------------------------------------------------------------
// 1. hand vectors

// Integer closes.
const X = f64([10, 12, 11, 14, 13, 15, 18, 17, 16, 19, 21, 20]);
// Decimal closes (the classic Wilder RSI sample).
const C = f64([44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.1, 45.42, 45.84, 46.08, 45.89, 46.03, 45.61, 46.28, 46.28]);
// OHLC with a gap up (bar 2: |h - c[t-1]| wins), a gap down (bar 4 and 10:
// |l - c[t-1]| wins), an h = l bar (bar 8) and a bar where |h - c[t-1]| wins inside a
// normal range (bar 9).
const H = f64([10.5, 11.0, 12.5, 12.4, 11.0, 11.5, 11.9, 12.0, 11.4, 12.3, 12.0]);
const L = f64([9.5, 10.0, 12.0, 11.6, 10.6, 10.8, 11.3, 11.0, 11.4, 11.5, 11.7]);
const CC = f64([10.0, 10.8, 12.2, 11.8, 10.9, 11.4, 11.6, 11.2, 11.4, 12.1, 11.8]);
// Negative values and ties, for rolling max/min.
const Y = f64([3, -1, -4, -4, 2, 7, 7, -2, -9, 5]);
const V = f64([1200, 1500, 900, 1800, 2100, 1300, 1700, 1600]);

describe('hand vectors', () => {
  test('look-back functions (TA-Lib first defined index)', () => {
    expect([smaLookback(1), smaLookback(3), smaLookback(20)]).toEqual([0, 2, 19]);
    expect([emaLookback(1), emaLookback(4), emaLookback(63)]).toEqual([0, 3, 62]);
    expect([rocLookback(1), rocLookback(3), rocLookback(10)]).toEqual([1, 3, 10]);
    expect(trueRangeLookback()).toBe(1);
    expect([atrLookback(1), atrLookback(3), atrLookback(14)]).toEqual([1, 3, 14]);
    expect([rollingLookback(1), rollingLookback(3), rollingLookback(5)]).toEqual([0, 2, 4]);
    expect([volumeAverageLookback(1), volumeAverageLookback(20)]).toEqual([0, 19]);
  });

  test('SMA', () => {
    const sma3 = sma(X, 3);
    expectSeries(sma3, [
      NaN,
      NaN,
      11.0,
      12.333333333333334,
      12.666666666666666,
      14.0,
      15.333333333333334,
      16.666666666666668,
      17.0,
      17.333333333333332,
      18.666666666666668,
      20.0,
    ]);
    expect(firstDefined(sma3)).toBe(smaLookback(3));
    expectSeries(sma(X, 5), [NaN, NaN, NaN, NaN, 12.0, 13.0, 14.2, 15.4, 15.8, 17.0, 18.2, 18.6]);
    expectSeries(sma(C, 5), [
      NaN,
      NaN,
      NaN,
      NaN,
      44.104,
      44.202,
      44.404,
      44.658,
      45.104,
      45.454,
      45.666,
      45.852,
      45.89,
      45.978,
      46.018,
    ]);
    expectSeries(sma(X, 12), [...nans(11), 15.5]);
  });

  test('EMA (seeded with the SMA at n-1)', () => {
    const ema3 = ema(X, 3);
    expectSeries(ema3, [
      NaN,
      NaN,
      11.0,
      12.5,
      12.75,
      13.875,
      15.9375,
      16.46875,
      16.234375,
      17.6171875,
      19.30859375,
      19.654296875,
    ]);
    expect(firstDefined(ema3)).toBe(emaLookback(3));
    expectSeries(ema(X, 4), [
      NaN,
      NaN,
      NaN,
      11.75,
      12.25,
      13.35,
      15.21,
      15.926,
      15.9556,
      17.17336,
      18.704016,
      19.2224096,
    ]);
    expectSeries(ema(C, 5), [
      NaN,
      NaN,
      NaN,
      NaN,
      44.104,
      44.346,
      44.59733333333333,
      44.87155555555555,
      45.19437037037037,
      45.48958024691358,
      45.62305349794239,
      45.758702331961594,
      45.70913488797439,
      45.8994232586496,
      46.02628217243306,
    ]);
    // A seed of exactly 0 is a seed like any other (technicalindicators gets this wrong).
    expectSeries(ema(f64([2, -1, -1, 4]), 3), [NaN, NaN, 0, 2]);
  });

  test('ROC (percent, first defined at n)', () => {
    const roc3 = roc(X, 3);
    expectSeries(roc3, [
      NaN,
      NaN,
      NaN,
      40.0,
      8.333333333333334,
      36.36363636363637,
      28.571428571428573,
      30.76923076923077,
      6.666666666666667,
      5.555555555555555,
      23.529411764705884,
      25.0,
    ]);
    expect(firstDefined(roc3)).toBe(rocLookback(3));
    expectSeries(roc(C, 5), [
      NaN,
      NaN,
      NaN,
      NaN,
      NaN,
      1.1050969778980604,
      2.2907688818326153,
      2.8765571913929784,
      5.113506076587939,
      3.9476652379878185,
      2.364488066027214,
      2.0620842572062084,
      0.4183179216204315,
      0.9598603839441536,
      0.4340277777777778,
    ]);
  });

  test('True range (bar 0 undefined, gaps counted)', () => {
    const tr = trueRange(H, L, CC);
    expectSeries(tr, [NaN, 1.0, 1.7, 0.8, 1.2, 0.7, 0.6, 1.0, 0.2, 0.9, 0.4]);
    expect(firstDefined(tr)).toBe(trueRangeLookback());
  });

  test('ATR (Wilder, first value at n = mean of TR_1..TR_n)', () => {
    const atr3 = atr(H, L, CC, 3);
    expectSeries(atr3, [
      NaN,
      NaN,
      NaN,
      1.1666666666666667,
      1.1777777777777778,
      1.0185185185185186,
      0.8790123456790123,
      0.9193415637860082,
      0.6795610425240055,
      0.7530406950160037,
      0.6353604633440024,
    ]);
    expect(firstDefined(atr3)).toBe(atrLookback(3));
    expectSeries(atr(H, L, CC, 5), [NaN, NaN, NaN, NaN, NaN, 1.08, 0.984, 0.9872, 0.82976, 0.843808, 0.7550464]);
  });

  test('rolling max / min (ties, negative values)', () => {
    const max3 = rollingMax(X, 3);
    expectSeries(max3, [NaN, NaN, 12, 14, 14, 15, 18, 18, 18, 19, 21, 21]);
    expect(firstDefined(max3)).toBe(rollingLookback(3));
    expectSeries(rollingMin(X, 3), [NaN, NaN, 10, 11, 11, 13, 13, 15, 16, 16, 16, 19]);
    expectSeries(rollingMax(Y, 3), [NaN, NaN, 3, -1, 2, 7, 7, 7, 7, 5]);
    expectSeries(rollingMin(Y, 3), [NaN, NaN, -4, -4, -4, -4, 2, -2, -9, -9]);
    expectSeries(rollingMax(Y, 2), [NaN, 3, -1, -4, 2, 7, 7, 7, -2, 5]);
    expectSeries(rollingMin(Y, 4), [NaN, NaN, NaN, -4, -4, -4, -4, -2, -9, -9]);
  });

  test('volume average = SMA(volume, n)', () => {
    const avg4 = volumeAverage(V, 4);
    expectSeries(avg4, [NaN, NaN, NaN, 1350, 1575, 1525, 1725, 1675]);
    expect(firstDefined(avg4)).toBe(volumeAverageLookback(4));
  });

  test('period 1', () => {
    expectSeries(sma(X, 1), X);
    expectSeries(ema(X, 1), X);
    expectSeries(roc(X, 1), [
      NaN,
      20.0,
      -8.333333333333334,
      27.272727272727273,
      -7.142857142857143,
      15.384615384615385,
      20.0,
      -5.555555555555555,
      -5.882352941176471,
      18.75,
      10.526315789473685,
      -4.761904761904762,
    ]);
    // ATR(1) is TR (TA-Lib returns TRANGE for period 1 as well).
    expectSeries(atr(H, L, CC, 1), [NaN, 1.0, 1.7, 0.8, 1.2, 0.7, 0.6, 1.0, 0.2, 0.9, 0.4]);
    expectSeries(rollingMax(Y, 1), Y);
    expectSeries(rollingMin(Y, 1), Y);
    expectSeries(volumeAverage(V, 1), V);
  });

  test('inputs shorter than the look-back are all NaN, same length', () => {
    expectSeries(sma(f64([1, 2]), 3), [NaN, NaN]);
    expectSeries(ema(f64([1, 2]), 3), [NaN, NaN]);
    expectSeries(roc(f64([1, 2, 3]), 3), [NaN, NaN, NaN]); // needs n+1 values
    expectSeries(roc(f64([1, 2]), 5), [NaN, NaN]);
    expectSeries(trueRange(f64([2]), f64([1]), f64([1.5])), [NaN]);
    expectSeries(atr(H.slice(0, 3), L.slice(0, 3), CC.slice(0, 3), 3), [NaN, NaN, NaN]);
    expectSeries(atr(H.slice(0, 4), L.slice(0, 4), CC.slice(0, 4), 3), [NaN, NaN, NaN, 1.1666666666666667]);
    expectSeries(rollingMax(f64([1, 2]), 3), [NaN, NaN]);
    expectSeries(rollingMin(f64([1, 2]), 3), [NaN, NaN]);
    expectSeries(volumeAverage(f64([100, 200, 300]), 4), [NaN, NaN, NaN]);
    const empty = new Float64Array(0);
    for (const out of [
      sma(empty, 3),
      ema(empty, 3),
      roc(empty, 3),
      trueRange(empty, empty, empty),
      atr(empty, empty, empty, 3),
      rollingMax(empty, 3),
      rollingMin(empty, 3),
      volumeAverage(empty, 3),
    ]) {
      expect(out).toBeInstanceOf(Float64Array);
      expect(out.length).toBe(0);
    }
  });

  test.each([0, -1, 2.5, NaN, Infinity])('period %p is a RangeError', (n) => {
    const x = f64([1, 2, 3, 4, 5]);
    expect(() => sma(x, n)).toThrow(RangeError);
    expect(() => ema(x, n)).toThrow(RangeError);
    expect(() => roc(x, n)).toThrow(RangeError);
    expect(() => atr(x, x, x, n)).toThrow(RangeError);
    expect(() => rollingMax(x, n)).toThrow(RangeError);
    expect(() => rollingMin(x, n)).toThrow(RangeError);
    expect(() => volumeAverage(x, n)).toThrow(RangeError);
    // also when the input is shorter than any look-back
    expect(() => sma(new Float64Array(0), n)).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------
// 2. oracle: technicalindicators

describe('oracle: technicalindicators', () => {
  const N = 400;
  const bars = makeBars(N, 20240607);
  const arr = (x: Float64Array): number[] => Array.from(x);

  /** Map the oracle's defined-values-only output onto our index convention. */
  function compareAligned(ours: Float64Array, oracle: number[], lookback: number, label: string, abs = 0): void {
    expect(ours.length).toBe(N);
    expect({ label, oracleLength: oracle.length }).toEqual({ label, oracleLength: N - lookback });
    expectSeries(ours.subarray(0, lookback), nans(lookback), { label: `${label} warm-up` });
    expectSeries(ours.subarray(lookback), oracle, { label, abs });
  }

  test.each(PERIODS)('SMA(close, %i) and volume average', (n) => {
    compareAligned(
      sma(bars.close, n),
      SMA.calculate({ period: n, values: arr(bars.close) }),
      smaLookback(n),
      `sma${n}`,
    );
    compareAligned(
      volumeAverage(bars.volume, n),
      SMA.calculate({ period: n, values: arr(bars.volume) }),
      volumeAverageLookback(n),
      `volumeAverage${n}`,
    );
  });

  test.each(PERIODS)('EMA(close, %i)', (n) => {
    compareAligned(
      ema(bars.close, n),
      EMA.calculate({ period: n, values: arr(bars.close) }),
      emaLookback(n),
      `ema${n}`,
    );
  });

  test.each(PERIODS)('ROC(close, %i)', (n) => {
    // abs floor: (x-p)/p*100 vs (x/p-1)*100 differ by rounding of ~2e-14 near 0.
    compareAligned(
      roc(bars.close, n),
      ROC.calculate({ period: n, values: arr(bars.close) }),
      rocLookback(n),
      `roc${n}`,
      1e-12,
    );
  });

  test('TrueRange (no value for bar 0 in either)', () => {
    const oracle = TrueRange.calculate({
      high: arr(bars.high),
      low: arr(bars.low),
      close: arr(bars.close),
    });
    compareAligned(trueRange(bars.high, bars.low, bars.close), oracle, trueRangeLookback(), 'trueRange');
  });

  test.each(PERIODS)('ATR(%i) (first value at bar n in both)', (n) => {
    const oracle = ATR.calculate({
      period: n,
      high: arr(bars.high),
      low: arr(bars.low),
      close: arr(bars.close),
    });
    compareAligned(atr(bars.high, bars.low, bars.close, n), oracle, atrLookback(n), `atr${n}`);
  });

  test.each(PERIODS)('Highest / Lowest (%i) on positive prices', (n) => {
    compareAligned(
      rollingMax(bars.high, n),
      Highest.calculate({ period: n, values: arr(bars.high) }),
      rollingLookback(n),
      `max${n}`,
    );
    compareAligned(
      rollingMin(bars.low, n),
      Lowest.calculate({ period: n, values: arr(bars.low) }),
      rollingLookback(n),
      `min${n}`,
    );
    compareAligned(
      rollingMax(bars.close, n),
      Highest.calculate({ period: n, values: arr(bars.close) }),
      rollingLookback(n),
      `maxc${n}`,
    );
    compareAligned(
      rollingMin(bars.close, n),
      Lowest.calculate({ period: n, values: arr(bars.close) }),
      rollingLookback(n),
      `minc${n}`,
    );
  });

  // The differences listed at the top of this file, checked so the notes stay true if
  // the oracle is upgraded. Where the oracle is wrong, ours is pinned by hand vectors.
  describe('documented convention differences', () => {
    test('too-short input: oracle gives [], we give all NaN', () => {
      expect(SMA.calculate({ period: 3, values: [1, 2] })).toEqual([]);
      expect(ATR.calculate({ period: 3, high: [2, 2, 2], low: [1, 1, 1], close: [1, 1, 1] })).toEqual([]);
      expectSeries(sma(f64([1, 2]), 3), [NaN, NaN]);
    });

    test('EMA: oracle treats an SMA seed of exactly 0 as missing', () => {
      expect(EMA.calculate({ period: 3, values: [2, -1, -1, 4] })).toEqual([-0.5, 1.75]);
      expectSeries(ema(f64([2, -1, -1, 4]), 3), [NaN, NaN, 0, 2]);
    });

    test('Highest: oracle starts its maximum at 0, wrong for all-negative windows', () => {
      expect(Highest.calculate({ period: 2, values: [-3, -2, -5, -4] })).toEqual([0, 0, 0]);
      expectSeries(rollingMax(f64([-3, -2, -5, -4]), 2), [NaN, -2, -2, -4]);
    });

    test('period 0: oracle does not validate, we throw', () => {
      expect(SMA.calculate({ period: 0, values: [1, 2] })).toEqual([Infinity, Infinity]);
      expect(() => sma(f64([1, 2]), 0)).toThrow(RangeError);
    });
  });
});

// ---------------------------------------------------------------------------------
// 3. slow naive references (straight from SIGNALS.md, O(n*k)) beside the fast kernels

function naiveSma(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(x.length).fill(NaN);
  for (let t = n - 1; t < x.length; t++) {
    let s = 0;
    for (let j = t - n + 1; j <= t; j++) s += x[j];
    out[t] = s / n;
  }
  return out;
}

/**
 * EMA without the recursion, unrolled:
 *   EMA_t = (1-a)^(t-n+1) * SMA_{n-1} + sum_{j=n..t} a * (1-a)^(t-j) * x_j.
 */
function naiveEma(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(x.length).fill(NaN);
  if (x.length < n) return out;
  const a = 2 / (n + 1);
  const seed = naiveSma(x, n)[n - 1];
  const w = Float64Array.from({ length: x.length }, (_, k) => Math.pow(1 - a, k)); // (1-a)^k
  for (let t = n - 1; t < x.length; t++) {
    let v = w[t - n + 1] * seed;
    for (let j = n; j <= t; j++) v += a * w[t - j] * x[j];
    out[t] = v;
  }
  return out;
}

function naiveRoc(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(x.length).fill(NaN);
  for (let t = n; t < x.length; t++) out[t] = (x[t] / x[t - n] - 1) * 100;
  return out;
}

function naiveTrueRange(h: Float64Array, l: Float64Array, c: Float64Array): Float64Array {
  const out = new Float64Array(c.length).fill(NaN);
  for (let t = 1; t < c.length; t++) {
    out[t] = Math.max(h[t] - l[t], Math.abs(h[t] - c[t - 1]), Math.abs(l[t] - c[t - 1]));
  }
  return out;
}

/**
 * Wilder ATR unrolled: ATR_n = mean(TR_1..TR_n);
 *   ATR_t = r^(t-n) * ATR_n + sum_{j=n+1..t} (1/n) * r^(t-j) * TR_j,  r = (n-1)/n.
 */
function naiveAtr(h: Float64Array, l: Float64Array, c: Float64Array, n: number): Float64Array {
  const out = new Float64Array(c.length).fill(NaN);
  if (c.length <= n) return out;
  const tr = naiveTrueRange(h, l, c);
  let s = 0;
  for (let j = 1; j <= n; j++) s += tr[j];
  const seed = s / n;
  const r = (n - 1) / n;
  const w = Float64Array.from({ length: c.length }, (_, k) => Math.pow(r, k)); // r^k; 0^0 = 1 covers n = 1
  for (let t = n; t < c.length; t++) {
    let v = w[t - n] * seed;
    for (let j = n + 1; j <= t; j++) v += (w[t - j] * tr[j]) / n;
    out[t] = v;
  }
  return out;
}

function naiveRolling(x: Float64Array, n: number, isMax: boolean): Float64Array {
  const out = new Float64Array(x.length).fill(NaN);
  for (let t = n - 1; t < x.length; t++) {
    let m = x[t - n + 1];
    for (let j = t - n + 2; j <= t; j++) m = isMax ? Math.max(m, x[j]) : Math.min(m, x[j]);
    out[t] = m;
  }
  return out;
}

describe('slow naive reference vs fast kernels (2,000 bars)', () => {
  const bars = makeBars(2000, 7);

  test('the bars exercise every branch of TR', () => {
    const wins = [0, 0, 0];
    for (let t = 1; t < 2000; t++) {
      const parts = [
        bars.high[t] - bars.low[t],
        Math.abs(bars.high[t] - bars.close[t - 1]),
        Math.abs(bars.low[t] - bars.close[t - 1]),
      ];
      wins[parts.indexOf(Math.max(...parts))]++;
    }
    for (const w of wins) expect(w).toBeGreaterThan(50);
  });

  test('TR', () => {
    expectSeries(trueRange(bars.high, bars.low, bars.close), naiveTrueRange(bars.high, bars.low, bars.close));
  });

  test.each(PERIODS)('period %i: SMA, EMA, ROC, ATR, rolling max/min, volume average', (n) => {
    const { high, low, close, volume } = bars;
    expectSeries(sma(close, n), naiveSma(close, n), { label: `sma${n}` });
    expectSeries(ema(close, n), naiveEma(close, n), { label: `ema${n}` });
    expectSeries(roc(close, n), naiveRoc(close, n), { label: `roc${n}` });
    expectSeries(atr(high, low, close, n), naiveAtr(high, low, close, n), { label: `atr${n}` });
    expectSeries(rollingMax(high, n), naiveRolling(high, n, true), { label: `max${n}` });
    expectSeries(rollingMin(low, n), naiveRolling(low, n, false), { label: `min${n}` });
    expectSeries(volumeAverage(volume, n), naiveSma(volume, n), { label: `volumeAverage${n}` });
  });

  test('rolling max/min on a series with many ties and negative values', () => {
    const rand = mulberry32(99);
    const x = Float64Array.from({ length: 2000 }, () => Math.floor(rand() * 11) - 5);
    for (const n of PERIODS) {
      expectSeries(rollingMax(x, n), naiveRolling(x, n, true), { label: `max${n}` });
      expectSeries(rollingMin(x, n), naiveRolling(x, n, false), { label: `min${n}` });
    }
  });
});

// ---------------------------------------------------------------------------------
// 4. contract shared by all indicators

interface Indicator {
  name: string;
  lookback: number;
  run: (b: Bars) => Float64Array;
}

const INDICATORS: Indicator[] = [
  {
    name: 'trueRange',
    lookback: trueRangeLookback(),
    run: (b) => trueRange(b.high, b.low, b.close),
  },
  ...PERIODS.flatMap((n): Indicator[] => [
    { name: `sma(${n})`, lookback: smaLookback(n), run: (b) => sma(b.close, n) },
    { name: `ema(${n})`, lookback: emaLookback(n), run: (b) => ema(b.close, n) },
    { name: `roc(${n})`, lookback: rocLookback(n), run: (b) => roc(b.close, n) },
    { name: `atr(${n})`, lookback: atrLookback(n), run: (b) => atr(b.high, b.low, b.close, n) },
    { name: `rollingMax(${n})`, lookback: rollingLookback(n), run: (b) => rollingMax(b.high, n) },
    { name: `rollingMin(${n})`, lookback: rollingLookback(n), run: (b) => rollingMin(b.low, n) },
    {
      name: `volumeAverage(${n})`,
      lookback: volumeAverageLookback(n),
      run: (b) => volumeAverage(b.volume, n),
    },
  ]),
];

describe('contract: every indicator', () => {
  const source = makeBars(200, 4242);
  const slice = (len: number): Bars => ({
    open: source.open.slice(0, len),
    high: source.high.slice(0, len),
    low: source.low.slice(0, len),
    close: source.close.slice(0, len),
    volume: source.volume.slice(0, len),
  });

  test.each(INDICATORS)('$name', ({ lookback, run }) => {
    const lengths = [...new Set([0, 1, lookback - 1, lookback, lookback + 1, 200])].filter(
      (len) => len >= 0 && len <= 200,
    );
    for (const len of lengths) {
      const bars = slice(len);
      const before = Object.fromEntries(Object.entries(bars).map(([k, v]) => [k, Array.from(v)]));
      const out = run(bars);

      expect(out).toBeInstanceOf(Float64Array);
      expect({ len, outLength: out.length }).toEqual({ len, outLength: len });
      for (const v of Object.values(bars)) expect(out.buffer).not.toBe(v.buffer);
      const badNan: number[] = [];
      const badFinite: number[] = [];
      for (let t = 0; t < len; t++) {
        if (t < lookback && !Number.isNaN(out[t])) badNan.push(t);
        if (t >= lookback && !Number.isFinite(out[t])) badFinite.push(t);
      }
      expect({ len, badNan, badFinite }).toEqual({ len, badNan: [], badFinite: [] });
      const after = Object.fromEntries(Object.entries(bars).map(([k, v]) => [k, Array.from(v)]));
      expect(after).toEqual(before);
    }
  });
});
