/**
 * Uncertainty for the backtest (SIGNALS.md, "Historical analysis", v1.1): a 95 % Wilson
 * score interval for a rate, a 95 % interval for a ratio of two rates by the log method,
 * and the verdict on a claim that one rate is higher than another.
 *
 * Both intervals use z = 1.96, the figure SIGNALS.md writes (the exact 97.5 % normal
 * quantile, 1.95996..., moves the fourth decimal at most). Pure arithmetic, no state.
 */

/** The normal quantile of a two-sided 95 % interval, as SIGNALS.md writes it. */
export const Z95 = 1.96;

export interface Interval {
  low: number;
  high: number;
}

/**
 * Wilson score interval for `x` successes in `n` trials:
 * `(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`. Unlike `p ± z·sqrt(p(1-p)/n)` it
 * stays inside [0, 1] and is not empty at 0 or n. Null when n is 0.
 */
export function wilsonInterval(x: number, n: number, z = Z95): Interval | null {
  if (!(n > 0)) return null;
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // At x = 0 (or n) the bound is 0 (or 1) exactly; rounding would put it a hair off.
  return { low: x === 0 ? 0 : centre - half, high: x === n ? 1 : centre + half };
}

/** One group of a rate comparison: `events` (failures) out of `trials` (evaluated setups). */
export interface RateCount {
  events: number;
  trials: number;
}

export interface RatioEstimate {
  /** rate1 / rate2; null when a group has no trials or rate2 is 0. */
  ratio: number | null;
  /** The 95 % interval by the log method; null when either count of events is 0. */
  low: number | null;
  high: number | null;
}

/**
 * The ratio of two rates `r = p1/p2` with its 95 % interval by the log method:
 * `exp(ln r ± z·sqrt((1-p1)/x1 + (1-p2)/x2))`, x the events of each group (SIGNALS.md).
 * The standard error needs an event in each group, so the interval is null otherwise.
 */
export function rateRatio(a: RateCount, b: RateCount, z = Z95): RatioEstimate {
  if (!(a.trials > 0 && b.trials > 0 && b.events > 0)) return { ratio: null, low: null, high: null };
  const p1 = a.events / a.trials;
  const p2 = b.events / b.trials;
  const ratio = p1 / p2;
  if (a.events === 0) return { ratio, low: null, high: null };
  const se = Math.sqrt((1 - p1) / a.events + (1 - p2) / b.events);
  const log = Math.log(ratio);
  return { ratio, low: Math.exp(log - z * se), high: Math.exp(log + z * se) };
}

/**
 * What the data says about a claim that a ratio is above 1 (one rate higher than the other):
 * - `supported`: the whole interval is above 1;
 * - `contradicted`: the whole interval is below 1 (the opposite holds);
 * - `not-supported`: the interval includes 1, so the data cannot tell the claimed
 *   difference from noise;
 * - `no-data`: no interval (too few setups or no failures in a group).
 */
export type Verdict = 'supported' | 'not-supported' | 'contradicted' | 'no-data';

export function verdictAboveOne(r: RatioEstimate): Verdict {
  if (r.low === null || r.high === null) return 'no-data';
  if (r.low > 1) return 'supported';
  if (r.high < 1) return 'contradicted';
  return 'not-supported';
}
