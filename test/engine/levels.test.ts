/**
 * Support and resistance levels (docs/SIGNALS.md, "Levels") against hand-worked
 * examples. Choices where SIGNALS.md is open, pinned here as written:
 *  - a swing at s needs its whole window [s-w, s+w] inside the history (no swing in
 *    the first w sessions, none in the last w: their right side is incomplete);
 *  - ties count (two equal highs in one window are both swing highs);
 *  - highs and lows are clustered together by price (SIGNALS v1.1): a price joins the
 *    cluster whose lowest price it is within clusterAtr x ATR(t) of (inclusive), so no
 *    level is wider than that; only swings of the last `lookback` sessions count;
 *  - a level exactly at the close is a support; supports nearest first (descending),
 *    resistances nearest first (ascending);
 *  - lastTouched = the latest swing index of the cluster;
 *  - the all-time high is the maximum high over sessions 0..t.
 */
import { atr as atrOf } from '../../api/src/engine/indicators';
import { LevelTracker, clusterSwings, findSwings, levelsAt, type Swing } from '../../api/src/engine/levels';
import { rng } from '../support/rng';

const f64 = (values: readonly number[]): Float64Array => Float64Array.from(values);

/**
 * 13 sessions, swing window w = 2, so swings can only sit at s = 2..10.
 *
 *   index:  0    1  2  3  4  5  6  7    8  9  10  11  12
 *   high:  10    6  5  8  8  6  5  8.5  4  3  6   11  7
 *   low:    1    4  3  5  5  4  2  6    3  2  3   5   0.5
 *
 * Swing highs: 3 and 4 (8 = max of h[1..5] and of h[2..6], a tie: both count),
 *   7 (8.5 = max of h[5..9]). Index 0 (10, the left edge) and 11 (11, only one bar to
 *   its right) are the largest highs but cannot be swings. Index 2 is not a swing: its
 *   window [0..4] holds 10.
 * Swing lows: 6 (2 = min of l[4..8]) and 9 (2 = min of l[7..11]). Index 0 (1) and
 *   12 (0.5, right side incomplete) are lower but cannot be swings; index 8 (3) and
 *   10 (3) are not minima of their windows.
 */
const HIGH = f64([10, 6, 5, 8, 8, 6, 5, 8.5, 4, 3, 6, 11, 7]);
const LOW = f64([1, 4, 3, 5, 5, 4, 2, 6, 3, 2, 3, 5, 0.5]);
const W = 2;

describe('findSwings', () => {
  test('hand-made series: ties, edges and incomplete right side', () => {
    expect(findSwings(HIGH, LOW, W)).toEqual([
      { index: 3, price: 8, kind: 'high' },
      { index: 4, price: 8, kind: 'high' },
      { index: 6, price: 2, kind: 'low' },
      { index: 7, price: 8.5, kind: 'high' },
      { index: 9, price: 2, kind: 'low' },
    ]);
  });

  test('the last w sessions are not swings until their right side exists', () => {
    // Cut after index 10: s = 9 now has only one bar to its right, so only s <= 8
    // qualify; the swing low at 9 disappears, the others stay.
    const swings = findSwings(HIGH.slice(0, 11), LOW.slice(0, 11), W);
    expect(swings.map((s) => [s.index, s.kind])).toEqual([
      [3, 'high'],
      [4, 'high'],
      [6, 'low'],
      [7, 'high'],
    ]);
    // Add a bar so that 11 has its two right-hand bars: h[11] = 11 is then a swing high
    // (max of h[9..13] = 3, 6, 11, 7, 1) and l[12] = 0.5 still is not (one bar right).
    const swings2 = findSwings(f64([...HIGH, 1]), f64([...LOW, 0.75]), W);
    expect(swings2.filter((s) => s.index >= 10)).toEqual([{ index: 11, price: 11, kind: 'high' }]);
  });

  test('a flat series: every session with a complete window is both a swing high and low', () => {
    const flat = new Float64Array(9).fill(50);
    const swings = findSwings(flat, flat, 3);
    // w = 3, n = 9: s = 3, 4, 5 only.
    expect(swings).toEqual([
      { index: 3, price: 50, kind: 'high' },
      { index: 3, price: 50, kind: 'low' },
      { index: 4, price: 50, kind: 'high' },
      { index: 4, price: 50, kind: 'low' },
      { index: 5, price: 50, kind: 'high' },
      { index: 5, price: 50, kind: 'low' },
    ]);
  });

  test('a history shorter than one full window has no swings', () => {
    expect(findSwings(f64([1, 2, 3, 2]), f64([0, 1, 2, 1]), 2)).toEqual([]);
    // Exactly 2w + 1 bars: only the middle one can be a swing.
    expect(findSwings(f64([1, 2, 3, 2, 1]), f64([0, 1, 2, 1, 0]), 2)).toEqual([{ index: 2, price: 3, kind: 'high' }]);
  });
});

describe('clusterSwings', () => {
  const sw = (index: number, price: number, kind: 'high' | 'low' = 'high'): Swing => ({ index, price, kind });

  test('v1.1: a cluster holds prices within the tolerance of its lowest; no chaining', () => {
    // Tolerance 1. Sorted prices: 10 (i3), 10.75 (i8), 11.5 (i1), 13 (i5), 14 (i2), 20 (i0).
    // v1 chained 10 -> 10.75 -> 11.5 (gaps 0.75) into one level 1.5 wide. v1.1 anchors at
    // the lowest price: 10 and 10.75 (within 1 of 10); 11.5 is 1.5 above 10, so it starts
    // the next cluster, which 13 (1.5 above 11.5) does not join; 13 and 14 (exactly 1
    // above: joins, inclusive); 20 alone.
    const swings = [sw(0, 20), sw(1, 11.5, 'low'), sw(2, 14), sw(3, 10, 'low'), sw(5, 13, 'low'), sw(8, 10.75)];
    expect(clusterSwings(swings, 1)).toEqual([
      { price: (10 + 10.75) / 2, touches: 2, lastTouched: 8 },
      { price: 11.5, touches: 1, lastTouched: 1 },
      { price: (13 + 14) / 2, touches: 2, lastTouched: 5 },
      { price: 20, touches: 1, lastTouched: 0 },
    ]);
  });

  test('a run of evenly spaced swings (which v1 chained into one) splits every tolerance', () => {
    // 100, 100.3, ..., 103 (11 prices, gaps 0.3), tolerance 1: v1 gave one level 3 wide.
    const swings = Array.from({ length: 11 }, (_, i) => sw(i, Math.round((100 + 0.3 * i) * 10) / 10));
    const levels = clusterSwings(swings, 1);
    // Anchors 100 (100..100.9), 101.2 (101.2..102.1), 102.4 (102.4..103): 4, 4 and 3 prices.
    expect(levels.map((l) => l.touches)).toEqual([4, 4, 3]);
    expect(levels[0].price).toBeCloseTo((100 + 100.3 + 100.6 + 100.9) / 4, 12);
    expect(levels[2].price).toBeCloseTo((102.4 + 102.7 + 103) / 3, 12);
    for (let k = 0; k < levels.length; k++) {
      const members = swings.filter((x) => x.index >= 4 * k && x.index < 4 * k + 4).map((x) => x.price);
      expect(Math.max(...members) - Math.min(...members)).toBeLessThanOrEqual(1);
    }
  });

  test('highs and lows at the same price cluster together; zero tolerance joins only equal prices', () => {
    const swings = [sw(4, 7, 'high'), sw(9, 7, 'low'), sw(6, 7.5, 'low')];
    expect(clusterSwings(swings, 0)).toEqual([
      { price: 7, touches: 2, lastTouched: 9 },
      { price: 7.5, touches: 1, lastTouched: 6 },
    ]);
    expect(clusterSwings(swings, 0.5)).toEqual([{ price: 21.5 / 3, touches: 3, lastTouched: 9 }]);
    expect(clusterSwings([], 1)).toEqual([]);
  });

  test('does not reorder its input', () => {
    const swings = [sw(2, 5), sw(1, 3)];
    clusterSwings(swings, 1);
    expect(swings).toEqual([sw(2, 5), sw(1, 3)]);
  });
});

describe('levelsAt', () => {
  const swings = findSwings(HIGH, LOW, W);

  test('split at the close, nearest first, with touches and lastTouched', () => {
    // t = 12, all five swings confirmed (latest 9 + 2 <= 12). ATR 0.5, clusterAtr 0.5:
    // tolerance 0.25. Sorted prices 2, 2, 8, 8, 8.5: clusters {2, 2}, {8, 8}, {8.5}.
    const close = new Float64Array(13).fill(5);
    close[12] = 8.25;
    const lv = levelsAt(swings, HIGH, close, 0.5, 12, W, 0.5, 1000);
    expect(lv.tolerance).toBe(0.25);
    expect(lv.supports).toEqual([
      { price: 8, touches: 2, lastTouched: 4 },
      { price: 2, touches: 2, lastTouched: 9 },
    ]);
    expect(lv.resistances).toEqual([{ price: 8.5, touches: 1, lastTouched: 7 }]);
  });

  test('resistances ascend from the close', () => {
    const close = new Float64Array(13).fill(1);
    const lv = levelsAt(swings, HIGH, close, 0.5, 12, W, 0.5, 1000);
    expect(lv.supports).toEqual([]);
    expect(lv.resistances.map((l) => l.price)).toEqual([2, 8, 8.5]);
  });

  test('a level exactly at the close is a support', () => {
    // ATR 2: tolerance 1, clusters {2, 2} and {8, 8, 8.5} (mean 24.5 / 3).
    const mean = (8 + 8 + 8.5) / 3;
    const close = new Float64Array(13).fill(5);
    close[12] = mean;
    const lv = levelsAt(swings, HIGH, close, 2, 12, W, 0.5, 1000);
    expect(lv.supports).toEqual([
      { price: mean, touches: 3, lastTouched: 7 },
      { price: 2, touches: 2, lastTouched: 9 },
    ]);
    expect(lv.resistances).toEqual([]);
    close[12] = mean - 1e-9;
    const below = levelsAt(swings, HIGH, close, 2, 12, W, 0.5, 1000);
    expect(below.supports.map((l) => l.price)).toEqual([2]);
    expect(below.resistances.map((l) => l.price)).toEqual([mean]);
  });

  test('only swings confirmed by t count (s + w <= t)', () => {
    const close = new Float64Array(13).fill(5);
    // t = 8: swings 3, 4, 6 are confirmed (6 + 2 = 8); 7 (needs t >= 9) and 9 are not.
    const at8 = levelsAt(swings, HIGH, close, 0.5, 8, W, 0.5, 1000);
    expect(at8.supports).toEqual([{ price: 2, touches: 1, lastTouched: 6 }]);
    expect(at8.resistances).toEqual([{ price: 8, touches: 2, lastTouched: 4 }]);
    // t = 9: the 8.5 high joins.
    const at9 = levelsAt(swings, HIGH, close, 0.5, 9, W, 0.5, 1000);
    expect(at9.resistances.map((l) => l.price)).toEqual([8, 8.5]);
    // t = 11: the second low at 9 joins the 2 level.
    const at11 = levelsAt(swings, HIGH, close, 0.5, 11, W, 0.5, 1000);
    expect(at11.supports).toEqual([{ price: 2, touches: 2, lastTouched: 9 }]);
    // t = 4: nothing confirmed yet (3 + 2 = 5 > 4).
    const at4 = levelsAt(swings, HIGH, close, 0.5, 4, W, 0.5, 1000);
    expect(at4.supports).toEqual([]);
    expect(at4.resistances).toEqual([]);
  });

  test('v1.1 look-back: only swings of the last `lookback` sessions (t - s < lookback) count', () => {
    const close = new Float64Array(13).fill(5);
    // t = 12: swings at 3, 4 (8), 6 (2), 7 (8.5), 9 (2). Look-back 6 keeps s >= 7: 8.5 and 2 (i9).
    const lv = levelsAt(swings, HIGH, close, 0.5, 12, W, 0.5, 6);
    expect(lv.supports).toEqual([{ price: 2, touches: 1, lastTouched: 9 }]);
    expect(lv.resistances).toEqual([{ price: 8.5, touches: 1, lastTouched: 7 }]);
    // Look-back 9 keeps s >= 4: one of the two 8 highs (i4) is still in.
    const lv9 = levelsAt(swings, HIGH, close, 0.5, 12, W, 0.5, 9);
    expect(lv9.resistances).toEqual([
      { price: 8, touches: 1, lastTouched: 4 },
      { price: 8.5, touches: 1, lastTouched: 7 },
    ]);
    // The all-time high still looks at the whole history.
    expect(lv.allTimeHigh).toEqual({ price: 11, index: 11 });
  });

  test('all-time high: the maximum high over sessions 0..t, swing or not', () => {
    const close = new Float64Array(13).fill(5);
    // Up to t = 10 the highest high is h[0] = 10 (the left edge, never a swing).
    expect(levelsAt(swings, HIGH, close, 0.5, 10, W, 0.5, 1000).allTimeHigh).toEqual({ price: 10, index: 0 });
    // From t = 11, h[11] = 11 (right side incomplete, not a swing) is the high.
    expect(levelsAt(swings, HIGH, close, 0.5, 11, W, 0.5, 1000).allTimeHigh).toEqual({ price: 11, index: 11 });
    expect(levelsAt(swings, HIGH, close, 0.5, 12, W, 0.5, 1000).allTimeHigh).toEqual({ price: 11, index: 11 });
    expect(levelsAt(swings, HIGH, close, 0.5, 0, W, 0.5, 1000).allTimeHigh).toEqual({ price: 10, index: 0 });
    // A later high after t is not seen.
    expect(levelsAt(swings, HIGH, close, 0.5, 5, W, 0.5, 1000).allTimeHigh.price).toBe(10);
  });
});

describe('LevelTracker', () => {
  function randomWalk(n: number, seed: number) {
    const r = rng(seed);
    const high = new Float64Array(n);
    const low = new Float64Array(n);
    const close = new Float64Array(n);
    let c = 100;
    for (let t = 0; t < n; t++) {
      const open = c;
      c = Math.max(5, c + (r() - 0.5) * 4);
      // Round to cents so equal prices (ties, exact hits) occur.
      c = Math.round(c * 100) / 100;
      high[t] = Math.round((Math.max(open, c) + r() * 1.5) * 100) / 100;
      low[t] = Math.round((Math.min(open, c) - r() * 1.5) * 100) / 100;
      close[t] = c;
    }
    return { high, low, close };
  }

  test.each([
    [1, 5, 0.5, 10_000],
    [7, 5, 0.5, 252],
    [42, 3, 1.5, 60],
    [2024, 2, 0, 120],
    [99, 5, 0.5, 30],
  ])(
    'nearestSupport agrees with levelsAt().supports[0] (seed %i, w %i, clusterAtr %p, lookback %i)',
    (seed, w, clusterAtr, lookback) => {
      const n = 800;
      const { high, low, close } = randomWalk(n, seed);
      const atr = atrOf(high, low, close, 14);
      const swings = findSwings(high, low, w);
      expect(swings.length).toBeGreaterThan(64); // exercises the tracker's buffer growth
      const r = rng(seed + 1);
      // Random sessions in increasing order (advance needs non-decreasing t), plus the ends.
      const ts = new Set<number>([14, n - 1]);
      while (ts.size < 150) ts.add(14 + Math.floor(r() * (n - 14)));
      const sorted = [...ts].sort((a, b) => a - b);
      const tracker = new LevelTracker(swings, w, lookback);
      let withSupport = 0;
      let withoutSupport = 0;
      for (const t of sorted) {
        tracker.advance(t);
        const tolerance = clusterAtr * atr[t];
        const expected = levelsAt(swings, high, close, atr[t], t, w, clusterAtr, lookback).supports[0]?.price ?? NaN;
        expect(tracker.nearestSupport(close[t], tolerance)).toBe(expected);
        const above = levelsAt(swings, high, close, atr[t], t, w, clusterAtr, lookback).resistances[0]?.price ?? NaN;
        expect(tracker.nearest(close[t], tolerance)).toEqual({ support: expected, resistance: above });
        if (Number.isNaN(expected)) withoutSupport++;
        else withSupport++;
        // Exactly at a level, and just below / above it, the two agree as well.
        const lv = levelsAt(swings, high, close, atr[t], t, w, clusterAtr, lookback);
        for (const level of [...lv.supports.slice(0, 2), ...lv.resistances.slice(0, 2)]) {
          for (const probe of [level.price, level.price - 1e-6, level.price + 1e-6]) {
            const below = [...lv.supports, ...lv.resistances].filter((l) => l.price <= probe).map((l) => l.price);
            const want = below.length ? Math.max(...below) : NaN;
            expect(tracker.nearestSupport(probe, tolerance)).toBe(want);
            const over = [...lv.supports, ...lv.resistances].filter((l) => l.price > probe).map((l) => l.price);
            expect(tracker.nearest(probe, tolerance).resistance).toBe(over.length ? Math.min(...over) : NaN);
          }
        }
      }
      expect(withSupport).toBeGreaterThan(30); // the comparison is not vacuous
      expect(withoutSupport + withSupport).toBe(sorted.length);
    },
  );

  test('no swings confirmed yet: NaN; a repeated advance(t) adds nothing twice', () => {
    const swings = findSwings(HIGH, LOW, W);
    const tracker = new LevelTracker(swings, W, 1000);
    tracker.advance(4);
    expect(tracker.nearestSupport(100, 0.25)).toBeNaN();
    tracker.advance(8);
    tracker.advance(8);
    // Confirmed at 8: 8 (i3), 8 (i4), 2 (i6); tolerance 0.25 -> levels 2 and 8.
    expect(tracker.nearestSupport(5, 0.25)).toBe(2);
    expect(tracker.nearestSupport(8, 0.25)).toBe(8);
    expect(tracker.nearestSupport(1.99, 0.25)).toBeNaN();
    tracker.advance(12);
    // All five: {2, 2}, {8, 8}, {8.5}; with tolerance 1: {2, 2}, {8, 8, 8.5}.
    expect(tracker.nearestSupport(8.4, 0.25)).toBe(8);
    expect(tracker.nearestSupport(8.5, 0.25)).toBe(8.5);
    expect(tracker.nearestSupport(8.1, 1)).toBe(2);
    expect(tracker.nearestSupport(8.4, 1)).toBe(24.5 / 3);
    expect(tracker.nearestSupport(9, 1)).toBe(24.5 / 3);
    // A gap exactly equal to the tolerance joins (8 -> 8.5 with tolerance 0.5), as in clusterSwings.
    expect(tracker.nearestSupport(9, 0.5)).toBe(24.5 / 3);
    expect(levelsAt(swings, HIGH, new Float64Array(13).fill(9), 1, 12, W, 0.5, 1000).supports[0].price).toBe(24.5 / 3);
  });
});
