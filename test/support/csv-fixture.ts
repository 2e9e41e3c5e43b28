/** Writes bars as a `date,open,high,low,close,volume` file, the format users supply. */
import { formatDay } from '../../api/src/engine/dates';
import type { BarColumns } from '../../api/src/engine/types';

export function csvOf(bars: BarColumns, count = bars.dates.length): string {
  const lines = ['date,open,high,low,close,volume'];
  for (let i = 0; i < count; i++)
    lines.push(
      `${formatDay(bars.dates[i])},${bars.open[i]},${bars.high[i]},${bars.low[i]},${bars.close[i]},${bars.volume[i]}`,
    );
  return lines.join('\n') + '\n';
}

/** The breadth the fixtures give session i: distinct values spread over 0..100, easy to recompute. */
export function fixtureBreadth(i: number): { pct50: number; pct200: number } {
  return { pct50: ((i * 37) % 1001) / 10, pct200: ((i * 53) % 1001) / 10 };
}

/**
 * A `date,pct50,pct200` breadth file for the sessions `dates`, newest first (as vendors
 * often export), leaving out the sessions `skip` picks.
 */
export function breadthCsvOf(dates: Int32Array, skip: (i: number) => boolean = () => false): string {
  const lines = ['date,pct50,pct200'];
  for (let i = dates.length - 1; i >= 0; i--) {
    if (skip(i)) continue;
    const b = fixtureBreadth(i);
    lines.push(`${formatDay(dates[i])},${b.pct50},${b.pct200}`);
  }
  return lines.join('\n') + '\n';
}
