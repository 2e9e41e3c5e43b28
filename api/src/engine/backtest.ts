/**
 * Historical analysis (SIGNALS.md, "Historical analysis"): how often a new Bullish
 * composite failed, split by the rotation and credit states at the setup, and the
 * generic 20/50 SMA-cross framework for comparison; every rate with its 95 % Wilson
 * interval, every ratio with its 95 % interval, a verdict on each of the seed's claims,
 * the sizing rule run as a strategy against buy-and-hold, and what the macro calendar
 * covers in the range.
 */
import { formatDay } from './dates';
import { BULLISH, CALM, FLIGHT, LEADERSHIP, PARITY, STRESS, UNDEF, type History } from './engine';
import { sma } from './indicators';
import { creditState, rotationName } from './fields';
import { COVERAGE_FULL, COVERAGE_NONE, coverageText, type KindCoverage } from './macro';
import { rateRatio, verdictAboveOne, wilsonInterval, type Interval, type RatioEstimate, type Verdict } from './stats';
import { strategyReport, type StrategyReport } from './strategy';

export interface FailureStats {
  setups: number;
  /** Setups whose horizon ends inside the data (the rest are pending). */
  evaluated: number;
  failures: number;
  failureRate: number | null;
  /** 95 % Wilson interval of the failure rate; null when nothing was evaluated. */
  interval: Interval | null;
}

/** One of the seed's claims, what the data measured, and whether it supports it. */
export interface ClaimCheck {
  id: 'flight-vs-leadership' | 'generic-false-positives';
  /** The claim in the seed's words. */
  claim: string;
  /** The ratio the seed claims. */
  claimed: number;
  measured: RatioEstimate;
  verdict: Verdict;
  /** Whether the claimed ratio lies inside the 95 % interval; null without one. */
  claimedInInterval: boolean | null;
  /** The finding in plain words, with the counts behind it. */
  summary: string;
}

/** What the seed (the project's brief) claims, so the backtest can check it. */
export const SEED_CLAIMS = {
  flightOverLeadership: 2.1,
  genericPrimaryOverBenchmark: 2,
} as const;

export interface CalendarCoverageNote {
  /** The calendar's coverage per kind (the input calendar; the profile's custom events aside). */
  kinds: KindCoverage[];
  /** Sessions of the range whose year every kind covers, some kinds, or none. */
  sessions: { full: number; partial: number; none: number };
  /** What that means for the range, in words. */
  note: string;
}

export interface Setup {
  date: string;
  close: number;
  rotation: string | null;
  /** stress, calm, unavailable, or null before the credit look-back. */
  credit: string | null;
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
  /** failureRate(flight) / failureRate(leadership) with its 95 % interval. */
  flightOverLeadership: RatioEstimate;
  /** By the credit state at the setup; `undefined` holds setups without a state (and all of them when unavailable). */
  byCredit: { calm: FailureStats; stress: FailureStats; undefined: FailureStats };
  /** Whether the data had the credit series at all. */
  creditAvailable: boolean;
  /** failureRate(stress) / failureRate(calm) with its 95 % interval. */
  stressOverCalm: RatioEstimate;
  setups: Setup[];
  generic: {
    fast: number;
    slow: number;
    horizon: number;
    primary: FailureStats;
    benchmark: FailureStats;
    /** primary false-positive rate / benchmark's, with its 95 % interval. */
    primaryOverBenchmark: RatioEstimate;
  };
  /** The seed's claims, each with the measured ratio, its interval and a verdict. */
  claims: ClaimCheck[];
  /** The sizing rule held as a position, against buy-and-hold of the primary. */
  strategy: StrategyReport;
  /** Which years the macro calendar covers and how much of the range it leaves without the overlay. */
  calendar: CalendarCoverageNote;
}

function stats(): FailureStats {
  return { setups: 0, evaluated: 0, failures: 0, failureRate: null, interval: null };
}

function count(s: FailureStats, failed: boolean | null): void {
  s.setups++;
  if (failed === null) return;
  s.evaluated++;
  if (failed) s.failures++;
}

function finish(s: FailureStats): FailureStats {
  s.failureRate = s.evaluated > 0 ? s.failures / s.evaluated : null;
  s.interval = wilsonInterval(s.failures, s.evaluated);
  return s;
}

/** Ratio of two groups' failure rates with its interval. */
const ratioOf = (a: FailureStats, b: FailureStats): RatioEstimate =>
  rateRatio({ events: a.failures, trials: a.evaluated }, { events: b.failures, trials: b.evaluated });

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
const x2 = (v: number) => v.toFixed(2);

/**
 * A claim that group `a` fails more often than group `b`, checked: the verdict from the
 * ratio's interval, and a summary a reader of the seed can follow.
 */
export function checkClaim(
  id: ClaimCheck['id'],
  claim: string,
  claimed: number,
  a: { name: string; stats: FailureStats },
  b: { name: string; stats: FailureStats },
  event: string,
): ClaimCheck {
  const measured = ratioOf(a.stats, b.stats);
  const verdict = verdictAboveOne(measured);
  const inside =
    measured.low === null || measured.high === null ? null : claimed >= measured.low && claimed <= measured.high;
  const counts = `${a.name}: ${a.stats.failures} of ${a.stats.evaluated} ${event} (${a.stats.failureRate === null ? 'n/a' : pct(a.stats.failureRate)}); ${b.name}: ${b.stats.failures} of ${b.stats.evaluated} (${b.stats.failureRate === null ? 'n/a' : pct(b.stats.failureRate)})`;
  let finding: string;
  if (verdict === 'no-data')
    finding = `Not enough data to judge: ${measured.ratio === null ? 'no ratio' : `ratio ${x2(measured.ratio)}`} and no interval (a group without ${event} or without evaluated signals).`;
  else {
    const range = `measured ${x2(measured.ratio as number)}x, 95 % interval ${x2(measured.low as number)} to ${x2(measured.high as number)}`;
    const size = inside
      ? `the claimed ${claimed}x is inside the interval`
      : `the claimed ${claimed}x is outside the interval`;
    finding =
      verdict === 'supported'
        ? `Supported: ${range}; the whole interval is above 1, so the difference is more than noise (${size}).`
        : verdict === 'contradicted'
          ? `Contradicted: ${range}; the whole interval is below 1, so ${a.name} did better, not worse (${size}).`
          : `Not supported: ${range}; the interval includes 1, so the data cannot tell the difference from noise (${size}).`;
  }
  return { id, claim, claimed, measured, verdict, claimedInInterval: inside, summary: `${finding} ${counts}.` };
}

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
  const byCredit = { calm: stats(), stress: stats(), undefined: stats() };
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
    const credit = h.credit.available ? h.credit.state[t] : UNDEF;
    count(credit === STRESS ? byCredit.stress : credit === CALM ? byCredit.calm : byCredit.undefined, failed);
    setups.push({
      date: formatDay(h.dates[t]),
      close: h.close[t],
      rotation: rotationName(rot),
      credit: creditState(h, t),
      exitClose: exit < h.length ? h.close[exit] : null,
      failed,
    });
  }
  for (const s of [...Object.values(byRotation), ...Object.values(byCredit)]) finish(s);
  finish(total);
  const G = h.profile.backtest;
  const primary = crossStats(h.close, from, to, G.genericFast, G.genericSlow, G.genericHorizon);
  const benchmark = crossStats(h.benchmarkClose, from, to, G.genericFast, G.genericSlow, G.genericHorizon);
  const flightOverLeadership = ratioOf(byRotation.flight, byRotation.leadership);
  const claims = [
    checkClaim(
      'flight-vs-leadership',
      `A new Bullish composite fails about ${SEED_CLAIMS.flightOverLeadership} times as often in flight (IWM lagging SPY) as in leadership (failure: close ${horizon} sessions later at or below the close at the setup).`,
      SEED_CLAIMS.flightOverLeadership,
      { name: 'flight', stats: byRotation.flight },
      { name: 'leadership', stats: byRotation.leadership },
      'setups failed',
    ),
    checkClaim(
      'generic-false-positives',
      `The generic SMA${G.genericFast}/SMA${G.genericSlow} cross gives about ${SEED_CLAIMS.genericPrimaryOverBenchmark} times as many false positives on the primary as on the benchmark (false positive: close ${G.genericHorizon} sessions later at or below the close at the cross).`,
      SEED_CLAIMS.genericPrimaryOverBenchmark,
      { name: 'primary', stats: primary },
      { name: 'benchmark', stats: benchmark },
      'crosses false',
    ),
  ];
  return {
    from: formatDay(h.dates[from]),
    to: formatDay(h.dates[to]),
    horizon,
    total,
    byRotation,
    flightOverLeadership,
    byCredit,
    creditAvailable: h.credit.available,
    stressOverCalm: ratioOf(byCredit.stress, byCredit.calm),
    setups,
    generic: {
      fast: G.genericFast,
      slow: G.genericSlow,
      horizon: G.genericHorizon,
      primary,
      benchmark,
      primaryOverBenchmark: ratioOf(primary, benchmark),
    },
    claims,
    strategy: strategyReport(h.close, h.sizing.fraction, h.dates, from, to, G.costBps),
    calendar: calendarNote(h, from, to),
  };
}

/** How much of [from, to] the macro calendar covers, and what that means for the numbers. */
function calendarNote(h: History, from: number, to: number): CalendarCoverageNote {
  const sessions = { full: 0, partial: 0, none: 0 };
  let firstNone = -1;
  let lastNone = -1;
  for (let t = from; t <= to; t++) {
    const c = h.coverage.state[t];
    if (c === COVERAGE_FULL) sessions.full++;
    else if (c === COVERAGE_NONE) {
      sessions.none++;
      if (firstNone < 0) firstNone = t;
      lastNone = t;
    } else sessions.partial++;
  }
  const covers = `The macro calendar covers ${coverageText(h.coverage.kinds)}.`;
  const parts = [covers];
  if (sessions.none > 0)
    parts.push(
      `${sessions.none} of ${to - from + 1} sessions (${formatDay(h.dates[firstNone])} to ${formatDay(h.dates[lastNone])}) fall in years it does not cover: they ran without the overlay.`,
    );
  if (sessions.partial > 0)
    parts.push(`${sessions.partial} sessions fall in years some kinds miss: those kinds' windows are absent there.`);
  if (sessions.none === 0 && sessions.partial === 0) parts.push('Every session of the range is covered.');
  return { kinds: h.coverage.kinds, sessions, note: parts.join(' ') };
}
