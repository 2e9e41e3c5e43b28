/**
 * The signal engine: every layer of docs/SIGNALS.md for the whole history at once.
 *
 * Input and output are typed arrays indexed by session (output index = input index);
 * a value whose look-back is not available is NaN, a state that cannot be decided is
 * UNDEF. A reading for one date is a slice of this history (see reading.ts), never a
 * separate computation, so Excel, the API, the debrief and the backtest agree.
 */
import { universeBreadth } from './breadth';
import { atr as atrOf, ema, roc, rollingMax, rollingMin, sma } from './indicators';
import { SupportTracker, findSwings, type Swing } from './levels';
import { macroColumns, type MacroColumns } from './macro';
import type { Profile } from './profile';
import type { EngineInput, MacroEvent } from './types';

/** State codes stored in Int8Arrays. */
export const BEARISH = -1;
export const NEUTRAL = 0;
export const BULLISH = 1;
/** The state cannot be decided yet (look-back not available). */
export const UNDEF = -128;

/** Rotation state codes. */
export const FLIGHT = -1;
export const PARITY = 0;
export const LEADERSHIP = 1;

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
  events: readonly MacroEvent[];
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
    converging: Uint8Array;
    diverging: Uint8Array;
    /** BULLISH / BEARISH setup, NEUTRAL for none, UNDEF before gapAtr exists. */
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
  sizing: { fraction: Float64Array };
  macro: MacroColumns;
  swings: Swing[];
}

function layerColumns(n: number): LayerColumns {
  return { state: new Int8Array(n).fill(UNDEF), score: new Float64Array(n).fill(NaN), flip: new Float64Array(n).fill(NaN) };
}

const nan = (n: number) => new Float64Array(n).fill(NaN);

function checkInput(input: EngineInput): void {
  const p = input.primary;
  const n = p.dates.length;
  const cols = { open: p.open, high: p.high, low: p.low, close: p.close, volume: p.volume, benchmarkClose: input.benchmarkClose };
  for (const [name, col] of Object.entries(cols)) {
    if (col.length !== n) throw new RangeError(`engine input: ${name} has ${col.length} values for ${n} dates`);
  }
  for (let t = 1; t < n; t++) {
    if (!(p.dates[t] > p.dates[t - 1])) throw new RangeError(`engine input: dates must rise strictly (index ${t})`);
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

/** Computes every layer, the composite, rotation, sizing and overlay for all sessions. */
export function computeHistory(input: EngineInput, profile: Profile): History {
  checkInput(input);
  const { dates, open, high, low, close, volume } = input.primary;
  const bClose = input.benchmarkClose;
  const n = dates.length;
  const P = profile;

  const atr = atrOf(high, low, close, P.atrPeriod);
  const macro = macroColumns(dates, input.events, P);

  // ---- Layer 1: trend -------------------------------------------------------------
  const fast = ema(close, P.trend.fastPeriod);
  const slow = ema(close, P.trend.slowPeriod);
  const gap = nan(n);
  const gapAtr = nan(n);
  for (let t = 0; t < n; t++) {
    gap[t] = fast[t] - slow[t];
    gapAtr[t] = gap[t] / atr[t];
  }
  const trend = {
    ...layerColumns(n),
    fast,
    slow,
    gap,
    gapAtr,
    converging: new Uint8Array(n),
    diverging: new Uint8Array(n),
    convergenceSetup: new Int8Array(n).fill(UNDEF),
  };
  {
    const { neutralAtr, convergenceLag, separationAtr, separationLookback, separationMinSessions, convergedAtr } = P.trend;
    let separated = 0; // sessions in the look-back window with |gapAtr| > separationAtr
    let lastSeparated = -1; // most recent such session
    for (let t = 0; t < n; t++) {
      const g = gapAtr[t];
      const isSep = Math.abs(g) > separationAtr;
      if (isSep) {
        separated++;
        lastSeparated = t;
      }
      const leaving = t - separationLookback;
      if (leaving >= 0 && Math.abs(gapAtr[leaving]) > separationAtr) separated--;
      if (Number.isNaN(g)) continue;
      const a = Math.abs(g);
      trend.state[t] = a < neutralAtr ? NEUTRAL : gap[t] > 0 ? BULLISH : BEARISH;
      trend.score[t] = trend.state[t];
      trend.flip[t] = trend.state[t] === NEUTRAL ? neutralAtr - a : a - neutralAtr;
      if (t >= convergenceLag) {
        const before = Math.abs(gap[t - convergenceLag]);
        const now = Math.abs(gap[t]);
        trend.converging[t] = now < before ? 1 : 0;
        trend.diverging[t] = now > before ? 1 : 0;
      }
      const setup = separated >= separationMinSessions && a <= convergedAtr && trend.converging[t] === 1;
      // The setup points against the old separation: fast below slow sets up a rise.
      trend.convergenceSetup[t] = setup ? (gap[lastSeparated] < 0 ? BULLISH : BEARISH) : NEUTRAL;
    }
  }

  // ---- Layer 2: momentum ----------------------------------------------------------
  const L = P.momentum.lookback;
  const W = P.momentum.volumeWindow;
  const volAvg = sma(volume, P.momentum.volumeAveragePeriod);
  const winHi = rollingMax(high, W);
  const winLo = rollingMin(low, W);
  const momentum = {
    ...layerColumns(n),
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
    if (t >= L) momentum.move[t] = close[t] - close[t - L];
    momentum.thresholdBase[t] = P.momentum.atrMultiplier * atr[t];
    momentum.threshold[t] = macro.atrMultiplier[t] * atr[t];
    if (t >= W - 1) {
      const [lower, upper] = volumeThirds(high, low, volume, t - W + 1, t, winLo[t], winHi[t]);
      momentum.lowerThirdVolume[t] = lower;
      momentum.upperThirdVolume[t] = upper;
    }
    momentum.volumeNeeded[t] = (W * volAvg[t]) / 3;
    const move = momentum.move[t];
    const theta = momentum.threshold[t];
    const rocLong = momentum.rocLong[t];
    if (Number.isNaN(move) || Number.isNaN(theta) || Number.isNaN(rocLong)) continue;
    const state = move > theta && rocLong > 0 ? BULLISH : move < -theta && rocLong < 0 ? BEARISH : NEUTRAL;
    momentum.state[t] = state;
    // Volume confirmation needs its own 20-day average; before it exists a signal is weak.
    const third = state === BULLISH ? momentum.lowerThirdVolume[t] : momentum.upperThirdVolume[t];
    const confirmed = state !== NEUTRAL && third > momentum.volumeNeeded[t];
    momentum.confirmed[t] = confirmed ? 1 : 0;
    momentum.score[t] = state === NEUTRAL ? 0 : state * (confirmed ? 1 : 0.5);
    // Distance in ATR of the L-day move to the threshold it must cross.
    momentum.flip[t] =
      (state === NEUTRAL ? Math.max(0, Math.min(theta - move, theta + move)) : Math.abs(move) - theta) / atr[t];
  }

  // ---- Layer 3: breadth -----------------------------------------------------------
  const b = input.breadth;
  const breadth = {
    ...layerColumns(n),
    available: b !== null,
    source: b ? b.kind : null,
    pct50: nan(n) as Float64Array,
    pct200: nan(n) as Float64Array,
    d5: nan(n),
    members: null as Int32Array | null,
    divergenceWarning: new Uint8Array(n),
    washoutRecovery: new Uint8Array(n),
    washoutSupport: nan(n),
    flipAt: nan(n),
  };
  const swings = findSwings(high, low, P.levels.swingWindow);
  if (b) {
    if (b.kind === 'universe') {
      const pct = universeBreadth(b, n, P.breadth.shortPeriod, P.breadth.longPeriod);
      breadth.pct50 = pct.pct50;
      breadth.pct200 = pct.pct200;
      breadth.members = pct.counted50;
    } else {
      breadth.pct50 = b.pct50.slice();
      breadth.pct200 = b.pct200.slice();
    }
    const { fullSizeMin, divergenceMax, washout, washoutLookback, washoutSupportAtr, deltaLag } = P.breadth;
    const support = new SupportTracker(swings, P.levels.swingWindow);
    let washouts = 0; // sessions in the look-back window with pct50 below the washout line
    for (let t = 0; t < n; t++) {
      const p = breadth.pct50[t];
      if (p < washout) washouts++;
      const leaving = t - washoutLookback;
      if (leaving >= 0 && breadth.pct50[leaving] < washout) washouts--;
      if (t < deltaLag) continue;
      const prev = breadth.pct50[t - deltaLag];
      const d5 = p - prev;
      breadth.d5[t] = d5;
      if (Number.isNaN(d5)) continue;
      const state = p >= fullSizeMin && d5 >= 0 ? BULLISH : p < fullSizeMin && d5 < 0 ? BEARISH : NEUTRAL;
      breadth.state[t] = state;
      breadth.score[t] = state;
      breadth.flipAt[t] = breadthFlipAt(p, prev, fullSizeMin, state);
      breadth.flip[t] = Math.abs(p - breadth.flipAt[t]);
      if (t >= L && close[t] > close[t - L] && p < divergenceMax) breadth.divergenceWarning[t] = 1;
      if (washouts > 0 && d5 > 0 && !Number.isNaN(atr[t])) {
        support.advance(t);
        const level = support.nearestSupport(close[t], P.levels.clusterAtr * atr[t]);
        breadth.washoutSupport[t] = level;
        if (close[t] - level <= washoutSupportAtr * atr[t]) breadth.washoutRecovery[t] = 1;
      }
    }
  }

  // ---- Layer 4: relative strength -------------------------------------------------
  const rocP = roc(close, P.rs.period);
  const rocB = roc(bClose, P.rs.period);
  const rs = {
    ...layerColumns(n),
    spread: nan(n),
    benchmarkRoc: rocB,
    broadAdvance: new Uint8Array(n),
    confirmation: new Uint8Array(n),
    deteriorationWarning: new Uint8Array(n),
  };
  {
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
  }

  // ---- Composite --------------------------------------------------------------------
  const w = P.composite.weights;
  const layerList = [
    { cols: trend, weight: w.trend, available: true },
    { cols: momentum, weight: w.momentum, available: true },
    { cols: breadth, weight: w.breadth, available: breadth.available },
    { cols: rs, weight: w.rs, available: true },
  ].filter((l) => l.available && l.weight > 0);
  const weightSum = layerList.reduce((s, l) => s + l.weight, 0);
  const composite = {
    score: nan(n),
    thresholdBase: new Float64Array(n).fill(P.composite.ratio * weightSum),
    threshold: nan(n),
    rating: new Int8Array(n).fill(UNDEF),
  };
  for (let t = 0; t < n; t++) {
    composite.threshold[t] = macro.compositeRatio[t] * weightSum;
    let score = 0;
    let defined = true;
    for (const l of layerList) {
      const s = l.cols.score[t];
      if (Number.isNaN(s)) {
        defined = false;
        break;
      }
      score += l.weight * s;
    }
    if (!defined) continue;
    const k = composite.threshold[t];
    composite.score[t] = score;
    composite.rating[t] = score >= k ? BULLISH : score <= -k ? BEARISH : NEUTRAL;
  }

  // ---- Rotation -----------------------------------------------------------------------
  const ratio = nan(n);
  for (let t = 0; t < n; t++) ratio[t] = close[t] / bClose[t];
  const R = P.rotation;
  const ratioSma = sma(ratio, R.smaPeriod);
  const bandHi = rollingMax(ratio, R.bandLookback);
  const bandLo = rollingMin(ratio, R.bandLookback);
  const bandMean = sma(ratio, R.bandLookback);
  const rotation = { ratio, ratioSma, bandPct: nan(n), state: new Int8Array(n).fill(UNDEF) };
  for (let t = 0; t < n; t++) {
    const band = ((bandHi[t] - bandLo[t]) / bandMean[t]) * 100;
    rotation.bandPct[t] = band;
    if (t < R.slopeLag) continue;
    const m = ratioSma[t];
    const mPrev = ratioSma[t - R.slopeLag];
    if (Number.isNaN(band) || Number.isNaN(m) || Number.isNaN(mPrev)) continue;
    rotation.state[t] =
      band <= R.bandPct
        ? PARITY
        : ratio[t] > m && m > mPrev
          ? LEADERSHIP
          : ratio[t] < m && m < mPrev
            ? FLIGHT
            : PARITY;
  }

  // ---- Sizing -------------------------------------------------------------------------
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
    fraction[t] = rot === FLIGHT ? base / 2 : base;
  }

  return {
    profile: P,
    events: input.events,
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
    sizing: { fraction },
    macro,
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
