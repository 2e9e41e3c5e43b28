/**
 * Support and resistance levels (SIGNALS.md, "Levels").
 *
 * A swing high at s: h[s] is the maximum of h over [s-w, s+w]; a swing low likewise
 * with l and the minimum. Both sides of the window must be inside the history, so a
 * swing at s is known from session s+w on (its right side is complete) and the first
 * w sessions cannot be swings. Ties count: two equal highs in one window are both swings.
 * Swing prices (highs and lows together) of the last `lookback` sessions are clustered by
 * price, each cluster at most clusterAtr x ATR wide (SIGNALS v1.1); a level is its mean.
 */
import type { History } from './engine';
import { rollingMax, rollingMin } from './indicators';

export interface Swing {
  index: number;
  price: number;
  kind: 'high' | 'low';
}

export interface Level {
  price: number;
  touches: number;
  /** Session index of the latest swing in the cluster. */
  lastTouched: number;
}

/**
 * Every swing of the history in index order, found with centred rolling extremes
 * (O(n)): s is a swing high when rollingMax(h, 2w+1) at s+w equals h[s].
 */
export function findSwings(high: Float64Array, low: Float64Array, w: number): Swing[] {
  const span = 2 * w + 1;
  const hiMax = rollingMax(high, span);
  const loMin = rollingMin(low, span);
  const swings: Swing[] = [];
  for (let s = w; s + w < high.length; s++) {
    if (high[s] === hiMax[s + w]) swings.push({ index: s, price: high[s], kind: 'high' });
    if (low[s] === loMin[s + w]) swings.push({ index: s, price: low[s], kind: 'low' });
  }
  return swings;
}

/**
 * Clusters swing prices into levels, ascending by price (SIGNALS v1.1): sorted ascending, a
 * price joins the current cluster while it is within `tolerance` of the cluster's lowest
 * price, otherwise it starts the next one, so no cluster is wider than the tolerance. (v1
 * chained neighbours without limit: over years of swings that made "levels" hundreds of
 * dollars wide.) A level is the cluster mean, summed in ascending order.
 */
export function clusterSwings(swings: readonly Swing[], tolerance: number): Level[] {
  const sorted = [...swings].sort((a, b) => a.price - b.price || a.index - b.index);
  const levels: Level[] = [];
  let sum = 0;
  let count = 0;
  let last = -1;
  let lowest = NaN;
  const flush = () => {
    if (count > 0) levels.push({ price: sum / count, touches: count, lastTouched: last });
  };
  for (const s of sorted) {
    if (count > 0 && s.price - lowest > tolerance) {
      flush();
      sum = 0;
      count = 0;
      last = -1;
    }
    if (count === 0) lowest = s.price;
    sum += s.price;
    count++;
    if (s.index > last) last = s.index;
  }
  flush();
  return levels;
}

/**
 * Whether swing s counts for the levels of session t: confirmed by t (its right side,
 * s + w, is complete) and within the last `lookback` sessions of t (t - s < lookback).
 */
export function swingCounts(s: Swing, t: number, w: number, lookback: number): boolean {
  return s.index + w <= t && t - s.index < lookback;
}

export interface LevelsAt {
  /** Levels at or below the close, nearest (highest) first. */
  supports: Level[];
  /** Levels above the close, nearest (lowest) first. */
  resistances: Level[];
  allTimeHigh: { price: number; index: number };
  tolerance: number;
}

/**
 * Levels as of session t: only swings confirmed by t and at most `lookback` sessions old
 * (swingCounts), clustered with the ATR of t. A level exactly at the close counts as support (price has held there).
 */
export function levelsAt(
  swings: readonly Swing[],
  high: Float64Array,
  close: Float64Array,
  atr: number,
  t: number,
  w: number,
  clusterAtr: number,
  lookback: number,
): LevelsAt {
  // The all-time high below still looks at the whole history; only levels are medium-term.
  const known = swings.filter((s) => swingCounts(s, t, w, lookback));
  const tolerance = clusterAtr * atr;
  const levels = Number.isFinite(tolerance) ? clusterSwings(known, tolerance) : [];
  const c = close[t];
  const supports = levels.filter((l) => l.price <= c).reverse();
  const resistances = levels.filter((l) => l.price > c);
  let athIndex = 0;
  for (let i = 1; i <= t; i++) if (high[i] >= high[athIndex]) athIndex = i;
  return { supports, resistances, allTimeHigh: { price: high[athIndex], index: athIndex }, tolerance };
}

/** levelsAt for session t of a computed history, with its profile's swing window, clustering and look-back. */
export function historyLevelsAt(h: History, t: number): LevelsAt {
  const { swingWindow, clusterAtr, lookback } = h.profile.levels;
  return levelsAt(h.swings, h.high, h.close, h.atr[t], t, swingWindow, clusterAtr, lookback);
}

/** The levels nearest a close: a cluster mean at or below it, and one above it (NaN when none). */
export interface NearestLevels {
  support: number;
  resistance: number;
}

/**
 * Levels as sessions advance, for code that needs them at every session (the engine's
 * washout flag, a debrief range): swing prices enter as they are confirmed and leave when
 * they are `lookback` sessions old, kept sorted, so the nearest levels cost one walk over
 * the (at most a year's) swings in the window instead of a filter, sort and clustering of
 * every swing per session (levelsAt). It gives exactly levelsAt's nearest support and
 * resistance (pinned in test/engine/levels.test.ts and test/engine/debrief.test.ts).
 */
export class LevelTracker {
  private prices = new Float64Array(64);
  private size = 0;
  /** Next swing to admit, and the oldest admitted one not yet evicted (swings are in index order). */
  private next = 0;
  private oldest = 0;

  constructor(
    private readonly swings: readonly Swing[],
    private readonly w: number,
    private readonly lookback: number,
  ) {}

  /** Admits every swing confirmed by session t and evicts those too old for it; call with non-decreasing t. */
  advance(t: number): void {
    while (this.next < this.swings.length && this.swings[this.next].index + this.w <= t) {
      this.insert(this.swings[this.next].price);
      this.next++;
    }
    while (this.oldest < this.next && t - this.swings[this.oldest].index >= this.lookback) {
      this.remove(this.swings[this.oldest].price);
      this.oldest++;
    }
  }

  /** The nearest support level (cluster mean at or below `close`), NaN when none. */
  nearestSupport(close: number, tolerance: number): number {
    return this.nearest(close, tolerance).support;
  }

  /**
   * The nearest support (highest cluster mean at or below `close`) and resistance (lowest
   * mean above it). Clusters are formed from the lowest price up (clusterSwings' rule), so
   * the walk starts at the bottom; cluster means rise with the clusters, so it stops at the
   * first mean above the close.
   */
  nearest(close: number, tolerance: number): NearestLevels {
    let support = NaN;
    if (this.size === 0 || !Number.isFinite(tolerance)) return { support, resistance: NaN };
    let i = 0;
    while (i < this.size) {
      const lowest = this.prices[i];
      let sum = 0;
      let j = i;
      while (j < this.size && this.prices[j] - lowest <= tolerance) sum += this.prices[j++];
      const mean = sum / (j - i);
      if (mean > close) return { support, resistance: mean };
      support = mean;
      i = j;
    }
    return { support, resistance: NaN };
  }

  /** Index of the first price at or above `x` (size when none). */
  private firstAtLeast(x: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.prices[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insert(price: number): void {
    if (this.size === this.prices.length) {
      const grown = new Float64Array(this.size * 2);
      grown.set(this.prices);
      this.prices = grown;
    }
    const i = this.firstAtLeast(price);
    this.prices.copyWithin(i + 1, i, this.size);
    this.prices[i] = price;
    this.size++;
  }

  /** Removes one occurrence of `price` (it was inserted, so it is there). */
  private remove(price: number): void {
    const i = this.firstAtLeast(price);
    this.prices.copyWithin(i, i + 1, this.size);
    this.size--;
  }
}
