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

/**
 * Incremental nearest-support search for the engine's washout flag: swing prices are
 * inserted as they are confirmed, kept sorted, and clustered only when asked (the
 * flag's other conditions are rare, so the clustering runs on few sessions).
 */
export class SupportTracker {
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
    const p = this.prices;
    let best = NaN;
    let i = 0;
    while (i < this.size) {
      let sum = p[i];
      let j = i + 1;
      while (j < this.size && p[j] - p[j - 1] <= tolerance) sum += p[j++];
      const mean = sum / (j - i);
      if (mean <= close) best = mean;
      else break;
      i = j;
    }
    return best;
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
