/**
 * The four layers, the composite, rotation, sizing and the macro overlay of
 * docs/SIGNALS.md on small hand-built inputs. Every expected value is worked out by
 * hand (comments show the arithmetic) or from the SIGNALS.md formula written out in
 * this file / build.ts, never with the engine's own helpers.
 *
 * Choices where SIGNALS.md is open, tested as written:
 *  - a layer state is undefined (null) until its inputs exist; the composite is
 *    undefined until every available weighted layer is defined;
 *  - breadth without data is 'unavailable' and the composite threshold uses only the
 *    available weights (3 x 0.5 = 1.5);
 *  - convergenceSetup points against the gap of the most recent separated session of
 *    the look-back window;
 *  - volume thirds include their boundaries for a point-mass session (h = l);
 *  - breadth flipAt is the nearest boundary (ties go to the bullish boundary);
 *  - macro: an event maps to the session on or after its date, windows
 *    [pos-before, pos+after], earnings season [date..end], an 'after' phase for
 *    relaxSessions after a window (a window wins over an after), thresholds change only
 *    when the overlay is enabled, dates past the last bar extend the calendar by NYSE
 *    sessions (weekends and exchange holidays skipped).
 */
import { computeHistory, type History } from '../../api/src/engine/engine';
import { fieldValue, type FieldValue } from '../../api/src/engine/fields';
import { readingAt } from '../../api/src/engine/reading';
import { PRESETS, resolveProfile, type Profile } from '../../api/src/engine/profile';
import type { BreadthInput, MacroEvent } from '../../api/src/engine/types';
import { formatDay, isoDay } from '../../api/src/engine/dates';
import { eventWindow, positionDay, sessionPosition } from '../../api/src/engine/macro';
import {
  breadthSeries,
  buildInput,
  mismatches,
  randomWalk,
  refAtr,
  refEma,
  refRoc,
  refSma,
  repeat,
  sessionIso,
  steps,
  trBars,
  universe,
  type BuildSpec,
} from './build';

const IWM = PRESETS.iwm;

const run = (spec: BuildSpec, profile: Profile = IWM): History => computeHistory(buildInput(spec), profile);
const f = (h: History, name: string, t: number): FieldValue => fieldValue(h, name, t);
const column = (h: History, name: string): FieldValue[] => Array.from({ length: h.length }, (_, t) => f(h, name, t));
const last = (h: History) => h.length - 1;
const stateName = (s: number): string => (s > 0 ? 'bullish' : s < 0 ? 'bearish' : 'neutral');

// =====================================================================================
// Layer 1: trend
// =====================================================================================

describe('trend', () => {
  // EMA3 (a = 1/2) and EMA7 (a = 1/4) keep every value dyadic, so gaps are exact.
  const P = resolveProfile({ trend: { fastPeriod: 3, slowPeriod: 7 } });

  /** 15 flat sessions at 100 (range 4, so TR = ATR = 4), then one bar closing at `c`. */
  function jump(c: number): History {
    const close = [...repeat(100, 15), c];
    const high = [...repeat(102, 15), Math.max(100, c)];
    const low = [...repeat(98, 15), Math.min(100, c)];
    // Last bar spans from the previous close 100 to c, padded to a range of 4.
    const pad = (4 - Math.abs(c - 100)) / 2;
    high[15] += pad;
    low[15] -= pad;
    return run({ close, high, low }, P);
  }

  test('state is undefined until both EMAs and the ATR exist', () => {
    const h = jump(104);
    // EMA7 exists from t = 6, ATR(14) from t = 14.
    expect(f(h, 'trend.fast', 1)).toBeNull();
    expect(f(h, 'trend.fast', 2)).toBe(100);
    expect(f(h, 'trend.slow', 6)).toBe(100);
    expect(f(h, 'trend.gapAtr', 13)).toBeNull();
    expect(f(h, 'trend.state', 13)).toBeNull();
    expect(f(h, 'trend.converging', 13)).toBeNull();
    expect(f(h, 'trend.convergenceSetup', 13)).toBeNull();
    expect(f(h, 'atr', 14)).toBe(4);
    expect(f(h, 'trend.gap', 14)).toBe(0);
    expect(f(h, 'trend.state', 14)).toBe('neutral');
    expect(f(h, 'trend.convergenceSetup', 14)).toBe('none');
  });

  test('exactly 0.25 ATR is bullish / bearish, just inside is neutral', () => {
    // Close 104: fast = 104/2 + 100/2 = 102, slow = 104/4 + 3*100/4 = 101, gap = 1,
    // ATR = 4 (TR = 4 on every bar), gapAtr = 0.25: not < 0.25, so bullish.
    const up = jump(104);
    expect(f(up, 'atr', 15)).toBe(4);
    expect([f(up, 'trend.fast', 15), f(up, 'trend.slow', 15), f(up, 'trend.gap', 15)]).toEqual([102, 101, 1]);
    expect(f(up, 'trend.gapAtr', 15)).toBe(0.25);
    expect(f(up, 'trend.state', 15)).toBe('bullish');
    expect(f(up, 'trend.score', 15)).toBe(1);
    // Close 96: gap = -1, gapAtr = -0.25: bearish.
    const down = jump(96);
    expect(f(down, 'trend.gapAtr', 15)).toBe(-0.25);
    expect(f(down, 'trend.state', 15)).toBe('bearish');
    expect(f(down, 'trend.score', 15)).toBe(-1);
    // Close 103.5: gap = 103.5/2 + 50 - (103.5/4 + 75) = 0.875, gapAtr = 0.21875: neutral.
    const inside = jump(103.5);
    expect(f(inside, 'trend.gapAtr', 15)).toBe(0.21875);
    expect(f(inside, 'trend.state', 15)).toBe('neutral');
    expect(f(inside, 'trend.score', 15)).toBe(0);
    const insideDown = jump(96.5);
    expect(f(insideDown, 'trend.gapAtr', 15)).toBe(-0.21875);
    expect(f(insideDown, 'trend.state', 15)).toBe('neutral');
  });

  test('converging / diverging compare |gap| with 5 sessions earlier', () => {
    // 15 sessions at 100, one at 104, then flat at 104 (range 4: TR stays 4).
    const close = [...repeat(100, 15), ...repeat(104, 8)];
    const b = trBars(close, 4);
    const h = run({ close, high: b.high, low: b.low }, P);
    // gap by hand: t15 1; t16 fast 103, slow 101.75 -> 1.25; t17 103.5 - 102.3125 =
    // 1.1875; t18 103.75 - 102.734375 = 1.015625; t19 103.875 - 103.05078125 =
    // 0.82421875; t20 103.9375 - 103.2880859375 = 0.6494140625;
    // t21 103.96875 - 103.466064453125 = 0.502685546875.
    const gaps = [1, 1.25, 1.1875, 1.015625, 0.82421875, 0.6494140625, 0.502685546875];
    gaps.forEach((g, k) => expect(f(h, 'trend.gap', 15 + k)).toBe(g));
    // t14: |0| vs |gap9| = 0: neither.
    expect([f(h, 'trend.converging', 14), f(h, 'trend.diverging', 14)]).toEqual([false, false]);
    // t15..t19 against zero gaps: diverging.
    for (let t = 15; t <= 19; t++)
      expect([t, f(h, 'trend.converging', t), f(h, 'trend.diverging', t)]).toEqual([t, false, true]);
    // t20: 0.649 < |gap15| = 1; t21: 0.503 < 1.25: converging.
    for (const t of [20, 21])
      expect([t, f(h, 'trend.converging', t), f(h, 'trend.diverging', t)]).toEqual([t, true, false]);
  });

  test('converging / diverging are null, not false, until the gap convergenceLag sessions back exists', () => {
    // Default profile: the slow EMA63 (and so the gap) starts at t = 62, the ATR at 14;
    // the flags compare |gap[t]| with |gap[t-5]|, which first exists at t = 67.
    const close = randomWalk(90, 3);
    const h = run({ close, range: 2 });
    expect(f(h, 'trend.gap', 61)).toBeNull();
    expect(f(h, 'trend.gap', 62)).not.toBeNull();
    for (let t = 62; t <= 66; t++) {
      expect([t, f(h, 'trend.state', t)]).toEqual([t, expect.any(String)]);
      expect([t, f(h, 'trend.converging', t), f(h, 'trend.diverging', t)]).toEqual([t, null, null]);
      expect([t, f(h, 'trend.convergenceSetup', t)]).toEqual([t, null]);
    }
    // From t = 67 on, exactly one of the two holds (a random walk never repeats |gap|).
    for (let t = 67; t < 90; t++) {
      const pair = [f(h, 'trend.converging', t), f(h, 'trend.diverging', t)];
      expect([t, pair.filter((x) => x === true).length, pair.includes(null)]).toEqual([t, 1, false]);
    }
    const reading = readingAt(h, 64);
    expect(reading.trend).toMatchObject({ converging: null, diverging: null, convergenceSetup: null });
  });

  /** The trend layer straight from SIGNALS.md, for whole-column comparisons. */
  function refTrend(close: number[], high: number[], low: number[], p: Profile) {
    const T = p.trend;
    const fast = refEma(close, T.fastPeriod);
    const slow = refEma(close, T.slowPeriod);
    const atr = refAtr(high, low, close, p.atrPeriod);
    const gap = close.map((_, t) => fast[t] - slow[t]);
    const gapAtr = gap.map((g, t) => g / atr[t]);
    const state: (string | null)[] = [];
    const setup: (string | null)[] = [];
    const converging: (boolean | null)[] = [];
    for (let t = 0; t < close.length; t++) {
      if (Number.isNaN(gapAtr[t])) {
        state.push(null);
        setup.push(null);
        converging.push(null);
        continue;
      }
      state.push(Math.abs(gapAtr[t]) < T.neutralAtr ? 'neutral' : gap[t] > 0 ? 'bullish' : 'bearish');
      // Converging compares with the gap convergenceLag sessions back: undefined until it exists,
      // and so is the setup that needs it.
      if (t < T.convergenceLag || Number.isNaN(gap[t - T.convergenceLag])) {
        converging.push(null);
        setup.push(null);
        continue;
      }
      const conv = Math.abs(gap[t]) < Math.abs(gap[t - T.convergenceLag]);
      converging.push(conv);
      let count = 0;
      let lastSep = -1;
      for (let j = Math.max(0, t - T.separationLookback + 1); j <= t; j++) {
        if (Math.abs(gapAtr[j]) > T.separationAtr) {
          count++;
          lastSep = j;
        }
      }
      const on = count >= T.separationMinSessions && Math.abs(gapAtr[t]) <= T.convergedAtr && conv;
      setup.push(on ? (gap[lastSep] < 0 ? 'bullish' : 'bearish') : 'none');
    }
    return { fast, slow, gap, gapAtr, state, setup, converging };
  }

  test('default profile agrees with the SIGNALS.md formulas on a random walk', () => {
    const close = randomWalk(260, 7);
    const high = close.map((c, t) => c * (1 + 0.004 + 0.003 * Math.sin(t)));
    const low = close.map((c, t) => c * (1 - 0.004 - 0.003 * Math.cos(t)));
    const h = run({ close, high, low });
    const ref = refTrend(close, high, low, IWM);
    expect(mismatches(h.trend.fast, ref.fast)).toEqual([]);
    expect(mismatches(h.trend.slow, ref.slow)).toEqual([]);
    expect(mismatches(h.trend.gapAtr, ref.gapAtr)).toEqual([]);
    expect(column(h, 'trend.state')).toEqual(ref.state);
    expect(column(h, 'trend.converging')).toEqual(ref.converging);
    expect(column(h, 'trend.convergenceSetup')).toEqual(ref.setup);
    // The first defined state is at t = 62 (EMA63).
    expect(f(h, 'trend.state', 61)).toBeNull();
    expect(f(h, 'trend.state', 62)).not.toBeNull();
  });

  // Convergence setups with the default profile: bars of true range exactly 2 (ATR = 2).
  const flatDownUp = [...repeat(200, 70), ...steps(200, -1, 50), ...steps(150, 1, 60)];

  function setupRun(close: number[], p: Profile = IWM) {
    const b = trBars(close, 2);
    return { h: run({ close, high: b.high, low: b.low }, p), ref: refTrend(close, b.high, b.low, p) };
  }

  test('convergenceSetup bullish after a prolonged separation below, then convergence', () => {
    const { h, ref } = setupRun(flatDownUp);
    expect(column(h, 'trend.convergenceSetup')).toEqual(ref.setup);
    const fired = ref.setup.flatMap((s, t) => (s === 'bullish' ? [t] : []));
    // 50 sessions down (fast well below slow: gapAtr < -2 on 57 of the last 63), then
    // 60 up: the gap closes to within 0.5 ATR while shrinking at t = 147..149.
    expect(fired).toEqual([147, 148, 149]);
    expect(ref.setup.includes('bearish')).toBe(false);
    for (const t of fired) {
      expect(Math.abs(f(h, 'trend.gapAtr', t) as number)).toBeLessThanOrEqual(0.5);
      expect(f(h, 'trend.converging', t)).toBe(true);
    }
    expect(f(h, 'trend.convergenceSetup', 146)).toBe('none');
    expect(f(h, 'trend.convergenceSetup', 150)).toBe('none');
  });

  test('convergenceSetup bearish after a prolonged separation above (mirror image)', () => {
    const { h, ref } = setupRun(flatDownUp.map((c) => 400 - c));
    expect(column(h, 'trend.convergenceSetup')).toEqual(ref.setup);
    const fired = ref.setup.flatMap((s, t) => (s === 'bearish' ? [t] : []));
    expect(fired).toEqual([147, 148, 149]);
    expect(ref.setup.includes('bullish')).toBe(false);
  });

  test('the separation must be prolonged: separationMinSessions counts sessions in the window', () => {
    // At t = 147, 57 of the last 63 sessions had |gapAtr| > 2 (t = 148: 56, t = 149: 55).
    const at57 = setupRun(flatDownUp, resolveProfile({ trend: { separationMinSessions: 57 } }));
    expect([147, 148, 149].map((t) => f(at57.h, 'trend.convergenceSetup', t))).toEqual(['bullish', 'none', 'none']);
    const at58 = setupRun(flatDownUp, resolveProfile({ trend: { separationMinSessions: 58 } }));
    expect([147, 148, 149].map((t) => f(at58.h, 'trend.convergenceSetup', t))).toEqual(['none', 'none', 'none']);
  });

  test('direction follows the most recent separated session, not the majority', () => {
    // 25 up (fast above slow, gapAtr > 2 on 21 sessions), 20 sharply down (below: 11
    // sessions), then 60 up. At t = 129 both signs are in the window; the latest
    // separation was below, so the setup is bullish.
    const close = [...repeat(300, 70), ...steps(300, 1, 25), ...steps(325, -2, 20), ...steps(285, 2, 60)];
    const { h, ref } = setupRun(close);
    expect(column(h, 'trend.convergenceSetup')).toEqual(ref.setup);
    let pos = 0;
    let neg = 0;
    for (let j = 129 - 62; j <= 129; j++) {
      if (Math.abs(ref.gapAtr[j]) > 2) {
        if (ref.gap[j] > 0) pos++;
        else neg++;
      }
    }
    expect({ pos, neg }).toEqual({ pos: 21, neg: 11 });
    expect(f(h, 'trend.convergenceSetup', 129)).toBe('bullish');
  });
});

// =====================================================================================
// Layer 2: momentum
// =====================================================================================

describe('momentum', () => {
  // Range 2 around the close and steps of at most 1: TR = ATR = 2, theta = 1.5 x 2 = 3.
  const rise = (to: number) => [...repeat(100, 21), 100.5, 101, 101.5, 102, 102.5, 103, 103, 103, 103, to];
  const mirror = (c: number[]) => c.map((x) => 200 - x);

  test('undefined until ROC(21) and the ATR exist', () => {
    const h = run({ close: rise(103.25) });
    expect(f(h, 'momentum.rocShort', 9)).toBeNull();
    expect(f(h, 'momentum.rocShort', 10)).toBe(0);
    expect(f(h, 'momentum.rocLong', 20)).toBeNull();
    expect(f(h, 'momentum.state', 20)).toBeNull();
    expect(f(h, 'momentum.confirmed', 20)).toBeNull();
    expect(f(h, 'momentum.score', 20)).toBeNull();
    expect(f(h, 'momentum.state', 21)).toBe('neutral');
    expect(f(h, 'momentum.score', 21)).toBe(0);
  });

  test('bullish needs move > theta (strictly) and rocLong > 0', () => {
    const at = run({ close: rise(103) });
    expect([f(at, 'atr', 30), f(at, 'momentum.threshold', 30), f(at, 'momentum.move', 30)]).toEqual([2, 3, 3]);
    expect(f(at, 'momentum.state', 30)).toBe('neutral');
    const above = run({ close: rise(103.25) });
    expect(f(above, 'momentum.move', 30)).toBe(3.25);
    expect(f(above, 'momentum.rocShort', 30)).toBeCloseTo(3.25, 10); // 103.25 / 100 - 1
    expect(f(above, 'momentum.rocLong', 30)).toBeCloseTo(3.25, 10); // c[9] = 100
    expect(f(above, 'momentum.state', 30)).toBe('bullish');
  });

  test('bearish needs move < -theta (strictly) and rocLong < 0', () => {
    expect(f(run({ close: mirror(rise(103)) }), 'momentum.state', 30)).toBe('neutral');
    const below = run({ close: mirror(rise(103.25)) });
    expect(f(below, 'momentum.move', 30)).toBe(-3.25);
    expect(f(below, 'momentum.state', 30)).toBe('bearish');
  });

  test('a large move against the sign of rocLong (or rocLong = 0) is neutral', () => {
    // 110 for t <= 9, down 1 a day to 100 at t = 19, flat, then up to 103.25:
    // move +3.25 > 3 but rocLong = 103.25 / 110 - 1 < 0.
    const tail = [100.5, 101, 101.5, 102, 102.5, 103, 103, 103, 103, 103.25];
    const close = [...repeat(110, 10), ...steps(110, -1, 10), 100, ...tail];
    const h = run({ close });
    expect(f(h, 'momentum.move', 30)).toBe(3.25);
    expect(f(h, 'momentum.rocLong', 30) as number).toBeLessThan(0);
    expect(f(h, 'momentum.state', 30)).toBe('neutral');
    // c[9] = 103.25 = c[30]: rocLong exactly 0, still neutral.
    const zero = [...repeat(103.25, 10), ...steps(103.25, -0.25, 9), 100, 100, ...tail];
    const hz = run({ close: zero });
    expect(f(hz, 'momentum.rocLong', 30)).toBe(0);
    expect(f(hz, 'momentum.move', 30)).toBe(3.25);
    expect(f(hz, 'momentum.state', 30)).toBe('neutral');
    // And the bearish mirrors.
    expect(f(run({ close: mirror(close) }), 'momentum.state', 30)).toBe('neutral');
    const hzm = run({ close: mirror(zero) });
    expect(f(hzm, 'momentum.rocLong', 30)).toBe(0);
    expect(f(hzm, 'momentum.state', 30)).toBe('neutral');
  });

  /**
   * Volume profile. Sessions 0..25: close 50 + 2t, range 2, volume 500. The last five
   * (26..30), window Lo = 100, Hi = 106, thirds of 2: lower [100, 102], upper [104, 106]:
   *   26: l 100, h 104, v 600 -> lower 600 x 2/4 = 300, upper 0 (only the point 104)
   *   27: l 101, h 103, v 400 -> lower 400 x 1/2 = 200, upper 0
   *   28: l = h = 102 (point mass on the lower third's top edge), v X -> lower X
   *   29: l 103, h 105, v 400 -> upper 400 x 1/2 = 200
   *   30: l 104, h 106, v 400 -> upper 400
   * lower = 500 + X, upper = 600.
   * SMA(v,20) at 30 = (15 x 500 + 1800 + X) / 20; needed = 5 x SMA / 3 = (9300 + X) / 12.
   * X = 300: lower 800 = needed 800 (not more): weak. X = 301: 801 > 800.083: confirmed.
   * X = 299: 799 < 799.917: weak. The move is 105 - 90 = 15, far above theta: bullish.
   */
  function volumeCase(x: number, pointAt = 102, mirrored = false) {
    const close: number[] = [];
    const high: number[] = [];
    const low: number[] = [];
    for (let t = 0; t <= 25; t++) {
      close.push(50 + 2 * t);
      high.push(51 + 2 * t);
      low.push(49 + 2 * t);
    }
    close.push(101, 102, pointAt, 104, 105);
    low.push(100, 101, pointAt, 103, 104);
    high.push(104, 103, pointAt, 105, 106);
    const volume = [...repeat(500, 26), 600, 400, x, 400, 400];
    if (!mirrored) return run({ close, high, low, volume });
    // Mirror every price around 103: lows become highs, the lower third the upper one.
    const m = (v: number) => 206 - v;
    return run({ close: close.map(m), high: low.map(m), low: high.map(m), volume });
  }

  test('bullish confirmation: lower-third volume just above / at / just below 5 x SMA20 / 3', () => {
    const at = volumeCase(300);
    expect(f(at, 'momentum.state', 30)).toBe('bullish');
    expect(f(at, 'momentum.lowerThirdVolume', 30)).toBe(800);
    expect(f(at, 'momentum.upperThirdVolume', 30)).toBe(600);
    expect(f(at, 'momentum.volumeNeeded', 30)).toBe(800);
    expect(f(at, 'momentum.confirmed', 30)).toBe(false);
    expect(f(at, 'momentum.score', 30)).toBe(0.5);

    const above = volumeCase(301);
    expect(f(above, 'momentum.lowerThirdVolume', 30)).toBe(801);
    expect(f(above, 'momentum.volumeNeeded', 30)).toBeCloseTo(9601 / 12, 9);
    expect(f(above, 'momentum.confirmed', 30)).toBe(true);
    expect(f(above, 'momentum.score', 30)).toBe(1);

    const below = volumeCase(299);
    expect(f(below, 'momentum.lowerThirdVolume', 30)).toBe(799);
    expect(f(below, 'momentum.volumeNeeded', 30)).toBeCloseTo(9599 / 12, 9);
    expect(f(below, 'momentum.confirmed', 30)).toBe(false);
    expect(f(below, 'momentum.score', 30)).toBe(0.5);
  });

  test('a point-mass session (h = l) puts all its volume at one price, boundaries inclusive', () => {
    // X = 301 on the lower third's top edge (102) counts: confirmed (checked above).
    // The same point mass at 103 (middle third) counts in no third: lower = 500.
    const middle = volumeCase(301, 103);
    expect(f(middle, 'momentum.lowerThirdVolume', 30)).toBe(500);
    expect(f(middle, 'momentum.upperThirdVolume', 30)).toBe(600);
    expect(f(middle, 'momentum.confirmed', 30)).toBe(false);
    expect(f(middle, 'momentum.score', 30)).toBe(0.5);
    // At 104 (the upper third's bottom edge) it counts in the upper third only.
    const top = volumeCase(301, 104);
    expect(f(top, 'momentum.lowerThirdVolume', 30)).toBe(500);
    expect(f(top, 'momentum.upperThirdVolume', 30)).toBe(901);
  });

  test('bearish confirmation uses the upper third (mirror image)', () => {
    const weak = volumeCase(300, 102, true);
    expect(f(weak, 'momentum.state', 30)).toBe('bearish');
    expect(f(weak, 'momentum.upperThirdVolume', 30)).toBe(800);
    expect(f(weak, 'momentum.lowerThirdVolume', 30)).toBe(600);
    expect(f(weak, 'momentum.confirmed', 30)).toBe(false);
    expect(f(weak, 'momentum.score', 30)).toBe(-0.5);
    const strong = volumeCase(301, 102, true);
    expect(f(strong, 'momentum.upperThirdVolume', 30)).toBe(801);
    expect(f(strong, 'momentum.confirmed', 30)).toBe(true);
    expect(f(strong, 'momentum.score', 30)).toBe(-1);
  });

  test('a neutral state is never confirmed and scores 0', () => {
    const h = run({ close: rise(103), volume: 1e9 });
    expect(f(h, 'momentum.state', 30)).toBe('neutral');
    expect(f(h, 'momentum.confirmed', 30)).toBe(false);
    expect(f(h, 'momentum.score', 30)).toBe(0);
  });

  test('default profile agrees with the SIGNALS.md formulas on a random walk', () => {
    const close = randomWalk(200, 11);
    const high = close.map((c, t) => c * (1 + 0.006 * (1 + Math.sin(t))));
    const low = close.map((c, t) => c * (1 - 0.006 * (1 + Math.cos(t))));
    const volume = close.map((_, t) => 1000 + ((t * 7919) % 613));
    const h = run({ close, high, low, volume });
    const atr = refAtr(high, low, close, 14);
    const rocLong = refRoc(close, 21);
    const volSma = refSma(volume, 20);
    const states: (string | null)[] = [];
    const scores: (number | null)[] = [];
    for (let t = 0; t < close.length; t++) {
      if (t < 21) {
        states.push(null);
        scores.push(null);
        continue;
      }
      const move = close[t] - close[t - 10];
      const theta = 1.5 * atr[t];
      const s = move > theta && rocLong[t] > 0 ? 1 : move < -theta && rocLong[t] < 0 ? -1 : 0;
      states.push(stateName(s));
      // Volume thirds by brute force: integrate each session's uniform density.
      let lo = Infinity;
      let hi = -Infinity;
      for (let j = t - 4; j <= t; j++) {
        lo = Math.min(lo, low[j]);
        hi = Math.max(hi, high[j]);
      }
      const third = (hi - lo) / 3;
      let vol = 0;
      for (let j = t - 4; j <= t; j++) {
        const [a, b] = s > 0 ? [lo, lo + third] : [hi - third, hi];
        vol += (volume[j] * Math.max(0, Math.min(b, high[j]) - Math.max(a, low[j]))) / (high[j] - low[j]);
      }
      const confirmed = s !== 0 && vol > (5 * volSma[t]) / 3;
      scores.push(s === 0 ? 0 : s * (confirmed ? 1 : 0.5));
    }
    expect(column(h, 'momentum.state')).toEqual(states);
    expect(column(h, 'momentum.score')).toEqual(scores);
    expect(new Set(scores)).toEqual(new Set([null, 0, 0.5, -0.5, 1, -1]));
  });
});

// =====================================================================================
// Layer 3: breadth
// =====================================================================================

describe('breadth from a universe', () => {
  // Short SMA 3, long SMA 5, d5 over 5 sessions.
  const P = resolveProfile({ breadth: { shortPeriod: 3, longPeriod: 5 } });
  const members = [
    { symbol: 'A', start: 0, closes: [10, 11, 12, 13, 14, 15, 16, 17, 18, 19] }, // always above
    { symbol: 'B', start: 0, closes: [20, 19, 18, 17, 16, 15, 14, 13, 12, 11] }, // always below
    { symbol: 'C', start: 0, closes: repeat(10, 10) }, // equal to its SMA: not above
    { symbol: 'D', start: 4, closes: [10, 12, 11, 13, 9, 14] }, // lists at session 4
    { symbol: 'E', start: 0, closes: [10, 10, 10, 20, 5, 5, 30, 30, 30, 1] },
  ];
  const h = run({ close: steps(99, 1, 10), breadth: universe(members) }, P);

  test('pct50 (short SMA) by hand, with a member listing late', () => {
    // Counted: A, B, C, E from t = 2; D from its 3rd bar (t = 6).
    // t2: A 12 > 11 yes; E 10 = 10 no            -> 1/4
    // t3: A yes; E 20 > 40/3 yes                  -> 2/4
    // t4: A yes; E 5 < 35/3                       -> 1/4
    // t5: A yes; E 5 < 10                         -> 1/4
    // t6: A; D 11 = 33/3 no; E 30 > 40/3          -> 2/5
    // t7: A; D 13 > 36/3; E 30 > 65/3             -> 3/5
    // t8: A; D 9 < 33/3; E 30 = 90/3 no           -> 1/5
    // t9: A; D 14 > 36/3; E 1 < 61/3              -> 2/5
    expect(column(h, 'breadth.pct50')).toEqual([null, null, 25, 50, 25, 25, 40, 60, 20, 40]);
    expect(column(h, 'breadth.members')).toEqual([0, 0, 4, 4, 4, 4, 5, 5, 5, 5]);
  });

  test('pct200 (long SMA) by hand', () => {
    // Counted: A, B, C, E from t = 4; D from its 5th bar (t = 8).
    // t4: A 14 > 12; E 5 < 11                     -> 1/4
    // t5: A; E 5 < 10                             -> 1/4
    // t6: A; E 30 > 14                            -> 2/4
    // t7: A; E 30 > 18                            -> 2/4
    // t8: A; D 9 < 55/5; E 30 > 20                -> 2/5
    // t9: A; D 14 > 59/5; E 1 < 96/5              -> 2/5
    expect(column(h, 'breadth.pct200')).toEqual([null, null, null, null, 25, 25, 50, 50, 40, 40]);
  });

  test('d5, state and flipAt', () => {
    // d5 = pct50[t] - pct50[t-5]: defined from t = 7 (pct50[2] is the first value).
    expect(column(h, 'breadth.d5')).toEqual([null, null, null, null, null, null, null, 35, -30, 15]);
    // t7: 60 >= 50, d5 >= 0: bullish; flips below max(50, 25) = 50.
    // t8: 20 < 50, d5 < 0: bearish; flips at min(50, 50) = 50.
    // t9: 40 < 50, d5 = 15: neutral; bullish at 50 (10 away), bearish below 25 (15): 50.
    expect(column(h, 'breadth.state')).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      'bullish',
      'bearish',
      'neutral',
    ]);
    expect([7, 8, 9].map((t) => f(h, 'breadth.flipAt', t))).toEqual([50, 50, 50]);
    expect([7, 8, 9].map((t) => f(h, 'breadth.flip', t))).toEqual([10, 30, 10]);
    expect([7, 8, 9].map((t) => f(h, 'breadth.score', t))).toEqual([1, -1, 0]);
    expect(f(h, 'breadth.divergenceWarning', 6)).toBeNull();
  });

  test('the default profile counts SMA50 / SMA200 of each member over its own bars', () => {
    const n = 230;
    const ms = [0, 1, 2, 3].map((i) => ({
      symbol: `M${i}`,
      start: i * 10,
      closes: randomWalk(n - i * 10, 100 + i, 50, 2),
    }));
    const hd = run({ close: randomWalk(n, 5), breadth: universe(ms) });
    const sma50 = ms.map((m) => refSma(m.closes, 50));
    const sma200 = ms.map((m) => refSma(m.closes, 200));
    const expected50: (number | null)[] = [];
    const expected200: (number | null)[] = [];
    for (let t = 0; t < n; t++) {
      for (const [period, out] of [
        [50, expected50],
        [200, expected200],
      ] as const) {
        let above = 0;
        let counted = 0;
        for (const [i, m] of ms.entries()) {
          const k = t - m.start;
          if (k < period - 1) continue;
          const sma = (period === 50 ? sma50 : sma200)[i][k];
          counted++;
          if (m.closes[k] > sma) above++;
        }
        out.push(counted ? (100 * above) / counted : null);
      }
    }
    expect(column(hd, 'breadth.pct50')).toEqual(expected50);
    expect(column(hd, 'breadth.pct200')).toEqual(expected200);
    expect(f(hd, 'breadth.pct50', 48)).toBeNull();
    expect(f(hd, 'breadth.pct50', 49)).not.toBeNull();
  });
});

describe('breadth from an external series', () => {
  /** Rising closes (so P rallies over 10 sessions); pct50 = prev until the last session. */
  function lastSession(prev: number, p: number, close = steps(100, 0.5, 30)) {
    const pct = [...repeat(prev, close.length - 1), p];
    const h = run({
      close,
      breadth: breadthSeries(
        pct,
        pct.map((x) => x - 10),
      ),
    });
    const t = last(h);
    return {
      h,
      state: f(h, 'breadth.state', t),
      flipAt: f(h, 'breadth.flipAt', t),
      flip: f(h, 'breadth.flip', t),
      d5: f(h, 'breadth.d5', t),
      divergence: f(h, 'breadth.divergenceWarning', t),
    };
  }

  test('values pass through; d5 and state exist once pct50 five sessions ago does', () => {
    const pct = [NaN, NaN, ...steps(40, 1, 28)];
    const h = run({ close: steps(100, 0.5, 30), breadth: breadthSeries(pct, repeat(33, 30)) });
    expect(f(h, 'breadth.pct50', 1)).toBeNull();
    expect(f(h, 'breadth.pct50', 2)).toBe(41);
    expect(f(h, 'breadth.pct200', 1)).toBe(33);
    expect(f(h, 'breadth.d5', 6)).toBeNull();
    expect(f(h, 'breadth.state', 6)).toBeNull();
    expect(f(h, 'breadth.d5', 7)).toBe(5);
    expect(f(h, 'breadth.state', 7)).toBe('neutral'); // 46 < 50 but rising
    // 41 + 9 = 50 at t = 11 with d5 = 5: bullish.
    expect(f(h, 'breadth.pct50', 11)).toBe(50);
    expect(f(h, 'breadth.state', 11)).toBe('bullish');
  });

  test('state rules at their boundaries, and flipAt the nearest boundary', () => {
    // pct50 >= 50 and d5 >= 0: bullish; flips below max(50, prev).
    expect(lastSession(50, 50)).toMatchObject({ state: 'bullish', d5: 0, flipAt: 50, flip: 0 });
    expect(lastSession(40, 50)).toMatchObject({ state: 'bullish', flipAt: 50 });
    expect(lastSession(60, 65)).toMatchObject({ state: 'bullish', flipAt: 60, flip: 5 });
    // pct50 < 50 and d5 < 0: bearish; flips at min(50, prev).
    expect(lastSession(50, 49.5)).toMatchObject({ state: 'bearish', d5: -0.5, flipAt: 50, flip: 0.5 });
    expect(lastSession(45, 40)).toMatchObject({ state: 'bearish', flipAt: 45, flip: 5 });
    // Neutral: p >= 50 falling: bullish at prev, bearish below 50.
    expect(lastSession(65, 60)).toMatchObject({ state: 'neutral', flipAt: 65, flip: 5 });
    expect(lastSession(70, 55)).toMatchObject({ state: 'neutral', flipAt: 50, flip: 5 });
    // Neutral: p < 50 not falling: bullish at 50, bearish below prev.
    expect(lastSession(30, 45)).toMatchObject({ state: 'neutral', flipAt: 50, flip: 5 });
    expect(lastSession(44, 45)).toMatchObject({ state: 'neutral', flipAt: 44, flip: 1 });
    expect(lastSession(49, 49)).toMatchObject({ state: 'neutral', d5: 0, flipAt: 49 });
    // A tie (10 points either way) goes to the bullish boundary.
    expect(lastSession(70, 60)).toMatchObject({ state: 'neutral', flipAt: 70 });
  });

  test('divergenceWarning: P rallying over L sessions while pct50 < 55', () => {
    expect(lastSession(54.9, 54.9)).toMatchObject({ state: 'bullish', divergence: true });
    expect(lastSession(55, 55)).toMatchObject({ state: 'bullish', divergence: false });
    expect(lastSession(40, 40, steps(100, 0.5, 30))).toMatchObject({ divergence: true });
    // Falling or flat closes are not a rally.
    expect(lastSession(40, 40, steps(120, -0.5, 30))).toMatchObject({ divergence: false });
    expect(lastSession(40, 40, repeat(100, 30))).toMatchObject({ divergence: false });
  });

  /**
   * Washout recovery on a V: closes 100 (t <= 19), down 1 a day to 95 (t = 24), up 1 a
   * day after; bars of range 2 around the close (ATR = 2, cluster tolerance 1).
   * Swing lows: 99 at t = 5..14 and 94 at t = 24 (confirmed at t = 29); swing highs: 101
   * at t = 5..19. Levels: 94, 99, 101. pct50 40, 25 on t = 21..24 (the washout), then
   * +3 a day (d5 = 15 > 0).
   */
  const vClose = [...repeat(100, 20), ...steps(100, -1, 5), ...steps(95, 1, 11)];
  const vPct = [...repeat(40, 21), ...repeat(25, 4), ...steps(25, 3, 11)];

  test('washoutRecovery needs a washout in the last 20, d5 > 0 and c within 1 ATR of support', () => {
    const h = run({ close: vClose, breadth: breadthSeries(vPct) });
    expect([f(h, 'atr', 29), f(h, 'breadth.d5', 29), f(h, 'breadth.d5', 33)]).toEqual([2, 15, 15]);
    // t29: close 100, nearest support 99, 1 <= 2 ATR units -> yes.
    expect([f(h, 'close', 29), h.breadth.washoutSupport[29], f(h, 'breadth.washoutRecovery', 29)]).toEqual([
      100,
      99,
      true,
    ]);
    // t30: close 101 sits on the 101 level.
    expect([h.breadth.washoutSupport[30], f(h, 'breadth.washoutRecovery', 30)]).toEqual([101, true]);
    // t32: close 103, 2 above the 101 level: exactly 1 ATR, still within.
    expect([h.breadth.washoutSupport[32], f(h, 'breadth.washoutRecovery', 32)]).toEqual([101, true]);
    // t33: close 104, 3 above: not within 1 ATR.
    expect([h.breadth.washoutSupport[33], f(h, 'breadth.washoutRecovery', 33)]).toEqual([101, false]);
  });

  test('no washout below 30, no washoutRecovery', () => {
    const h = run({ close: vClose, breadth: breadthSeries(vPct.map((p) => Math.max(p, 30))) });
    expect(f(h, 'breadth.d5', 29)).toBe(10);
    expect(f(h, 'breadth.washoutRecovery', 29)).toBe(false);
  });

  test('the washout counts for 20 sessions (t-19..t) only', () => {
    // Flat closes (support 99 is 1 below every close); pct50 20 on t = 30 only, then
    // rising 1 a day from 41 (d5 = 5 > 0 from t = 36).
    const pct = [...repeat(40, 30), 20, ...steps(40, 1, 24)];
    const h = run({ close: repeat(100, 55), breadth: breadthSeries(pct) });
    expect(f(h, 'breadth.washoutRecovery', 35)).toBe(true); // d5 = 45 - 20
    expect([f(h, 'breadth.d5', 49), f(h, 'breadth.washoutRecovery', 49)]).toEqual([5, true]); // window 30..49
    expect([f(h, 'breadth.d5', 50), f(h, 'breadth.washoutRecovery', 50)]).toEqual([5, false]); // window 31..50
  });
});

describe('breadth unavailable', () => {
  const close = randomWalk(220, 21);
  const h = run({ close, benchmark: randomWalk(220, 22), breadth: null });

  test("state 'unavailable', numbers and flags null", () => {
    for (const t of [0, 100, last(h)]) {
      expect(f(h, 'breadth.state', t)).toBe('unavailable');
      for (const name of [
        'breadth.pct50',
        'breadth.pct200',
        'breadth.d5',
        'breadth.flipAt',
        'breadth.score',
        'breadth.flip',
      ]) {
        expect([name, f(h, name, t)]).toEqual([name, null]);
      }
      expect(f(h, 'breadth.divergenceWarning', t)).toBeNull();
      expect(f(h, 'breadth.washoutRecovery', t)).toBeNull();
    }
  });

  test('the composite is taken over the three other layers, threshold 3 x 0.5 = 1.5', () => {
    let boundary = 0;
    for (let t = 0; t < h.length; t++) {
      expect(f(h, 'composite.threshold', t)).toBe(1.5);
      const scores = ['trend.score', 'momentum.score', 'rs.score'].map((n) => f(h, n, t) as number | null);
      if (scores.some((s) => s === null)) {
        expect(f(h, 'composite.score', t)).toBeNull();
        expect(f(h, 'composite.rating', t)).toBeNull();
        continue;
      }
      const score = (scores as number[]).reduce((a, b) => a + b, 0);
      expect(f(h, 'composite.score', t)).toBe(score);
      expect(f(h, 'composite.rating', t)).toBe(score >= 1.5 ? 'bullish' : score <= -1.5 ? 'bearish' : 'neutral');
      if (Math.abs(score) === 1.5) boundary++;
    }
    expect(f(h, 'composite.rating', 61)).toBeNull(); // trend starts at 62
    expect(f(h, 'composite.rating', 62)).not.toBeNull();
    expect(boundary).toBeGreaterThan(0);
  });
});

// =====================================================================================
// Layer 4: relative strength
// =====================================================================================

describe('relative strength', () => {
  /** ROC over 10 sessions: close goes from p0 to p1, benchmark from b0 to b1. */
  function rsAt(p0: number, p1: number, b0 = 100, b1 = 100, profile: Profile = IWM) {
    const h = run({ close: [...repeat(p0, 10), p1], benchmark: [...repeat(b0, 10), b1] }, profile);
    return {
      h,
      spread: f(h, 'rs.spread', 10) as number,
      benchmarkRoc: f(h, 'rs.benchmarkRoc', 10) as number,
      state: f(h, 'rs.state', 10),
      confirmation: f(h, 'rs.confirmation', 10),
      deterioration: f(h, 'rs.deteriorationWarning', 10),
      score: f(h, 'rs.score', 10),
    };
  }

  test('undefined before ROC(10) exists', () => {
    const { h } = rsAt(8, 9);
    expect(f(h, 'rs.spread', 9)).toBeNull();
    expect(f(h, 'rs.state', 9)).toBeNull();
    expect(f(h, 'rs.confirmation', 9)).toBeNull();
  });

  test('band edges are neutral (exact dyadic case, band 12.5)', () => {
    const wide = resolveProfile({ rs: { neutralBand: 12.5 } });
    // 9 / 8 = 1.125: ROC = 12.5 exactly, benchmark flat: spread 12.5 = band -> neutral.
    expect(rsAt(8, 9, 100, 100, wide)).toMatchObject({ spread: 12.5, state: 'neutral', score: 0 });
    expect(rsAt(8, 9.0625, 100, 100, wide)).toMatchObject({ spread: 13.28125, state: 'bullish', score: 1 });
    expect(rsAt(8, 7, 100, 100, wide)).toMatchObject({ spread: -12.5, state: 'neutral' });
    expect(rsAt(8, 6.9375, 100, 100, wide)).toMatchObject({ spread: -13.28125, state: 'bearish', score: -1 });
  });

  test('default band 0.5 percentage points', () => {
    const up = rsAt(100, 110.6, 100, 110); // 10.6 - 10
    expect(up.spread).toBeCloseTo(0.6, 9);
    expect(up.state).toBe('bullish');
    expect(rsAt(100, 110.4, 100, 110)).toMatchObject({ state: 'neutral', score: 0 });
    expect(rsAt(100, 109.4, 100, 110)).toMatchObject({ state: 'bearish' });
  });

  test('confirmation and deteriorationWarning need a broad advance (benchmark ROC > 0)', () => {
    const lead = rsAt(100, 120, 100, 110);
    expect(lead.benchmarkRoc).toBeCloseTo(10, 9);
    expect(lead.spread).toBeCloseTo(10, 9);
    expect(lead).toMatchObject({ state: 'bullish', confirmation: true, deterioration: false });
    expect(rsAt(100, 104, 100, 110)).toMatchObject({ state: 'bearish', confirmation: false, deterioration: true });
    // Benchmark falling: no broad advance, no flag either way.
    expect(rsAt(100, 80, 100, 90)).toMatchObject({ state: 'bearish', confirmation: false, deterioration: false });
    expect(rsAt(100, 95, 100, 90)).toMatchObject({ state: 'bullish', confirmation: false, deterioration: false });
    // Benchmark ROC exactly 0 is not an advance.
    expect(rsAt(100, 110, 100, 100)).toMatchObject({ benchmarkRoc: 0, state: 'bullish', confirmation: false });
    expect(rsAt(100, 90, 100, 100)).toMatchObject({ state: 'bearish', deterioration: false });
  });
});

// =====================================================================================
// Composite
// =====================================================================================

describe('composite', () => {
  test('weights and threshold follow the formula on a random walk, with breadth', () => {
    const n = 240;
    const pct = randomWalk(n, 33, 50, 6).map((x) => Math.min(100, Math.max(0, x)));
    const weights = { trend: 2, momentum: 1, breadth: 0.5, rs: 1 };
    const profile = resolveProfile({ composite: { weights, ratio: 0.4 } });
    const h = run({ close: randomWalk(n, 31), benchmark: randomWalk(n, 32), breadth: breadthSeries(pct) }, profile);
    const k = 0.4 * 4.5;
    const seen = new Set<string>();
    for (let t = 0; t < n; t++) {
      expect(f(h, 'composite.threshold', t)).toBeCloseTo(k, 12);
      const parts = (['trend', 'momentum', 'breadth', 'rs'] as const).map(
        (l) => [weights[l], f(h, `${l}.score`, t)] as const,
      );
      if (parts.some(([, s]) => s === null)) {
        expect(f(h, 'composite.rating', t)).toBeNull();
        continue;
      }
      const score = parts.reduce((a, [w, s]) => a + w * (s as number), 0);
      const rating = score >= k ? 'bullish' : score <= -k ? 'bearish' : 'neutral';
      expect([t, f(h, 'composite.score', t)]).toEqual([t, score]);
      expect([t, f(h, 'composite.rating', t)]).toEqual([t, rating]);
      seen.add(rating);
    }
    expect(seen).toEqual(new Set(['bullish', 'neutral', 'bearish']));
  });

  test('undefined until every available weighted layer is defined (breadth last here)', () => {
    const n = 100;
    const pct = [...repeat(NaN, 70), ...repeat(60, 30)];
    const h = run({ close: steps(100, 0.5, n), breadth: breadthSeries(pct) });
    // trend from 62, breadth state from 75 (pct50 from 70, d5 five sessions later).
    expect(f(h, 'trend.state', 62)).not.toBeNull();
    expect(f(h, 'breadth.state', 74)).toBeNull();
    expect(f(h, 'composite.score', 74)).toBeNull();
    expect(f(h, 'composite.rating', 74)).toBeNull();
    expect(f(h, 'composite.rating', 75)).not.toBeNull();
    expect(f(h, 'composite.threshold', 75)).toBe(2);
  });

  test('a layer with weight 0 neither counts nor blocks', () => {
    const pct = [...repeat(NaN, 90), ...repeat(60, 10)];
    const p = resolveProfile({ composite: { weights: { breadth: 0 } } });
    const h = run({ close: steps(100, 0.5, 100), breadth: breadthSeries(pct) }, p);
    expect(f(h, 'composite.threshold', 70)).toBe(1.5);
    expect(f(h, 'breadth.state', 70)).toBeNull();
    expect(f(h, 'composite.rating', 70)).not.toBeNull();
  });

  test('score >= k is bullish, exactly at the boundary', () => {
    // Weights trend 1, rs 1 (others 0): k = 0.5 x 2 = 1. Rising closes (trend
    // bullish); a benchmark equal to the primary makes rs exactly 0 (neutral): score 1.
    const close = steps(100, 0.5, 80);
    const p = resolveProfile({ composite: { weights: { trend: 1, momentum: 0, breadth: 0, rs: 1 } } });
    const h = run({ close, benchmark: close }, p);
    const t = last(h);
    expect([f(h, 'trend.score', t), f(h, 'rs.spread', t), f(h, 'rs.score', t)]).toEqual([1, 0, 0]);
    expect([f(h, 'composite.score', t), f(h, 'composite.threshold', t), f(h, 'composite.rating', t)]).toEqual([
      1,
      1,
      'bullish',
    ]);
    // Ratio 0.75: k = 1.5 > 1: neutral.
    const p2 = resolveProfile({ composite: { weights: { trend: 1, momentum: 0, breadth: 0, rs: 1 }, ratio: 0.75 } });
    const h2 = run({ close, benchmark: close }, p2);
    expect([f(h2, 'composite.score', t), f(h2, 'composite.threshold', t), f(h2, 'composite.rating', t)]).toEqual([
      1,
      1.5,
      'neutral',
    ]);
    // Falling: trend -1, score -1 <= -k: bearish.
    const fall = steps(200, -0.5, 80);
    const h3 = run({ close: fall, benchmark: fall }, p);
    expect([f(h3, 'composite.score', t), f(h3, 'composite.rating', t)]).toEqual([-1, 'bearish']);
  });
});

// =====================================================================================
// Rotation
// =====================================================================================

describe('rotation', () => {
  // Ratio SMA 3, band over 3 sessions, slope over 2: small enough to compute by hand.
  const P = resolveProfile({ rotation: { smaPeriod: 3, bandLookback: 3, slopeLag: 2 } });
  /** Benchmark 1, so the ratio is the close itself. */
  const rot = (ratios: number[]) => run({ close: ratios, benchmark: repeat(1, ratios.length) }, P);

  test('parity when the band is within 2 % (exactly 2 included)', () => {
    // t4: ratios 99, 100, 101: band = (101 - 99) / 100 x 100 = 2 -> parity, although
    // r = 101 > m = 100 and m rose from 98.
    const h = rot([97, 98, 99, 100, 101]);
    expect(f(h, 'rotation.ratio', 4)).toBe(101);
    expect(f(h, 'rotation.ratioSma', 4)).toBe(100);
    expect(f(h, 'rotation.bandPct', 4)).toBe(2);
    expect(f(h, 'rotation.state', 3)).toBeNull(); // m two sessions earlier not defined yet
    expect(f(h, 'rotation.state', 4)).toBe('parity');
  });

  test('leadership: above a rising average with a band over 2 %', () => {
    // 99, 100, 101.5: band = 2.5 / (300.5 / 3) x 100 = 2.496; m = 100.17 > m[2] = 98.
    const h = rot([97, 98, 99, 100, 101.5]);
    expect(f(h, 'rotation.bandPct', 4)).toBeCloseTo((2.5 / (300.5 / 3)) * 100, 12);
    expect(f(h, 'rotation.state', 4)).toBe('leadership');
  });

  test('flight: below a falling average with a band over 2 %', () => {
    const h = rot([103, 102, 101, 100, 98.5]);
    expect(f(h, 'rotation.state', 4)).toBe('flight');
  });

  test('parity by transition: above a falling average, or below a rising one', () => {
    // 110, 105, 100, 95, 104: m4 = 299/3 = 99.67 < m2 = 105; r = 104 > m4.
    const a = rot([110, 105, 100, 95, 104]);
    expect(f(a, 'rotation.bandPct', 4) as number).toBeGreaterThan(2);
    expect(f(a, 'rotation.state', 4)).toBe('parity');
    // 90, 95, 100, 105, 96: m4 = 301/3 > m2 = 95; r = 96 < m4.
    const b = rot([90, 95, 100, 105, 96]);
    expect(f(b, 'rotation.bandPct', 4) as number).toBeGreaterThan(2);
    expect(f(b, 'rotation.state', 4)).toBe('parity');
  });

  test('default profile agrees with the SIGNALS.md formula', () => {
    const n = 300;
    const close = randomWalk(n, 41, 200, 2);
    const bench = randomWalk(n, 42, 400, 1);
    const h = run({ close, benchmark: bench });
    const r = close.map((c, t) => c / bench[t]);
    const m = refSma(r, 50);
    const expected: (string | null)[] = [];
    for (let t = 0; t < n; t++) {
      if (t < 59) {
        expected.push(null);
        continue;
      }
      const win = r.slice(t - 19, t + 1);
      const mean = win.reduce((a, b) => a + b, 0) / 20;
      const band = ((Math.max(...win) - Math.min(...win)) / mean) * 100;
      expected.push(
        band <= 2
          ? 'parity'
          : r[t] > m[t] && m[t] > m[t - 10]
            ? 'leadership'
            : r[t] < m[t] && m[t] < m[t - 10]
              ? 'flight'
              : 'parity',
      );
    }
    expect(column(h, 'rotation.state')).toEqual(expected);
    expect(new Set(expected)).toEqual(new Set([null, 'parity', 'leadership', 'flight']));
  });
});

// =====================================================================================
// Position sizing
// =====================================================================================

describe('sizing', () => {
  // Only the trend is weighted (k = 0.5), so the rating is the trend's; EMA3/EMA7 on
  // closes rising 1 a day give gapAtr = 1 (bullish). Rotation over 3 sessions.
  const P = resolveProfile({
    trend: { fastPeriod: 3, slowPeriod: 7 },
    composite: { weights: { trend: 1, momentum: 0, breadth: 0, rs: 0 } },
    rotation: { smaPeriod: 3, bandLookback: 3, slopeLag: 2 },
  });
  const n = 30;
  const ratios = {
    leadership: Array.from({ length: n }, (_, t) => 1.02 ** t),
    flight: Array.from({ length: n }, (_, t) => 0.98 ** t),
    parity: repeat(1, n),
  };
  const breadths: Record<string, BreadthInput | null> = {
    confirms: breadthSeries(repeat(60, n)), // bullish, no divergence (>= 55)
    divergence: breadthSeries(repeat(52, n)), // bullish, but P rallies with pct50 < 55
    neutral: breadthSeries(steps(80, -0.5, n)), // >= 50 but falling
    bearish: breadthSeries(steps(45, -0.5, n)),
    unavailable: null,
  };

  function size(rotation: keyof typeof ratios, breadth: string, close = steps(99, 1, n)) {
    const h = run({ close, benchmark: close.map((c, t) => c / ratios[rotation][t]), breadth: breadths[breadth] }, P);
    const t = last(h);
    return {
      h,
      rating: f(h, 'composite.rating', t),
      rotation: f(h, 'rotation.state', t),
      breadth: f(h, 'breadth.state', t),
      divergence: f(h, 'breadth.divergenceWarning', t),
      fraction: f(h, 'sizing.fraction', t),
    };
  }

  test('the scenarios are what they claim', () => {
    expect(size('leadership', 'confirms')).toMatchObject({
      rating: 'bullish',
      rotation: 'leadership',
      breadth: 'bullish',
      divergence: false,
    });
    expect(size('flight', 'confirms')).toMatchObject({ rotation: 'flight' });
    expect(size('parity', 'confirms')).toMatchObject({ rotation: 'parity' });
    expect(size('leadership', 'divergence')).toMatchObject({ breadth: 'bullish', divergence: true });
    expect(size('leadership', 'neutral')).toMatchObject({ breadth: 'neutral' });
    expect(size('leadership', 'bearish')).toMatchObject({ breadth: 'bearish' });
    expect(size('leadership', 'unavailable')).toMatchObject({ breadth: 'unavailable', rating: 'bullish' });
  });

  test.each([
    ['leadership', 'confirms', 1],
    ['parity', 'confirms', 0.5],
    ['flight', 'confirms', 0.25],
    ['leadership', 'divergence', 0.5],
    ['flight', 'divergence', 0.25],
    ['leadership', 'neutral', 0.5],
    ['leadership', 'bearish', 0.5],
    ['parity', 'neutral', 0.5],
    ['leadership', 'unavailable', 0.5],
    ['parity', 'unavailable', 0.5],
    ['flight', 'unavailable', 0.25],
  ] as const)('composite bullish, rotation %s, breadth %s -> %d', (rotation, breadth, fraction) => {
    expect(size(rotation, breadth).fraction).toBe(fraction);
  });

  test('composite neutral or bearish sizes 0 whatever rotation and breadth say', () => {
    const flat = size('leadership', 'confirms', repeat(100, n));
    expect(flat).toMatchObject({ rating: 'neutral', fraction: 0 });
    const falling = size('leadership', 'confirms', steps(130, -1, n));
    expect(falling).toMatchObject({ rating: 'bearish', fraction: 0 });
  });

  test('null while the composite is undefined', () => {
    const { h } = size('leadership', 'confirms');
    expect(f(h, 'composite.rating', 13)).toBeNull();
    expect(f(h, 'sizing.fraction', 13)).toBeNull();
    expect(f(h, 'sizing.fraction', 14)).not.toBeNull();
  });
});

// =====================================================================================
// Macro overlay
// =====================================================================================

describe('macro overlay', () => {
  const n = 45; // sessions 2024-01-01 (Mon) .. 2024-03-01 (Fri)
  const ev = (date: string, kind: MacroEvent['kind'], label: string, end?: string): MacroEvent =>
    end ? { date, kind, label, end } : { date, kind, label };
  const events: MacroEvent[] = [
    ev('2024-01-13', 'cpi', 'cpi'), // a Saturday: maps to Mon 2024-01-15 = session 10
    ev(sessionIso(20), 'russell-recon', 'recon'), // 2024-01-29
    ev(sessionIso(30), 'fomc', 'fomc'), // 2024-02-12
    ev(sessionIso(32), 'custom', 'custom'), // window [32, 32], inside fomc's after
    ev(sessionIso(35), 'earnings-season', 'earnings', '2024-02-24'), // to Fri 02-23 = 39
    ev('2024-03-06', 'fomc', 'fomc-next'), // Wed after the last bar: session 47
  ];
  // Phases by hand:
  //  cpi 1 before: [9, 10], after 11, 12; recon 5 before: [15, 20], after 21, 22;
  //  fomc 3 before: [27, 30], after 31 (32 is custom's window), custom after 33, 34;
  //  earnings [35, 39], after 40, 41; fomc-next [44, 47] (44 = last bar).
  const W = 'window';
  const A = 'after';
  const N = 'none';
  const expectedPhase = [
    ...repeat(0, 9).map(() => N),
    W,
    W,
    A,
    A,
    N,
    N,
    W,
    W,
    W,
    W,
    W,
    W,
    A,
    A,
    N,
    N,
    N,
    N,
    W,
    W,
    W,
    W,
    A,
    W,
    A,
    A,
    W,
    W,
    W,
    W,
    W,
    A,
    A,
    N,
    N,
    W,
  ];
  const expectedActive: string[][] = Array.from({ length: n }, () => []);
  const mark = (from: number, to: number, label: string) => {
    for (let t = from; t <= to; t++) expectedActive[t].push(label);
  };
  mark(9, 10, 'cpi');
  mark(15, 20, 'recon');
  mark(27, 30, 'fomc');
  mark(32, 32, 'custom');
  mark(35, 39, 'earnings');
  mark(44, 44, 'fomc-next');

  const flat = repeat(100, n); // range 2: ATR = 2 from t = 14, base theta = 3

  test('the builder calendar is what the comments say', () => {
    expect([sessionIso(0), sessionIso(10), sessionIso(30), sessionIso(35), sessionIso(39), sessionIso(44)]).toEqual([
      '2024-01-01',
      '2024-01-15',
      '2024-02-12',
      '2024-02-19',
      '2024-02-23',
      '2024-03-01',
    ]);
  });

  test('windows, the after phase and the labels in force', () => {
    const h = run({ close: flat, events });
    expect(expectedPhase).toHaveLength(n);
    expect(column(h, 'macro.phase')).toEqual(expectedPhase);
    expect(column(h, 'macro.active')).toEqual(expectedActive);
    // The same with the events listed in reverse order (a window wins either way).
    const r = run({ close: flat, events: [...events].reverse() });
    expect(column(r, 'macro.phase')).toEqual(expectedPhase);
  });

  test('thresholds: tighten 1.25 and ratio +0.25 in a window, relax 0.9 for 2 sessions after', () => {
    const h = run({ close: flat, events });
    for (let t = 14; t < n; t++) {
      const phase = expectedPhase[t];
      const theta = phase === W ? 1.5 * 1.25 * 2 : phase === A ? 1.5 * 0.9 * 2 : 3;
      expect([t, f(h, 'momentum.thresholdBase', t)]).toEqual([t, 3]);
      expect([t, f(h, 'momentum.threshold', t)]).toEqual([t, theta]);
      // Breadth unavailable: k = ratio x 3.
      expect([t, f(h, 'composite.threshold', t)]).toEqual([t, phase === W ? 0.75 * 3 : 1.5]);
      expect([t, f(h, 'composite.thresholdBase', t)]).toEqual([t, 1.5]);
    }
    expect(f(h, 'momentum.threshold', 30)).toBe(3.75);
    expect(f(h, 'momentum.threshold', 31)).toBe(2.7);
    expect(f(h, 'composite.threshold', 30)).toBe(2.25);
    // With breadth available: k = 0.5 x 4 = 2, in a window 0.75 x 4 = 3.
    const b = run({ close: flat, events, breadth: breadthSeries(repeat(60, n)) });
    expect([f(b, 'composite.threshold', 29), f(b, 'composite.threshold', 31), f(b, 'composite.threshold', 33)]).toEqual(
      [3, 2, 2],
    );
  });

  test('overlay disabled: thresholds stay at base, windows are still reported', () => {
    const off = resolveProfile({ macro: { enabled: false } });
    const h = run({ close: flat, events }, off);
    for (let t = 14; t < n; t++) {
      expect([t, f(h, 'momentum.threshold', t), f(h, 'composite.threshold', t)]).toEqual([t, 3, 1.5]);
    }
    expect(column(h, 'macro.active')).toEqual(expectedActive);
  });

  test('dates past the last bar extend the calendar by NYSE sessions', () => {
    // Last bar Fri 2024-03-01 = 44. Thu 03-07 is session 48: fomc window [45, 48] misses 44.
    const thu = run({ close: flat, events: [ev('2024-03-07', 'fomc', 'late')] });
    expect(f(thu, 'macro.active', 44)).toEqual([]);
    expect(f(thu, 'macro.phase', 44)).toBe('none');
    // Sat 03-02 maps to Mon 03-04 = 45: cpi window [44, 45] covers 44.
    const sat = run({ close: flat, events: [ev('2024-03-02', 'cpi', 'sat')] });
    expect(f(sat, 'macro.active', 44)).toEqual(['sat']);
    // Tue 03-05 = 46: russell-recon [41, 46].
    const recon = run({ close: flat, events: [ev('2024-03-05', 'russell-recon', 'recon')] });
    expect([40, 41, 44].map((t) => f(recon, 'macro.phase', t))).toEqual(['none', 'window', 'window']);
  });

  test('past the last bar the calendar skips NYSE holidays: Good Friday 2024 is no session', () => {
    const dates = buildInput({ close: flat }).primary.dates; // last bar Fri 2024-03-01 = 44
    // By hand: Mar 4-8 = 45..49, 11-15 = 50..54, 18-22 = 55..59, 25-28 = 60..63,
    // Fri 29 is Good Friday, Mon Apr 1 = 64, Tue 2 = 65.
    const pos = (iso: string) => sessionPosition(dates, isoDay(iso));
    expect([pos('2024-03-28'), pos('2024-03-29'), pos('2024-03-30'), pos('2024-04-01'), pos('2024-04-02')]).toEqual([
      63, 64, 64, 64, 65,
    ]);
    expect([63, 64, 65].map((p) => formatDay(positionDay(dates, p)))).toEqual([
      '2024-03-28',
      '2024-04-01',
      '2024-04-02',
    ]);
    // An FOMC decision on Tue Apr 2: window [62, 65] = Mar 27, 28, Apr 1, 2 (weekdays would give Mar 28 - Apr 2).
    const [a, b] = eventWindow(dates, ev('2024-04-02', 'fomc', 'apr'), resolveProfile('iwm'));
    expect([a, b].map((p) => formatDay(positionDay(dates, p)))).toEqual(['2024-03-27', '2024-04-02']);
    // Before the first bar (Mon 2024-01-01) the calendar steps back over sessions: Fri 2023-12-29 is -1,
    // Mon 2023-12-25 (Christmas) maps to Tue 26 = -4, and position -5 is Fri 2023-12-22.
    expect([pos('2023-12-29'), pos('2023-12-25'), pos('2023-12-26')]).toEqual([-1, -4, -4]);
    expect(formatDay(positionDay(dates, -5))).toBe('2023-12-22');
  });

  test('an earnings season ending on a session includes it; a one-day season is one session', () => {
    const h = run({ close: flat, events: [ev(sessionIso(20), 'earnings-season', 'q', sessionIso(22))] });
    expect([19, 20, 21, 22, 23, 24, 25].map((t) => f(h, 'macro.phase', t))).toEqual([N, W, W, W, A, A, N]);
    const one = run({ close: flat, events: [ev(sessionIso(20), 'earnings-season', 'q', sessionIso(20))] });
    expect([19, 20, 21, 22, 23].map((t) => f(one, 'macro.phase', t))).toEqual([N, W, A, A, N]);
  });

  test('an event long before the first bar opens no window in the history', () => {
    const h = run({ close: flat, events: [ev('2023-06-14', 'fomc', 'old')] });
    expect(column(h, 'macro.phase').every((p) => p === N)).toBe(true);
    // The Friday before the first bar: fomc window [-4, -1], after 0 and 1.
    const fri = run({ close: flat, events: [ev('2023-12-29', 'fomc', 'fri')] });
    expect([0, 1, 2].map((t) => f(fri, 'macro.phase', t))).toEqual([A, A, N]);
    // The Saturday before maps to Monday = session 0: window [-3, 0].
    const sat = run({ close: flat, events: [ev('2023-12-30', 'fomc', 'sat')] });
    expect([0, 1, 2, 3].map((t) => f(sat, 'macro.phase', t))).toEqual([W, A, A, N]);
  });

  /** Flat at 100 to t = 30, then up `step` a day: the 10-day move at t = 40 is 10 x step. */
  const ramp = (step: number) => [...repeat(100, 31), ...steps(100, step, 10)];

  test('a signal that fires without the overlay and not inside a window', () => {
    const close = ramp(0.35); // move 3.5: above 3, below 3.75
    const events1 = [ev(sessionIso(42), 'fomc', 'fomc')]; // window [39, 42]
    const on = run({ close, events: events1 });
    const off = run({ close, events: events1 }, resolveProfile({ macro: { enabled: false } }));
    const none = run({ close });
    expect(f(none, 'momentum.move', 40)).toBeCloseTo(3.5, 9);
    expect(f(none, 'momentum.state', 40)).toBe('bullish');
    expect(f(off, 'momentum.state', 40)).toBe('bullish');
    expect(f(on, 'macro.phase', 40)).toBe('window');
    expect(f(on, 'momentum.threshold', 40)).toBeCloseTo(3.75, 9);
    expect(f(on, 'momentum.state', 40)).toBe('neutral');
  });

  test('a signal that fires only in the relaxed sessions after a window', () => {
    const close = ramp(0.28); // move 2.8: below 3, above 2.7
    const events1 = [ev(sessionIso(38), 'fomc', 'fomc')]; // window [35, 38], after 39, 40
    const on = run({ close, events: events1 });
    const none = run({ close });
    expect(f(none, 'momentum.state', 40)).toBe('neutral');
    expect(f(on, 'macro.phase', 40)).toBe('after');
    expect(f(on, 'momentum.threshold', 40)).toBeCloseTo(2.7, 9);
    expect(f(on, 'momentum.state', 40)).toBe('bullish');
    // Off: the after phase is reported but the threshold stays at base.
    const off = run({ close, events: events1 }, resolveProfile({ macro: { enabled: false } }));
    expect(f(off, 'macro.phase', 40)).toBe('after');
    expect(f(off, 'momentum.state', 40)).toBe('neutral');
  });

  test('a composite rating that a window raises out of reach', () => {
    // Weights trend 1, rs 1: k = 1, in a window 0.75 x 2 = 1.5. Trend bullish, rs 0.
    const close = steps(100, 0.5, 80);
    const p = resolveProfile({ composite: { weights: { trend: 1, momentum: 0, breadth: 0, rs: 1 } } });
    const t = 79;
    const without = run({ close, benchmark: close }, p);
    const within = run({ close, benchmark: close, events: [ev(sessionIso(t), 'cpi', 'cpi')] }, p);
    expect([f(without, 'composite.score', t), f(without, 'composite.rating', t)]).toEqual([1, 'bullish']);
    expect([f(within, 'composite.threshold', t), f(within, 'composite.rating', t)]).toEqual([1.5, 'neutral']);
  });
});
