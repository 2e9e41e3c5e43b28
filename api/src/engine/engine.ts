/**
 * The signal engine: every layer of docs/SIGNALS.md for the whole history at once.
 *
 * Input and output are typed arrays indexed by session (output index = input index);
 * a value whose look-back is not available is NaN, a state that cannot be decided is
 * UNDEF. A reading for one date is a slice of this history (see reading.ts), never a
 * separate computation, so Excel, the API, the debrief and the backtest agree.
 */
import { universeBreadth } from './breadth';
import { creditColumns, type CreditColumns } from './credit';
import { atr as atrOf, ema, roc, rollingMax, rollingMin, sma } from './indicators';
import { LevelTracker, findSwings, type Swing } from './levels';
import {
  calendarCoverage,
  coverageColumns,
  macroColumns,
  mergeEvents,
  type CoverageColumns,
  type MacroColumns,
} from './macro';
import type { Profile } from './profile';
import type { EngineInput, MacroEvent } from './types';

import { BEARISH, BULLISH, FLIGHT, LEADERSHIP, NEUTRAL, PARITY, STRESS, UNDEF } from './codes';

/** State codes stored in Int8Arrays (codes.ts). */
export { BEARISH, BULLISH, CALM, FLIGHT, LEADERSHIP, NEUTRAL, PARITY, STRESS, UNDEF } from './codes';

export const LAYERS = ['trend', 'momentum', 'breadth', 'rs'] as const;
export type LayerName = (typeof LAYERS)[number];

interface LayerColumns {
  state: Int8Array;
  score: Float64Array;
  /** How far the layer's input must move to change its state (unit per layer). */
  flip: Float64Array;
}

export interface History {
  profile: Profile;
  /**
   * The events the overlay used: the input calendar's, then the profile's own
   * (`macro.customEvents`) not already in it (see mergeEvents).
   */
  events: readonly MacroEvent[];
  /** How many of `events` come from the input calendar; the rest come from the profile. */
  calendarEvents: number;
  length: number;
  dates: Int32Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  benchmarkClose: Float64Array;
  atr: Float64Array;
  trend: LayerColumns & {
    fast: Float64Array;
    slow: Float64Array;
    gap: Float64Array;
    gapAtr: Float64Array;
    /**
     * 1 / 0, or UNDEF while the gap `convergenceLag` sessions back does not exist yet
     * (the first sessions of the slow EMA): a comparison with nothing is not "false".
     */
    converging: Int8Array;
    diverging: Int8Array;
    /** BULLISH / BEARISH setup, NEUTRAL for none, UNDEF before gapAtr or `converging` exists. */
    convergenceSetup: Int8Array;
  };
  momentum: LayerColumns & {
    rocShort: Float64Array;
    rocLong: Float64Array;
    move: Float64Array;
    thresholdBase: Float64Array;
    threshold: Float64Array;
    confirmed: Uint8Array;
    lowerThirdVolume: Float64Array;
    upperThirdVolume: Float64Array;
    volumeNeeded: Float64Array;
  };
  breadth: LayerColumns & {
    available: boolean;
    source: 'universe' | 'series' | null;
    pct50: Float64Array;
    pct200: Float64Array;
    d5: Float64Array;
    members: Int32Array | null;
    divergenceWarning: Uint8Array;
    washoutRecovery: Uint8Array;
    /** Nearest support used by washoutRecovery (NaN where the flag was not in question). */
    washoutSupport: Float64Array;
    flipAt: Float64Array;
  };
  rs: LayerColumns & {
    spread: Float64Array;
    benchmarkRoc: Float64Array;
    broadAdvance: Uint8Array;
    confirmation: Uint8Array;
    deteriorationWarning: Uint8Array;
  };
  composite: {
    score: Float64Array;
    thresholdBase: Float64Array;
    threshold: Float64Array;
    rating: Int8Array;
  };
  rotation: {
    ratio: Float64Array;
    ratioSma: Float64Array;
    bandPct: Float64Array;
    state: Int8Array;
  };
  /** The credit overlay (HY/TR ratio); `available` false without both series. */
  credit: CreditColumns;
  sizing: { fraction: Float64Array };
  macro: MacroColumns;
  /**
   * Which years the input calendar covers, per kind, and per session whether it covers
   * the session's year: before (or after) the calendar the overlay is absent, and says so.
   */
  coverage: CoverageColumns;
  swings: Swing[];
}

const nan = (n: number) => new Float64Array(n).fill(NaN);

function checkInput(input: EngineInput): void {
  const p = input.primary;
  const n = p.dates.length;
  const cols = {
    open: p.open,
    high: p.high,
    low: p.low,
    close: p.close,
    volume: p.volume,
    benchmarkClose: input.benchmarkClose,
  };
  for (const [name, col] of Object.entries(cols)) {
    if (col.length !== n) throw new RangeError(`engine input: ${name} has ${col.length} values for ${n} dates`);
  }
  for (let t = 1; t < n; t++) {
    if (!(p.dates[t] > p.dates[t - 1])) throw new RangeError(`engine input: dates must rise strictly (index ${t})`);
  }
  for (const [symbol, col] of Object.entries(input.closes ?? {})) {
    if (col.length !== n)
      throw new RangeError(`engine input: closes of ${symbol} have ${col.length} values for ${n} dates`);
  }
  const b = input.breadth;
  if (b?.kind === 'series' && (b.pct50.length !== n || b.pct200.length !== n)) {
    throw new RangeError(`engine input: breadth series must have ${n} values`);
  }
  if (b?.kind === 'universe') {
    const last = b.offsets[b.offsets.length - 1];
    if (last !== b.close.length || last !== b.dayIndex.length || b.offsets.length !== b.symbols.length + 1) {
      throw new RangeError('engine input: universe offsets, symbols, dayIndex and close disagree in size');
    }
  }
}

type Trend = History['trend'];
type Momentum = History['momentum'];
type Breadth = History['breadth'];
type Rs = History['rs'];

const undefStates = (n: number) => new Int8Array(n).fill(UNDEF);

/*
 * One function per layer: each is small enough for V8 to optimise (and re-optimise
 * after a collection) cheaply, and each object is built whole, with no spreads, so
 * its shape is fixed from the start.
 */

/** Layer 1: EMA gap in ATR, convergence flags and the convergence setup. */
function trendLayer(close: Float64Array, atr: Float64Array, P: Profile): Trend {
  const n = close.length;
  const fast = ema(close, P.trend.fastPeriod);
  const slow = ema(close, P.trend.slowPeriod);
  const gap = nan(n);
  const gapAtr = nan(n);
  for (let t = 0; t < n; t++) {
    gap[t] = fast[t] - slow[t];
    gapAtr[t] = gap[t] / atr[t];
  }
  const trend: Trend = {
    state: undefStates(n),
    score: nan(n),
    flip: nan(n),
    fast,
    slow,
    gap,
    gapAtr,
    converging: undefStates(n),
    diverging: undefStates(n),
    convergenceSetup: undefStates(n),
  };
  const { neutralAtr, convergenceLag, separationAtr, separationLookback, separationMinSessions, convergedAtr } =
    P.trend;
  let separated = 0; // sessions in the look-back window with |gapAtr| > separationAtr
  let lastSeparated = -1; // most recent such session
  for (let t = 0; t < n; t++) {
    const g = gapAtr[t];
    if (Math.abs(g) > separationAtr) {
      separated++;
      lastSeparated = t;
    }
    const leaving = t - separationLookback;
    if (leaving >= 0 && Math.abs(gapAtr[leaving]) > separationAtr) separated--;
    if (Number.isNaN(g)) continue;
    const a = Math.abs(g);
    const state = a < neutralAtr ? NEUTRAL : gap[t] > 0 ? BULLISH : BEARISH;
    trend.state[t] = state;
    trend.score[t] = state;
    trend.flip[t] = state === NEUTRAL ? neutralAtr - a : a - neutralAtr;
    // The flags compare with the gap convergenceLag sessions back: undefined until it exists.
    if (t < convergenceLag || Number.isNaN(gap[t - convergenceLag])) continue;
    const before = Math.abs(gap[t - convergenceLag]);
    const now = Math.abs(gap[t]);
    trend.converging[t] = now < before ? 1 : 0;
    trend.diverging[t] = now > before ? 1 : 0;
    const setup = separated >= separationMinSessions && a <= convergedAtr && trend.converging[t] === 1;
    // The setup points against the old separation: fast below slow sets up a rise.
    trend.convergenceSetup[t] = setup ? (gap[lastSeparated] < 0 ? BULLISH : BEARISH) : NEUTRAL;
  }
  return trend;
}

/** Layer 2: the L-day move against an ATR threshold, with weekly volume confirmation. */
function momentumLayer(bars: EngineInput['primary'], atr: Float64Array, macro: MacroColumns, P: Profile): Momentum {
  const { high, low, close, volume } = bars;
  const n = close.length;
  const L = P.momentum.lookback;
  const W = P.momentum.volumeWindow;
  const volAvg = sma(volume, P.momentum.volumeAveragePeriod);
  const winHi = rollingMax(high, W);
  const winLo = rollingMin(low, W);
  const m: Momentum = {
    state: undefStates(n),
    score: nan(n),
    flip: nan(n),
    rocShort: roc(close, L),
    rocLong: roc(close, P.momentum.longLookback),
    move: nan(n),
    thresholdBase: nan(n),
    threshold: nan(n),
    confirmed: new Uint8Array(n),
    lowerThirdVolume: nan(n),
    upperThirdVolume: nan(n),
    volumeNeeded: nan(n),
  };
  for (let t = 0; t < n; t++) {
    if (t >= L) m.move[t] = close[t] - close[t - L];
    m.thresholdBase[t] = P.momentum.atrMultiplier * atr[t];
    m.threshold[t] = macro.atrMultiplier[t] * atr[t];
    if (t >= W - 1) {
      const [lower, upper] = volumeThirds(high, low, volume, t - W + 1, t, winLo[t], winHi[t]);
      m.lowerThirdVolume[t] = lower;
      m.upperThirdVolume[t] = upper;
    }
    m.volumeNeeded[t] = (W * volAvg[t]) / 3;
    const move = m.move[t];
    const theta = m.threshold[t];
    const rocLong = m.rocLong[t];
    if (Number.isNaN(move) || Number.isNaN(theta) || Number.isNaN(rocLong)) continue;
    const state = move > theta && rocLong > 0 ? BULLISH : move < -theta && rocLong < 0 ? BEARISH : NEUTRAL;
    m.state[t] = state;
    // Confirmation needs the volume average; before it exists a signal is weak.
    const third = state === BULLISH ? m.lowerThirdVolume[t] : m.upperThirdVolume[t];
    const confirmed = state !== NEUTRAL && third > m.volumeNeeded[t];
    m.confirmed[t] = confirmed ? 1 : 0;
    m.score[t] = state === NEUTRAL ? 0 : state * (confirmed ? 1 : 0.5);
    // Distance in ATR of the L-day move to the threshold it must cross.
    m.flip[t] =
      (state === NEUTRAL ? Math.max(0, Math.min(theta - move, theta + move)) : Math.abs(move) - theta) / atr[t];
  }
  return m;
}

/** Layer 3: breadth from a universe or an external series; unavailable without either. */
function breadthLayer(
  input: EngineInput,
  atr: Float64Array,
  swings: readonly Swing[],
  rocShortMove: Float64Array,
  P: Profile,
): Breadth {
  const close = input.primary.close;
  const n = close.length;
  const b = input.breadth;
  const out: Breadth = {
    state: undefStates(n),
    score: nan(n),
    flip: nan(n),
    available: b !== null,
    source: b ? b.kind : null,
    pct50: nan(n),
    pct200: nan(n),
    d5: nan(n),
    members: null,
    divergenceWarning: new Uint8Array(n),
    washoutRecovery: new Uint8Array(n),
    washoutSupport: nan(n),
    flipAt: nan(n),
  };
  if (!b) return out;
  if (b.kind === 'universe') {
    const pct = universeBreadth(b, n, P.breadth.shortPeriod, P.breadth.longPeriod);
    out.pct50 = pct.pct50;
    out.pct200 = pct.pct200;
    out.members = pct.counted50;
  } else {
    out.pct50 = b.pct50.slice();
    out.pct200 = b.pct200.slice();
    out.members = b.members ?? null;
  }
  const { fullSizeMin, divergenceMax, washout, washoutLookback, washoutSupportAtr, deltaLag } = P.breadth;
  const support = new LevelTracker(swings, P.levels.swingWindow, P.levels.lookback);
  const pct50 = out.pct50;
  let washouts = 0; // sessions in the look-back window with pct50 below the washout line
  for (let t = 0; t < n; t++) {
    const p = pct50[t];
    if (p < washout) washouts++;
    const leaving = t - washoutLookback;
    if (leaving >= 0 && pct50[leaving] < washout) washouts--;
    if (t < deltaLag) continue;
    const prev = pct50[t - deltaLag];
    const d5 = p - prev;
    out.d5[t] = d5;
    if (Number.isNaN(d5)) continue;
    const state = p >= fullSizeMin && d5 >= 0 ? BULLISH : p < fullSizeMin && d5 < 0 ? BEARISH : NEUTRAL;
    out.state[t] = state;
    out.score[t] = state;
    out.flipAt[t] = breadthFlipAt(p, prev, fullSizeMin, state);
    out.flip[t] = Math.abs(p - out.flipAt[t]);
    // Rallying: the primary is above its close L sessions ago (the momentum move > 0).
    if (rocShortMove[t] > 0 && p < divergenceMax) out.divergenceWarning[t] = 1;
    if (washouts > 0 && d5 > 0 && !Number.isNaN(atr[t])) {
      support.advance(t);
      const level = support.nearestSupport(close[t], P.levels.clusterAtr * atr[t]);
      out.washoutSupport[t] = level;
      if (close[t] - level <= washoutSupportAtr * atr[t]) out.washoutRecovery[t] = 1;
    }
  }
  return out;
}

/** Layer 4: ROC spread against the benchmark. */
function rsLayer(close: Float64Array, bClose: Float64Array, P: Profile): Rs {
  const n = close.length;
  const rocP = roc(close, P.rs.period);
  const rocB = roc(bClose, P.rs.period);
  const rs: Rs = {
    state: undefStates(n),
    score: nan(n),
    flip: nan(n),
    spread: nan(n),
    benchmarkRoc: rocB,
    broadAdvance: new Uint8Array(n),
    confirmation: new Uint8Array(n),
    deteriorationWarning: new Uint8Array(n),
  };
  const band = P.rs.neutralBand;
  for (let t = 0; t < n; t++) {
    const s = rocP[t] - rocB[t];
    rs.spread[t] = s;
    if (Number.isNaN(s)) continue;
    const state = s > band ? BULLISH : s < -band ? BEARISH : NEUTRAL;
    const broad = rocB[t] > 0;
    rs.state[t] = state;
    rs.score[t] = state;
    rs.broadAdvance[t] = broad ? 1 : 0;
    rs.confirmation[t] = state === BULLISH && broad ? 1 : 0;
    rs.deteriorationWarning[t] = state === BEARISH && broad ? 1 : 0;
    rs.flip[t] = state === NEUTRAL ? band - Math.abs(s) : Math.abs(s) - band;
  }
  return rs;
}

/** Weighted score over the available layers against the (overlay-adjusted) threshold. */
function compositeOf(
  layers: { score: Float64Array; weight: number }[],
  macro: MacroColumns,
  P: Profile,
  n: number,
): History['composite'] {
  const weightSum = layers.reduce((s, l) => s + l.weight, 0);
  const composite: History['composite'] = {
    score: nan(n),
    thresholdBase: new Float64Array(n).fill(P.composite.ratio * weightSum),
    threshold: nan(n),
    rating: undefStates(n),
  };
  for (let t = 0; t < n; t++) {
    const k = macro.compositeRatio[t] * weightSum;
    composite.threshold[t] = k;
    let score = 0;
    let defined = true;
    for (const l of layers) {
      const s = l.score[t];
      if (Number.isNaN(s)) {
        defined = false;
        break;
      }
      score += l.weight * s;
    }
    if (!defined) continue;
    composite.score[t] = score;
    composite.rating[t] = score >= k ? BULLISH : score <= -k ? BEARISH : NEUTRAL;
  }
  return composite;
}

/** IWM/SPY ratio against its SMA and its recent band. */
function rotationOf(close: Float64Array, bClose: Float64Array, P: Profile): History['rotation'] {
  const n = close.length;
  const R = P.rotation;
  const ratio = nan(n);
  for (let t = 0; t < n; t++) ratio[t] = close[t] / bClose[t];
  const ratioSma = sma(ratio, R.smaPeriod);
  const bandHi = rollingMax(ratio, R.bandLookback);
  const bandLo = rollingMin(ratio, R.bandLookback);
  const bandMean = sma(ratio, R.bandLookback);
  const rotation: History['rotation'] = { ratio, ratioSma, bandPct: nan(n), state: undefStates(n) };
  for (let t = 0; t < n; t++) {
    const band = ((bandHi[t] - bandLo[t]) / bandMean[t]) * 100;
    rotation.bandPct[t] = band;
    if (t < R.slopeLag) continue;
    const m = ratioSma[t];
    const mPrev = ratioSma[t - R.slopeLag];
    if (Number.isNaN(band) || Number.isNaN(m) || Number.isNaN(mPrev)) continue;
    rotation.state[t] =
      band <= R.bandPct ? PARITY : ratio[t] > m && m > mPrev ? LEADERSHIP : ratio[t] < m && m < mPrev ? FLIGHT : PARITY;
  }
  return rotation;
}

/** Position size from the composite, breadth confirmation, rotation and credit. */
function sizingOf(
  composite: History['composite'],
  rotation: History['rotation'],
  breadth: Breadth,
  credit: CreditColumns,
  P: Profile,
): Float64Array {
  const n = composite.rating.length;
  const creditOn = P.credit.enabled && credit.available;
  const fraction = nan(n);
  for (let t = 0; t < n; t++) {
    const rating = composite.rating[t];
    if (rating === UNDEF) continue;
    if (rating !== BULLISH) {
      fraction[t] = 0;
      continue;
    }
    const rot = rotation.state[t];
    if (rot === UNDEF) continue;
    const confirms = breadth.available && breadth.state[t] === BULLISH && breadth.divergenceWarning[t] === 0;
    const base = confirms && rot === LEADERSHIP ? 1 : 0.5;
    const size = rot === FLIGHT ? base / 2 : base;
    // Credit stress halves it again; an undefined credit state changes nothing.
    fraction[t] = creditOn && credit.state[t] === STRESS ? size / 2 : size;
  }
  return fraction;
}

/** Computes every layer, the composite, rotation, sizing and overlay for all sessions. */
export function computeHistory(input: EngineInput, profile: Profile): History {
  checkInput(input);
  const P = profile;
  const { dates, open, high, low, close, volume } = input.primary;
  const bClose = input.benchmarkClose;
  const n = dates.length;
  const atr = atrOf(high, low, close, P.atrPeriod);
  const events = mergeEvents(input.events, P.macro.customEvents);
  const macro = macroColumns(dates, events, P);
  const coverage = coverageColumns(dates, calendarCoverage(input.events));
  const swings = findSwings(high, low, P.levels.swingWindow);

  const trend = trendLayer(close, atr, P);
  const momentum = momentumLayer(input.primary, atr, macro, P);
  const breadth = breadthLayer(input, atr, swings, momentum.move, P);
  const rs = rsLayer(close, bClose, P);
  const w = P.composite.weights;
  const weighted = [
    { score: trend.score, weight: w.trend, available: true },
    { score: momentum.score, weight: w.momentum, available: true },
    { score: breadth.score, weight: w.breadth, available: breadth.available },
    { score: rs.score, weight: w.rs, available: true },
  ].filter((l) => l.available && l.weight > 0);
  const composite = compositeOf(weighted, macro, P, n);
  const rotation = rotationOf(close, bClose, P);
  const closes = input.closes ?? {};
  const credit = creditColumns(n, closes[P.credit.highYield], closes[P.credit.treasury], P.credit);
  const sizing = { fraction: sizingOf(composite, rotation, breadth, credit, P) };

  return {
    profile: P,
    events,
    calendarEvents: input.events.length,
    length: n,
    dates,
    open,
    high,
    low,
    close,
    volume,
    benchmarkClose: bClose,
    atr,
    trend,
    momentum,
    breadth,
    rs,
    composite,
    rotation,
    credit,
    sizing,
    macro,
    coverage,
    swings,
  };
}

/**
 * Volume of sessions [from, to] that falls in the lower and upper thirds of their
 * combined range [lo, hi]. Each session's volume is spread evenly over its own
 * [low, high]; a session with high = low puts all of it at that one price.
 */
export function volumeThirds(
  high: Float64Array,
  low: Float64Array,
  volume: Float64Array,
  from: number,
  to: number,
  lo: number,
  hi: number,
): [number, number] {
  const third = (hi - lo) / 3;
  const lowerTop = lo + third;
  const upperBottom = hi - third;
  let lower = 0;
  let upper = 0;
  for (let j = from; j <= to; j++) {
    const h = high[j];
    const l = low[j];
    const v = volume[j];
    if (h === l) {
      if (l <= lowerTop) lower += v;
      if (l >= upperBottom) upper += v;
      continue;
    }
    const span = h - l;
    lower += (v * Math.max(0, Math.min(h, lowerTop) - l)) / span;
    upper += (v * Math.max(0, h - Math.max(l, upperBottom))) / span;
  }
  return [lower, upper];
}

/**
 * The pct50 value at which breadth would change state today, given pct50 `lag`
 * sessions ago (`prev`): the boundary nearest to the current value.
 * Bullish needs p >= max(min, prev); bearish needs p < min(min, prev).
 */
export function breadthFlipAt(p: number, prev: number, min: number, state: number): number {
  if (state === BULLISH) return Math.max(min, prev);
  if (state === BEARISH) return Math.min(min, prev);
  // Neutral: either p >= min with p < prev (bullish at prev, bearish below min),
  // or p < min with p >= prev (bullish at min, bearish below prev).
  const a = p >= min ? prev : min;
  const c = p >= min ? min : prev;
  return Math.abs(a - p) <= Math.abs(p - c) ? a : c;
}
