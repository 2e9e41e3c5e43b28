/**
 * The sizing rule as a strategy (docs/SIGNALS.md, "Historical analysis", v1.1) on a
 * five-session series worked out by hand (docs/ENGINE.md, "Backtest", for the
 * conventions: flat before the range, the trade at the close of t-1 paid out of the
 * interval (t-1, t], an undefined fraction holds 0, sample standard deviation).
 */
import { formatDay } from '../../api/src/engine/dates';
import { runFractions, strategyReport } from '../../api/src/engine/strategy';

const dates = Int32Array.from([19_800, 19_801, 19_802, 19_803, 19_804]);
const close = Float64Array.from([100, 110, 99, 99, 108.9]);
// Held: 1 from t0, 0.5 from t1, undefined (holds 0) from t2, 1 from t3; the 0.25 at the
// last session is never held inside the range.
const fraction = Float64Array.from([1, 0.5, NaN, 1, 0.25]);

/*
 * Cost 100 bps per unit of change. Returns R: +10 %, -10 %, 0, +10 %.
 *   (t0, t1]  change 0 -> 1:   0.99 x (1 + 1 x 0.1)    = 1.089   r = +0.089
 *   (t1, t2]  change 1 -> 0.5: 0.995 x (1 - 0.5 x 0.1) = 0.94525 r = -0.05475
 *   (t2, t3]  change 0.5 -> 0: 0.995 x 1               = 0.995   r = -0.005
 *   (t3, t4]  change 0 -> 1:   0.99 x 1.1              = 1.089   r = +0.089
 * Equity 1, 1.089, 1.02937725, 1.02423036375, 1.11538686612375.
 * Mean r = 0.118 / 4 = 0.0295; deviations 0.0595, -0.08425, -0.0345, 0.0595; sum of
 * squares 0.0153698...; / 3 = 0.00512327; sd 0.0715770; x sqrt(252): volatility 1.136213;
 * Sharpe 0.0295 / 0.0715770 x 15.874508 = 6.556652. CAGR 1.11538686612375^63 - 1 = 971.3176.
 * Drawdown: peak 1.089 (t1), trough 1.02423036375 (t3): 1 - 0.94052375 = 0.05947625.
 * Exposure (1 + 0.5 + 0 + 1) / 4 = 0.625; four changes.
 * Buy-and-hold: 1.089, 0.9801, 0.9801, 1.07811 (total +7.811 %), drawdown 10 % from t1 to t2,
 * volatility 1.476151, Sharpe 3.798391, one change.
 */
test('returns, CAGR, volatility, Sharpe, drawdown, exposure and changes, by hand', () => {
  const { equity, stats } = runFractions(close, fraction, dates, 0, 4, 100);
  const expected = [1, 1.089, 1.02937725, 1.02423036375, 1.11538686612375];
  expected.forEach((e, i) => expect([i, equity[i]]).toEqual([i, expect.closeTo(e, 12)]));
  expect(stats.totalReturn).toBeCloseTo(0.11538686612375, 12);
  expect(stats.cagr).toBeCloseTo(971.3176, 3);
  expect(stats.volatility).toBeCloseTo(1.136213, 6);
  expect(stats.sharpe).toBeCloseTo(6.556652, 6);
  expect(stats.maxDrawdown).toEqual({
    depth: expect.closeTo(0.05947625, 12),
    peak: formatDay(dates[1]),
    trough: formatDay(dates[3]),
  });
  expect(stats.exposure).toBe(0.625);
  expect(stats.changes).toBe(4);
});

test('buy-and-hold pays the entry once and is measured the same way', () => {
  const r = strategyReport(close, fraction, dates, 0, 4, 100);
  expect(r.buyHold.totalReturn).toBeCloseTo(0.07811, 12);
  expect(r.buyHold.maxDrawdown).toEqual({
    depth: expect.closeTo(0.1, 12),
    peak: formatDay(dates[1]),
    trough: formatDay(dates[2]),
  });
  expect(r.buyHold.volatility).toBeCloseTo(1.476151, 6);
  expect(r.buyHold.sharpe).toBeCloseTo(3.798391, 6);
  expect([r.buyHold.exposure, r.buyHold.changes]).toEqual([1, 1]);
  expect(r.intervals).toBe(4);
  expect(r.equity.date).toEqual(Array.from(dates, formatDay));
  expect(r.equity.fraction).toEqual([1, 0.5, null, 1, 0.25]);
  expect(r.equity.buyHold.map((v) => Number(v.toFixed(8)))).toEqual([1, 1.089, 0.9801, 0.9801, 1.07811]);
});

test('without costs the equity is the product of f x R; a sub-range starts flat again', () => {
  // From t1: hold 0.5 over (t1, t2]: 1 - 0.05 = 0.95; 0 over (t2, t3]; 1 over (t3, t4]: x 1.1.
  const { equity, stats } = runFractions(close, fraction, dates, 1, 4, 0);
  expect(Array.from(equity).map((v) => Number(v.toFixed(12)))).toEqual([1, 0.95, 0.95, 1.045]);
  expect(stats.changes).toBe(3);
  expect(stats.exposure).toBeCloseTo(0.5, 12);
});

test('never invested: zero return, no Sharpe; one session: no returns at all', () => {
  const flat = runFractions(close, new Float64Array(5), dates, 0, 4, 10).stats;
  expect([flat.totalReturn, flat.volatility, flat.sharpe, flat.changes, flat.exposure]).toEqual([0, 0, null, 0, 0]);
  expect(flat.maxDrawdown).toEqual({ depth: 0, peak: null, trough: null });
  const one = runFractions(close, fraction, dates, 2, 2, 10).stats;
  expect([one.totalReturn, one.cagr, one.volatility, one.sharpe]).toEqual([0, null, null, null]);
  expect(() => runFractions(close, fraction, dates, 3, 2, 0)).toThrow(RangeError);
});
