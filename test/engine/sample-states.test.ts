/**
 * The embedded sample data set must exercise the whole product: every state of every
 * layer, every rotation state, every sizing fraction and every flag occurs somewhere in
 * its 25 years, so a user trying the product on sample data sees all of it.
 */
import { DEFAULT_EVENTS } from '../../api/src/data/calendar';
import { generateSample } from '../../api/src/data/sample';
import { backtest } from '../../api/src/engine/backtest';
import { BEARISH, BULLISH, FLIGHT, LEADERSHIP, NEUTRAL, PARITY, computeHistory } from '../../api/src/engine/engine';
import { MACRO_AFTER, MACRO_WINDOW } from '../../api/src/engine/macro';
import { PRESETS } from '../../api/src/engine/profile';

const sample = generateSample();
const h = computeHistory(
  { primary: sample.primary, benchmarkClose: sample.benchmark.close, breadth: sample.universe, events: DEFAULT_EVENTS },
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
  for (const f of [0, 0.25, 0.5, 1]) expect([f, has(h.sizing.fraction, f)]).toEqual([f, true]);
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
  expect(bt.flightOverLeadership).not.toBeNull();
  expect(bt.generic.primaryOverBenchmark).not.toBeNull();
});
