/**
 * The charts' pure geometry (src/common/chart-geometry.ts): nice ticks, scales, lines that
 * break at missing values (never drawn as 0), the rotation band written from SIGNALS.md
 * (checked by hand on a small example, then against the engine's own bandPct), reference
 * lines and date ticks.
 */
import { computeHistory } from '../../api/src/engine/engine';
import { PRESETS } from '../../api/src/engine/profile';
import {
  bandPath,
  dateTicks,
  decimalsFor,
  extent,
  formatValue,
  indexScale,
  linePath,
  linearScale,
  niceTicks,
  referenceLine,
  rollingBand,
  segments,
  stepPath,
} from '../../src/common/chart-geometry';
import { buildInput, randomWalk, sessionIso } from '../engine/build';

/** The [x, y] pairs of an SVG path's M and L commands, per sub-path. */
function subpaths(d: string): number[][][] {
  return d
    .split('M')
    .filter(Boolean)
    .map((part) => [...`M${part}`.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]));
}

describe('niceTicks', () => {
  test('steps of 1, 2 or 5 x 10^k, domain widened to whole steps', () => {
    expect(niceTicks(0, 100, 5)).toEqual({ min: 0, max: 100, step: 20, ticks: [0, 20, 40, 60, 80, 100], decimals: 0 });
    expect(niceTicks(0.3312, 0.3468, 4)).toEqual({
      min: 0.33,
      max: 0.35,
      step: 0.005,
      ticks: [0.33, 0.335, 0.34, 0.345, 0.35],
      decimals: 3,
    });
    expect(niceTicks(-3.5, 2, 3)).toEqual({ min: -4, max: 2, step: 2, ticks: [-4, -2, 0, 2], decimals: 0 });
    // Bounds already on a step stay put (no extra empty step from float noise).
    expect(niceTicks(0.1, 0.3, 2).ticks).toEqual([0.1, 0.2, 0.3]);
  });

  test('an empty span is widened around the value; reversed bounds are swapped', () => {
    const t = niceTicks(0.5, 0.5, 4);
    expect(t.min).toBeLessThan(0.5);
    expect(t.max).toBeGreaterThan(0.5);
    expect(niceTicks(0, 0, 4).ticks).toContain(0);
    expect(niceTicks(100, 0, 5).ticks).toEqual([0, 20, 40, 60, 80, 100]);
    expect(() => niceTicks(NaN, 1)).toThrow(RangeError);
  });

  test('decimalsFor', () => {
    expect([5, 0.5, 0.25, 0.005, 0.002, 1e-4].map(decimalsFor)).toEqual([0, 1, 2, 3, 3, 4]);
  });
});

describe('scales and extent', () => {
  test('linear scale maps the domain onto a (downward) range', () => {
    const y = linearScale([0, 100], [150, 10]);
    expect(y(0)).toBe(150);
    expect(y(100)).toBe(10);
    expect(y(50)).toBe(80);
    expect(y.domain).toEqual([0, 100]);
    expect(linearScale([1, 1], [0, 10])(1)).toBe(5);
  });

  test('index scale: first session at the left, last at the right, one in the middle', () => {
    const x = indexScale(5, [40, 240]);
    expect([0, 1, 4].map(x)).toEqual([40, 90, 240]);
    expect(indexScale(1, [40, 240])(0)).toBe(140);
  });

  test('extent ignores missing values', () => {
    expect(extent([null, 3, NaN, 1], [undefined, 7, Infinity])).toEqual([1, 7]);
    expect(extent([null], [])).toBeNull();
  });
});

describe('lines break at missing values', () => {
  const values = [1, 2, null, 4, NaN, 6, 7, undefined];
  const x = (i: number) => i * 10;
  const y = (v: number) => 100 - v;

  test('segments are the runs of defined values', () => {
    expect(segments(values, x, y)).toEqual([
      [
        [0, 99],
        [10, 98],
      ],
      [[30, 96]],
      [
        [50, 94],
        [60, 93],
      ],
    ]);
  });

  test('path: one sub-path per run, a lone value is a dot, nothing at 0', () => {
    const d = linePath(values, x, y);
    expect(d).toBe('M0,99L10,98M30,96h0M50,94L60,93');
    const points = subpaths(d).flat();
    expect(points).toHaveLength(values.filter((v) => typeof v === 'number' && Number.isFinite(v)).length);
    // y(0) = 100 would be a missing value drawn as 0: it never appears.
    expect(points.some(([, py]) => py === 100)).toBe(false);
    expect(linePath([null, null], x, y)).toBe('');
  });

  test('step path: level with each value, changing half-way between sessions', () => {
    expect(stepPath([1, 3, null, 2], x, y)).toBe('M0,99H5V97H10M30,98h0');
  });
});

describe('the rotation band (SIGNALS.md: max and min of the ratio over the last lookback sessions)', () => {
  test('hand-computed example, lookback 3', () => {
    const band = rollingBand([10, 12, 11, 9, 13], 3);
    expect(band.hi).toEqual([null, null, 12, 12, 13]);
    expect(band.lo).toEqual([null, null, 10, 9, 9]);
    // (12-10)/11, (12-9)/(32/3), (13-9)/11, x 100
    expect(band.pct[2]).toBeCloseTo(18.181818, 5);
    expect(band.pct[3]).toBeCloseTo(28.125, 10);
    expect(band.pct[4]).toBeCloseTo(36.363636, 5);
  });

  test('a window holding a missing value has no band', () => {
    const band = rollingBand([10, 12, null, 9, 13, 11, 10], 3);
    expect(band.hi).toEqual([null, null, null, null, null, 13, 13]);
    expect(band.lo).toEqual([null, null, null, null, null, 9, 10]);
  });

  test('agrees with the engine (rotation.bandPct) to 1e-9 on a random pair', () => {
    const n = 300;
    const h = computeHistory(
      buildInput({ close: randomWalk(n, 11, 70), benchmark: randomWalk(n, 12, 140) }),
      PRESETS.iwm,
    );
    const ratio = Array.from(h.rotation.ratio);
    const band = rollingBand(ratio, PRESETS.iwm.rotation.bandLookback);
    for (let t = 0; t < n; t++) {
      const engine = h.rotation.bandPct[t];
      if (Number.isNaN(engine)) expect(band.pct[t]).toBeNull();
      else expect(Math.abs(band.pct[t]! - engine)).toBeLessThanOrEqual(1e-9 * Math.abs(engine));
      if (band.hi[t] !== null) {
        expect(ratio[t]).toBeLessThanOrEqual(band.hi[t]!);
        expect(ratio[t]).toBeGreaterThanOrEqual(band.lo[t]!);
      }
    }
    expect(band.pct.filter((v) => v !== null)).toHaveLength(n - 19);
  });

  test('band path: upper edge left to right, lower edge back, closed; broken at gaps', () => {
    const hi = [null, 5, 6, null, 8];
    const lo = [null, 1, 2, null, 3];
    const d = bandPath(
      hi,
      lo,
      (i) => i * 10,
      (v) => 100 - v,
    );
    expect(d).toBe('M10,95L20,94L20,98L10,99ZM40,92L40,97Z');
    expect(subpaths(d).map((p) => p.length)).toEqual([4, 2]);
  });
});

test('reference line: horizontal at the value', () => {
  const y = linearScale([0, 100], [150, 10]);
  expect(referenceLine(30, y, 40, 300)).toEqual({ x1: 40, y1: 108, x2: 300, y2: 108 });
  expect(referenceLine(55, y, 40, 300).y1).toBe(73);
});

describe('date ticks', () => {
  // Weekdays from Monday 2024-01-01.
  const dates = (n: number, from = 0) => Array.from({ length: n }, (_, i) => sessionIso(from + i));

  test('first session of each month when that fits, with the year on January and the first tick', () => {
    const d = dates(65); // 2024-01-01 .. 2024-03-29
    const ticks = dateTicks(d, 5);
    expect(ticks.map((t) => d[t.index])).toEqual(['2024-02-01', '2024-03-01']);
    expect(ticks.map((t) => t.label)).toEqual(['Feb 2024', 'Mar']);
  });

  test('a longer range steps by whole quarters or half-years', () => {
    const d = dates(260, 10); // 2024-01-15 .. 2025-01-10
    const ticks = dateTicks(d, 5);
    expect(ticks.map((t) => d[t.index])).toEqual(['2024-04-01', '2024-07-01', '2024-10-01', '2025-01-01']);
    expect(ticks.map((t) => t.label)).toEqual(['Apr 2024', 'Jul', 'Oct', 'Jan 2025']);
    const two = dates(520);
    expect(dateTicks(two, 4).map((t) => two[t.index].slice(5))).toEqual(['07-01', '01-01', '07-01']);
  });

  test('too short for two month starts: evenly spaced, first and last included', () => {
    const d = dates(10, 2); // 2024-01-03 .. 2024-01-16
    const ticks = dateTicks(d, 3);
    expect(ticks.map((t) => t.index)).toEqual([0, 5, 9]);
    expect(ticks.map((t) => t.label)).toEqual(['Jan 3', 'Jan 10', 'Jan 16']);
    expect(dateTicks([], 3)).toEqual([]);
    expect(dateTicks(['2024-01-02'], 3)).toEqual([{ index: 0, label: 'Jan 2' }]);
  });
});

test('formatValue: missing is n/a, never 0', () => {
  expect(formatValue(0.34123, 4)).toBe('0.3412');
  expect(formatValue(null, 2)).toBe('n/a');
  expect(formatValue(NaN, 2)).toBe('n/a');
  expect(formatValue(0, 1)).toBe('0.0');
});
