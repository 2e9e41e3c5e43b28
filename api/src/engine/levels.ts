/**
 * Support and resistance levels (SIGNALS.md, "Levels").
 *
 * A swing high at s: h[s] is the maximum of h over [s-w, s+w]; a swing low likewise
 * with l and the minimum. Both sides of the window must be inside the history, so a
 * swing at s is known from session s+w on (its right side is complete) and the first
 * w sessions cannot be swings. Ties count: two equal highs in one window are both swings.
 * Swing prices (highs and lows together) are clustered by price: neighbours within
 * clusterAtr x ATR join one cluster (single linkage); a level is the cluster mean.
 */
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

/** Clusters swings sorted by price into levels, ascending by price. */
export function clusterSwings(swings: readonly Swing[], tolerance: number): Level[] {
  const sorted = [...swings].sort((a, b) => a.price - b.price || a.index - b.index);
  const levels: Level[] = [];
  let sum = 0;
  let count = 0;
  let last = -1;
  let prevPrice = NaN;
  const flush = () => {
    if (count > 0) levels.push({ price: sum / count, touches: count, lastTouched: last });
  };
  for (const s of sorted) {
    if (count > 0 && s.price - prevPrice > tolerance) {
      flush();
      sum = 0;
      count = 0;
      last = -1;
    }
    sum += s.price;
    count++;
    if (s.index > last) last = s.index;
    prevPrice = s.price;
  }
  flush();
  return levels;
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
 * Levels as of session t: only swings confirmed by t (s + w <= t), clustered with the
 * ATR of t. A level exactly at the close counts as support (price has held there).
 */
export function levelsAt(
  swings: readonly Swing[],
  high: Float64Array,
  close: Float64Array,
  atr: number,
  t: number,
  w: number,
  clusterAtr: number,
): LevelsAt {
  const known = swings.filter((s) => s.index + w <= t);
  const tolerance = clusterAtr * atr;
  const levels = Number.isFinite(tolerance) ? clusterSwings(known, tolerance) : [];
  const c = close[t];
  const supports = levels.filter((l) => l.price <= c).reverse();
  const resistances = levels.filter((l) => l.price > c);
  let athIndex = 0;
  for (let i = 1; i <= t; i++) if (high[i] >= high[athIndex]) athIndex = i;
  return { supports, resistances, allTimeHigh: { price: high[athIndex], index: athIndex }, tolerance };
}

/** The levels nearest a close: a cluster mean at or below it, and one above it (NaN when none). */
export interface NearestLevels {
  support: number;
  resistance: number;
}

/**
 * Levels as sessions advance, for code that needs them at every session (the engine's
 * washout flag, a debrief range): swing prices are inserted as they are confirmed and kept
 * sorted, so asking for the nearest levels costs the clusters around the close instead of
 * a filter, sort and clustering of every swing per session (levelsAt). It gives exactly
 * levelsAt's nearest support and resistance (pinned in test/engine/levels.test.ts and
 * test/engine/debrief.test.ts).
 *
 * Which swings count and how they cluster live in advance() and clusterStart/clusterEnd;
 * a rule that bounds the swings by age would evict in advance(), and one that caps a
 * cluster's width would cluster from the lowest price in window (the walk outward from
 * the close is only valid for single linkage).
 */
export class LevelTracker {
  private prices = new Float64Array(64);
  private size = 0;
  private next = 0;

  constructor(
    private readonly swings: readonly Swing[],
    private readonly w: number,
  ) {}

  /** Admits every swing confirmed by session t; call with non-decreasing t. */
  advance(t: number): void {
    while (this.next < this.swings.length && this.swings[this.next].index + this.w <= t) {
      this.insert(this.swings[this.next].price);
      this.next++;
    }
  }

  /** The nearest support level (cluster mean at or below `close`), NaN when none. */
  nearestSupport(close: number, tolerance: number): number {
    return this.nearest(close, tolerance).support;
  }

  /**
   * The nearest support (highest cluster mean at or below `close`) and resistance (lowest
   * mean above it). Only the cluster holding the highest price at or below the close can
   * straddle it: clusters below it are all supports, clusters above it all resistances.
   */
  nearest(close: number, tolerance: number): NearestLevels {
    const n = this.size;
    if (n === 0 || !Number.isFinite(tolerance)) return { support: NaN, resistance: NaN };
    const r = this.firstAbove(close);
    if (r === 0) return { support: NaN, resistance: this.mean(0, this.clusterEnd(0, tolerance)) };
    const s = this.clusterStart(r - 1, tolerance);
    const e = this.clusterEnd(r - 1, tolerance);
    const m = this.mean(s, e);
    if (m <= close)
      return { support: m, resistance: e + 1 < n ? this.mean(e + 1, this.clusterEnd(e + 1, tolerance)) : NaN };
    return { support: s > 0 ? this.mean(this.clusterStart(s - 1, tolerance), s - 1) : NaN, resistance: m };
  }

  /** Index of the first price above `x` (size when none). */
  private firstAbove(x: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.prices[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Single linkage, as clusterSwings: neighbours at most `tolerance` apart share a cluster. */
  private clusterStart(i: number, tolerance: number): number {
    while (i > 0 && this.prices[i] - this.prices[i - 1] <= tolerance) i--;
    return i;
  }

  private clusterEnd(i: number, tolerance: number): number {
    while (i + 1 < this.size && this.prices[i + 1] - this.prices[i] <= tolerance) i++;
    return i;
  }

  /** Mean of prices[a..b], summed in ascending order as clusterSwings does (same rounding). */
  private mean(a: number, b: number): number {
    let sum = 0;
    for (let i = a; i <= b; i++) sum += this.prices[i];
    return sum / (b - a + 1);
  }

  private insert(price: number): void {
    if (this.size === this.prices.length) {
      const grown = new Float64Array(this.size * 2);
      grown.set(this.prices);
      this.prices = grown;
    }
    let i = this.size;
    while (i > 0 && this.prices[i - 1] > price) {
      this.prices[i] = this.prices[i - 1];
      i--;
    }
    this.prices[i] = price;
    this.size++;
  }
}
