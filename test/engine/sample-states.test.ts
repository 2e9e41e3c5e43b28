/**
 * The embedded sample data set must exercise the whole product: every state of every
 * layer, every rotation and credit state, every sizing fraction and every flag occurs
 * somewhere in its 25 years, so a user trying the product on sample data sees all of it.
 */
import { DEFAULT_EVENTS } from '../../api/src/data/calendar';
import { generateSample } from '../../api/src/data/sample';
import { backtest } from '../../api/src/engine/backtest';
import {
  BEARISH,
  BULLISH,
  CALM,
  FLIGHT,
  LEADERSHIP,
  NEUTRAL,
  PARITY,
  STRESS,
  computeHistory,
} from '../../api/src/engine/engine';
import { MACRO_AFTER, MACRO_WINDOW } from '../../api/src/engine/macro';
import { PRESETS } from '../../api/src/engine/profile';

const sample = generateSample();
// The sample's bars share one calendar, so HYG and IEF are on the primary's sessions as they are.
const h = computeHistory(
  {
    primary: sample.primary,
    benchmarkClose: sample.benchmark.close,
    breadth: sample.universe,
    events: DEFAULT_EVENTS,
    closes: { HYG: sample.highYield.close, IEF: sample.treasury.close },
  },
  PRESETS.iwm,
);
const has = (arr: ArrayLike<number>, v: number) => Array.prototype.includes.call(arr, v);

test('the sample is labelled as sample data and spans about 25 years', () => {
  expect(sample.source).toBe('sample');
  expect(h.length).toBe(6300);
  expect(sample.universe.symbols).toHaveLength(2000);
});

test.each(['trend', 'momentum', 'breadth', 'rs'] as const)('%s: bullish, neutral and bearish all occur', (layer) => {
  for (const s of [BULLISH, NEUTRAL, BEARISH]) expect([layer, s, has(h[layer].state, s)]).toEqual([layer, s, true]);
});

test('composite ratings, rotation states and sizing fractions all occur', () => {
  for (const s of [BULLISH, NEUTRAL, BEARISH]) expect(has(h.composite.rating, s)).toBe(true);
  for (const s of [LEADERSHIP, PARITY, FLIGHT]) expect(has(h.rotation.state, s)).toBe(true);
  for (const f of [0, 0.125, 0.25, 0.5, 1]) expect([f, has(h.sizing.fraction, f)]).toEqual([f, true]);
});

test('HYG and IEF share the sample calendar; credit is calm and under stress', () => {
  expect(sample.highYieldSymbol).toBe('HYG');
  expect(sample.treasurySymbol).toBe('IEF');
  expect(Array.from(sample.highYield.dates)).toEqual(Array.from(sample.primary.dates));
  expect(Array.from(sample.treasury.dates)).toEqual(Array.from(sample.primary.dates));
  expect(h.credit.available).toBe(true);
  let stress = 0;
  let calm = 0;
  for (const s of h.credit.state) {
    if (s === STRESS) stress++;
    else if (s === CALM) calm++;
  }
  // Stress is the exception, not the rule: between 5 % and 35 % of the sessions.
  expect(stress / h.length).toBeGreaterThan(0.05);
  expect(stress / h.length).toBeLessThan(0.35);
  expect(calm).toBeGreaterThan(stress);
});

test('credit stresses before drawdowns: in every 15 % fall of SPY, stress comes by 10 sessions after the peak', () => {
  // Drawdown episodes from the closes alone: a peak, the lowest close before a new high.
  const c = sample.benchmark.close;
  const episodes: { peak: number; trough: number }[] = [];
  let peak = 0;
  let trough = 0;
  const close = (e: { peak: number; trough: number }) => {
    if (1 - c[e.trough] / c[e.peak] >= 0.15) episodes.push({ ...e });
  };
  for (let t = 1; t < c.length; t++) {
    if (c[t] > c[peak]) {
      close({ peak, trough });
      peak = trough = t;
    } else if (c[t] < c[trough]) trough = t;
  }
  close({ peak, trough });
  // Episodes after the credit look-back (the 50-session average 10 sessions back, with 40 to spare).
  const judged = episodes.filter((e) => e.peak >= 100);
  expect(judged.length).toBeGreaterThanOrEqual(5);
  for (const e of judged) {
    let first = -1;
    for (let t = e.peak - 40; t <= e.trough && first < 0; t++) if (h.credit.state[t] === STRESS) first = t;
    expect([e.peak, first >= 0 && first <= e.peak + 10 && first <= e.trough - 30]).toEqual([e.peak, true]);
  }
});

test('every flag fires somewhere, and momentum signals are both confirmed and weak', () => {
  expect(has(h.trend.convergenceSetup, BULLISH)).toBe(true);
  expect(has(h.trend.convergenceSetup, BEARISH)).toBe(true);
  expect(has(h.momentum.score, 1) && has(h.momentum.score, 0.5)).toBe(true);
  expect(has(h.momentum.score, -1) && has(h.momentum.score, -0.5)).toBe(true);
  expect(has(h.breadth.divergenceWarning, 1)).toBe(true);
  expect(has(h.breadth.washoutRecovery, 1)).toBe(true);
  expect(has(h.rs.confirmation, 1)).toBe(true);
  expect(has(h.rs.deteriorationWarning, 1)).toBe(true);
  expect(has(h.macro.phase, MACRO_WINDOW) && has(h.macro.phase, MACRO_AFTER)).toBe(true);
});

test('the backtest finds setups in every rotation state', () => {
  const bt = backtest(h, 0, h.length - 1);
  expect(bt.byRotation.leadership.evaluated).toBeGreaterThan(10);
  expect(bt.byRotation.parity.evaluated).toBeGreaterThan(10);
  expect(bt.byRotation.flight.evaluated).toBeGreaterThan(10);
  expect(bt.flightOverLeadership.ratio).not.toBeNull();
  expect(bt.generic.primaryOverBenchmark.ratio).not.toBeNull();
  expect(bt.byCredit.stress.evaluated).toBeGreaterThan(10);
  expect(bt.byCredit.calm.evaluated).toBeGreaterThan(10);
  expect(bt.claims.map((c) => c.verdict).every((v) => v !== 'no-data')).toBe(true);
});
