/**
 * The credit overlay (docs/SIGNALS.md, "Credit overlay", v1.1) on ratios crafted and
 * worked out by hand: the states, the sessions without a ratio, unavailable data, the
 * size it halves, the switch, the rationale and the backtest's split by credit state.
 */
import { backtest } from '../../api/src/engine/backtest';
import { CALM, STRESS, UNDEF, computeHistory, type History } from '../../api/src/engine/engine';
import { fieldValue } from '../../api/src/engine/fields';
import { PRESETS, resolveProfile, type Profile } from '../../api/src/engine/profile';
import { readingAt } from '../../api/src/engine/reading';
import { breadthSeries, buildInput, repeat, steps, type BuildSpec } from './build';

const column = (h: History, field: string) => Array.from({ length: h.length }, (_, t) => fieldValue(h, field, t));

function run(spec: BuildSpec, closes: Record<string, number[]> | undefined, profile: Profile): History {
  const input = buildInput(spec);
  if (closes) input.closes = Object.fromEntries(Object.entries(closes).map(([s, c]) => [s, Float64Array.from(c)]));
  return computeHistory(input, profile);
}

describe('credit states on a crafted ratio', () => {
  // Average 3, slope lag 2, drop over 2 sessions, stress at -1 % or worse. IEF = 1, so the
  // ratio is HYG itself; HYG has no bar on session 5.
  const small = resolveProfile({ credit: { smaPeriod: 3, slopeLag: 2, dropLookback: 2, dropPct: 1 } });
  const hyg = [100, 101, 102, 101, 99, NaN, 97, 98, 100, 103];
  const ief = repeat(1, 10);
  const spec = { close: steps(99, 1, 10) };
  /*
   * The ratio exists on sessions 0-4 and 6-9; packed: 100 101 102 101 99 97 98 100 103.
   *   SMA3 (packed k >= 2): 101, 101.333, 100.667, 99, 98, 98.333, 100.333
   *   drop over 2 (k >= 2): +2, 0, -2.941, -3.960, -1.010, +3.093, +5.102 (%)
   *   a state needs SMA3 two ratios back: k >= 4, i.e. sessions 4, 6, 7, 8, 9.
   *   session 4: 99 < 100.667, 100.667 < 101, -2.94 <= -1           stress
   *   session 6: 97 < 99, 99 < 101.333, -3.96 <= -1                 stress
   *   session 7: 98 < 98 fails (equal)                               calm
   *   session 8: 100 < 98.333 fails                                  calm
   *   session 9: 103 < 100.333 fails                                 calm
   * Session 5 has no ratio and no state; sessions 0-3 are inside the look-backs.
   */
  const h = run(spec, { HYG: hyg, IEF: ief }, small);

  test('ratio, average and drop: the look-backs count only the sessions with a ratio', () => {
    expect(column(h, 'credit.ratio')).toEqual([100, 101, 102, 101, 99, null, 97, 98, 100, 103]);
    const sma = column(h, 'credit.ratioSma') as (number | null)[];
    const expected = [null, null, 101, 304 / 3, 302 / 3, null, 99, 98, 295 / 3, 301 / 3];
    expected.forEach((e, t) => expect([t, sma[t]]).toEqual([t, e === null ? null : expect.closeTo(e, 12)]));
    const drop = column(h, 'credit.drop') as (number | null)[];
    const drops = [null, null, 2, 0, (99 / 102 - 1) * 100, null, (97 / 101 - 1) * 100, (98 / 99 - 1) * 100];
    drops.forEach((e, t) => expect([t, drop[t]]).toEqual([t, e === null ? null : expect.closeTo(e, 12)]));
  });

  test('stress needs the ratio below a falling average and down by dropPct', () => {
    expect(column(h, 'credit.state')).toEqual([
      null,
      null,
      null,
      null,
      'stress',
      null,
      'stress',
      'calm',
      'calm',
      'calm',
    ]);
    expect(Array.from(h.credit.state)).toEqual([UNDEF, UNDEF, UNDEF, UNDEF, STRESS, UNDEF, STRESS, CALM, CALM, CALM]);
    // A 3 % drop needed: session 4 (-2.94 %) is calm, session 6 (-3.96 %) still stress.
    const deeper = run(
      spec,
      { HYG: hyg, IEF: ief },
      resolveProfile({ ...small, credit: { ...small.credit, dropPct: 3 } }),
    );
    expect(column(deeper, 'credit.state').slice(4, 7)).toEqual(['calm', null, 'stress']);
  });

  test('a rising average is calm however far the ratio dips', () => {
    // 100 100 100 106 106 100: at session 5 the ratio (100) is below SMA3 = 104 and down
    // 5.66 % over 2 sessions, but SMA3 rose from 102 two sessions before: calm. With 90 last,
    // SMA3 = (106 + 106 + 90) / 3 = 100.67 is below 102: falling, and 90 below it: stress.
    const rising = run({ close: steps(99, 1, 6) }, { HYG: [100, 100, 100, 106, 106, 100], IEF: repeat(1, 6) }, small);
    expect(column(rising, 'credit.state')[5]).toBe('calm');
    const falling = run({ close: steps(99, 1, 6) }, { HYG: [100, 100, 100, 106, 106, 90], IEF: repeat(1, 6) }, small);
    expect(column(falling, 'credit.state')[5]).toBe('stress');
  });

  test('the profile names the symbols; without either series the overlay is unavailable', () => {
    const other = resolveProfile({ credit: { ...small.credit, highYield: 'JNK' } });
    expect(column(run(spec, { HYG: hyg, IEF: ief }, other), 'credit.state')).toEqual(Array(10).fill('unavailable'));
    const jnk = run(spec, { JNK: hyg, IEF: ief }, other);
    expect(column(jnk, 'credit.state')[4]).toBe('stress');
    const none = run(spec, undefined, small);
    expect(column(none, 'credit.state')).toEqual(Array(10).fill('unavailable'));
    expect(column(none, 'credit.ratio')).toEqual(Array(10).fill(null));
  });
});

describe('stress halves the size; the switch and the rationale', () => {
  // The reading test's scenario: 130 rising sessions, a flat benchmark (leadership), breadth
  // bullish but diverging: size 0.5 at the last session. HYG flat at 100 until session 99,
  // then down 0.5 a session (IEF 1): at session 129 the ratio (85) is below its falling
  // 50-session average and down 10/95 = 10.5 % over 20 sessions: stress.
  const n = 130;
  const T = n - 1;
  const pct50 = Array.from({ length: n }, (_, t) => 40 + 0.1 * t);
  const spec: BuildSpec = { close: steps(99.5, 0.5, n), breadth: breadthSeries(pct50) };
  const hyg = Array.from({ length: n }, (_, t) => (t < 100 ? 100 : 100 - 0.5 * (t - 99)));
  const closes = { HYG: hyg, IEF: repeat(1, n) };

  test('bullish composite: 0.5 becomes 0.25 under stress; the rating is unchanged', () => {
    const calm = run(spec, undefined, PRESETS.iwm);
    const stressed = run(spec, closes, PRESETS.iwm);
    expect(fieldValue(stressed, 'credit.state', T)).toBe('stress');
    expect(fieldValue(stressed, 'credit.drop', T)).toBeCloseTo((85 / 95 - 1) * 100, 9);
    expect([fieldValue(calm, 'composite.rating', T), fieldValue(calm, 'rotation.state', T)]).toEqual([
      'bullish',
      'leadership',
    ]);
    expect(fieldValue(calm, 'sizing.fraction', T)).toBe(0.5);
    expect(fieldValue(stressed, 'composite.rating', T)).toBe('bullish');
    expect(fieldValue(stressed, 'sizing.fraction', T)).toBe(0.25);
    // Before the decline the ratio is flat (calm): the size is the same with or without credit.
    expect(fieldValue(stressed, 'credit.state', 90)).toBe('calm');
    expect(fieldValue(stressed, 'sizing.fraction', 90)).toBe(fieldValue(calm, 'sizing.fraction', 90));
  });

  test('credit.enabled false: stress is reported and changes nothing', () => {
    const off = run(spec, closes, resolveProfile({ credit: { enabled: false } }));
    expect(fieldValue(off, 'credit.state', T)).toBe('stress');
    expect(fieldValue(off, 'credit.enabled', T)).toBe(false);
    expect(fieldValue(off, 'sizing.fraction', T)).toBe(0.5);
    expect((readingAt(off, T).composite as { rationale: string[] }).rationale.at(-1)).toMatch(
      /^Credit stress \(overlay off, size unchanged\)/,
    );
  });

  test('the rationale names the overlay in force', () => {
    const lines = (readingAt(run(spec, closes, PRESETS.iwm), T).composite as { rationale: string[] }).rationale;
    expect(lines.at(-1)).toMatch(
      /^Credit stress: HYG\/IEF 85\.0000 below its 50-session average .*position size halved\.$/,
    );
    const calmLines = (readingAt(run(spec, closes, PRESETS.iwm), 90).composite as { rationale: string[] }).rationale;
    expect(calmLines.at(-1)).toMatch(/^Credit calm: HYG\/IEF 100\.0000/);
  });
});

describe('backtest: failure rates by credit state at the setup', () => {
  // Ratings and credit states staged on a history of 12 sessions (H = 5):
  //   setups at 2 (calm, close 100 -> c7 99: fails), 4 (stress, 100 -> c9 101: holds),
  //   6 (stress, 100 -> c11 98: fails), 8 (no state, pending).
  test('counts, rates and the stress/calm ratio', () => {
    const close = [100, 100, 100, 100, 100, 100, 100, 99, 100, 101, 100, 98];
    const h = run({ close }, { HYG: repeat(1, 12), IEF: repeat(1, 12) }, PRESETS.iwm);
    h.composite.rating.set([0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0]);
    h.credit.state.set([UNDEF, UNDEF, CALM, CALM, STRESS, CALM, STRESS, CALM, UNDEF, CALM, CALM, CALM]);
    const bt = backtest(h, 0, 11);
    expect(bt.creditAvailable).toBe(true);
    expect(bt.byCredit.calm).toMatchObject({ setups: 1, evaluated: 1, failures: 1, failureRate: 1 });
    expect(bt.byCredit.stress).toMatchObject({ setups: 2, evaluated: 2, failures: 1, failureRate: 0.5 });
    expect(bt.byCredit.undefined).toMatchObject({ setups: 1, evaluated: 0, failures: 0, failureRate: null });
    expect(bt.setups.map((s) => s.credit)).toEqual(['calm', 'stress', 'stress', null]);
    // 0.5 / 1; se = sqrt((1 - 0.5)/1 + (1 - 1)/1) = sqrt(0.5): 0.5 x exp(-+1.96 x 0.70711).
    expect(bt.stressOverCalm.ratio).toBe(0.5);
    expect(bt.stressOverCalm.low).toBeCloseTo(0.5 * Math.exp(-1.96 * Math.SQRT1_2), 12);
    expect(bt.stressOverCalm.high).toBeCloseTo(0.5 * Math.exp(1.96 * Math.SQRT1_2), 12);
  });

  test('without credit data every setup is undefined and the data says so', () => {
    const close = [100, 100, 100, 100, 100, 100, 100, 99];
    const h = run({ close }, undefined, PRESETS.iwm);
    h.composite.rating.set([0, 0, 1, 0, 0, 0, 0, 0]);
    const bt = backtest(h, 0, 7);
    expect(bt.creditAvailable).toBe(false);
    expect(bt.byCredit.undefined).toMatchObject({ setups: 1, evaluated: 1, failures: 1 });
    expect(bt.setups[0].credit).toBe('unavailable');
  });
});
