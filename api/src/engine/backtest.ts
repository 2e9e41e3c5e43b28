/**
 * Historical analysis (SIGNALS.md, "Historical analysis"): how often a new Bullish
 * composite failed, split by the rotation state at the setup, and the generic
 * 20/50 SMA-cross framework for comparison.
 */
import { formatDay } from './dates';
import { BULLISH, FLIGHT, LEADERSHIP, PARITY, UNDEF, type History } from './engine';
import { sma } from './indicators';
import { rotationName } from './fields';

export interface FailureStats {
  setups: number;
  /** Setups whose horizon ends inside the data (the rest are pending). */
  evaluated: number;
  failures: number;
  failureRate: number | null;
}

export interface Setup {
  date: string;
  close: number;
  rotation: string | null;
  /** Close H sessions later; null while pending. */
  exitClose: number | null;
  failed: boolean | null;
}

export interface Backtest {
  from: string;
  to: string;
  horizon: number;
  total: FailureStats;
  byRotation: { leadership: FailureStats; parity: FailureStats; flight: FailureStats; undefined: FailureStats };
  /** failureRate(flight) / failureRate(leadership); null when either is missing or leadership's is 0. */
  flightOverLeadership: number | null;
  setups: Setup[];
  generic: {
    fast: number;
    slow: number;
    horizon: number;
    primary: FailureStats;
    benchmark: FailureStats;
    /** primary false-positive rate / benchmark's. */
    primaryOverBenchmark: number | null;
  };
}

function stats(): FailureStats {
  return { setups: 0, evaluated: 0, failures: 0, failureRate: null };
}

function count(s: FailureStats, failed: boolean | null): void {
  s.setups++;
  if (failed === null) return;
  s.evaluated++;
  if (failed) s.failures++;
}

function finish(s: FailureStats): FailureStats {
  s.failureRate = s.evaluated > 0 ? s.failures / s.evaluated : null;
  return s;
}

const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);

/** Sessions where SMA(fast) crosses above SMA(slow), scored at horizon. */
function crossStats(
  close: Float64Array,
  from: number,
  to: number,
  fast: number,
  slow: number,
  horizon: number,
): FailureStats {
  const f = sma(close, fast);
  const s = sma(close, slow);
  const out = stats();
  for (let t = Math.max(1, from); t <= to; t++) {
    if (!(f[t] > s[t] && f[t - 1] <= s[t - 1])) continue;
    count(out, t + horizon < close.length ? close[t + horizon] <= close[t] : null);
  }
  return finish(out);
}

/** Backtest over sessions [from, to] (indices, inclusive). */
export function backtest(h: History, from: number, to: number, horizon = h.profile.backtest.horizon): Backtest {
  if (!(from >= 0 && to < h.length && from <= to)) {
    throw new RangeError(`backtest range ${from}..${to} is outside the history or empty`);
  }
  const total = stats();
  const byRotation = { leadership: stats(), parity: stats(), flight: stats(), undefined: stats() };
  const setups: Setup[] = [];
  const rating = h.composite.rating;
  for (let t = Math.max(1, from); t <= to; t++) {
    // A setup is a turn: Bullish now, a defined non-Bullish rating the session before.
    if (rating[t] !== BULLISH || rating[t - 1] === BULLISH || rating[t - 1] === UNDEF) continue;
    const exit = t + horizon;
    const failed = exit < h.length ? h.close[exit] <= h.close[t] : null;
    const rot = h.rotation.state[t];
    count(total, failed);
    count(
      rot === LEADERSHIP
        ? byRotation.leadership
        : rot === PARITY
          ? byRotation.parity
          : rot === FLIGHT
            ? byRotation.flight
            : byRotation.undefined,
      failed,
    );
    setups.push({
      date: formatDay(h.dates[t]),
      close: h.close[t],
      rotation: rotationName(rot),
      exitClose: exit < h.length ? h.close[exit] : null,
      failed,
    });
  }
  for (const s of Object.values(byRotation)) finish(s);
  finish(total);
  const G = h.profile.backtest;
  const primary = crossStats(h.close, from, to, G.genericFast, G.genericSlow, G.genericHorizon);
  const benchmark = crossStats(h.benchmarkClose, from, to, G.genericFast, G.genericSlow, G.genericHorizon);
  return {
    from: formatDay(h.dates[from]),
    to: formatDay(h.dates[to]),
    horizon,
    total,
    byRotation,
    flightOverLeadership: ratio(byRotation.flight.failureRate, byRotation.leadership.failureRate),
    setups,
    generic: {
      fast: G.genericFast,
      slow: G.genericSlow,
      horizon: G.genericHorizon,
      primary,
      benchmark,
      primaryOverBenchmark: ratio(primary.failureRate, benchmark.failureRate),
    },
  };
}
