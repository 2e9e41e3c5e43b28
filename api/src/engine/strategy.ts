/**
 * The sizing rule run as a strategy (SIGNALS.md, "Historical analysis", v1.1): hold
 * `fraction[t]` of the primary from the close of t to the close of t+1, paying `costBps`
 * basis points of equity per unit of change in the fraction, and measure it like a fund.
 *
 * Conventions (docs/ENGINE.md, "Backtest"):
 * - The strategy starts flat before `from`, so the first fraction it takes is a change;
 *   the position taken at the close of `to` earns nothing inside the range, so a change
 *   there is neither counted nor paid.
 * - The interval (t-1, t] earns `(1 - cost·|f[t-1] - f[t-2]|)·(1 + f[t-1]·R[t]) - 1`, with
 *   `R[t] = c[t]/c[t-1] - 1`: the trade at the close of t-1 is paid out of that
 *   interval's equity. The equity curve starts at 1 on `from`.
 * - An undefined fraction (NaN) holds 0.
 * - CAGR over `to - from` intervals at 252 a year; volatility and Sharpe from the daily
 *   returns with the sample standard deviation (n - 1), annualised by sqrt(252), no
 *   risk-free rate; maximum drawdown from the running peak of the curve (its first
 *   value included), with the dates of that peak and of the trough.
 */
import { formatDay } from './dates';

export const SESSIONS_PER_YEAR = 252;

export interface Drawdown {
  /** Largest fall from a running peak, as a fraction (0.2 = 20 %). */
  depth: number;
  /** Dates of that peak and of the trough; null when the curve never fell. */
  peak: string | null;
  trough: string | null;
}

export interface PerformanceStats {
  totalReturn: number;
  /** Compound annual growth; null over an empty range. */
  cagr: number | null;
  /** Annualised standard deviation of daily returns; null with fewer than two returns. */
  volatility: number | null;
  /** Annualised mean / standard deviation of daily returns; null when the deviation is 0. */
  sharpe: number | null;
  maxDrawdown: Drawdown;
  /** Mean fraction held over the range's intervals. */
  exposure: number;
  /** Sessions on which the fraction changed (the first entry counts). */
  changes: number;
}

/** The equity of a fraction series and its statistics. */
export interface StrategyRun {
  /** Equity on each session from..to (index 0 = from), starting at 1. */
  equity: Float64Array;
  stats: PerformanceStats;
}

/** Runs `fraction` over sessions [from, to] of `close` (indices, inclusive). */
export function runFractions(
  close: Float64Array,
  fraction: ArrayLike<number>,
  dates: Int32Array,
  from: number,
  to: number,
  costBps: number,
): StrategyRun {
  if (!(from >= 0 && to < close.length && from <= to))
    throw new RangeError(`strategy range ${from}..${to} is outside the data or empty`);
  const cost = costBps / 10_000;
  const intervals = to - from;
  const equity = new Float64Array(intervals + 1);
  equity[0] = 1;
  let held = 0; // the fraction before `from`: flat
  let changes = 0;
  let exposure = 0;
  let sum = 0;
  const returns = new Float64Array(intervals);
  let peak = 1;
  let peakAt = from;
  const drawdown = { depth: 0, peakAt: -1, troughAt: -1 };
  for (let t = from + 1; t <= to; t++) {
    const raw = fraction[t - 1];
    const f = Number.isNaN(raw) ? 0 : raw;
    if (f !== held) changes++;
    const r = (1 - cost * Math.abs(f - held)) * (1 + f * (close[t] / close[t - 1] - 1)) - 1;
    held = f;
    exposure += f;
    sum += r;
    returns[t - from - 1] = r;
    const e = equity[t - from - 1] * (1 + r);
    equity[t - from] = e;
    if (e > peak) {
      peak = e;
      peakAt = t;
    } else if (1 - e / peak > drawdown.depth) {
      drawdown.depth = 1 - e / peak;
      drawdown.peakAt = peakAt;
      drawdown.troughAt = t;
    }
  }
  const final = equity[intervals];
  const mean = intervals > 0 ? sum / intervals : 0;
  // Two passes (mean, then squared deviations): a constant return has a deviation of exactly 0.
  let squares = 0;
  for (const r of returns) squares += (r - mean) * (r - mean);
  const sd = intervals > 1 ? Math.sqrt(squares / (intervals - 1)) : NaN;
  const annual = Math.sqrt(SESSIONS_PER_YEAR);
  return {
    equity,
    stats: {
      totalReturn: final - 1,
      cagr: intervals > 0 ? final ** (SESSIONS_PER_YEAR / intervals) - 1 : null,
      volatility: Number.isNaN(sd) ? null : sd * annual,
      sharpe: sd > 0 ? (mean / sd) * annual : null,
      maxDrawdown: {
        depth: drawdown.depth,
        peak: drawdown.peakAt < 0 ? null : formatDay(dates[drawdown.peakAt]),
        trough: drawdown.troughAt < 0 ? null : formatDay(dates[drawdown.troughAt]),
      },
      exposure: intervals > 0 ? exposure / intervals : 0,
      changes,
    },
  };
}

export interface StrategyReport {
  from: string;
  to: string;
  /** Intervals held (sessions in the range minus one). */
  intervals: number;
  costBps: number;
  strategy: PerformanceStats;
  buyHold: PerformanceStats;
  /** The curves as columns, one entry per session of the range, for a sheet or a chart. */
  equity: { date: string[]; fraction: (number | null)[]; strategy: number[]; buyHold: number[] };
}

/** The sizing fraction as a strategy against buy-and-hold of the same primary. */
export function strategyReport(
  close: Float64Array,
  fraction: Float64Array,
  dates: Int32Array,
  from: number,
  to: number,
  costBps: number,
): StrategyReport {
  const run = runFractions(close, fraction, dates, from, to, costBps);
  const hold = runFractions(close, new Float64Array(close.length).fill(1), dates, from, to, costBps);
  const date: string[] = [];
  const held: (number | null)[] = [];
  for (let t = from; t <= to; t++) {
    date.push(formatDay(dates[t]));
    held.push(Number.isNaN(fraction[t]) ? null : fraction[t]);
  }
  return {
    from: formatDay(dates[from]),
    to: formatDay(dates[to]),
    intervals: to - from,
    costBps,
    strategy: run.stats,
    buyHold: hold.stats,
    equity: { date, fraction: held, strategy: Array.from(run.equity), buyHold: Array.from(hold.equity) },
  };
}
