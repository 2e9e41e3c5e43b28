/** Writes bars as a `date,open,high,low,close,volume` file, the format users supply. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/**
 * A temp folder holding IWM.csv and SPY.csv (the first `rows` bars of each), and the
 * settings of a csv source on it with an fs store in its `store` subfolder, checked on
 * every request (IWM_MANIFEST_TTL_MS=0). The caller removes the folder.
 */
export function csvStoreFolder(
  prefix: string,
  primary: BarColumns,
  benchmark: BarColumns,
  rows: number,
): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'IWM.csv'), csvOf(primary, rows));
  writeFileSync(join(dir, 'SPY.csv'), csvOf(benchmark, rows));
  const env = {
    IWM_DATA_SOURCE: 'csv',
    IWM_DATA_DIR: dir,
    IWM_STORE: 'fs',
    IWM_STORE_DIR: join(dir, 'store'),
    IWM_MANIFEST_TTL_MS: '0',
  };
  return { dir, env };
}
