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
