/**
 * The breadth universe: IWM's holdings as iShares publishes them (the fund page's
 * "Detailed Holdings" CSV). The file is a small report rather than a plain table:
 *
 *   iShares Russell 2000 ETF
 *   Fund Holdings as of,"Nov 29, 2024"
 *   Inception Date,"May 22, 2000"
 *   Shares Outstanding,"..."            (and Stock/Bond/Cash/Other lines)
 *   <blank line>
 *   Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Quantity,Price,Location,...
 *   "SFM","SPROUTS FARMERS MARKET INC","Consumer Staples","Equity","1,234,567.89","0.55",...
 *   "XTSLA","BLK CSH FND TREASURY SL AGENCY","Cash and/or Derivatives","Money Market",...
 *   "RTYZ4","RUSSELL 2000 EMINI CME DEC 24","Cash and/or Derivatives","Futures",...
 *   <blank line>
 *   "The content contained herein is owned or licensed by BlackRock..."   (disclaimer lines)
 *
 * Fields are quoted RFC-4180 style with thousands separators inside the quotes. The
 * table ends at the first blank line or single-field line (the disclaimer, a lone "-");
 * nothing after it is read. Only "Equity" lines with a usable ticker become members.
 */
import { excerpt } from '../../engine/excerpt';
import { DataFileError, readCsvFile, type RowIssue } from '../csv-bars';
import { type CsvTable } from '../csv-fields';
import type { HttpClient } from '../http-client';
import { formatDay } from '../../engine/dates';
import type { Holding, Holdings } from './types';

export const IWM_HOLDINGS_URL =
  'https://www.ishares.com/us/products/239710/ishares-russell-2000-etf/1467271812596.ajax?fileType=csv&fileName=IWM_holdings&dataType=fund';

/** Holdings plus the row issues, the way ParsedBars reports a bar file. */
export interface ParsedHoldings extends Holdings {
  source: string;
  /** Rejected lines (1-based file lines), in file order. */
  issues: RowIssue[];
  /** Table lines examined = members + skipped + issues. */
  rowsRead: number;
}

const COLUMNS = ['ticker', 'name', 'sector', 'asset class', 'weight (%)'] as const;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)$/;

export async function fetchIwmHoldings(client: HttpClient, options: { url?: string } = {}): Promise<ParsedHoldings> {
  const text = await client.getText(options.url ?? IWM_HOLDINGS_URL, {
    provider: 'ishares',
    what: 'IWM holdings',
    headers: { accept: 'text/csv, */*;q=0.5' },
    expects: 'the holdings CSV',
    // iShares answers a moved or retired download link with its product page and HTTP 200.
    htmlHint: 'has the download URL moved? (IWM_HOLDINGS_URL)',
  });
  return parseHoldingsCsv(text, 'ishares:IWM');
}

/** Parses an iShares holdings CSV (pure). Throws a DataFileError when the file cannot be used at all. */
export function parseHoldingsCsv(text: string, source: string): ParsedHoldings {
  const table = readCsvFile(text, source);
  const headerAt = table.rows.findIndex((fields) => firstField(fields) === 'ticker');
  if (headerAt < 0) {
    throw new DataFileError(source, 'no holdings table (no header line starting with "Ticker,Name,")');
  }
  const asOf = readAsOf(source, table, headerAt);
  const { index, width } = readTableHeader(source, table.rows[headerAt], table.lines[headerAt]);

  const members: Holding[] = [];
  const issues: RowIssue[] = [];
  const seen = new Map<string, number>();
  let skipped = 0;
  let rowsRead = 0;
  for (let r = headerAt + 1; r < table.rows.length; r++) {
    const line = table.lines[r];
    const fields = table.rows[r];
    const broken = table.broken.get(r);
    if (broken === undefined && fields.length <= 1) break; // end of the table: blank line or footer
    rowsRead++;
    if (broken !== undefined) {
      issues.push({ line, reason: broken });
      continue;
    }
    if (fields.length !== width) {
      issues.push({ line, reason: `expected ${width} fields, found ${fields.length}` });
      continue;
    }
    const ticker = fields[index.ticker].trim().toUpperCase();
    // Cash, futures and money-market lines, and equity lines without a real ticker
    // ("-", or a description with spaces), are not members.
    if (fields[index['asset class']].trim().toLowerCase() !== 'equity' || !/^[^\s-][^\s]*$/.test(ticker)) {
      skipped++;
      continue;
    }
    const weightText = fields[index['weight (%)']].trim().replaceAll(',', '');
    if (!DECIMAL.test(weightText)) {
      issues.push({ line, reason: `${ticker}: weight is not a number: ${JSON.stringify(weightText)}` });
      continue;
    }
    const weight = Number(weightText);
    if (weight < 0) {
      issues.push({ line, reason: `${ticker}: negative weight ${weight}` });
      continue;
    }
    const previous = seen.get(ticker);
    if (previous !== undefined) {
      issues.push({ line, reason: `duplicate ticker ${ticker} (also line ${previous})` });
      continue;
    }
    seen.set(ticker, line);
    members.push({ ticker, name: fields[index.name].trim(), sector: fields[index.sector].trim(), weight });
  }

  if (members.length === 0) {
    throw new DataFileError(source, `no equity holdings (${rowsRead} table lines, ${skipped} non-equity)`, issues);
  }
  return { source, asOf, members, skipped, issues, rowsRead };
}

/** The first field of a record, trimmed and lower-cased. */
function firstField(fields: readonly string[]): string {
  return fields[0].trim().toLowerCase();
}

/** The ISO date of the preamble's `Fund Holdings as of,"Nov 29, 2024"` line. */
function readAsOf(source: string, table: CsvTable, headerAt: number): string {
  for (let r = 0; r < headerAt; r++) {
    if (firstField(table.rows[r]) !== 'fund holdings as of') continue;
    const value = table.rows[r][1]?.trim() ?? '';
    const iso = parseLongDate(value);
    if (iso !== null) return iso;
    // iShares writes "-" for a day it has no holdings for (a holiday, a date too far back).
    const reason = `"Fund Holdings as of" is ${excerpt(value, 40)}, not a date like "Nov 29, 2024"`;
    throw new DataFileError(source, 'no holdings date', [{ line: table.lines[r], reason }]);
  }
  throw new DataFileError(source, 'no "Fund Holdings as of" line before the holdings table');
}

/** "Nov 29, 2024" (also "November 29, 2024") as "2024-11-29"; null for anything else. */
export function parseLongDate(text: string): string | null {
  const match = /^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$/.exec(text.trim());
  if (match === null) return null;
  const month = MONTHS.indexOf(match[1].slice(0, 3).toLowerCase());
  if (month < 0) return null;
  const year = Number(match[3]);
  const day = Number(match[2]);
  const ms = Date.UTC(year, month, day);
  if (new Date(ms).getUTCDate() !== day) return null; // Feb 30 rolls over: not a date
  return formatDay(Math.round(ms / 86_400_000));
}

/** Column positions of the table header at file line `line`; a missing column is a DataFileError there. */
function readTableHeader(source: string, header: readonly string[], line: number) {
  const names = header.map((name) => name.trim().toLowerCase());
  const index = {} as Record<(typeof COLUMNS)[number], number>;
  const missing: string[] = [];
  for (const column of COLUMNS) {
    index[column] = names.indexOf(column);
    if (index[column] < 0) missing.push(column);
  }
  if (missing.length > 0) {
    const reason = `missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')} (header: ${excerpt(header.join(','))})`;
    throw new DataFileError(source, 'holdings header without the needed columns', [{ line, reason }]);
  }
  return { index, width: names.length };
}
