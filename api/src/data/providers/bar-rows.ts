/**
 * Bars that do not arrive as a CSV file (Tiingo's and Massive's JSON) pass the same value
 * rules as parseBarsCsv, in the same order and with the same reasons, so a data-quality
 * note reads the same whichever provider the bars came from.
 */
import type { z } from 'zod';
import { DataFileError, type ParsedBars, type RowIssue } from '../csv-bars';
import { formatDay, parseIsoDay } from '../../engine/dates';
import { ProviderError } from './types';

/** What service/config.ts accepts as a ticker (BRK-B, BRK.B); it goes into URLs, so nothing else. */
const SYMBOL = /^[A-Za-z0-9][A-Za-z0-9.^_-]{0,19}$/;

/** The symbol, upper-cased, or a ProviderError for one that cannot be a ticker. */
export function checkSymbol(provider: string, symbol: string): string {
  if (!SYMBOL.test(symbol)) throw new ProviderError(provider, `not a ticker symbol: ${JSON.stringify(symbol)}`);
  return symbol.toUpperCase();
}

/** The day number of an optional date (`from` unless named otherwise), or a ProviderError naming it. */
export function checkFrom(provider: string, from: string, name?: string): number;
export function checkFrom(provider: string, from: string | undefined, name?: string): number | null;
export function checkFrom(provider: string, from: string | undefined, name = 'from'): number | null {
  if (from === undefined) return null;
  const day = parseIsoDay(from);
  if (day === null) throw new ProviderError(provider, `${name}: ${JSON.stringify(from)} is not a YYYY-MM-DD date`);
  return day;
}

/** Collects checked rows into columns; `line` numbers are the caller's (1-based). */
export class BarRows {
  private readonly dates: number[] = [];
  private readonly open: number[] = [];
  private readonly high: number[] = [];
  private readonly low: number[] = [];
  private readonly close: number[] = [];
  private readonly volume: number[] = [];
  private readonly issues: RowIssue[] = [];
  private lastLine = 0;
  private rowsRead = 0;

  /** Checks one row (date order, then values) and keeps it, or records why not. */
  add(line: number, day: number, o: number, h: number, l: number, c: number, v: number): void {
    this.rowsRead++;
    const n = this.dates.length;
    const problem = n > 0 ? checkOrder(day, this.dates[n - 1], this.lastLine) : null;
    const reason = problem ?? barProblem(o, h, l, c, v);
    if (reason !== null) {
      this.issues.push({ line, reason });
      return;
    }
    this.dates.push(day);
    this.open.push(o);
    this.high.push(h);
    this.low.push(l);
    this.close.push(c);
    this.volume.push(v);
    this.lastLine = line;
  }

  /** A row rejected before its values could be read (wrong shape, bad date). */
  reject(line: number, reason: string): void {
    this.rowsRead++;
    this.issues.push({ line, reason });
  }

  /** The columns; like parseBarsCsv, a source without a single usable row is a DataFileError. */
  finish(source: string): ParsedBars {
    if (this.dates.length === 0) {
      const summary =
        this.rowsRead === 0
          ? 'no valid rows (the answer has no data)'
          : `no valid rows (${this.issues.length} bad rows)`;
      throw new DataFileError(source, summary, this.issues);
    }
    return {
      source,
      bars: {
        dates: Int32Array.from(this.dates),
        open: Float64Array.from(this.open),
        high: Float64Array.from(this.high),
        low: Float64Array.from(this.low),
        close: Float64Array.from(this.close),
        volume: Float64Array.from(this.volume),
      },
      issues: this.issues,
      rowsRead: this.rowsRead,
    };
  }
}

function checkOrder(day: number, lastDay: number, lastLine: number): string | null {
  if (day > lastDay) return null;
  const dateText = formatDay(day);
  const previous = `${formatDay(lastDay)} on line ${lastLine}`;
  return day === lastDay
    ? `duplicate date ${dateText} (also ${previous})`
    : `date ${dateText} is out of order (after ${previous}; rows must rise by date)`;
}

/** Why a bar's values cannot be right (parseBarsCsv's rules and wording), or null. */
export function barProblem(o: number, h: number, l: number, c: number, v: number): string | null {
  const prices: [string, number][] = [
    ['open', o],
    ['high', h],
    ['low', l],
    ['close', c],
  ];
  for (const [name, value] of prices) {
    if (value <= 0) return `non-positive price: ${name} ${value}`;
  }
  if (h < l) return `high ${h} is below low ${l}`;
  if (c < l || c > h) return `close ${c} is outside [low ${l}, high ${h}]`;
  if (v < 0) return `negative volume ${v}`;
  return null;
}

/**
 * The CSV parser's wording for a JSON element that failed its schema: "missing close,
 * volume" or "open is not a number: \"12\"". `names` shows terse JSON fields by the
 * column they fill (Massive's c as "close (c)").
 */
export function shapeProblem(
  element: unknown,
  issues: readonly z.core.$ZodIssue[],
  names: Readonly<Record<string, string>> = {},
): string {
  if (element === null || typeof element !== 'object' || Array.isArray(element)) {
    return `expected an object, found ${element === null ? 'null' : Array.isArray(element) ? 'an array' : typeof element}`;
  }
  const record = element as Record<string, unknown>;
  const fields = [...new Set(issues.map((issue) => String(issue.path[0])))];
  const name = (field: string) => names[field] ?? field;
  const missing = fields.filter((field) => record[field] === undefined || record[field] === null);
  if (missing.length > 0) return `missing ${missing.map(name).join(', ')}`;
  const field = fields[0];
  const value = record[field];
  const issue = issues.find((i) => String(i.path[0]) === field);
  // JSON.parse reads 1e400 as Infinity, which JSON.stringify would show as null.
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
  let what = 'valid';
  if (issue?.code === 'invalid_type') {
    what = issue.expected === 'number' && typeof value === 'number' ? 'a finite number' : `a ${issue.expected}`;
  }
  return `${name(field)} is not ${what}: ${shown}`;
}

/**
 * The bars on or after `fromDay`. Providers are asked for a start date, but a source
 * that ignores it (stooq's d1 is undocumented) must not hand back older bars. Issues
 * stay (their lines are still real) and rowsRead drops with the bars, so
 * rowsRead = bars + issues still holds.
 */
export function dropBefore(parsed: ParsedBars, fromDay: number): ParsedBars {
  const { dates } = parsed.bars;
  let start = 0;
  while (start < dates.length && dates[start] < fromDay) start++;
  if (start === dates.length) {
    const last = formatDay(dates[dates.length - 1]);
    throw new DataFileError(parsed.source, `no bars on or after ${formatDay(fromDay)} (the last is ${last})`);
  }
  if (start === 0) return parsed;
  const b = parsed.bars;
  return {
    ...parsed,
    bars: {
      dates: b.dates.slice(start),
      open: b.open.slice(start),
      high: b.high.slice(start),
      low: b.low.slice(start),
      close: b.close.slice(start),
      volume: b.volume.slice(start),
    },
    rowsRead: parsed.rowsRead - start,
  };
}
