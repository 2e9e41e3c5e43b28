/**
 * The embedded sample data set: a deterministic, seedable generator of realistic daily
 * market data for IWM (primary), SPY (benchmark), HYG and IEF (the credit overlay's
 * high-yield and Treasury ETFs) and a Russell-2000-like universe.
 *
 * It is synthetic and says so: everything it returns carries `source: 'sample'`, and
 * the price paths come from the model below, not from any market.
 *
 * Model (all returns are daily log returns):
 * - Calendar: weekdays from `start`, minus a fixed set of US market holidays
 *   (see `sampleHolidays`).
 * - Market factor `m_t = drift(regime) + eps_t`, `eps_t ~ N(0, h_t)`, with a GJR-GARCH(1,1)
 *   variance `h` (volatility clusters and rises after falls). The drift and the long-run
 *   variance follow a slow regime switch: bull (months to years, +6..26 %/yr), chop
 *   (flat) and bear (steering to a trough 15..45 % below the running peak over months,
 *   high vol). The choice of the next regime, and a weak pull outside bears, lean towards
 *   a drift-line of ~4.5 %/yr so levels stay plausible over decades. SPY = exp(cum. m).
 * - IWM = `beta * m + style + noise` with beta 1.2; `style` is a small-cap factor with
 *   its own regimes: leadership (trends up for months), flight (trends down) and parity
 *   (flat, low vol), plus a weak pull of the IWM/SPY ratio towards a long-run level.
 * - Bars: open = previous close moved by part of the day's return plus overnight
 *   noise; high/low extend beyond open/close by exponential excursions scaled by the
 *   day's conditional vol; prices rounded to cents; volume = a growing base x vol level
 *   x an AR(1) log-normal factor x a boost on big moves.
 * - Credit: IEF is a low-vol random walk with a small positive drift that gains a little
 *   when stocks fall (flight to quality). HYG = IEF x q, where the credit ratio q leads
 *   the market: log q follows SPY's drawdown from its running peak `CREDIT_LEAD`
 *   sessions ahead (times `CREDIT_BETA`) plus a mean-reverting noise, so the ratio turns
 *   down before drawdowns (credit stress) and is calm in rallies.
 * - Universe: each member is `beta_i * IWM return + sector factor + drift_i + idio`, the
 *   idio part being a slowly mean-reverting random walk whose vol scales with the market
 *   vol, plus quarterly earnings gaps. About 25 % list late, 15 % delist early and 3 %
 *   have a short trading halt (a gap in their days). Only closes are produced for members:
 *   breadth (SIGNALS.md, Layer 3) needs closes only.
 *
 * Independent random streams are used for the market, each symbol's bars, the membership
 * and each member, so the first k members of a larger universe equal a k-member
 * universe, IWM/SPY do not depend on the number of members, and a shorter run is a
 * prefix of a longer one for IWM/SPY (not for the universe, whose listing dates are
 * spread over the whole span).
 *
 * Pure: no file, network or clock access; no Math.random.
 */
import { dayOf, isoDay, isWeekday, yearOf } from '../engine/dates';
import { nyseRuleHolidays } from '../engine/nyse-calendar';
import type { BarColumns, UniverseCloses } from '../engine/types';

// Math functions bound once: a global lookup per call is slow in sandboxes such as
// Jest's vm context (measured 10x slower for this module), and costs nothing here.
const { abs, ceil, exp, floor, imul, log, max, min, round, sqrt } = Math;

export const DEFAULT_SAMPLE_SEED = 20000243;
// Starts so that the 25 years end in mid-2026 and overlap the shipped macro calendar.
export const DEFAULT_SAMPLE_START = '2001-06-01';
export const DEFAULT_SAMPLE_SESSIONS = 6300;
export const DEFAULT_SAMPLE_MEMBERS = 2000;
export const MAX_SAMPLE_SESSIONS = 50_000;
export const MAX_SAMPLE_MEMBERS = 20_000;

export interface SampleOptions {
  /** Integer in [0, 2^32 - 1]; default DEFAULT_SAMPLE_SEED. */
  seed?: number;
  /** First calendar day (ISO); the series starts on the first trading day on or after it. */
  start?: string;
  /** Number of trading sessions; default 6300 (about 25 years). */
  sessions?: number;
  /** Number of universe members; default 2000. */
  members?: number;
}

export interface SampleData {
  /** Always 'sample': this data is synthetic and must never pass for real data. */
  source: 'sample';
  seed: number;
  primarySymbol: 'IWM';
  benchmarkSymbol: 'SPY';
  primary: BarColumns;
  benchmark: BarColumns;
  /** The credit overlay's symbols (the IWM profile's credit.highYield and credit.treasury). */
  highYieldSymbol: 'HYG';
  treasurySymbol: 'IEF';
  highYield: BarColumns;
  treasury: BarColumns;
  /** Closes only (breadth needs nothing else); `dayIndex` points into `primary.dates`. */
  universe: UniverseCloses;
}

// ---------------------------------------------------------------------------------------
// Random numbers: sfc32 seeded through splitmix32, normals by the Marsaglia polar method.

function mix32(x: number): number {
  x = imul(x ^ (x >>> 16), 0x21f0aaad);
  x = imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** Small fast PRNG (sfc32); `stream` selects an independent sequence for the same seed. */
class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number, stream: number) {
    let s = mix32(mix32(seed ^ 0x5bd1e995) + imul(stream + 1, 0x9e3779b9)) | 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      return mix32(s) | 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = 1;
    for (let i = 0; i < 15; i++) this.uint32();
  }

  uint32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.uint32() / 4294967296;
  }

  /** Standard normal (Marsaglia polar method, the second value cached). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = this.uint32() / 2147483648 - 1;
      v = this.uint32() / 2147483648 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = sqrt((-2 * log(s)) / s);
    this.spare = v * f;
    this.hasSpare = true;
    return u * f;
  }

  /** Exponential with mean 1. */
  exponential(): number {
    return -log(1 - this.uniform());
  }
}

// Stream numbers (the member paths use MEMBER_STREAM + member index).
const MARKET_STREAM = 1;
const PRIMARY_BAR_STREAM = 2;
const BENCHMARK_BAR_STREAM = 5;
const MEMBERSHIP_STREAM = 3;
const SECTOR_STREAM = 4;
const CREDIT_STREAM = 6;
const HIGH_YIELD_BAR_STREAM = 7;
const TREASURY_BAR_STREAM = 8;
const MEMBER_STREAM = 1000;

// ---------------------------------------------------------------------------------------
// Calendar

/**
 * The market holidays of the sample calendar for one year (day numbers, sorted): the NYSE's
 * rule-based holidays (engine/nyse-calendar.ts). The one-off closures (2001-09-11, 2012
 * Sandy, national days of mourning) are left out: the calendar is plausible, not
 * historical, and a sample must not change when a closure is added to the real calendar.
 */
export function sampleHolidays(year: number): number[] {
  return nyseRuleHolidays(year);
}

/** `sessions` trading days from the first trading day on or after `startDay`. */
function tradingCalendar(startDay: number, sessions: number): Int32Array {
  const dates = new Int32Array(sessions);
  const holidays = new Set<number>();
  // Every holiday of year Y falls in year Y (a Saturday New Year's Day is not observed).
  let year = yearOf(startDay) - 1;
  let nextYearStart = dayOf(year + 1, 1, 1);
  let day = startDay;
  for (let i = 0; i < sessions; day++) {
    while (day >= nextYearStart) {
      year++;
      for (const h of sampleHolidays(year)) holidays.add(h);
      nextYearStart = dayOf(year + 1, 1, 1);
    }
    if (!isWeekday(day) || holidays.has(day)) continue;
    dates[i++] = day;
  }
  return dates;
}

// ---------------------------------------------------------------------------------------
// Market and style factors

const YEAR = 252;
const SPY_START = 145;
const IWM_START = 50;
const IWM_BETA = 1.2;
const IWM_NOISE = 0.001;
/** Long-run drift-line of SPY (log per year) that the regime choice leans towards. */
const SPY_PATH_DRIFT = 0.045;
/** Daily pull of log SPY towards that line outside bear markets. */
const LEVEL_PULL = 1 / 750;
const LOG_RATIO_TARGET = log(0.38);
/** Daily pull of the log IWM/SPY ratio towards LOG_RATIO_TARGET. */
const RATIO_PULL = 1 / 1000;
/** Reference daily market vol (a calm bull market). */
const SIGMA_REF = 0.0095;

// GJR-GARCH(1,1): h' = omega + A e^2 + G e^2 [e < 0] + B h; persistence A + G/2 + B.
const GARCH_A = 0.05;
const GARCH_G = 0.07;
const GARCH_B = 0.9;
const GARCH_PERSIST = GARCH_A + GARCH_G / 2 + GARCH_B;
const MAX_VARIANCE = 0.04 * 0.04;

const BULL = 0;
const CHOP = 1;
const BEAR = 2;
const LEAD = 0;
const PARITY = 1;
const FLIGHT = 2;

/** Picks index 0..2 with probability proportional to the weights. */
function pick3(rng: Rng, w0: number, w1: number, w2: number): number {
  const u = rng.uniform() * (w0 + w1 + w2);
  return u < w0 ? 0 : u < w0 + w1 ? 1 : 2;
}

interface Factors {
  spy: Float64Array;
  iwm: Float64Array;
  /** Conditional daily vol of SPY and IWM. */
  sigSpy: Float64Array;
  sigIwm: Float64Array;
  /** IWM daily log return (0 on day 0): the factor the members load on. */
  retIwm: Float64Array;
  /** Market vol relative to a calm market, softened: scales idiosyncratic vol. */
  volScale: Float64Array;
}

function simulateFactors(rng: Rng, n: number): Factors {
  const spy = new Float64Array(n);
  const iwm = new Float64Array(n);
  const sigSpy = new Float64Array(n);
  const sigIwm = new Float64Array(n);
  const retIwm = new Float64Array(n);
  const volScale = new Float64Array(n);

  let logSpy = log(SPY_START);
  let logIwm = log(IWM_START);
  const logSpy0 = logSpy;
  let logPeak = logSpy;

  // Market regime: state, sessions left, daily drift, long-run daily variance.
  let mState = BULL;
  let mLeft = 0;
  let mDrift = 0;
  /** Bear markets only: the log level of the trough they steer to (else NaN). */
  let mTarget = NaN;
  let mVar = 0;
  const newMarketRegime = (t: number, first: boolean): void => {
    const dev = logSpy - (logSpy0 + (SPY_PATH_DRIFT * t) / YEAR);
    const up = exp(-2.5 * dev);
    const down = exp(2.5 * dev);
    const prev = mState;
    mState = first
      ? pick3(rng, 0.6 * up, 0.25, 0.15 * down)
      : prev === BULL
        ? pick3(rng, 0, 0.7, 0.3 * down)
        : prev === CHOP
          ? pick3(rng, 0.7 * up, 0, 0.3 * down)
          : pick3(rng, 0.7 * up, 0.3, 0);
    mTarget = NaN;
    if (mState === BULL) {
      mLeft = 150 + floor(rng.uniform() * 500);
      mDrift = (0.06 + 0.2 * rng.uniform()) / YEAR;
      mVar = (0.0085 * (0.85 + 0.3 * rng.uniform())) ** 2;
    } else if (mState === CHOP) {
      mLeft = 50 + floor(rng.uniform() * 150);
      mDrift = (0.06 * rng.uniform() - 0.03) / YEAR;
      mVar = (0.011 * (0.85 + 0.3 * rng.uniform())) ** 2;
    } else {
      // A bear aims at a trough 15..45 % below the running peak, so bears that follow
      // one another do not compound without limit.
      const target = log(1 - (0.15 + 0.3 * rng.uniform()));
      const total = min(target - (logSpy - logPeak), -0.08);
      // No faster than -0.9 %/day on average: deep bears take longer.
      mLeft = max(50 + floor(rng.uniform() * 200), ceil(-total / 0.009));
      mDrift = total / mLeft;
      mTarget = logSpy + total;
      mVar = (0.016 * (0.8 + 0.4 * rng.uniform())) ** 2;
    }
    if (first) mLeft = 1 + floor(rng.uniform() * mLeft);
  };

  // Style (small versus large caps) regime: state, sessions left, daily drift and vol.
  let sState = PARITY;
  let sLeft = 0;
  let sDrift = 0;
  let sVol = 0;
  const newStyleRegime = (first: boolean): void => {
    const devR = logIwm - logSpy - LOG_RATIO_TARGET;
    const lead = exp(-4 * devR);
    const flight = exp(4 * devR) * (mState === BEAR ? 2 : 1);
    const prev = sState;
    sState = first
      ? pick3(rng, lead, 1, flight)
      : prev === LEAD
        ? pick3(rng, 0, 1, flight)
        : prev === PARITY
          ? pick3(rng, lead, 0, flight)
          : pick3(rng, lead, 1, 0);
    if (sState === PARITY) {
      sLeft = 30 + floor(rng.uniform() * 120);
      sDrift = 0;
      sVol = 0.002;
    } else {
      sLeft = 60 + floor(rng.uniform() * 240);
      const annual = 0.1 + 0.2 * rng.uniform();
      sDrift = (sState === FLIGHT ? -annual : annual) / YEAR;
      sVol = 0.005;
    }
    if (first) sLeft = 1 + floor(rng.uniform() * sLeft);
  };

  newMarketRegime(0, true);
  newStyleRegime(true);
  let h = mVar;

  for (let t = 0; t < n; t++) {
    if (t > 0) {
      if (--mLeft <= 0) {
        const wasBear = mState === BEAR;
        newMarketRegime(t, false);
        // A new bear market starts nervous: half-way to its variance at once.
        if (mState === BEAR && !wasBear) h = max(h, 0.5 * (h + mVar));
      }
      if (--sLeft <= 0) newStyleRegime(false);
    }
    const sig = sqrt(h);
    const styleVol = sVol * (0.6 + (0.4 * sig) / SIGMA_REF);
    sigSpy[t] = sig;
    sigIwm[t] = sqrt(IWM_BETA * IWM_BETA * h + styleVol * styleVol + IWM_NOISE * IWM_NOISE);
    volScale[t] = sqrt(sig / SIGMA_REF);
    if (t > 0) {
      const eps = sig * rng.normal();
      // A bear steers to its trough (a bridge, at most 1/30 of the gap a day): noise
      // brings bear-market rallies and crashes but does not compound into a collapse.
      // Outside bears a weak pull to the drift-line keeps decades-long levels plausible.
      const drift =
        mState === BEAR
          ? (mTarget - logSpy) / max(mLeft, 30)
          : mDrift - LEVEL_PULL * (logSpy - (logSpy0 + (SPY_PATH_DRIFT * t) / YEAR));
      const m = drift + eps;
      const e2 = eps * eps;
      h = mVar * (1 - GARCH_PERSIST) + GARCH_A * e2 + (eps < 0 ? GARCH_G * e2 : 0) + GARCH_B * h;
      if (h > MAX_VARIANCE) h = MAX_VARIANCE;
      const devR = logIwm - logSpy - LOG_RATIO_TARGET;
      const style = sDrift - RATIO_PULL * devR + styleVol * rng.normal();
      const r = IWM_BETA * m + style + IWM_NOISE * rng.normal();
      logSpy += m;
      if (logSpy > logPeak) logPeak = logSpy;
      logIwm += r;
      retIwm[t] = r;
    }
    spy[t] = exp(logSpy);
    iwm[t] = exp(logIwm);
  }
  return { spy, iwm, sigSpy, sigIwm, retIwm, volScale };
}

// ---------------------------------------------------------------------------------------
// Credit: IEF and HYG

const IEF_START = 80;
const IEF_DRIFT = 0.02 / YEAR;
const IEF_VOL = 0.004;
/** IEF's response to the market's daily return (negative: it gains when stocks fall). */
const IEF_MARKET_BETA = -0.1;
const CREDIT_RATIO_START = 0.9;
/** Sessions by which the credit ratio leads SPY's drawdowns. */
const CREDIT_LEAD = 15;
/** Log credit ratio per log point of SPY drawdown. */
const CREDIT_BETA = 0.4;
const CREDIT_NOISE = 0.0015;
/** Daily mean reversion of the credit ratio's noise (a quarter's half-life). */
const CREDIT_PULL = 1 / 90;

interface CreditPaths {
  hyg: Float64Array;
  ief: Float64Array;
  sigHyg: Float64Array;
  sigIef: Float64Array;
}

function simulateCredit(rng: Rng, f: Factors): CreditPaths {
  const n = f.spy.length;
  // SPY's log drawdown from its running peak, read CREDIT_LEAD sessions ahead.
  const drawdown = new Float64Array(n);
  let peak = -Infinity;
  for (let t = 0; t < n; t++) {
    const l = log(f.spy[t]);
    if (l > peak) peak = l;
    drawdown[t] = l - peak;
  }
  const hyg = new Float64Array(n);
  const ief = new Float64Array(n);
  const sigHyg = new Float64Array(n);
  const sigIef = new Float64Array(n).fill(IEF_VOL);
  let logIef = log(IEF_START);
  let noise = 0;
  for (let t = 0; t < n; t++) {
    if (t > 0) {
      logIef += IEF_DRIFT + IEF_MARKET_BETA * log(f.spy[t] / f.spy[t - 1]) + IEF_VOL * rng.normal();
      noise = (1 - CREDIT_PULL) * noise + CREDIT_NOISE * rng.normal();
    }
    const logRatio = log(CREDIT_RATIO_START) + CREDIT_BETA * drawdown[min(n - 1, t + CREDIT_LEAD)] + noise;
    ief[t] = exp(logIef);
    hyg[t] = exp(logIef + logRatio);
    sigHyg[t] = sqrt(IEF_VOL * IEF_VOL + CREDIT_NOISE * CREDIT_NOISE + (CREDIT_BETA * f.sigSpy[t]) ** 2);
  }
  return { hyg, ief, sigHyg, sigIef };
}

// ---------------------------------------------------------------------------------------
// Bars

const roundCents = (x: number): number => round(x * 100) / 100;

/**
 * OHLCV around given closes. `sig` is the day's conditional vol, `vol0`/`vol1` the base
 * volume at the start and after ~10 years (log-linear growth, then flat).
 */
function buildBars(
  rng: Rng,
  dates: Int32Array,
  rawClose: Float64Array,
  sig: Float64Array,
  vol0: number,
  vol1: number,
): BarColumns {
  const n = dates.length;
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  const growth = log(vol1 / vol0);
  let ar = 0;
  for (let t = 0; t < n; t++) {
    const c = rawClose[t];
    const sd = sig[t];
    let o: number;
    let z: number;
    if (t === 0) {
      o = c * exp(0.25 * sd * rng.normal());
      z = 0.8;
    } else {
      const r = log(c / rawClose[t - 1]);
      o = rawClose[t - 1] * exp(0.35 * r + 0.25 * sd * rng.normal());
      z = abs(r) / sd;
    }
    let hi = roundCents(max(o, c) * exp(0.5 * sd * rng.exponential()));
    let lo = roundCents(min(o, c) * exp(-0.5 * sd * rng.exponential()));
    const oc = roundCents(o);
    const cc = roundCents(c);
    if (hi < oc) hi = oc;
    if (hi < cc) hi = cc;
    if (lo > oc) lo = oc;
    if (lo > cc) lo = cc;
    open[t] = oc;
    high[t] = hi;
    low[t] = lo;
    close[t] = cc;
    ar = 0.75 * ar + 0.25 * rng.normal();
    const years = min(1, t / (10 * YEAR));
    const logV = log(vol0) + growth * years + 0.9 * log(sd / SIGMA_REF) + ar + 0.35 * (min(z, 6) - 0.8);
    volume[t] = max(100, round(exp(logV) / 100) * 100);
  }
  return { dates: dates.slice(), open, high, low, close, volume };
}

// ---------------------------------------------------------------------------------------
// Universe

const SECTORS = 11;
const SECTOR_VOL = 0.006;
const LATE_START_SHARE = 0.25;
const EARLY_END_SHARE = 0.15;
const HALT_SHARE = 0.03;
const MIN_LISTING = 60;
const EARNINGS_EVERY = 63;
/** Idiosyncratic OU persistence: half-life of about 1.4 years. */
const IDIO_PHI = 1 - 1 / 500;

function buildUniverse(seed: number, members: number, f: Factors): UniverseCloses {
  const n = f.retIwm.length;
  const width = max(4, String(members).length);
  const symbols = new Array<string>(members);
  const first = new Int32Array(members);
  const end = new Int32Array(members);
  const haltFrom = new Int32Array(members).fill(-1);
  const haltTo = new Int32Array(members).fill(-1);
  const offsets = new Int32Array(members + 1);

  // Pass 1: listing spans (a fixed number of draws per member), then the total size.
  const listing = new Rng(seed, MEMBERSHIP_STREAM);
  const minLen = min(n, MIN_LISTING);
  for (let i = 0; i < members; i++) {
    symbols[i] = 'S' + String(i + 1).padStart(width, '0');
    const uLate = listing.uniform();
    const uStart = listing.uniform();
    const uEarly = listing.uniform();
    const uEnd = listing.uniform();
    const uHalt = listing.uniform();
    const uHaltAt = listing.uniform();
    const uHaltLen = listing.uniform();
    const s = uLate < LATE_START_SHARE && n > minLen ? 1 + floor(uStart * (n - minLen)) : 0;
    const e = uEarly < EARLY_END_SHARE && n - s > minLen ? s + minLen + floor(uEnd * (n - s - minLen)) : n;
    first[i] = s;
    end[i] = e;
    let len = e - s;
    if (uHalt < HALT_SHARE && e - s >= 3 * MIN_LISTING) {
      const haltLen = 1 + floor(uHaltLen * 5);
      const from = s + 1 + floor(uHaltAt * (e - s - haltLen - 2));
      haltFrom[i] = from;
      haltTo[i] = from + haltLen;
      len -= haltLen;
    }
    offsets[i + 1] = offsets[i] + len;
  }
  const total = offsets[members];
  const dayIndex = new Int32Array(total);
  const close = new Float64Array(total);

  // Sector factors, one row of n per sector.
  const sectorRng = new Rng(seed, SECTOR_STREAM);
  const sector = new Float64Array(SECTORS * n);
  for (let k = 0; k < SECTORS; k++) {
    for (let t = 1; t < n; t++) sector[k * n + t] = SECTOR_VOL * f.volScale[t] * sectorRng.normal();
  }

  // Pass 2: member paths written straight into the packed arrays.
  const ret = f.retIwm;
  const volScale = f.volScale;
  for (let i = 0; i < members; i++) {
    const rng = new Rng(seed, MEMBER_STREAM + i);
    let beta = 1 + 0.3 * rng.normal();
    beta = beta < 0.2 ? 0.2 : beta > 2 ? 2 : beta;
    const base = floor(rng.uniform() * SECTORS) * n;
    let idioVol = 0.022 * exp(0.35 * rng.normal());
    idioVol = idioVol < 0.008 ? 0.008 : idioVol > 0.06 ? 0.06 : idioVol;
    const drift = (0.08 * rng.normal()) / YEAR;
    const jumpVol = 0.03 + 0.04 * rng.uniform();
    let toEarnings = 1 + floor(rng.uniform() * EARNINGS_EVERY);
    let level = log(25) + 0.9 * rng.normal();
    let idio = 0;
    const s = first[i];
    const e = end[i];
    const h0 = haltFrom[i];
    const h1 = haltTo[i];
    let pos = offsets[i];
    for (let t = s; t < e; t++) {
      if (t > s) {
        level += beta * ret[t] + sector[base + t] + drift;
        let eps = idioVol * volScale[t] * rng.normal();
        if (--toEarnings === 0) {
          eps += jumpVol * rng.normal();
          toEarnings = EARNINGS_EVERY;
        }
        idio = IDIO_PHI * idio + eps;
      }
      if (t >= h0 && t < h1) continue;
      dayIndex[pos] = t;
      close[pos] = exp(level + idio);
      pos++;
    }
  }
  return { kind: 'universe', symbols, offsets, dayIndex, close };
}

// ---------------------------------------------------------------------------------------

function intOption(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`generateSample: ${name} must be an integer between ${min} and ${max} (got ${String(value)})`);
  }
  return value;
}

/**
 * Generates the sample data set. Same options -> identical arrays. The default (seed
 * DEFAULT_SAMPLE_SEED, 6300 sessions from 2001-06-01, 2000 members) is the product's
 * embedded data set.
 */
export function generateSample(options: SampleOptions = {}): SampleData {
  const seed = intOption('seed', options.seed, DEFAULT_SAMPLE_SEED, 0, 0xffffffff);
  const sessions = intOption('sessions', options.sessions, DEFAULT_SAMPLE_SESSIONS, 1, MAX_SAMPLE_SESSIONS);
  const members = intOption('members', options.members, DEFAULT_SAMPLE_MEMBERS, 0, MAX_SAMPLE_MEMBERS);
  const startDay = isoDay(options.start ?? DEFAULT_SAMPLE_START, 'generateSample: start');

  const dates = tradingCalendar(startDay, sessions);
  const factors = simulateFactors(new Rng(seed, MARKET_STREAM), sessions);
  const primary = buildBars(new Rng(seed, PRIMARY_BAR_STREAM), dates, factors.iwm, factors.sigIwm, 2e6, 3e7);
  const benchmark = buildBars(new Rng(seed, BENCHMARK_BAR_STREAM), dates, factors.spy, factors.sigSpy, 1e7, 9e7);
  const credit = simulateCredit(new Rng(seed, CREDIT_STREAM), factors);
  const highYield = buildBars(new Rng(seed, HIGH_YIELD_BAR_STREAM), dates, credit.hyg, credit.sigHyg, 5e5, 2e7);
  const treasury = buildBars(new Rng(seed, TREASURY_BAR_STREAM), dates, credit.ief, credit.sigIef, 3e5, 6e6);
  const universe = buildUniverse(seed, members, factors);
  return {
    source: 'sample',
    seed,
    primarySymbol: 'IWM',
    benchmarkSymbol: 'SPY',
    primary,
    benchmark,
    highYieldSymbol: 'HYG',
    treasurySymbol: 'IEF',
    highYield,
    treasury,
    universe,
  };
}
