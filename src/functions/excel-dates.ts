/**
 * Spilled tables as STOCKHISTORY shapes them: real Excel dates and a headers switch.
 *
 * - Dates: where the host supports data types from custom functions (CustomFunctionsRuntime
 *   1.4, see entity.ts), a date column holds serial numbers with a yyyy-mm-dd number format
 *   (Excel.DoubleCellValue), so it sorts, filters and subtracts as dates. Elsewhere it stays
 *   ISO text: a bare serial would show as a number, since a custom function cannot set a
 *   cell's format.
 * - headers: 0 no header row, 1 the column names (default), as STOCKHISTORY's 0 and 1.
 *   (STOCKHISTORY's 2 adds the instrument's name; these tables have no single instrument.)
 */
import { intArg, isoToSerial } from '../common/excel-args';
import { DATE_FORMAT } from './entity';
import type { Table } from './tables';

export type TypedCell = Table[number][number] | Excel.DoubleCellValue;
export type TypedTable = TypedCell[][];

/** The date columns of each table, by header name (tables.ts). */
export const DATE_COLUMNS = {
  history: ['date'],
  levels: ['lastTouched'],
  debrief: ['date', 'openingDate', 'warningDate'],
  calendar: ['date', 'windowStart', 'windowEnd'],
  backtest: [],
} as const;

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** An ISO day as an Excel date value; anything else (an empty cell, a label) unchanged. */
export function dateCell(value: Table[number][number]): TypedCell {
  if (typeof value !== 'string' || !ISO_DAY.test(value)) return value;
  return { type: 'Double', basicValue: isoToSerial(value), numberFormat: DATE_FORMAT };
}

/** The headers argument: 0 or 1, default 1. */
export function headersArg(value: unknown): 0 | 1 {
  return (intArg(value, 'headers', 0, 1) ?? 1) as 0 | 1;
}

/**
 * A table (header row first) as the function returns it: date columns typed when `typed`,
 * the header row kept or dropped. A table that is only a header row keeps it even with
 * headers 0: an empty array is not a valid spill.
 */
export function shapeTable(table: Table, dateColumns: readonly string[], headers: 0 | 1, typed: boolean): TypedTable {
  const [head, ...rows] = table;
  const dates = new Set(dateColumns.map((c) => head.indexOf(c)).filter((i) => i >= 0));
  const body: TypedTable = typed ? rows.map((r) => r.map((c, i) => (dates.has(i) ? dateCell(c) : c))) : rows;
  if (headers === 0 && body.length > 0) return body;
  return [head, ...body];
}
