/**
 * Pure geometry for the taskpane's charts (src/taskpane/panels/charts.ts): scales with
 * "nice" ticks, SVG path data that breaks at missing values, the rotation (parity) band,
 * reference lines and date ticks. No DOM here, so every number is unit-tested
 * (test/addin/chart-geometry.test.ts).
 *
 * Choices:
 * - **A missing value is a gap, never 0.** `null`, `undefined`, NaN and ±Infinity end the
 *   current line; the next defined value starts a new sub-path (`M`). A defined value with
 *   gaps on both sides is drawn as a dot (`M x,y h0`, visible with round line caps).
 * - **x is the session index**, not the calendar: trading days are evenly spaced, as in
 *   Excel's line charts, so weekends and holidays leave no holes.
 * - **The band is SIGNALS.md's** (Rotation; engine.ts rotationOf): for session t the
 *   highest and the lowest ratio of the `lookback` [20] sessions t-lookback+1..t, and
 *   bandPct = (max - min) / mean x 100 over the same window. A window that is not full
 *   (t < lookback - 1) or that holds a missing ratio has no band (the engine's bandPct is
 *   undefined there too), so the band polygon breaks like a line.
 * - Coordinates are rounded to 0.01 px: short path text, exact enough for any screen.
 */

/** A number of a series; anything but a finite number is missing. */
export type Value = number | null | undefined;
export type Point = readonly [x: number, y: number];

export function isValue(v: Value): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

const round2 = (v: number): number => Math.round(v * 100) / 100;
const fmt = (p: Point): string => `${round2(p[0])},${round2(p[1])}`;

/** The smallest and largest defined value over all series, or null when none is defined. */
export function extent(...series: readonly (readonly Value[])[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series)
    for (const v of s) {
      if (!isValue(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return lo <= hi ? [lo, hi] : null;
}

export interface Ticks {
  /** The domain, widened to whole steps. */
  min: number;
  max: number;
  step: number;
  ticks: number[];
  /** Decimals that show every tick exactly (0.005 -> 3). */
  decimals: number;
}

/** Decimals needed to write multiples of `step` (0.25 -> 2, 0.005 -> 3, 5 -> 0). */
export function decimalsFor(step: number): number {
  for (let d = 0; d <= 12; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-9 * 10 ** d) return d;
  return 12;
}

/**
 * "Nice" ticks for [min, max]: a step of 1, 2 or 5 x 10^k giving about `count` intervals,
 * and the domain widened outwards to whole steps. An empty span (min = max) is widened
 * around the value so the line sits in the middle.
 */
export function niceTicks(min: number, max: number, count = 5): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new RangeError('niceTicks: min and max must be finite');
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.01;
    min -= pad;
    max += pad;
  }
  const rough = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(rough));
  const norm = rough / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const decimals = decimalsFor(Number(step.toPrecision(12)));
  const clean = (v: number) => Number(v.toFixed(decimals));
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(clean(i * step));
  return { min: ticks[0], max: ticks[ticks.length - 1], step: clean(step), ticks, decimals };
}

/** A linear map from `domain` to `range` (range may run downwards, as SVG's y does). */
export interface Scale {
  (v: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const scale = ((v: number) => (d1 === d0 ? (r0 + r1) / 2 : r0 + (v - d0) * k)) as Scale;
  return Object.assign(scale, { domain: [d0, d1] as const, range: [r0, r1] as const });
}

/** x of session index i for n sessions spread over [x0, x1]; one session sits in the middle. */
export function indexScale(n: number, range: readonly [number, number]): Scale {
  return linearScale([0, Math.max(0, n - 1)], range);
}

/** The runs of consecutive defined values as points, each run a separate line. */
export function segments(values: readonly Value[], x: (i: number) => number, y: (v: number) => number): Point[][] {
  const runs: Point[][] = [];
  let run: Point[] | null = null;
  values.forEach((v, i) => {
    if (!isValue(v)) {
      run = null;
      return;
    }
    if (!run) runs.push((run = []));
    run.push([x(i), y(v)]);
  });
  return runs;
}

/** SVG path data of a line through the defined values, broken at each gap. */
export function linePath(values: readonly Value[], x: (i: number) => number, y: (v: number) => number): string {
  return segments(values, x, y)
    .map((run) =>
      run.length === 1
        ? `M${fmt(run[0])}h0`
        : `M${fmt(run[0])}` +
          run
            .slice(1)
            .map((p) => `L${fmt(p)}`)
            .join(''),
    )
    .join('');
}

/**
 * A step line for a value that holds for a whole session (the composite score): level
 * with each point, changing half-way between sessions; broken at each gap.
 */
export function stepPath(values: readonly Value[], x: (i: number) => number, y: (v: number) => number): string {
  return segments(values, x, y)
    .map((run) => {
      if (run.length === 1) return `M${fmt(run[0])}h0`;
      let d = `M${fmt(run[0])}`;
      for (let k = 1; k < run.length; k++) {
        const mid = (run[k - 1][0] + run[k][0]) / 2;
        d += `H${round2(mid)}V${round2(run[k][1])}`;
      }
      return `${d}H${round2(run[run.length - 1][0])}`;
    })
    .join('');
}

export interface Band {
  /** Highest value of the window ending at t, or null (window not full, or a value missing). */
  hi: (number | null)[];
  lo: (number | null)[];
  /** (hi - lo) / mean x 100 over the same window: SIGNALS.md's bandPct. */
  pct: (number | null)[];
}

/**
 * The rolling band of SIGNALS.md's rotation: over the `lookback` values ending at each t,
 * the max, the min and their spread over the window's mean in percent. Written from the
 * definition (one pass over each window).
 */
export function rollingBand(values: readonly Value[], lookback: number): Band {
  if (!Number.isInteger(lookback) || lookback < 1)
    throw new RangeError('rollingBand: lookback must be an integer >= 1');
  const n = values.length;
  const band: Band = { hi: new Array(n).fill(null), lo: new Array(n).fill(null), pct: new Array(n).fill(null) };
  for (let t = lookback - 1; t < n; t++) {
    let hi = -Infinity;
    let lo = Infinity;
    let sum = 0;
    let full = true;
    for (let j = t - lookback + 1; j <= t; j++) {
      const v = values[j];
      if (!isValue(v)) {
        full = false;
        break;
      }
      if (v > hi) hi = v;
      if (v < lo) lo = v;
      sum += v;
    }
    if (!full) continue;
    band.hi[t] = hi;
    band.lo[t] = lo;
    band.pct[t] = ((hi - lo) / (sum / lookback)) * 100;
  }
  return band;
}

/**
 * The band as filled polygons: for each run of sessions where both edges are defined, the
 * upper edge left to right, then the lower edge right to left, closed. One sub-path per run.
 */
export function bandPath(
  hi: readonly Value[],
  lo: readonly Value[],
  x: (i: number) => number,
  y: (v: number) => number,
): string {
  const both = hi.map((v, i) => (isValue(v) && isValue(lo[i]) ? i : null));
  const top = segments(both, x, (i) => y(hi[i] as number));
  const bottom = segments(both, x, (i) => y(lo[i] as number));
  return top
    .map((run, k) => {
      const back = [...bottom[k]].reverse();
      return `M${fmt(run[0])}${run
        .slice(1)
        .concat(back)
        .map((p) => `L${fmt(p)}`)
        .join('')}Z`;
    })
    .join('');
}

/** A horizontal reference line at `value` across [x0, x1]. */
export function referenceLine(
  value: number,
  y: (v: number) => number,
  x0: number,
  x1: number,
): { x1: number; y1: number; x2: number; y2: number } {
  const yy = round2(y(value));
  return { x1: round2(x0), y1: yy, x2: round2(x1), y2: yy };
}

export interface DateTick {
  /** Session index. */
  index: number;
  label: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const monthOf = (iso: string) => Number(iso.slice(5, 7));

/**
 * Date ticks for sessions with ISO dates: the first session of a month, every 1, 2, 3, 6
 * or 12 months (calendar-aligned: quarters start in Jan, Apr, Jul, Oct), the finest step
 * that gives at least 2 and at most `maxTicks` ticks. A month tick reads "Apr", or
 * "Jan 2024" for January and the first tick, so the year is always known. Ranges too short
 * (or too long) for that get evenly spaced ticks, first and last session included, read
 * "Mar 5" (or "Mar 2019" when the range spans more than about ten months).
 */
export function dateTicks(dates: readonly string[], maxTicks: number): DateTick[] {
  const n = dates.length;
  if (n === 0 || maxTicks < 1) return [];
  const starts: number[] = [];
  for (let i = 1; i < n; i++) if (dates[i].slice(0, 7) !== dates[i - 1].slice(0, 7)) starts.push(i);
  for (const step of [1, 2, 3, 6, 12]) {
    const picked = starts.filter((i) => (monthOf(dates[i]) - 1) % step === 0);
    if (picked.length >= 2 && picked.length <= maxTicks)
      return picked.map((index, k) => {
        const m = monthOf(dates[index]);
        const name = MONTHS[m - 1];
        return { index, label: m === 1 || k === 0 ? `${name} ${dates[index].slice(0, 4)}` : name };
      });
  }
  const count = Math.min(maxTicks, n);
  const indexes =
    count === 1
      ? [n - 1]
      : [...new Set(Array.from({ length: count }, (_, k) => Math.round((k * (n - 1)) / (count - 1))))];
  const long = Date.parse(dates[n - 1]) - Date.parse(dates[0]) > 300 * 86_400_000;
  return indexes.map((index) => {
    const iso = dates[index];
    const name = MONTHS[monthOf(iso) - 1];
    return { index, label: long ? `${name} ${iso.slice(0, 4)}` : `${name} ${Number(iso.slice(8, 10))}` };
  });
}

/** A number with fixed decimals, or "n/a" when missing (never 0). */
export function formatValue(v: Value, decimals: number): string {
  return isValue(v) ? v.toFixed(decimals) : 'n/a';
}
