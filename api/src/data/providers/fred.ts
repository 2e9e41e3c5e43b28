/**
 * A FRED series from the keyless graph download `GET /graph/fredgraph.csv?id=<ID>[&cosd=YYYY-MM-DD]`:
 *
 *   observation_date,T10Y2Y      (files before 2024 say DATE,T10Y2Y)
 *   2024-11-27,0.05
 *   2024-11-28,.                 ("." = no observation, e.g. a bond-market holiday)
 *
 * A "." or empty value is left out of the result (never 0: a zero spread would read as a
 * signal) and counted. Anything else that does not parse fails the whole series with
 * every bad line listed: a context series is small and either right or not used.
 */
import { DataFileError, readCsvFile, type RowIssue } from '../csv-bars';
import { excerpt } from '../../engine/excerpt';
import type { HttpClient } from '../http-client';
import { formatDay, parseIsoDay } from '../../engine/dates';
import { checkFrom } from './bar-rows';
import { ProviderError, type FredSeries } from './types';

/** A FredSeries plus what was left out, for the data-quality notes. */
export interface FetchedFredSeries extends FredSeries {
  /** Observations that were "." or empty. */
  missing: number;
}

const SERIES_ID = /^[A-Z0-9_]{1,32}$/;
/** A plain decimal (FRED writes -0.12, 4.5, 1234.567); Number() alone would take '' or '0x10'. */
const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

export async function fetchFredSeries(
  client: HttpClient,
  id: string,
  options: { baseUrl?: string; from?: string } = {},
): Promise<FetchedFredSeries> {
  if (!SERIES_ID.test(id)) {
    throw new ProviderError('fred', `not a FRED series id: ${JSON.stringify(id)} (upper-case letters, digits, _)`);
  }
  const fromDay = checkFrom('fred', options.from);
  const baseUrl = (options.baseUrl ?? 'https://fred.stlouisfed.org').replace(/\/+$/, '');
  const url = `${baseUrl}/graph/fredgraph.csv?id=${id}${options.from === undefined ? '' : `&cosd=${options.from}`}`;
  const text = await client.getText(url, {
    provider: 'fred',
    what: `series ${id}`,
    headers: { accept: 'text/csv' },
    expects: 'CSV',
    htmlHint: 'unknown series id?',
  });
  const series = parseFredCsv(text, id, `fred:${id}`);
  if (fromDay === null) return series;
  // cosd is honoured today; the filter keeps the contract if it ever is not.
  let start = 0;
  while (start < series.dates.length && series.dates[start] < fromDay) start++;
  return { ...series, dates: series.dates.slice(start), values: series.values.slice(start) };
}

/** Parses a fredgraph.csv text (pure); throws a DataFileError listing every bad line. */
export function parseFredCsv(text: string, id: string, source: string): FetchedFredSeries {
  const table = readCsvFile(text, source);
  const header = (table.rows[0] ?? ['']).map((name) => name.trim());
  const dateColumn = header[0]?.toLowerCase();
  if (header.length !== 2 || (dateColumn !== 'observation_date' && dateColumn !== 'date') || header[1] !== id) {
    const issue = {
      line: 1,
      reason: `expected header observation_date,${id} (found ${excerpt(header.join(','))})`,
    };
    throw new DataFileError(source, `not a FRED series file for ${id}`, [issue]);
  }

  const dates: number[] = [];
  const values: number[] = [];
  const issues: RowIssue[] = [];
  let missing = 0;
  // Order is checked across "." rows too: a repeated date is wrong whatever its value.
  let lastDay: number | null = null;
  let lastLine = 0;
  for (let r = 1; r < table.rows.length; r++) {
    const line = table.lines[r];
    const fields = table.rows[r];
    const broken = table.broken.get(r);
    if (broken !== undefined) {
      issues.push({ line, reason: broken });
      continue;
    }
    if (fields.length !== 2) {
      issues.push({ line, reason: `expected 2 fields, found ${fields.length}` });
      continue;
    }
    const dateText = fields[0].trim();
    const day = parseIsoDay(dateText);
    if (day === null) {
      issues.push({ line, reason: `bad date ${excerpt(dateText, 40)} (expected a real YYYY-MM-DD date)` });
      continue;
    }
    if (lastDay !== null && day <= lastDay) {
      const previous = `${formatDay(lastDay)} on line ${lastLine}`;
      issues.push({
        line,
        reason: `date ${dateText} is ${day === lastDay ? 'repeated' : 'out of order'} (after ${previous})`,
      });
      continue;
    }
    lastDay = day;
    lastLine = line;
    const valueText = fields[1].trim();
    if (valueText === '.' || valueText === '') {
      missing++;
      continue;
    }
    if (!DECIMAL.test(valueText)) {
      issues.push({ line, reason: `value is not a number: ${excerpt(valueText, 40)}` });
      continue;
    }
    dates.push(day);
    values.push(Number(valueText));
  }
  if (issues.length > 0) {
    throw new DataFileError(source, `${issues.length} bad line${issues.length === 1 ? '' : 's'}`, issues);
  }
  return { id, dates: Int32Array.from(dates), values: Float64Array.from(values), missing };
}
