/**
 * Technical indicators with TA-Lib conventions (docs/SIGNALS.md, "Indicators").
 *
 * Every function takes Float64Array input and returns a Float64Array of the same
 * length: output index = input index, NaN before the look-back is available. Each has
 * a `*Lookback(n)` giving the first defined index, as TA-Lib's look-back functions do.
 *
 * Inputs are assumed finite (the data layer validates bars). A NaN inside the input
 * poisons the running sums from that point on, which is the honest outcome.
 */

function nanArray(length: number): Float64Array {
  return new Float64Array(length).fill(NaN);
}

function checkPeriod(name: string, n: number, min = 1): void {
  if (!Number.isInteger(n) || n < min) {
    throw new RangeError(`${name}: period must be an integer >= ${min} (got ${n})`);
  }
}

/** First defined index of SMA(n). */
export const smaLookback = (n: number): number => n - 1;

/** Simple moving average: mean of x[t-n+1..t]. */
export function sma(x: Float64Array, n: number): Float64Array {
  checkPeriod('sma', n);
  const out = nanArray(x.length);
  if (x.length < n) return out;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i];
  out[n - 1] = sum / n;
  for (let t = n; t < x.length; t++) {
    sum += x[t] - x[t - n];
    out[t] = sum / n;
  }
  return out;
}

/** First defined index of EMA(n). */
export const emaLookback = (n: number): number => n - 1;

/** Exponential moving average, alpha = 2/(n+1), seeded with SMA(n) at index n-1. */
export function ema(x: Float64Array, n: number): Float64Array {
  checkPeriod('ema', n);
  const out = nanArray(x.length);
  if (x.length < n) return out;
  const a = 2 / (n + 1);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i];
  let prev = sum / n;
  out[n - 1] = prev;
  for (let t = n; t < x.length; t++) {
    prev = a * x[t] + (1 - a) * prev;
    out[t] = prev;
  }
  return out;
}

/** First defined index of ROC(n). */
export const rocLookback = (n: number): number => n;

/** Rate of change in percent: (x[t]/x[t-n] - 1) * 100. */
export function roc(x: Float64Array, n: number): Float64Array {
  checkPeriod('roc', n);
  const out = nanArray(x.length);
  for (let t = n; t < x.length; t++) out[t] = (x[t] / x[t - n] - 1) * 100;
  return out;
}

/** First defined index of TR. */
export const trueRangeLookback = (): number => 1;

/** True range, defined from t = 1 (TA-Lib leaves bar 0 undefined). */
export function trueRange(high: Float64Array, low: Float64Array, close: Float64Array): Float64Array {
  const out = nanArray(close.length);
  for (let t = 1; t < close.length; t++) {
    const prevClose = close[t - 1];
    const hl = high[t] - low[t];
    const hc = Math.abs(high[t] - prevClose);
    const lc = Math.abs(low[t] - prevClose);
    out[t] = hl > hc ? (hl > lc ? hl : lc) : hc > lc ? hc : lc;
  }
  return out;
}

/** First defined index of ATR(n). */
export const atrLookback = (n: number): number => n;

/** Wilder's average true range: ATR[n] = mean(TR[1..n]), then (ATR*(n-1)+TR)/n. */
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, n: number): Float64Array {
  checkPeriod('atr', n);
  const tr = trueRange(high, low, close);
  const out = nanArray(close.length);
  if (close.length <= n) return out;
  let sum = 0;
  for (let t = 1; t <= n; t++) sum += tr[t];
  let prev = sum / n;
  out[n] = prev;
  for (let t = n + 1; t < close.length; t++) {
    prev = (prev * (n - 1) + tr[t]) / n;
    out[t] = prev;
  }
  return out;
}

/** First defined index of a rolling max/min over n values. */
export const rollingLookback = (n: number): number => n - 1;

/**
 * Rolling maximum of x[t-n+1..t] in O(length) with a monotonic deque of indices
 * (TA-Lib MAX). Kept index-based so it also serves the swing-point search.
 */
export function rollingMax(x: Float64Array, n: number): Float64Array {
  return rollingExtreme(x, n, true);
}

/** Rolling minimum of x[t-n+1..t] (TA-Lib MIN). */
export function rollingMin(x: Float64Array, n: number): Float64Array {
  return rollingExtreme(x, n, false);
}

function rollingExtreme(x: Float64Array, n: number, isMax: boolean): Float64Array {
  checkPeriod(isMax ? 'rollingMax' : 'rollingMin', n);
  const out = nanArray(x.length);
  const deque = new Int32Array(x.length);
  let head = 0;
  let tail = 0;
  for (let t = 0; t < x.length; t++) {
    const v = x[t];
    while (tail > head && (isMax ? x[deque[tail - 1]] <= v : x[deque[tail - 1]] >= v)) tail--;
    deque[tail++] = t;
    if (deque[head] <= t - n) head++;
    if (t >= n - 1) out[t] = x[deque[head]];
  }
  return out;
}

/** First defined index of the volume average. */
export const volumeAverageLookback = (n: number): number => smaLookback(n);

/** Average volume over the last n sessions: SMA(volume, n). */
export function volumeAverage(volume: Float64Array, n: number): Float64Array {
  return sma(volume, n);
}
