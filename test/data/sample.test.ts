/**
 * The embedded sample data set (api/src/data/sample.ts). Most assertions run on one
 * 300-member x 2,600-session set of the default seed; one test generates the full
 * default set and logs the time it takes. Statistics (breadth, the IWM/SPY ratio, vols)
 * are recomputed here with plain loops, independent of the engine.
 */
import { formatDay, isoDay, weekday } from '../../api/src/engine/dates';
import type { BarColumns } from '../../api/src/engine/types';
import { DEFAULT_SAMPLE_SEED, generateSample, sampleHolidays, type SampleData } from '../../api/src/data/sample';

const SMALL = { members: 300, sessions: 2600 };
let small: SampleData;

beforeAll(() => {
  small = generateSample(SMALL);
});

function logReturns(close: Float64Array): Float64Array {
  const r = new Float64Array(close.length - 1);
  for (let t = 1; t < close.length; t++) r[t - 1] = Math.log(close[t] / close[t - 1]);
  return r;
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

function stdev(x: ArrayLike<number>): number {
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - m) ** 2;
  return Math.sqrt(s / (x.length - 1));
}

function correlation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function maxDrawdown(close: Float64Array): number {
  let peak = close[0];
  let worst = 0;
  for (const c of close) {
    if (c > peak) peak = c;
    worst = Math.max(worst, 1 - c / peak);
  }
  return worst;
}

function simpleMovingAverage(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(x.length).fill(NaN);
  for (let t = n - 1; t < x.length; t++) {
    let s = 0;
    for (let k = t - n + 1; k <= t; k++) s += x[k];
    out[t] = s / n;
  }
  return out;
}

/** % of members above their own n-bar SMA, per calendar session (NaN when none counts). */
function breadth(d: SampleData, n: number): Float64Array {
  const sessions = d.primary.dates.length;
  const above = new Float64Array(sessions);
  const counted = new Float64Array(sessions);
  const { offsets, dayIndex, close } = d.universe;
  for (let i = 0; i + 1 < offsets.length; i++) {
    for (let k = offsets[i] + n - 1; k < offsets[i + 1]; k++) {
      let s = 0;
      for (let j = k - n + 1; j <= k; j++) s += close[j];
      counted[dayIndex[k]]++;
      if (close[k] > s / n) above[dayIndex[k]]++;
    }
  }
  const pct = new Float64Array(sessions);
  for (let t = 0; t < sessions; t++) pct[t] = counted[t] > 0 ? (100 * above[t]) / counted[t] : NaN;
  return pct;
}

function expectValidBars(b: BarColumns, n: number): void {
  for (const col of [b.dates, b.open, b.high, b.low, b.close, b.volume]) expect(col.length).toBe(n);
  for (let t = 0; t < n; t++) {
    const {
      open: o,
      high: h,
      low: l,
      close: c,
      volume: v,
    } = { open: b.open[t], high: b.high[t], low: b.low[t], close: b.close[t], volume: b.volume[t] };
    const ok =
      Number.isFinite(o + h + l + c + v) &&
      l > 0 &&
      l <= Math.min(o, c) &&
      h >= Math.max(o, c) &&
      v > 0 &&
      Number.isInteger(v) &&
      // prices are in cents
      [o, h, l, c].every((p) => Math.abs(p * 100 - Math.round(p * 100)) < 1e-6);
    if (!ok) throw new Error(`bad bar at ${t}: ${JSON.stringify({ o, h, l, c, v })}`);
  }
}

describe('generateSample: determinism and options', () => {
  const opts = { seed: 7, members: 40, sessions: 400 };

  test('the same seed gives identical arrays', () => {
    const a = generateSample(opts);
    const b = generateSample(opts);
    expect(a).toEqual(b);
    expect(a.universe.close.length).toBeGreaterThan(0);
  });

  test('a different seed gives different prices, volumes and universe', () => {
    const a = generateSample(opts);
    const b = generateSample({ ...opts, seed: 8 });
    expect(b.primary.dates).toEqual(a.primary.dates); // same calendar
    let same = 0;
    for (let t = 1; t < 400; t++) if (a.primary.close[t] === b.primary.close[t]) same++;
    expect(same).toBeLessThan(10);
    expect(b.benchmark.close).not.toEqual(a.benchmark.close);
    expect(b.primary.volume).not.toEqual(a.primary.volume);
    expect(b.universe.close).not.toEqual(a.universe.close);
  });

  test('no seed means DEFAULT_SAMPLE_SEED', () => {
    const a = generateSample({ members: 5, sessions: 100 });
    expect(a.seed).toBe(DEFAULT_SAMPLE_SEED);
    expect(a).toEqual(generateSample({ seed: DEFAULT_SAMPLE_SEED, members: 5, sessions: 100 }));
    expect(a.primary.close).not.toEqual(
      generateSample({ seed: DEFAULT_SAMPLE_SEED + 1, members: 5, sessions: 100 }).primary.close,
    );
  });

  test('independent streams: fewer members is a prefix, IWM/SPY do not depend on members or length', () => {
    const a = generateSample({ seed: 3, members: 20, sessions: 300 });
    const b = generateSample({ seed: 3, members: 50, sessions: 300 });
    const end = a.universe.offsets[20];
    expect(b.universe.offsets.subarray(0, 21)).toEqual(a.universe.offsets);
    expect(b.universe.dayIndex.subarray(0, end)).toEqual(a.universe.dayIndex);
    expect(b.universe.close.subarray(0, end)).toEqual(a.universe.close);
    expect(b.primary).toEqual(a.primary);
    const longer = generateSample({ seed: 3, members: 0, sessions: 600 });
    for (const key of ['dates', 'open', 'high', 'low', 'close', 'volume'] as const) {
      expect(longer.primary[key].subarray(0, 300)).toEqual(a.primary[key]);
      expect(longer.benchmark[key].subarray(0, 300)).toEqual(a.benchmark[key]);
    }
  });

  test('bad options are errors, not defaults', () => {
    expect(() => generateSample({ seed: -1 })).toThrow(RangeError);
    expect(() => generateSample({ seed: 1.5 })).toThrow(/seed/);
    expect(() => generateSample({ seed: 2 ** 32 })).toThrow(/seed/);
    expect(() => generateSample({ sessions: 0 })).toThrow(/sessions/);
    expect(() => generateSample({ members: -1 })).toThrow(/members/);
    expect(() => generateSample({ start: '2000-02-30' })).toThrow(/start/);
  });

  test('tiny sets are valid', () => {
    const d = generateSample({ members: 3, sessions: 1 });
    expectValidBars(d.primary, 1);
    expect(Array.from(d.universe.offsets)).toEqual([0, 1, 2, 3]);
    expect(Array.from(d.universe.dayIndex)).toEqual([0, 0, 0]);
    expect(generateSample({ members: 0, sessions: 10 }).universe.close.length).toBe(0);
  });
});

describe('sample data: labels and calendar', () => {
  test('is labelled as sample data', () => {
    expect(small.source).toBe('sample');
    expect(small.primarySymbol).toBe('IWM');
    expect(small.benchmarkSymbol).toBe('SPY');
    expect(small.universe.kind).toBe('universe');
    expect(small.universe.symbols).toHaveLength(300);
    expect(small.universe.symbols[0]).toBe('S0001');
    expect(small.universe.symbols[299]).toBe('S0300');
    expect(new Set(small.universe.symbols).size).toBe(300);
  });

  test('dates: strictly increasing weekdays from the start, shared by IWM and SPY, holidays skipped', () => {
    const dates = small.primary.dates;
    expect(small.benchmark.dates).toEqual(dates);
    expect(formatDay(dates[0])).toBe('2001-06-01'); // DEFAULT_SAMPLE_START, a Friday
    for (let t = 0; t < dates.length; t++) {
      const w = weekday(dates[t]);
      if (w === 0 || w === 6) throw new Error(`weekend ${formatDay(dates[t])}`);
      if (t > 0 && dates[t] <= dates[t - 1]) throw new Error(`not increasing at ${t}`);
      const md = formatDay(dates[t]).slice(5);
      if (md === '12-25' || md === '01-01' || md === '07-04') throw new Error(`holiday ${formatDay(dates[t])}`);
      const day = Number(md.slice(3));
      // Thanksgiving: the Thursday of 22..28 November
      if (md.startsWith('11-') && w === 4 && day >= 22 && day <= 28)
        throw new Error(`Thanksgiving ${formatDay(dates[t])}`);
    }
    // full years have ~252 sessions; a naive every-weekday series has 260-262
    const perYear = new Map<number, number>();
    for (const d of dates) {
      const y = Number(formatDay(d).slice(0, 4));
      perYear.set(y, (perYear.get(y) ?? 0) + 1);
    }
    const first = Number(formatDay(dates[0]).slice(0, 4));
    const last = Number(formatDay(dates[dates.length - 1]).slice(0, 4));
    for (const [y, count] of perYear) {
      if (y === first || y === last) continue; // partial years

      expect([y, count >= 250 && count <= 253]).toEqual([y, true]);
    }
  });

  test('holiday rules match the NYSE calendar on known years', () => {
    const iso = (ds: number[]) => ds.map(formatDay);
    // 2021: New Year on a Friday, Independence Day observed Monday 5, Christmas Friday 24
    expect(iso(sampleHolidays(2021))).toEqual([
      '2021-01-01',
      '2021-01-18',
      '2021-02-15',
      '2021-04-02',
      '2021-05-31',
      '2021-07-05',
      '2021-09-06',
      '2021-11-25',
      '2021-12-24',
    ]);
    // 2022: Saturday New Year not observed, Juneteenth observed Monday 20, Christmas Monday 26
    expect(iso(sampleHolidays(2022))).toEqual([
      '2022-01-17',
      '2022-02-21',
      '2022-04-15',
      '2022-05-30',
      '2022-06-20',
      '2022-07-04',
      '2022-09-05',
      '2022-11-24',
      '2022-12-26',
    ]);
    expect(iso(sampleHolidays(2000))).toContain('2000-04-21'); // Good Friday 2000
  });

  test('a start on a weekend or holiday begins at the next session', () => {
    const d = generateSample({ start: '2000-12-23', sessions: 5, members: 0 }); // Sat; Mon 25 is Christmas
    expect(Array.from(d.primary.dates, formatDay)).toEqual([
      '2000-12-26',
      '2000-12-27',
      '2000-12-28',
      '2000-12-29',
      '2001-01-02',
    ]);
    expect(d.primary.dates[0]).toBe(isoDay('2000-12-26'));
  });
});

describe('sample data: bars', () => {
  test('every bar is valid: low <= open, close <= high, all positive, cents, integer volume', () => {
    expectValidBars(small.primary, SMALL.sessions);
    expectValidBars(small.benchmark, SMALL.sessions);
  });

  test('IWM vol is plausible (15-40 % a year) and above SPY; IWM has beta > 1 to SPY', () => {
    const ri = logReturns(small.primary.close);
    const rs = logReturns(small.benchmark.close);
    const volI = stdev(ri) * Math.sqrt(252);
    const volS = stdev(rs) * Math.sqrt(252);
    expect(volI).toBeGreaterThan(0.15);
    expect(volI).toBeLessThan(0.4);
    expect(volS).toBeGreaterThan(0.1);
    expect(volS).toBeLessThan(volI);
    const beta = (correlation(ri, rs) * stdev(ri)) / stdev(rs);
    expect(beta).toBeGreaterThan(1.05);
    expect(beta).toBeLessThan(1.6);
    expect(correlation(ri, rs)).toBeGreaterThan(0.7);
  });

  test('volatility clusters and returns are fat-tailed (not i.i.d. normal)', () => {
    const r = logReturns(small.primary.close);
    const abs = r.map(Math.abs);
    expect(correlation(abs.subarray(1), abs.subarray(0, abs.length - 1))).toBeGreaterThan(0.1);
    const m = mean(r);
    const s = stdev(r);
    const kurtosis = mean(r.map((x) => ((x - m) / s) ** 4));
    expect(kurtosis).toBeGreaterThan(4);
  });

  test('volume clusters and is higher on big moves', () => {
    for (const b of [small.primary, small.benchmark]) {
      const lv = b.volume.map(Math.log);
      expect(correlation(lv.subarray(1), lv.subarray(0, lv.length - 1))).toBeGreaterThan(0.3);
      const r = logReturns(b.close).map(Math.abs);
      // compare within each year so the growth of the base volume does not matter
      let ratioSum = 0;
      let years = 0;
      for (let y0 = 1; y0 + 252 <= r.length; y0 += 252) {
        const idx = Array.from({ length: 252 }, (_, k) => y0 + k);
        const sorted = idx.map((t) => r[t - 1]).sort((x, y) => x - y);
        const cut = sorted[Math.floor(0.9 * 252)];
        const big = idx.filter((t) => r[t - 1] >= cut);
        const rest = idx.filter((t) => r[t - 1] < cut);
        ratioSum += mean(big.map((t) => b.volume[t])) / mean(rest.map((t) => b.volume[t]));
        years++;
      }
      expect(ratioSum / years).toBeGreaterThan(1.3);
    }
  });

  test('IWM has a drawdown deeper than 25 %', () => {
    expect(maxDrawdown(small.primary.close)).toBeGreaterThan(0.25);
  });

  test('the IWM/SPY ratio has flat parity stretches and long trends around its 50-day SMA', () => {
    const n = SMALL.sessions;
    const ratio = new Float64Array(n);
    for (let t = 0; t < n; t++) ratio[t] = small.primary.close[t] / small.benchmark.close[t];
    let flat = 0;
    let wide = 0;
    for (let t = 19; t < n; t++) {
      let lo = Infinity;
      let hi = -Infinity;
      let s = 0;
      for (let k = t - 19; k <= t; k++) {
        lo = Math.min(lo, ratio[k]);
        hi = Math.max(hi, ratio[k]);
        s += ratio[k];
      }
      if (((hi - lo) / (s / 20)) * 100 <= 2) flat++;
      else wide++;
    }
    expect(flat / (n - 19)).toBeGreaterThan(0.05);
    expect(wide / (n - 19)).toBeGreaterThan(0.5);
    const sma = simpleMovingAverage(ratio, 50);
    let runAbove = 0;
    let runBelow = 0;
    let a = 0;
    let b = 0;
    for (let t = 49; t < n; t++) {
      if (ratio[t] > sma[t]) {
        a++;
        b = 0;
      } else {
        b++;
        a = 0;
      }
      runAbove = Math.max(runAbove, a);
      runBelow = Math.max(runBelow, b);
    }
    expect(runAbove).toBeGreaterThanOrEqual(60);
    expect(runBelow).toBeGreaterThanOrEqual(60);
    // the style factor trends for months: half-year moves of the ratio are large (a
    // ratio made of noise alone averages ~4-5 % here, the real IWM/SPY ratio ~7-8 %)
    let moves = 0;
    for (let t = 126; t < n; t++) moves += Math.abs(Math.log(ratio[t] / ratio[t - 126]));
    expect(moves / (n - 126)).toBeGreaterThan(0.06);
  });
});

describe('sample data: universe', () => {
  test('CSR layout: offsets monotone, dayIndex strictly rising per member and in range, closes positive', () => {
    const { offsets, dayIndex, close, symbols } = small.universe;
    const n = SMALL.sessions;
    expect(offsets.length).toBe(symbols.length + 1);
    expect(offsets[0]).toBe(0);
    expect(offsets[symbols.length]).toBe(dayIndex.length);
    expect(close.length).toBe(dayIndex.length);
    for (let i = 0; i < symbols.length; i++) {
      if (offsets[i + 1] <= offsets[i]) throw new Error(`member ${i} is empty or offsets fall`);
      for (let k = offsets[i]; k < offsets[i + 1]; k++) {
        if (dayIndex[k] < 0 || dayIndex[k] >= n) throw new Error(`member ${i}: dayIndex ${dayIndex[k]} out of range`);
        if (k > offsets[i] && dayIndex[k] <= dayIndex[k - 1])
          throw new Error(`member ${i}: dayIndex not rising at ${k}`);
        if (!(close[k] > 0) || !Number.isFinite(close[k])) throw new Error(`member ${i}: bad close ${close[k]}`);
      }
    }
  });

  test('membership changes: late listings, early delistings, a few halts', () => {
    const { offsets, dayIndex, symbols } = small.universe;
    const m = symbols.length;
    let late = 0;
    let early = 0;
    let gaps = 0;
    for (let i = 0; i < m; i++) {
      const a = offsets[i];
      const b = offsets[i + 1];
      if (dayIndex[a] > 0) late++;
      if (dayIndex[b - 1] < SMALL.sessions - 1) early++;
      if (dayIndex[b - 1] - dayIndex[a] + 1 > b - a) gaps++;
    }
    expect(late / m).toBeGreaterThan(0.15);
    expect(late / m).toBeLessThan(0.35);
    expect(early / m).toBeGreaterThan(0.08);
    expect(early / m).toBeLessThan(0.25);
    expect(gaps).toBeGreaterThan(0);
    expect(gaps / m).toBeLessThan(0.1);
  });

  test('breadth swings with the index: below 30 % in sell-offs, above 70 % in rallies', () => {
    const pct50 = breadth(small, 50);
    const pct200 = breadth(small, 200);
    const range = (x: Float64Array) => {
      const v = Array.from(x).filter(Number.isFinite);
      return [Math.min(...v), Math.max(...v)];
    };
    const [lo50, hi50] = range(pct50);
    const [lo200, hi200] = range(pct200);
    expect(lo50).toBeLessThan(30);
    expect(hi50).toBeGreaterThan(70);
    expect(lo200).toBeLessThan(30);
    expect(hi200).toBeGreaterThan(70);
    // it moves with IWM: higher when IWM is above its own 50-day SMA
    const sma = simpleMovingAverage(small.primary.close, 50);
    const up: number[] = [];
    const down: number[] = [];
    for (let t = 49; t < SMALL.sessions; t++) {
      if (!Number.isFinite(pct50[t])) continue;
      (small.primary.close[t] > sma[t] ? up : down).push(pct50[t]);
    }
    expect(mean(up) - mean(down)).toBeGreaterThan(20);
  });
});

describe('full default set', () => {
  test('2,000 members x 6,300 sessions at plausible levels', () => {
    const d = generateSample();
    expect(d.seed).toBe(DEFAULT_SAMPLE_SEED);
    expect(d.primary.dates.length).toBe(6300);
    expect(d.universe.symbols.length).toBe(2000);
    expect(d.universe.symbols[1999]).toBe('S2000');
    expect(d.universe.close.length).toBe(d.universe.offsets[2000]);
    expect(d.universe.close.length).toBeGreaterThan(8_000_000);
    expect(formatDay(d.primary.dates[6299]).slice(0, 3)).toBe('202');
    const range = (x: Float64Array) => [Math.min(...x), Math.max(...x)];
    const [iLo, iHi] = range(d.primary.close);
    const [sLo, sHi] = range(d.benchmark.close);
    expect(iLo).toBeGreaterThan(20);
    expect(iHi).toBeLessThan(400);
    expect(sLo).toBeGreaterThan(50);
    expect(sHi).toBeLessThan(1000);
    expect(iHi / iLo).toBeGreaterThan(3);
  });
});
