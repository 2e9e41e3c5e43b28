/**
 * The backtest's uncertainty (docs/SIGNALS.md, "Historical analysis", v1.1): Wilson score
 * intervals against published values, the log-method ratio interval and the verdict
 * worked out by hand.
 */
import { rateRatio, verdictAboveOne, wilsonInterval } from '../../api/src/engine/stats';

const close = (a: number, e: number, digits = 4) => Math.abs(a - e) < 0.5 * 10 ** -digits;

describe('wilsonInterval (95 %)', () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Statistics
  // in Medicine 17:857-872, Table I, method 3 (score interval without continuity correction);
  // 8/10 is the common textbook example.
  test.each([
    [8, 10, 0.4902, 0.9433],
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i of %i: %f to %f', (x, n, low, high) => {
    const i = wilsonInterval(x, n)!;
    expect([i.low, i.high, close(i.low, low), close(i.high, high)]).toEqual([i.low, i.high, true, true]);
  });

  test('the ends are exact at 0 and n, and the interval contains the rate', () => {
    // 0/10: the upper bound is z^2 / (n + z^2) = 3.8416 / 13.8416.
    expect(wilsonInterval(0, 10)).toEqual({ low: 0, high: expect.closeTo(3.8416 / 13.8416, 12) });
    expect(wilsonInterval(10, 10)).toEqual({ low: expect.closeTo(10 / 13.8416, 12), high: 1 });
    for (const [x, n] of [
      [3, 7],
      [50, 51],
      [1, 1000],
    ]) {
      const i = wilsonInterval(x, n)!;
      expect(i.low < x / n && x / n < i.high).toBe(true);
    }
  });

  test('no trials: no interval', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('rateRatio (log method) and the verdict', () => {
  test('20/40 against 10/40, by hand', () => {
    // p1 = 0.5, p2 = 0.25, r = 2; se = sqrt((1 - 0.5)/20 + (1 - 0.25)/10) = sqrt(0.1);
    // 2 x exp(-+1.96 x 0.316228) = 2 x exp(-+0.619806): 1.07610 and 3.71714.
    const r = rateRatio({ events: 20, trials: 40 }, { events: 10, trials: 40 });
    expect(r.ratio).toBe(2);
    expect(close(r.low!, 1.0761, 4) && close(r.high!, 3.7171, 4)).toBe(true);
    expect(verdictAboveOne(r)).toBe('supported');
  });

  test('the same rates on a tenth of the counts: the interval includes 1', () => {
    // 2/4 vs 1/4: se = sqrt(0.5/2 + 0.75/1) = 1; 2 x exp(-+1.96): 0.2817 and 14.199.
    const r = rateRatio({ events: 2, trials: 4 }, { events: 1, trials: 4 });
    expect(r.ratio).toBe(2);
    expect(close(r.low!, 2 * Math.exp(-1.96), 9) && close(r.high!, 2 * Math.exp(1.96), 9)).toBe(true);
    expect(r.low! < 1 && r.high! > 1).toBe(true);
    expect(verdictAboveOne(r)).toBe('not-supported');
  });

  test('the reverse effect is contradicted', () => {
    // 10/40 vs 20/40: r = 0.5, the interval is the reciprocal of the first test's.
    const r = rateRatio({ events: 10, trials: 40 }, { events: 20, trials: 40 });
    expect(r.ratio).toBe(0.5);
    expect(close(r.low!, 1 / 3.7171, 4) && close(r.high!, 1 / 1.0761, 4)).toBe(true);
    expect(verdictAboveOne(r)).toBe('contradicted');
  });

  test('a count of 0 leaves the interval undefined; a zero denominator leaves the ratio undefined', () => {
    const none = rateRatio({ events: 0, trials: 10 }, { events: 3, trials: 10 });
    expect(none).toEqual({ ratio: 0, low: null, high: null });
    expect(verdictAboveOne(none)).toBe('no-data');
    expect(rateRatio({ events: 3, trials: 10 }, { events: 0, trials: 10 })).toEqual({
      ratio: null,
      low: null,
      high: null,
    });
    expect(rateRatio({ events: 0, trials: 0 }, { events: 3, trials: 10 })).toEqual({
      ratio: null,
      low: null,
      high: null,
    });
  });
});
