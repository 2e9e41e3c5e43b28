/**
 * Daily bar files: `date,open,high,low,close,volume`, one symbol per file.
 *
 * Files come from broker exports, vendor downloads and hand edits, so the parser is
 * lenient about layout (column order, header case, extra columns such as adj_close,
 * RFC 4180 quoting, CRLF, a UTF-8 BOM, trailing blank lines) and strict about values:
 * every bad row is
 * skipped and reported with its line number and a reason, so the data-quality notes
 * can say exactly what was left out and the user can fix the file. A file without a
 * required column, or without a single usable row, is an error.
 *
 * Pure: the caller reads the file and passes its text plus a name for messages.
 * Speed matters (a universe is ~2,000 files of ~8,000 rows), hence one split per
 * unquoted line (csv-fields.ts), no regex per number and columns preallocated to the
 * row count.
 */
import { formatDay, parseIsoDay } from '../engine/dates';
import { excerpt } from '../engine/excerpt';
import type { BarColumns } from '../engine/types';
import { isBlank, readCsv, type CsvTable } from './csv-fields';

/** One rejected row: `line` is 1-based and counts the header as line 1. */
export interface RowIssue {
  line: number;
  reason: string;
}

export interface ParsedBars {
  /** The name the caller gave the file, repeated in every message. */
  source: string;
  bars: BarColumns;
  /** Rows that were skipped, in file order. */
  issues: RowIssue[];
  /** Data rows examined (header and trailing blank lines excluded) = bars + issues. */
  rowsRead: number;
}

/** How many issues an error message lists before "... and N more". */
const ISSUES_IN_MESSAGE = 10;

/**
 * A data file that cannot be used at all. `issues` holds every problem found (the
 * message only the first few), so a CLI or API can show them in full.
 */
export class DataFileError extends Error {
  readonly file: string;
  readonly issues: readonly RowIssue[];

  constructor(file: string, summary: string, issues: readonly RowIssue[] = [], maxListed = ISSUES_IN_MESSAGE) {
    const head = `${file}: ${summary}`;
    super(issues.length > 0 ? `${head}\n${formatIssues(file, issues, maxListed)}` : head);
    this.name = 'DataFileError';
    this.file = file;
    this.issues = issues;
  }

  /** A whole-file problem found on one line (a bad header), as one line: `file:line: reason`. */
  static atLine(file: string, line: number, reason: string): DataFileError {
    const error = new DataFileError(file, reason, [{ line, reason }]);
    error.message = formatIssues(file, error.issues);
    return error;
  }
}

/** `file:line: reason`, one per line, at most `max` of them plus a count of the rest. */
export function formatIssues(source: string, issues: readonly RowIssue[], max = ISSUES_IN_MESSAGE): string {
  const shown = Math.min(issues.length, Math.max(0, Math.floor(max)));
  const out: string[] = [];
  for (let i = 0; i < shown; i++) out.push(`${source}:${issues[i].line}: ${issues[i].reason}`);
  if (issues.length > shown) out.push(`... and ${issues.length - shown} more`);
  return out.join('\n');
}

/** How much of a file's start is looked at to tell text from binary. */
const SNIFF_CHARS = 4096;

/**
 * Why `text` is not a CSV text file, or null when it is one. A NUL character or many
 * undecodable bytes near the start mean binary data (a spreadsheet saved as .xlsx and
 * renamed, a zip) or UTF-16 text (Excel's "Unicode Text"); either way no header could be
 * read, and echoing the bytes would help nobody.
 */
function notTextReason(text: string): string | null {
  const head = text.slice(0, SNIFF_CHARS);
  let odd = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c === 0)
      odd += head.length; // one NUL is enough
    else if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13)) odd++;
  }
  if (odd < 8 || odd * 20 < head.length) return null;
  return `not a CSV text file (binary data, or text that is not UTF-8; save the sheet as "CSV UTF-8"): starts with ${excerpt(head, 24)}`;
}

/**
 * A CSV file's records (csv-fields.ts, RFC 4180). A binary file is refused in one line;
 * the caller reads the header with readHeader.
 */
export function readCsvFile(text: string, file: string): CsvTable {
  const reason = notTextReason(text);
  if (reason !== null) throw new DataFileError(file, reason);
  return readCsv(text);
}

/** Where each wanted column sits in the header; -1 for an optional column that is absent. */
export interface HeaderMap {
  index: Record<string, number>;
  /** Number of header fields: every data row must have exactly this many. */
  width: number;
}

/** Header names compare in ASCII lower case only: Unicode case mapping would make "ᴅate" or "K" match. */
const asciiLower = (name: string) => name.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/**
 * Reads the header record (the table's first): names are trimmed and compared
 * case-insensitively (ASCII), in any order; columns not asked for are ignored. A missing
 * required column or a wanted column given twice (which one would we use?) is a
 * one-line DataFileError on the header's line that quotes the header's start.
 */
export function readHeader(
  file: string,
  table: CsvTable,
  required: readonly string[],
  optional: readonly string[] = [],
): HeaderMap {
  const fields = table.rows[0];
  if (fields === undefined || isBlank(fields)) {
    throw new DataFileError(file, `empty file (expected a header ${required.join(',')})`);
  }
  const line = table.lines[0];
  const shown = () => excerpt(fields.join(','));
  if (table.broken.has(0)) throw DataFileError.atLine(file, line, `header: ${table.broken.get(0)}`);
  const names = fields.map((name) => asciiLower(name.trim()));
  const index: Record<string, number> = {};
  const problems: string[] = [];
  for (const column of [...required, ...optional]) {
    const at = names.indexOf(column);
    if (at >= 0 && names.indexOf(column, at + 1) >= 0) problems.push(`column ${column} appears more than once`);
    index[column] = at;
  }
  const missing = required.filter((column) => index[column] < 0);
  if (missing.length > 0) {
    problems.unshift(`missing required column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  }
  if (problems.length > 0) throw DataFileError.atLine(file, line, `${problems.join('; ')} (header: ${shown()})`);
  return { index, width: names.length };
}

/** Powers of ten that are exact doubles (all up to 1e22 are; the fast path needs 1e15). */
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * A plain decimal number (`12`, `-0.5`, `1e6`), NaN for anything else (blank, `12%`,
 * `0x1A`). Shared by every CSV reader here so they accept the same numbers.
 *
 * Fast path for the usual `[-]digits[.digits]` with at most 15 digits: the digits as an
 * integer are exact (< 2^53), 10^k is exact, and one IEEE division is correctly
 * rounded, so `mantissa / 10^k` is bit-for-bit what Number() returns (Clinger's fast
 * path), at a fraction of the cost on ~48,000 fields per file. Anything else goes to
 * the careful path.
 */
export function toNumber(text: string): number {
  const length = text.length;
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 || first === 43) {
    negative = first === 45;
    i = 1;
  }
  let mantissa = 0;
  let digits = 0;
  let decimals = -1; // -1 until the decimal point is seen
  for (; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 46 && decimals < 0) {
      decimals = 0;
    } else {
      return toNumberSlow(text);
    }
  }
  if (digits === 0 || digits > 15) return toNumberSlow(text);
  const value = decimals > 0 ? mantissa / POW10[decimals] : mantissa;
  return negative ? -value : value;
}

/**
 * Number() with the characters checked first: alone it would take '' and ' ' as 0 and
 * '0x1A' as 26. Allows digits, `. + - e E` and surrounding blanks.
 */
function toNumberSlow(text: string): number {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c !== 46 && c !== 43 && c !== 45 && c !== 101 && c !== 69 && c !== 32 && c !== 9) return NaN;
  }
  if (digits === 0) return NaN;
  const value = Number(text);
  return Number.isFinite(value) ? value : NaN;
}

/**
 * parseIsoDay with a one-month cache. Bar files are sorted, so consecutive rows share
 * `YYYY-MM-` and only the two day digits change; each new month is validated by
 * parseIsoDay itself, so both accept exactly the same dates, several times faster.
 */
function makeDayParser(): (text: string) => number | null {
  let prefix = ''; // "YYYY-MM-" of the cached month, '' when none
  let firstDay = 0;
  let monthLength = 0;
  return (text) => {
    if (prefix !== '' && text.length === 10 && text.startsWith(prefix)) {
      const d1 = text.charCodeAt(8) - 48;
      const d2 = text.charCodeAt(9) - 48;
      if (d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9) {
        const dayOfMonth = d1 * 10 + d2;
        return dayOfMonth >= 1 && dayOfMonth <= monthLength ? firstDay + dayOfMonth - 1 : null;
      }
    }
    const day = parseIsoDay(text);
    if (day !== null) {
      prefix = text.slice(0, 8);
      firstDay = parseIsoDay(`${prefix}01`) as number;
      monthLength = 31;
      while (parseIsoDay(`${prefix}${monthLength}`) === null) monthLength--;
    }
    return day;
  };
}

const REQUIRED = ['date', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Parses one symbol's daily bars. Rows are checked in this order and the first
 * failure is the row's reason: field count, missing value, date, numbers, date order
 * (against the last accepted row, so one stray row does not reject the rest),
 * positive prices, high >= low, low <= close <= high, volume >= 0. The open is not
 * checked against the range: the engine only uses it for the debrief's intraday move.
 */
export function parseBarsCsv(text: string, source: string): ParsedBars {
  const table = readCsvFile(text, source);
  const { index, width } = readHeader(source, table, REQUIRED);
  const columns = Int32Array.from(REQUIRED, (name) => index[name]);

  const capacity = Math.max(0, table.rows.length - 1);
  const dates = new Int32Array(capacity);
  const open = new Float64Array(capacity);
  const high = new Float64Array(capacity);
  const low = new Float64Array(capacity);
  const close = new Float64Array(capacity);
  const volume = new Float64Array(capacity);
  const issues: RowIssue[] = [];
  const row = new Float64Array(REQUIRED.length);
  const parseDay = makeDayParser();
  let n = 0;
  let lastLine = 0;

  for (let r = 1; r < table.rows.length; r++) {
    const line = table.lines[r];
    const lastDay = n > 0 ? dates[n - 1] : null;
    const problem = table.broken.get(r) ?? readRow(table.rows[r], width, columns, parseDay, row, lastDay, lastLine);
    if (problem !== null) {
      issues.push({ line, reason: problem });
      continue;
    }
    dates[n] = row[0];
    open[n] = row[1];
    high[n] = row[2];
    low[n] = row[3];
    close[n] = row[4];
    volume[n] = row[5];
    lastLine = line;
    n++;
  }

  const rowsRead = capacity;
  if (n === 0) {
    const summary =
      rowsRead === 0
        ? 'no valid rows (the file has a header but no data)'
        : `no valid rows (${issues.length} bad rows)`;
    throw new DataFileError(source, summary, issues);
  }
  // Bad rows leave unused capacity: copy to the exact length so no slack is kept alive.
  const fit = <T extends Int32Array | Float64Array>(column: T): T =>
    n === capacity ? column : (column.slice(0, n) as T);
  return {
    source,
    bars: {
      dates: fit(dates),
      open: fit(open),
      high: fit(high),
      low: fit(low),
      close: fit(close),
      volume: fit(volume),
    },
    issues,
    rowsRead,
  };
}

/**
 * Checks one data line. On success writes `[day, open, high, low, close, volume]` into
 * `out` and returns null; otherwise returns the reason and `out` is garbage. Kept free
 * of per-row allocations on the success path, which is nearly every row.
 */
function readRow(
  fields: string[],
  width: number,
  columns: Int32Array,
  parseDay: (text: string) => number | null,
  out: Float64Array,
  lastDay: number | null,
  lastLine: number,
): string | null {
  if (fields.length !== width) {
    return isBlank(fields) ? 'empty line' : `expected ${width} fields, found ${fields.length}`;
  }
  const dateText = fields[columns[0]].trim();
  const day = parseDay(dateText);
  if (day === null) {
    return missingValues(fields, columns) ?? `bad date ${excerpt(dateText, 40)} (expected a real YYYY-MM-DD date)`;
  }
  out[0] = day;
  for (let k = 1; k < columns.length; k++) {
    const value = toNumber(fields[columns[k]]);
    if (Number.isNaN(value)) {
      const shown = excerpt(fields[columns[k]].trim(), 40);
      return missingValues(fields, columns) ?? `${REQUIRED[k]} is not a number: ${shown}`;
    }
    out[k] = value;
  }
  if (lastDay !== null && day <= lastDay) {
    const previous = `${formatDay(lastDay)} on line ${lastLine}`;
    return day === lastDay
      ? `duplicate date ${dateText} (also ${previous})`
      : `date ${dateText} is out of order (after ${previous}; rows must rise by date)`;
  }
  for (let k = 1; k <= 4; k++) {
    if (out[k] <= 0) return `non-positive price: ${REQUIRED[k]} ${out[k]}`;
  }
  const h = out[2];
  const l = out[3];
  const c = out[4];
  const v = out[5];
  if (h < l) return `high ${h} is below low ${l}`;
  if (c < l || c > h) return `close ${c} is outside [low ${l}, high ${h}]`;
  if (v < 0) return `negative volume ${v}`;
  return null;
}

/**
 * "missing close, volume" when required fields are blank, else null. Only called once a
 * value failed to parse (a blank always does), so good rows never pay for it; the
 * reason is the same as if blanks were checked first.
 */
function missingValues(fields: string[], columns: Int32Array): string | null {
  const missing = REQUIRED.filter((_, k) => fields[columns[k]].trim() === '');
  return missing.length > 0 ? `missing ${missing.join(', ')}` : null;
}
