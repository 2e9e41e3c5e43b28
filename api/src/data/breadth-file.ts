/**
 * An external breadth series (docs/SIGNALS.md, "Inputs"): `date,pct50,pct200`, the share
 * of Russell 2000 members above their 50- and 200-day averages, for users whose vendor
 * already publishes it instead of the members' bars.
 *
 * Rules, checked row by row (a bad row is reported with its line number, like a bar file):
 * a real date, each value a plain number from 0 to 100 (percent, not a fraction), a date
 * given once. An empty value means the vendor has none that day: it stays undefined
 * (NaN), never 0, and so does every session the file lacks. Rows may come in any order
 * (vendor exports are often newest first); they are sorted by date.
 *
 * Stored in a snapshot as two ValueSeries (BREADTH_SERIES), each holding only the dates
 * that have a value, so the store needs no new object kind. Pure: text in, columns out.
 */
import { formatDay, lowerBound, parseIsoDay } from '../engine/dates';
import type { BreadthSeries } from '../engine/types';
import { DataFileError, readCsvFile, readHeader, toNumber, type RowIssue } from './csv-bars';
import { isBlank } from './csv-fields';

/** Snapshot series ids of the two columns. */
export const BREADTH_SERIES = { pct50: 'BREADTH50', pct200: 'BREADTH200' } as const;

/** A dated series of values; dates rise strictly, dates without a value are absent. */
export interface DatedValues {
  dates: Int32Array;
  values: Float64Array;
}

export interface ParsedBreadth {
  source: string;
  pct50: DatedValues;
  pct200: DatedValues;
  /** Rows that were skipped, in file order (line 1 is the header). */
  issues: RowIssue[];
  /** Dates kept (each with at least one value). */
  rows: number;
}

/** Below this many values a file of values all <= 1 could be real; above it, they are fractions. */
const FRACTION_CHECK_MIN_VALUES = 10;

interface Row {
  line: number;
  day: number;
  pct50: number;
  pct200: number;
}

/** One value: a number in [0, 100], NaN for an empty field, or the reason it is neither. */
function percent(text: string, column: string): number | string {
  const t = text.trim();
  if (t === '') return NaN;
  const v = toNumber(t);
  if (Number.isNaN(v)) return `${column} is not a number: ${JSON.stringify(t)}`;
  if (v < 0 || v > 100) return `${column} ${t} is outside 0..100 (percent of members)`;
  return v;
}

function readRow(
  fields: readonly string[],
  width: number,
  index: Record<string, number>,
  lineNo: number,
): Row | string {
  if (fields.length !== width)
    return isBlank(fields) ? 'empty line' : `expected ${width} fields, found ${fields.length}`;
  const dateText = fields[index.date].trim();
  const day = parseIsoDay(dateText);
  const problems: string[] = [];
  if (day === null) problems.push(`bad date ${JSON.stringify(dateText)} (expected a real YYYY-MM-DD date)`);
  const p50 = percent(fields[index.pct50], 'pct50');
  const p200 = percent(fields[index.pct200], 'pct200');
  for (const p of [p50, p200]) if (typeof p === 'string') problems.push(p);
  if (problems.length > 0) return problems.join('; ');
  if (Number.isNaN(p50) && Number.isNaN(p200)) return 'missing pct50 and pct200 (a row needs at least one value)';
  return { line: lineNo, day: day as number, pct50: p50 as number, pct200: p200 as number };
}

/** The dates of `rows` (sorted) that have a value in `column`, with those values. */
function column(rows: readonly Row[], key: 'pct50' | 'pct200'): DatedValues {
  const kept = rows.filter((r) => !Number.isNaN(r[key]));
  return { dates: Int32Array.from(kept, (r) => r.day), values: Float64Array.from(kept, (r) => r[key]) };
}

/**
 * Parses a breadth file. Returns the columns and the rows that were bad (the caller decides
 * whether bad rows are fatal, as for bar files); throws a DataFileError when the header
 * lacks a column, when no row is usable, or when every value is at most 1 (fractions
 * where percentages are expected would read as breadth near 0).
 */
export function parseBreadthCsv(text: string, source: string): ParsedBreadth {
  const table = readCsvFile(text, source);
  const { index, width } = readHeader(source, table, ['date', 'pct50', 'pct200']);
  const issues: RowIssue[] = [];
  const rows: Row[] = [];
  for (let r = 1; r < table.rows.length; r++) {
    const line = table.lines[r];
    const row = table.broken.get(r) ?? readRow(table.rows[r], width, index, line);
    if (typeof row === 'string') issues.push({ line, reason: row });
    else rows.push(row);
  }
  // Stable sort by date, then a repeated date is a bad row pointing at the first one.
  rows.sort((a, b) => a.day - b.day || a.line - b.line);
  const unique: Row[] = [];
  for (const r of rows) {
    const prev = unique[unique.length - 1];
    if (prev && prev.day === r.day)
      issues.push({ line: r.line, reason: `duplicate date ${formatDay(r.day)} (also line ${prev.line})` });
    else unique.push(r);
  }
  issues.sort((a, b) => a.line - b.line);
  if (unique.length === 0) {
    const summary =
      table.rows.length <= 1
        ? 'no valid rows (the file has a header but no data)'
        : `no valid rows (${issues.length} bad rows)`;
    throw new DataFileError(source, summary, issues);
  }
  let values = 0;
  let max = 0;
  for (const r of unique)
    for (const v of [r.pct50, r.pct200])
      if (!Number.isNaN(v)) {
        values++;
        max = Math.max(max, v);
      }
  if (values >= FRACTION_CHECK_MIN_VALUES && max <= 1)
    throw new DataFileError(
      source,
      `every value is at most 1: breadth is a percentage from 0 to 100, not a fraction (multiply by 100)`,
    );
  return {
    source,
    pct50: column(unique, 'pct50'),
    pct200: column(unique, 'pct200'),
    issues,
    rows: unique.length,
  };
}

/** The values of `series` on each day of `calendar`; NaN on days the series lacks. */
export function valuesOn(calendar: Int32Array, series: DatedValues): Float64Array {
  const out = new Float64Array(calendar.length).fill(NaN);
  for (let t = 0; t < calendar.length; t++) {
    const i = lowerBound(series.dates, calendar[t]);
    if (i < series.dates.length && series.dates[i] === calendar[t]) out[t] = series.values[i];
  }
  return out;
}

/** The engine's breadth input from the two stored columns, on the pair's calendar. */
export function breadthSeriesOn(calendar: Int32Array, pct50: DatedValues, pct200: DatedValues): BreadthSeries {
  return { kind: 'series', pct50: valuesOn(calendar, pct50), pct200: valuesOn(calendar, pct200) };
}

/** What `meta.breadthSource` says about a universe of `members` (origin: files, sample, ishares). */
export function universeSource(members: number, origin: string): string {
  return `universe: ${members} members (${origin})`;
}

/** What `meta.breadthSource` says about a breadth file. */
export function describeBreadthFile(name: string, pct50: DatedValues, pct200: DatedValues): string {
  const days = [pct50.dates, pct200.dates].filter((d) => d.length > 0);
  const first = Math.min(...days.map((d) => d[0]));
  const last = Math.max(...days.map((d) => d[d.length - 1]));
  return `file: ${name} (${formatDay(first)} to ${formatDay(last)})`;
}

/**
 * A warning when the file's pct50 (the column the state reads) stops before the pair's
 * last session: breadth is undefined on the sessions after it (a vendor a day late), which
 * the user should know. Null otherwise.
 */
export function breadthFileLagWarning(name: string, pct50: DatedValues, calendar: Int32Array): string | null {
  const lastBar = calendar[calendar.length - 1];
  const n = pct50.dates.length;
  if (n > 0 && pct50.dates[n - 1] >= lastBar) return null;
  const missing = n === 0 ? calendar.length : calendar.length - lowerBound(calendar, pct50.dates[n - 1] + 1);
  const ends = n === 0 ? 'has no pct50 values' : `has pct50 to ${formatDay(pct50.dates[n - 1])}`;
  return `breadth file ${name} ${ends}: breadth is undefined on the last ${missing} session(s) to ${formatDay(lastBar)}`;
}
