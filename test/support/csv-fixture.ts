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
