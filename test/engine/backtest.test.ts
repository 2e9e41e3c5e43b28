/**
 * Historical analysis (docs/SIGNALS.md, "Historical analysis"). Ratings and rotation
 * states are staged on a real History (computed on a small input, then overwritten);
 * closes are hand-built so every count below can be checked by hand.
 *
 * Choices where SIGNALS.md is open, pinned here as written:
 *  - a setup is a session rated Bullish whose previous session has a defined,
 *    non-Bullish rating (an undefined rating before it is not a turn);
 *  - a setup whose horizon ends past the data is pending: counted in `setups`, not in
 *    `evaluated`, never a failure;
 *  - failure when close[t+H] <= close[t] (equality fails);
 *  - generic cross at t: SMA20[t] > SMA50[t] and SMA20[t-1] <= SMA50[t-1]; a false
 *    positive when close[t+10] <= close[t]; on the primary and on the benchmark;
 *  - ratios are null when a denominator is null or 0.
 */
import { backtest, checkClaim } from '../../api/src/engine/backtest';
import { fieldValue } from '../../api/src/engine/fields';
import { readingAt } from '../../api/src/engine/reading';
import { isoDay } from '../../api/src/engine/dates';
import {
  BEARISH,
  BULLISH,
  FLIGHT,
  LEADERSHIP,
  NEUTRAL,
  PARITY,
  UNDEF,
  computeHistory,
  type History,
} from '../../api/src/engine/engine';
import { PRESETS, resolveProfile, type Profile } from '../../api/src/engine/profile';
import type { MacroEvent } from '../../api/src/engine/types';

const BASE = isoDay('2024-03-01');
const day = (i: number) => new Date((BASE + i) * 86_400_000).toISOString().slice(0, 10);

/** A History on consecutive calendar days from 2024-03-01 with the given closes. */
function history(
  close: readonly number[],
  benchmark: readonly number[],
  profile: Profile = PRESETS.iwm,
  events: MacroEvent[] = [],
): History {
  const n = close.length;
  const c = Float64Array.from(close);
  return computeHistory(
    {
      primary: {
        dates: Int32Array.from({ length: n }, (_, i) => BASE + i),
        open: c.slice(),
        high: c.map((x) => x + 1),
        low: c.map((x) => x - 1),
        close: c,
        volume: new Float64Array(n).fill(1e6),
      },
      benchmarkClose: Float64Array.from(benchmark),
      breadth: null,
      events,
    },
    profile,
  );
}

// The staged setups shared by the tests below.
const B = BULLISH;
const N0 = NEUTRAL;
const S = BEARISH;
const U = UNDEF;
const L = LEADERSHIP;
const F = FLIGHT;
const Q = PARITY;
// index:       0  1  2  3  4   5  6  7  8  9   10 11  12  13 14  15 16  17 18  19 20  21  22  23  24 25  26 27 28  29
// prettier-ignore
const RATING = [U, U, U, B, N0, B, B, S, B, N0, B, N0, N0, B, N0, B, N0, B, N0, B, N0, N0, N0, N0, B, N0, B, B, N0, B];
const ROT = [U, U, U, L, L, L, L, F, F, F, F, Q, Q, Q, Q, L, L, F, F, U, U, U, U, U, F, Q, L, L, Q, Q];
/**
 * Setups (turns to Bullish after a defined non-Bullish rating), H = 5, n = 30:
 *   t   rot         close[t]  close[t+5]  outcome
 *   3   -           (after undefined: not a setup)
 *   5   leadership  100       c10 = 105   success
 *   6   -           (bullish the session before: not a setup)
 *   8   flight      110       c13 = 108   failure
 *   10  flight      105       c15 = 105   failure (equal)
 *   13  parity      108       c18 = 112   success
 *   15  leadership  105       c20 = 101   failure
 *   17  flight      100       c22 = 103   success
 *   19  undefined   107       c24 = 104   failure
 *   24  flight      104       c29 = 99    failure (exit at the last session: evaluated)
 *   26  leadership  100       (31 > 29)   pending
 *   27  -           (bullish the session before)
 *   29  parity      99        (34 > 29)   pending
 * Total: 10 setups, 8 evaluated, 5 failures (8, 10, 15, 19, 24): 5/8.
 * leadership: 5, 15, 26 -> 3 setups, 2 evaluated, 1 failure: 1/2.
 * flight: 8, 10, 17, 24 -> 4, 4, 3: 3/4.   parity: 13, 29 -> 2, 1, 0: 0.
 * undefined rotation: 19 -> 1, 1, 1: 1.   flight / leadership = 0.75 / 0.5 = 1.5.
 */
const CLOSE: number[] = new Array(30).fill(100);
Object.assign(CLOSE, {
  5: 100,
  8: 110,
  10: 105,
  13: 108,
  15: 105,
  17: 100,
  18: 112,
  19: 107,
  20: 101,
  22: 103,
  24: 104,
  29: 99,
});

function staged(): History {
  const h = history(
    CLOSE,
    CLOSE.map((c) => 4 * c),
  );
  h.composite.rating.set(RATING);
  h.rotation.state.set(ROT);
  return h;
}

describe('backtest: composite setups', () => {
  test('setups on turns only, pending at the end, failures in total and by rotation', () => {
    const bt = backtest(staged(), 0, 29);
    expect(bt.horizon).toBe(5);
    expect(bt.from).toBe('2024-03-01');
    expect(bt.to).toBe('2024-03-30');
    expect(bt.setups.map((s) => s.date)).toEqual([5, 8, 10, 13, 15, 17, 19, 24, 26, 29].map(day));
    expect(bt.total).toMatchObject({ setups: 10, evaluated: 8, failures: 5, failureRate: 5 / 8 });
    expect(bt.byRotation).toMatchObject({
      leadership: { setups: 3, evaluated: 2, failures: 1, failureRate: 0.5 },
      parity: { setups: 2, evaluated: 1, failures: 0, failureRate: 0 },
      flight: { setups: 4, evaluated: 4, failures: 3, failureRate: 0.75 },
      undefined: { setups: 1, evaluated: 1, failures: 1, failureRate: 1 },
    });
    expect(bt.flightOverLeadership.ratio).toBe(1.5);
  });

  test('each setup reports its close, rotation, exit close and outcome; pending ones are null', () => {
    const bt = backtest(staged(), 0, 29);
    expect(bt.setups[0]).toEqual({
      date: '2024-03-06',
      close: 100,
      rotation: 'leadership',
      credit: 'unavailable',
      exitClose: 105,
      failed: false,
    });
    expect(bt.setups[2]).toEqual({
      date: '2024-03-11',
      close: 105,
      rotation: 'flight',
      credit: 'unavailable',
      exitClose: 105,
      failed: true,
    });
    expect(bt.setups[6]).toEqual({
      date: '2024-03-20',
      close: 107,
      rotation: null,
      credit: 'unavailable',
      exitClose: 104,
      failed: true,
    });
    expect(bt.setups[7]).toEqual({
      date: '2024-03-25',
      close: 104,
      rotation: 'flight',
      credit: 'unavailable',
      exitClose: 99,
      failed: true,
    });
    expect(bt.setups[8]).toEqual({
      date: '2024-03-27',
      close: 100,
      rotation: 'leadership',
      credit: 'unavailable',
      exitClose: null,
      failed: null,
    });
    expect(bt.setups[9]).toEqual({
      date: '2024-03-30',
      close: 99,
      rotation: 'parity',
      credit: 'unavailable',
      exitClose: null,
      failed: null,
    });
  });

  test('the horizon argument overrides the profile horizon', () => {
    // H = 2: 26 exits at 28 (100 <= 100: failure) and is no longer pending; 29 still is.
    const bt = backtest(staged(), 0, 29, 2);
    expect(bt.horizon).toBe(2);
    expect(bt.setups[8]).toMatchObject({ exitClose: 100, failed: true });
    expect(bt.setups[9]).toMatchObject({ exitClose: null, failed: null });
    // 5: c7 100 <= 100 F; 8: c10 105 <= 110 F; 10: c12 100 <= 105 F; 13: c15 105 <= 108 F;
    // 15: c17 100 <= 105 F; 17: c19 107 > 100 ok; 19: c21 100 <= 107 F; 24: c26 100 <= 104 F;
    // 26: F; 29 pending. 9 evaluated, 8 failures.
    expect(bt.total).toMatchObject({ setups: 10, evaluated: 9, failures: 8, failureRate: 8 / 9 });
    // leadership: 5 F, 15 F, 26 F = 1; flight: 8 F, 10 F, 17 ok, 24 F = 3/4.
    expect(bt.flightOverLeadership.ratio).toBe(0.75);
  });

  test('range limits: the session before `from` still decides a turn; pending is judged on all data', () => {
    // [8, 24]: 8 counts (7 was bearish, outside the range), 26 and 29 are outside.
    const bt = backtest(staged(), 8, 24);
    expect(bt.setups.map((s) => s.date)).toEqual([8, 10, 13, 15, 17, 19, 24].map(day));
    expect(bt.total).toMatchObject({ setups: 7, evaluated: 7, failures: 5, failureRate: 5 / 7 });
    // [9, 23]: 10, 13, 15, 17, 19; the exit of 19 (24) lies past `to` but inside the data.
    const inner = backtest(staged(), 9, 23);
    expect(inner.setups.map((s) => s.date)).toEqual([10, 13, 15, 17, 19].map(day));
    expect(inner.setups[4]).toMatchObject({ exitClose: 104, failed: true });
    expect(inner.total).toMatchObject({ setups: 5, evaluated: 5, failures: 3, failureRate: 0.6 });
    // A range without setups: no rates, no ratio.
    const empty = backtest(staged(), 6, 7);
    expect(empty.total).toMatchObject({ setups: 0, evaluated: 0, failures: 0, failureRate: null });
    expect(empty.flightOverLeadership.ratio).toBeNull();
    // Index 0 has no session before it: never a setup even when rated bullish.
    const h = staged();
    h.composite.rating[0] = BULLISH;
    expect(backtest(h, 0, 2).total.setups).toBe(0);
    expect(backtest(h, 0, 0).total.setups).toBe(0);
  });

  test('the flight/leadership ratio is null when leadership has no rate or a zero rate', () => {
    // [0, 13]: leadership 5 succeeds (rate 0), flight 8 and 10 fail.
    const zero = backtest(staged(), 0, 13);
    expect(zero.byRotation.leadership.failureRate).toBe(0);
    expect(zero.byRotation.flight.failureRate).toBe(1);
    expect(zero.flightOverLeadership.ratio).toBeNull();
    // [7, 13]: no leadership setup at all.
    const none = backtest(staged(), 7, 13);
    expect(none.byRotation.leadership).toMatchObject({ setups: 0, evaluated: 0, failures: 0, failureRate: null });
    expect(none.flightOverLeadership.ratio).toBeNull();
    // [15, 22]: leadership 15 fails (1), flight 17 succeeds (0): 0 / 1 = 0, not null.
    expect(backtest(staged(), 15, 22).flightOverLeadership.ratio).toBe(0);
  });

  test('a range outside the history or reversed throws', () => {
    const h = staged();
    expect(() => backtest(h, -1, 5)).toThrow(RangeError);
    expect(() => backtest(h, 0, 30)).toThrow(RangeError);
    expect(() => backtest(h, 10, 9)).toThrow(RangeError);
    expect(() => backtest(h, 29, 29)).not.toThrow();
  });

  test('too short for SMA50: no generic crosses, null rates and ratio', () => {
    const bt = backtest(staged(), 0, 29);
    expect(bt.generic).toMatchObject({ fast: 20, slow: 50, horizon: 10 });
    expect(bt.generic.primary).toMatchObject({ setups: 0, evaluated: 0, failures: 0, failureRate: null });
    expect(bt.generic.benchmark).toMatchObject({ setups: 0, evaluated: 0, failures: 0, failureRate: null });
    expect(bt.generic.primaryOverBenchmark.ratio).toBeNull();
  });
});

describe('backtest: generic SMA-cross framework', () => {
  /**
   * With fast = 2, slow = 3: SMA2 > SMA3  <=>  3(c_t + c_{t-1}) > 2(c_t + c_{t-1} + c_{t-2})
   * <=>  A_t = c_t + c_{t-1} - 2 c_{t-2} > 0. SMA3 first exists at t = 2, so a cross needs
   * t >= 3 (the comparison at t-1). Horizon 2.
   *
   * primary:   10 11 11  9 12 13 11 10  9 12 12  8  7 13
   *   A_t (t>=2): 2 -2 -1  7  0 -5 -3  1  6 -4 -9  4
   *   t = 2 has A > 0 but no SMA3 at t = 1: not a cross.
   *   crosses: 5 (A4 = -1), 9 (A8 = -3), 13 (A12 = -9).
   *   5: c7 = 10 <= 13 false positive; 9: c11 = 8 <= 12 false positive; 13: pending.
   *   -> 3 setups, 2 evaluated, 2 false positives: rate 1.
   * benchmark: 20 20 20 20 21 19 20 22 22 20 21 23 20 24
   *   A_t (t>=2): 0  0  1  0 -3  4  4 -2 -3  4  1 -2
   *   crosses: 4 (A3 = 0: equality before counts), 7 (A6 = -3), 11 (A10 = -3);
   *   t = 5 has A = 0: SMA2 = SMA3 = 20 is not "above".
   *   4: c6 = 20 <= 21 FP; 7: c9 = 20 <= 22 FP; 11: c13 = 24 > 23 ok.
   *   -> 3 setups, 3 evaluated, 2 false positives: rate 2/3.
   * primary / benchmark = 1 / (2/3) = 1.5.
   */
  const PRIMARY = [10, 11, 11, 9, 12, 13, 11, 10, 9, 12, 12, 8, 7, 13];
  const BENCH = [20, 20, 20, 20, 21, 19, 20, 22, 22, 20, 21, 23, 20, 24];
  const small = resolveProfile({ backtest: { genericFast: 2, genericSlow: 3, genericHorizon: 2 } });

  test('hand-built closes: crosses, false positives and ratio on primary and benchmark', () => {
    const bt = backtest(history(PRIMARY, BENCH, small), 0, 13);
    expect(bt.generic).toMatchObject({
      fast: 2,
      slow: 3,
      horizon: 2,
      primary: { setups: 3, evaluated: 2, failures: 2, failureRate: 1 },
      benchmark: { setups: 3, evaluated: 3, failures: 2, failureRate: 2 / 3 },
      primaryOverBenchmark: { ratio: 1 / (2 / 3) },
    });
  });

  test('range limits apply to the cross date; the horizon may reach past `to`', () => {
    // [6, 12]: primary 9 only (FP); benchmark 7 (FP) and 11 (ok, exit 13 past `to`).
    const bt = backtest(history(PRIMARY, BENCH, small), 6, 12);
    expect(bt.generic.primary).toMatchObject({ setups: 1, evaluated: 1, failures: 1, failureRate: 1 });
    expect(bt.generic.benchmark).toMatchObject({ setups: 2, evaluated: 2, failures: 1, failureRate: 0.5 });
    expect(bt.generic.primaryOverBenchmark.ratio).toBe(2);
    // [5, 5]: the primary cross at 5 counts although 4 is outside the range.
    const at5 = backtest(history(PRIMARY, BENCH, small), 5, 5);
    expect(at5.generic.primary).toMatchObject({ setups: 1, evaluated: 1, failures: 1, failureRate: 1 });
    expect(at5.generic.benchmark).toMatchObject({ setups: 0, evaluated: 0, failures: 0, failureRate: null });
    expect(at5.generic.primaryOverBenchmark.ratio).toBeNull();
  });

  test('default 20/50 on a step: one cross, scored 10 sessions later; zero denominator gives null', () => {
    // 60 closes at 100, then 110. At t = 59 both SMAs are 100 (not above); at t = 60
    // SMA20 = 100 + 10/20 = 100.5 > SMA50 = 100 + 10/50 = 100.2: a cross. SMA20 stays
    // above afterwards. Primary: c70 = 110 <= c60 = 110, a false positive.
    // Benchmark: the same step with c70 = 111: not a false positive (rate 0).
    const primary = [...new Array(60).fill(100), ...new Array(20).fill(110)];
    const bench = primary.map((c, i) => (i === 70 ? 111 : c));
    const bt = backtest(history(primary, bench), 0, 79);
    expect(bt.generic.primary).toMatchObject({ setups: 1, evaluated: 1, failures: 1, failureRate: 1 });
    expect(bt.generic.benchmark).toMatchObject({ setups: 1, evaluated: 1, failures: 0, failureRate: 0 });
    expect(bt.generic.primaryOverBenchmark.ratio).toBeNull();
    // Benchmark also failing: 1 / 1.
    const both = backtest(
      history(
        primary,
        primary.map((c) => c * 4),
      ),
      0,
      79,
    );
    expect(both.generic.benchmark).toMatchObject({ setups: 1, evaluated: 1, failures: 1, failureRate: 1 });
    expect(both.generic.primaryOverBenchmark.ratio).toBe(1);
    // A cross 10 sessions from the end is evaluated; later ones are pending.
    const late = [...new Array(70).fill(100), ...new Array(10).fill(110)]; // cross at 70, 70 + 10 = 80: pending
    const pending = backtest(history(late, late), 0, 79);
    expect(pending.generic.primary).toMatchObject({ setups: 1, evaluated: 0, failures: 0, failureRate: null });
    const edge = [...new Array(69).fill(100), ...new Array(10).fill(110), 111]; // cross at 69, exit 79 = 111 > 110
    expect(backtest(history(edge, edge), 0, 79).generic.primary).toMatchObject({
      setups: 1,
      evaluated: 1,
      failures: 0,
      failureRate: 0,
    });
  });
});

describe('backtest: uncertainty and the seed claims', () => {
  test('every rate has its Wilson interval; the ratio its log-method interval', () => {
    const bt = backtest(staged(), 0, 29);
    // 5 of 8: p = 0.625, z^2 = 3.8416: centre (0.625 + 0.2401) / 1.4802 = 0.584448,
    // half 1.96 x sqrt(0.029297 + 0.015006) / 1.4802 = 0.278710: 0.305738 to 0.863158.
    expect(bt.total.interval!.low).toBeCloseTo(0.305738, 5);
    expect(bt.total.interval!.high).toBeCloseTo(0.863158, 5);
    expect(bt.byRotation.undefined.interval).toMatchObject({ high: 1 }); // 1 of 1
    expect(backtest(staged(), 6, 7).total.interval).toBeNull(); // nothing evaluated
    // flight 3/4 over leadership 1/2 = 1.5; se = sqrt(0.25/3 + 0.5/1) = 0.763763:
    // 1.5 x exp(-+1.496976) = 0.33573 to 6.70180.
    expect(bt.flightOverLeadership.ratio).toBe(1.5);
    expect(bt.flightOverLeadership.low).toBeCloseTo(0.33573, 4);
    expect(bt.flightOverLeadership.high).toBeCloseTo(6.7018, 3);
  });

  test('the flight/leadership claim: not supported, with the counts in words', () => {
    const claim = backtest(staged(), 0, 29).claims.find((c) => c.id === 'flight-vs-leadership')!;
    expect(claim).toMatchObject({ claimed: 2.1, verdict: 'not-supported', claimedInInterval: true });
    expect(claim.claim).toMatch(/fails about 2\.1 times as often in flight .* as in leadership/);
    expect(claim.summary).toBe(
      'Not supported: measured 1.50x, 95 % interval 0.34 to 6.70; the interval includes 1, so the data ' +
        'cannot tell the difference from noise (the claimed 2.1x is inside the interval). ' +
        'flight: 3 of 4 setups failed (75.0 %); leadership: 1 of 2 (50.0 %).',
    );
  });

  test('checkClaim: supported, contradicted and no data', () => {
    const stats = (failures: number, evaluated: number) => ({
      setups: evaluated,
      evaluated,
      failures,
      failureRate: failures / evaluated,
      interval: null,
    });
    /** [failures, evaluated] of group a against those of group b, claimed at 2x. */
    const claim = (a: [number, number], b: [number, number]) =>
      checkClaim(
        'generic-false-positives',
        'c',
        2,
        { name: 'a', stats: stats(...a) },
        { name: 'b', stats: stats(...b) },
        'false',
      );
    const supported = claim([20, 40], [10, 40]);
    expect(supported.verdict).toBe('supported');
    expect(supported.claimedInInterval).toBe(true);
    expect(supported.summary).toMatch(
      /^Supported: measured 2\.00x, 95 % interval 1\.08 to 3\.72; the whole interval is above 1/,
    );
    const against = claim([10, 40], [20, 40]);
    expect(against.verdict).toBe('contradicted');
    expect(against.claimedInInterval).toBe(false);
    expect(against.summary).toMatch(
      /^Contradicted: .* so a did better, not worse \(the claimed 2x is outside the interval\)/,
    );
    const none = claim([0, 5], [2, 5]);
    expect([none.verdict, none.claimedInInterval]).toEqual(['no-data', null]);
    expect(none.summary).toMatch(/^Not enough data to judge/);
  });

  test('the calendar note says which years the calendar covers and what ran without it', () => {
    // Sessions on consecutive days from 2024-03-01; a calendar of 2025 only.
    const n = 30;
    const c = Array.from({ length: n }, (_, i) => 100 + i);
    const outside = history(c, c, PRESETS.iwm, [{ date: '2025-01-29', kind: 'fomc', label: 'FOMC' }]);
    const note = backtest(outside, 0, n - 1).calendar;
    expect(note.sessions).toEqual({ full: 0, partial: 0, none: 30 });
    expect(note.note).toBe(
      'The macro calendar covers fomc 2025 (1). 30 of 30 sessions (2024-03-01 to 2024-03-30) fall in years it does not cover: they ran without the overlay.',
    );
    const inside = history(c, c, PRESETS.iwm, [
      { date: '2024-05-01', kind: 'fomc', label: 'FOMC' },
      { date: '2023-02-01', kind: 'cpi', label: 'CPI' },
    ]);
    expect(backtest(inside, 0, n - 1).calendar.sessions).toEqual({ full: 0, partial: 30, none: 0 });
    expect(fieldValue(inside, 'macro.coverage', 0)).toBe('partial');
    expect(fieldValue(inside, 'macro.uncovered', 0)).toEqual(['cpi']);
    expect(fieldValue(outside, 'macro.coverage', 0)).toBe('none');
    expect((readingAt(outside, 0).composite as { rationale: string[] }).rationale).toContain(
      'Macro overlay absent: the calendar has no events for 2024 (it covers fomc 2025 (1)).',
    );
  });
});
