/**
 * End-of-day debrief (docs/SIGNALS.md, "Debrief"). A real History is computed on a
 * small input and then the columns the debrief reads are overwritten to stage exact
 * scenarios (History is plain data). Every expected number is worked out by hand.
 *
 * Choices where SIGNALS.md is open, pinned here as written:
 *  - direction: up when c_d - o_d > 0.25 x ATR(d-1), down when < -0.25 x ATR(d-1),
 *    flat otherwise (the dead band must be strictly exceeded);
 *  - a layer's call at d-1 is correct when bullish/neutral/bearish matches up/flat/down;
 *  - "most accurate" compares flip / the layer's threshold scale (trend: neutralAtr,
 *    momentum: the ATR multiplier actually used, breadth: fullSizeMin, rs:
 *    neutralBand); ties keep the order trend, momentum, breadth, rs;
 *  - earliest warning (only when the composite failed): for each layer disagreeing
 *    with the composite at d-1, the first session of [d-10, d-1] from which it
 *    disagreed without a break; the earliest of those, ties in layer order.
 */
import { formatDay, isoDay } from '../../api/src/engine/dates';
import { debriefAt, debriefsBetween, marginOf } from '../../api/src/engine/debrief';
import { BEARISH, BULLISH, LAYERS, NEUTRAL, UNDEF, computeHistory, type History } from '../../api/src/engine/engine';
import { PRESETS, resolveProfile, type Profile } from '../../api/src/engine/profile';
import type { EngineInput, MacroEvent } from '../../api/src/engine/types';
import { breadthSeries, buildInput, rng } from './build';

const BASE = isoDay('2024-03-01');
const N = 30;
/** The session debriefed in most tests; its opening reading is at P = D - 1. */
const D = 20;
const P = D - 1;

/**
 * A History of N sessions on consecutive calendar days from 2024-03-01 (index i is
 * 2024-03-(i+1)), staged to a neutral baseline: ATR 2 everywhere, every layer and the
 * composite neutral with flip 1, open = close = 100.
 */
function staged(opts: { breadth?: boolean; profile?: Profile; events?: MacroEvent[] } = {}): History {
  const dates = Int32Array.from({ length: N }, (_, i) => BASE + i);
  const close = Float64Array.from({ length: N }, (_, i) => 100 + Math.sin(i));
  const input: EngineInput = {
    primary: {
      dates,
      open: close.slice(),
      high: close.map((c) => c + 1),
      low: close.map((c) => c - 1),
      close,
      volume: new Float64Array(N).fill(1e6),
    },
    benchmarkClose: close.map((c) => 4 * c),
    breadth:
      opts.breadth === false
        ? null
        : { kind: 'series', pct50: new Float64Array(N).fill(50), pct200: new Float64Array(N).fill(50) },
    events: opts.events ?? [],
  };
  const h = computeHistory(input, opts.profile ?? PRESETS.iwm);
  h.atr.fill(2);
  h.open.fill(100);
  h.close.fill(100);
  for (const layer of LAYERS) {
    h[layer].state.fill(NEUTRAL);
    h[layer].flip.fill(1);
  }
  h.composite.rating.fill(NEUTRAL);
  h.composite.score.fill(0);
  return h;
}

/** Sets a layer's state over sessions [from, to] (inclusive). */
function setState(h: History, layer: (typeof LAYERS)[number], from: number, to: number, state: number): void {
  h[layer].state.fill(state, from, to + 1);
}

const day = (i: number) => formatDay(BASE + i);

describe('debrief: session move and direction', () => {
  test('the dead band is 0.25 x ATR(d-1) and must be strictly exceeded', () => {
    const h = staged();
    h.atr[P] = 2; // dead band 0.5
    h.atr[D] = 40; // ATR of d itself is not the one used
    h.open[D] = 100;
    const cases: [number, string][] = [
      [100, 'flat'],
      [100.5, 'flat'], // move = +0.5 = the band: not exceeded
      [100.5 + 2 ** -10, 'up'],
      [99.5, 'flat'], // move = -0.5
      [99.5 - 2 ** -10, 'down'],
      [103, 'up'],
      [97, 'down'],
    ];
    for (const [close, direction] of cases) {
      h.close[D] = close;
      const db = debriefAt(h, D);
      expect(db.deadBand).toBe(0.5);
      expect(db.move).toBe(close - 100);
      expect(db.direction).toBe(direction);
    }
  });

  test('the direction comes from the intraday move; close-to-close is reported beside it', () => {
    const h = staged();
    h.close[P] = 102; // gap down overnight
    h.open[D] = 100;
    h.close[D] = 101; // intraday +1 (> 0.5: up), close-to-close -1
    const db = debriefAt(h, D);
    expect(db.direction).toBe('up');
    expect(db.move).toBe(1);
    expect(db.closeToClose).toBe(-1);
    expect(db.open).toBe(100);
    expect(db.close).toBe(101);
    expect(db.date).toBe('2024-03-21');
    expect(db.openingDate).toBe('2024-03-20');
  });

  test('the dead band scales with the profile', () => {
    const h = staged({ profile: resolveProfile({ debrief: { deadBandAtr: 1 } }) });
    h.open[D] = 100;
    h.close[D] = 101.5; // +1.5 < 1 x ATR(d-1) = 2
    expect(debriefAt(h, D).direction).toBe('flat');
    h.close[D] = 97.5; // -2.5
    expect(debriefAt(h, D).direction).toBe('down');
  });
});

describe('debrief: layer calls at d-1', () => {
  function scenario() {
    const h = staged();
    h.trend.state[P] = BULLISH;
    h.momentum.state[P] = BEARISH;
    h.breadth.state[P] = NEUTRAL;
    h.rs.state[P] = UNDEF;
    // The calls are read at d-1, not at d.
    h.trend.state[D] = BEARISH;
    h.momentum.state[D] = BULLISH;
    h.rs.state[D] = BULLISH;
    h.open[D] = 100;
    return h;
  }
  const brief = (h: History, close: number) => {
    h.close[D] = close;
    return Object.fromEntries(debriefAt(h, D).calls.map((c) => [c.layer, [c.call, c.correct]]));
  };

  test('bullish matches up, bearish matches down, neutral matches flat; undefined is no call', () => {
    const h = scenario();
    expect(brief(h, 102)).toEqual({
      trend: ['bullish', true],
      momentum: ['bearish', false],
      breadth: ['neutral', false],
      rs: [null, null],
    });
    expect(brief(h, 98)).toEqual({
      trend: ['bullish', false],
      momentum: ['bearish', true],
      breadth: ['neutral', false],
      rs: [null, null],
    });
    expect(brief(h, 100.25)).toEqual({
      trend: ['bullish', false],
      momentum: ['bearish', false],
      breadth: ['neutral', true],
      rs: [null, null],
    });
    expect(debriefAt(h, D).calls.map((c) => c.layer)).toEqual(['trend', 'momentum', 'breadth', 'rs']);
  });

  test('an undefined layer has no margin and cannot be most accurate', () => {
    const h = scenario();
    h.rs.state[P] = UNDEF;
    h.rs.flip[P] = 1000;
    h.close[D] = 100;
    const db = debriefAt(h, D);
    expect(db.calls[3]).toEqual({ layer: 'rs', call: null, correct: null, margin: null });
    expect(db.mostAccurate).toBe('breadth');
  });

  test('without breadth data the layer is unavailable: no call, no margin, never picked', () => {
    const h = staged({ breadth: false });
    expect(h.breadth.available).toBe(false);
    // Even a staged state and a huge flip on the unavailable layer are ignored.
    h.breadth.state.fill(NEUTRAL);
    h.breadth.flip.fill(1e6);
    h.trend.state[P] = NEUTRAL;
    h.trend.flip[P] = 0.125;
    h.close[D] = 100;
    const db = debriefAt(h, D);
    expect(db.calls[2]).toEqual({ layer: 'breadth', call: 'unavailable', correct: null, margin: null });
    expect(db.direction).toBe('flat');
    // trend 0.125 / 0.25 = 0.5, momentum 1 / 1.5, rs 1 / 0.5 = 2: rs.
    expect(db.mostAccurate).toBe('rs');
  });

  test('margins: flip divided by each layer threshold scale, momentum by the multiplier in force', () => {
    // An FOMC on 2024-03-22 (index 21) opens its window 3 sessions before: [18, 21].
    // The momentum multiplier at P = 19 is 1.5 x 1.25 = 1.875.
    const h = staged({ events: [{ date: '2024-03-22', kind: 'fomc', label: 'FOMC' }] });
    expect(h.macro.atrMultiplier[P]).toBe(1.875);
    expect(h.macro.atrMultiplier[16]).toBe(1.5);
    h.trend.flip[P] = 0.75; // / 0.25 = 3
    h.momentum.flip[P] = 0.75; // / 1.875 = 0.4
    h.breadth.flip[P] = 5; // / 50 = 0.1
    h.rs.flip[P] = 0.25; // / 0.5 = 0.5
    expect(marginOf(h, 'trend', P)).toBe(3);
    expect(marginOf(h, 'momentum', P)).toBe(0.4);
    expect(marginOf(h, 'breadth', P)).toBe(0.1);
    expect(marginOf(h, 'rs', P)).toBe(0.5);
    h.momentum.flip[16] = 0.75;
    expect(marginOf(h, 'momentum', 16)).toBe(0.5); // base multiplier 1.5 outside the window
    const db = debriefAt(h, D);
    expect(db.calls.map((c) => c.margin)).toEqual([3, 0.4, 0.1, 0.5]);
  });
});

describe('debrief: most accurate layer', () => {
  /** All four layers bullish at d-1, an up session, given flips. */
  function upDay(flips: [number, number, number, number], states = [BULLISH, BULLISH, BULLISH, BULLISH]) {
    const h = staged();
    LAYERS.forEach((layer, k) => {
      h[layer].state[P] = states[k];
      h[layer].flip[P] = flips[k];
    });
    h.composite.rating[P] = BULLISH;
    h.close[D] = 103;
    return debriefAt(h, D);
  }

  test('the correct layer farthest from its own threshold, not the largest raw flip', () => {
    // Margins: trend 0.25/0.25 = 1, momentum 3/1.5 = 2, breadth 90/50 = 1.8, rs 0.75/0.5 = 1.5.
    expect(upDay([0.25, 3, 90, 0.75]).mostAccurate).toBe('momentum');
  });

  test('ties keep the order trend, momentum, breadth, rs', () => {
    // trend 0.5/0.25 = 2 = momentum 3/1.5: trend.
    expect(upDay([0.5, 3, 90, 0.75]).mostAccurate).toBe('trend');
    // momentum 3/1.5 = 2 = rs 1/0.5, trend 1: momentum.
    expect(upDay([0.25, 3, 90, 1]).mostAccurate).toBe('momentum');
    // breadth 100/50 = 2 = rs 1/0.5, trend 1, momentum 1: breadth.
    expect(upDay([0.25, 1.5, 100, 1]).mostAccurate).toBe('breadth');
  });

  test('only correct layers compete', () => {
    // trend has the widest margin (4) but is bearish on an up day; momentum neutral.
    const db = upDay([1, 30, 60, 0.75], [BEARISH, NEUTRAL, BULLISH, BULLISH]);
    expect(db.calls.map((c) => c.correct)).toEqual([false, false, true, true]);
    // breadth 60/50 = 1.2 < rs 0.75/0.5 = 1.5.
    expect(db.mostAccurate).toBe('rs');
  });

  test('"none" when no layer was correct', () => {
    const h = staged();
    for (const layer of LAYERS) h[layer].state[P] = BULLISH;
    h.composite.rating[P] = BULLISH;
    h.close[D] = 98; // down
    const db = debriefAt(h, D);
    expect(db.calls.every((c) => c.correct === false)).toBe(true);
    expect(db.mostAccurate).toBe('none');
    expect(db.outcome).toBe('failed');
    // Nobody disagreed with the composite: no warning either.
    expect(db.earliestWarning).toBeNull();
    expect(db.lesson).toContain('no layer dissenting');
  });
});

describe('debrief: earliest warning', () => {
  /**
   * Composite bullish on every session; session d = 20 falls (down): the composite
   * failed. Look-back window [d-10, d-1] = [10, 19].
   *  - trend: disagreed (bearish) on 5..15 but agrees at 19: not a candidate.
   *  - momentum: neutral on 11..19 with a break (bullish) at 14: from 15.
   *  - breadth: bullish throughout: agrees.
   *  - rs: bearish on 13..19: from 13.
   * Earliest: rs at 13 (2024-03-14), at close[13].
   */
  function failedDay(): History {
    const h = staged();
    h.composite.rating.fill(BULLISH);
    for (const layer of LAYERS) h[layer].state.fill(BULLISH);
    setState(h, 'trend', 5, 15, BEARISH);
    setState(h, 'momentum', 11, 19, NEUTRAL);
    h.momentum.state[14] = BULLISH;
    setState(h, 'rs', 13, 19, BEARISH);
    for (let i = 0; i < N; i++) h.close[i] = 100 + i / 4;
    h.close[13] = 123.45;
    h.open[D] = 110;
    h.close[D] = 108; // -2: down
    return h;
  }

  test('two disagreeing layers, one with a break: the unbroken run that starts first', () => {
    const db = debriefAt(failedDay(), D);
    expect(db.openingComposite).toBe('bullish');
    expect(db.direction).toBe('down');
    expect(db.outcome).toBe('failed');
    expect(db.earliestWarning).toEqual({ layer: 'rs', date: '2024-03-14', close: 123.45, state: 'bearish' });
  });

  test('without the break the other layer warned earlier', () => {
    const h = failedDay();
    h.momentum.state[14] = NEUTRAL; // momentum now neutral on 11..19 unbroken
    expect(debriefAt(h, D).earliestWarning).toEqual({
      layer: 'momentum',
      date: day(11),
      close: 100 + 11 / 4,
      state: 'neutral',
    });
    expect(day(11)).toBe('2024-03-12');
  });

  test('the look-back stops at d-10', () => {
    const h = failedDay();
    setState(h, 'rs', 0, 19, BEARISH); // disagrees on every session
    const w = debriefAt(h, D).earliestWarning;
    expect(w).toEqual({ layer: 'rs', date: day(10), close: 100 + 10 / 4, state: 'bearish' });
    expect(w?.date).toBe('2024-03-11');
    // A run that starts exactly at d-10 is reported at d-10 too.
    const h2 = failedDay();
    setState(h2, 'rs', 10, 19, BEARISH);
    expect(debriefAt(h2, D).earliestWarning?.date).toBe(day(10));
    // The look-back is a profile parameter: 3 sessions, [17, 19].
    const h3 = staged({ profile: resolveProfile({ debrief: { warningLookback: 3 } }) });
    h3.composite.rating.fill(BULLISH);
    for (const layer of LAYERS) h3[layer].state.fill(BULLISH);
    setState(h3, 'rs', 0, 19, BEARISH);
    h3.close[D] = 98;
    expect(debriefAt(h3, D).earliestWarning?.date).toBe(day(17));
  });

  test('ties between layers keep the layer order', () => {
    const h = failedDay();
    h.momentum.state[14] = NEUTRAL;
    setState(h, 'rs', 11, 19, BEARISH); // momentum and rs both from 11
    expect(debriefAt(h, D).earliestWarning?.layer).toBe('momentum');
    // Both limited by the look-back: still momentum.
    setState(h, 'momentum', 0, 19, BEARISH);
    setState(h, 'rs', 0, 19, BEARISH);
    expect(debriefAt(h, D).earliestWarning).toMatchObject({ layer: 'momentum', date: day(10) });
  });

  test('disagreement is measured against the composite of each session', () => {
    const h = failedDay();
    setState(h, 'rs', 10, 19, BEARISH);
    // At 12 the composite was neutral and so was rs: they agreed, which breaks the run.
    h.composite.rating[12] = NEUTRAL;
    h.rs.state[12] = NEUTRAL;
    expect(debriefAt(h, D).earliestWarning).toMatchObject({ layer: 'rs', date: day(13) });
    // A neutral composite at 12 against a bearish rs is still a disagreement.
    h.rs.state[12] = BEARISH;
    expect(debriefAt(h, D).earliestWarning).toMatchObject({ layer: 'rs', date: day(10) });
    // An undefined layer state breaks a run.
    h.rs.state[11] = UNDEF;
    expect(debriefAt(h, D).earliestWarning).toMatchObject({ layer: 'rs', date: day(12) });
  });

  test('an unavailable breadth layer never warns', () => {
    const h = staged({ breadth: false });
    h.composite.rating.fill(BULLISH);
    for (const layer of LAYERS) h[layer].state.fill(BULLISH);
    h.breadth.state.fill(BEARISH); // staged, but the layer has no data
    setState(h, 'rs', 16, 19, BEARISH);
    h.close[D] = 98;
    expect(debriefAt(h, D).earliestWarning).toMatchObject({ layer: 'rs', date: day(16) });
  });

  test('no warning when the composite was right, even if layers disagreed', () => {
    const h = failedDay();
    h.open[D] = 100;
    h.close[D] = 103; // up: the bullish composite held
    const db = debriefAt(h, D);
    expect(db.outcome).toBe('correct');
    expect(db.earliestWarning).toBeNull();
    // A neutral composite on a flat session is right as well.
    const h2 = failedDay();
    h2.composite.rating[P] = NEUTRAL;
    h2.open[D] = 100;
    h2.close[D] = 100.5;
    const db2 = debriefAt(h2, D);
    expect(db2.direction).toBe('flat');
    expect(db2.outcome).toBe('correct');
    expect(db2.earliestWarning).toBeNull();
  });

  test('a neutral composite fails on a move outside the dead band', () => {
    const h = failedDay();
    h.composite.rating.fill(NEUTRAL);
    for (const layer of LAYERS) h[layer].state.fill(NEUTRAL);
    setState(h, 'trend', 15, 19, BEARISH);
    const db = debriefAt(h, D); // down session
    expect(db.outcome).toBe('failed');
    expect(db.earliestWarning).toMatchObject({ layer: 'trend', date: day(15), state: 'bearish' });
  });

  test('the lesson names the warning layer, its date and close', () => {
    const db = debriefAt(failedDay(), D);
    expect(db.lesson).toContain('respect rs');
    expect(db.lesson).toContain('2024-03-14');
    expect(db.lesson).toContain('123.45');
    expect(db.lesson).toContain('bearish');
  });

  test('an undefined opening composite: no outcome, no warning', () => {
    const h = failedDay();
    h.composite.rating[P] = UNDEF;
    h.composite.score[P] = NaN;
    const db = debriefAt(h, D);
    expect(db.openingComposite).toBeNull();
    expect(db.openingScore).toBeNull();
    expect(db.outcome).toBeNull();
    expect(db.earliestWarning).toBeNull();
  });
});

describe('debrief: range', () => {
  test('d = 0 has no session before it and throws; so does an index past the end', () => {
    const h = staged();
    expect(() => debriefAt(h, 0)).toThrow(RangeError);
    expect(() => debriefAt(h, -1)).toThrow(RangeError);
    expect(() => debriefAt(h, N)).toThrow(RangeError);
    expect(() => debriefAt(h, 1)).not.toThrow();
    expect(() => debriefAt(h, N - 1)).not.toThrow();
  });
});

describe('before ATR(d-1) exists', () => {
  test('no direction, no correctness and no outcome are claimed', () => {
    const h = staged();
    h.atr[4] = NaN; // as on the first sessions of a real history
    h.rs.state[4] = NEUTRAL;
    h.composite.rating[4] = NEUTRAL;
    const db = debriefAt(h, 5);
    expect(db.direction).toBeNull();
    expect(db.outcome).toBeNull();
    expect(db.calls.find((c) => c.layer === 'rs')?.correct).toBeNull();
    expect(db.mostAccurate).toBe('none');
  });
});

describe('debriefsBetween: a range is the per-session debriefs', () => {
  /** A random walk in cents (so equal swing prices and exact hits on a level occur). */
  function randomHistory(n: number, seed: number, levels: { swingWindow: number; clusterAtr: number }): History {
    const r = rng(seed);
    const cents = (x: number) => Math.round(x * 100) / 100;
    const open: number[] = [];
    const close: number[] = [];
    const high: number[] = [];
    const low: number[] = [];
    const bench: number[] = [];
    const pct: number[] = [];
    let c = 100;
    let b = 400;
    let p = 50;
    for (let t = 0; t < n; t++) {
      const o = cents(c + (r() - 0.5));
      c = cents(Math.max(5, o + (r() - 0.5) * 4));
      b *= 1 + (r() - 0.5) / 50;
      p = Math.min(100, Math.max(0, p + (r() - 0.5) * 12));
      open.push(o);
      close.push(c);
      high.push(cents(Math.max(o, c) + r() * 1.5));
      low.push(cents(Math.min(o, c) - r() * 1.5));
      bench.push(b);
      pct.push(p);
    }
    const input = buildInput({ close, open, high, low, benchmark: bench, breadth: breadthSeries(pct) });
    return computeHistory(input, resolveProfile({ preset: 'iwm', levels }));
  }

  test.each([
    [1, 5, 0.5],
    [7, 3, 1.5],
    [42, 2, 0],
    [2024, 8, 4],
  ])('seed %i, swingWindow %i, clusterAtr %p: same debriefs as debriefAt, whole range and sub-ranges', (seed, w, c) => {
    const n = 700;
    const h = randomHistory(n, seed, { swingWindow: w, clusterAtr: c });
    const reference = Array.from({ length: n - 1 }, (_, i) => debriefAt(h, i + 1));
    expect(debriefsBetween(h, 0, n - 1)).toEqual(reference);
    expect(debriefsBetween(h, 333, 500)).toEqual(reference.slice(332, 500));
    expect(debriefsBetween(h, n - 1, n - 1)).toEqual([reference[n - 2]]);
    // Not vacuous: lessons name both kinds of level, and some sessions lack one of them.
    const lessons = reference.map((d) => d.lesson);
    expect(lessons.filter((l) => /support \d/.test(l) && /resistance \d/.test(l)).length).toBeGreaterThan(50);
    expect(lessons.filter((l) => !/resistance \d/.test(l)).length).toBeGreaterThan(0);
  });

  test('a range outside the history throws', () => {
    const h = staged();
    expect(() => debriefsBetween(h, 0, 0)).toThrow(/no previous session/);
    expect(() => debriefsBetween(h, 1, N)).toThrow(RangeError);
  });
});
