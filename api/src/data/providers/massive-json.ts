/**
 * Massive's (formerly Polygon.io's) aggregate answers, read and checked (pure; the
 * requests are in massive.ts). Both endpoints answer an envelope
 *
 *   { status: "OK", request_id, queryCount, resultsCount, adjusted, results: [...], next_url? }
 *
 * with one bar per element: { o, h, l, c, v, vw?, n?, t } plus T (the ticker) in the
 * grouped daily answer. `t` is a Unix time in milliseconds: midnight New York for a
 * ticker's daily bars, the session's 16:00 close for the grouped ones, so a bar's day is
 * the New York date of `t`, never the UTC one (midnight New York is 04:00 or 05:00 UTC,
 * the close 20:00 or 21:00). `status` is "OK", or "DELAYED" on plans with delayed data;
 * "ERROR", "NOT_AUTHORIZED" and the like come with `error` or `message` saying why.
 *
 * Each element goes through a schema and the value rules every other source uses
 * (bar-rows.ts); a bad one is a row issue whose `line` is its index + 1.
 */
import { z } from 'zod';
import { DataFileError, type RowIssue } from '../csv-bars';
import { formatDay } from '../../engine/dates';
import { newYorkTime } from '../../service/freshness';
import { barProblem, shapeProblem, type BarRows } from './bar-rows';
import { ProviderError } from './types';

/** The variable the key comes from, named in every message about a missing or refused key. */
export const MASSIVE_KEY_VARIABLE = 'IWM_MASSIVE_KEY';

/** Statuses of an answer that carries data. */
const DATA_STATUS = new Set(['OK', 'DELAYED']);
/** A ticker as Massive writes one (BRK.A, ABRpD): it becomes a key and may go into a URL. */
const TICKER = /^[A-Za-z0-9][A-Za-z0-9.^_-]{0,19}$/;
/** Massive's one-letter fields by the column they fill, for messages. */
const FIELD_NAMES = {
  T: 'ticker (T)',
  o: 'open (o)',
  h: 'high (h)',
  l: 'low (l)',
  c: 'close (c)',
  v: 'volume (v)',
  t: 'timestamp (t)',
};

const Envelope = z.object({
  status: z.string().optional(),
  ticker: z.string().optional(),
  resultsCount: z.number().optional(),
  results: z.array(z.unknown()).optional(),
  next_url: z.string().optional(),
  error: z.string().optional(),
  message: z.string().optional(),
});
type Envelope = z.infer<typeof Envelope>;

const Bar = z.object({ o: z.number(), h: z.number(), l: z.number(), c: z.number(), v: z.number(), t: z.number() });
const GroupedBar = Bar.extend({ T: z.string(), vw: z.number().optional(), n: z.number().optional() });

/** One ticker's bar of a grouped daily answer. */
export interface DayBar {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Volume-weighted average price, when Massive sends one (it can lie outside [low, high]). */
  vwap: number | null;
  /** Number of trades, when sent. */
  trades: number | null;
}

/** A bad element of a grouped daily answer: `line` is its index + 1, `ticker` its T when readable. */
export interface TickerRowIssue extends RowIssue {
  ticker: string | null;
}

/**
 * Every US stock's bar for one date, or the explicit news that the date had no session.
 * "no-session" is what Massive answers for a weekend, a holiday, or a date it has not
 * published yet: no bars at all, which is not zero bars of a session.
 */
export type GroupedDaily =
  | {
      kind: 'session';
      /** ISO date asked for, and its day number. */
      date: string;
      day: number;
      bars: Map<string, DayBar>;
      issues: TickerRowIssue[];
      /** Elements examined = bars + issues. */
      rowsRead: number;
    }
  | { kind: 'no-session'; date: string; day: number };

/** The envelope of an answer that carries data; a ProviderError for anything else. */
export function readEnvelope(json: unknown, what: string): Envelope {
  const parsed = Envelope.safeParse(json);
  if (json === null || typeof json !== 'object' || Array.isArray(json) || !parsed.success) {
    throw new ProviderError('massive', `${what}: expected an aggregates answer (a JSON object with results)`);
  }
  const envelope = parsed.data;
  const status = envelope.status ?? '(none)';
  if (!DATA_STATUS.has(status)) {
    const why = envelope.error ?? envelope.message ?? 'no reason given';
    const check = status === 'NOT_AUTHORIZED' ? ` (check ${MASSIVE_KEY_VARIABLE} and its plan)` : '';
    throw new ProviderError('massive', `${what}: status ${status}: ${why}${check}`);
  }
  const results = envelope.results ?? [];
  if (envelope.resultsCount !== undefined && envelope.resultsCount !== results.length) {
    throw new ProviderError(
      'massive',
      `${what}: resultsCount says ${envelope.resultsCount} but the answer holds ${results.length} results`,
    );
  }
  return envelope;
}

/** The grouped daily answer for `date` (ISO, day number `day`), every element checked. */
export function readGroupedDaily(json: unknown, date: string, day: number, what: string): GroupedDaily {
  const results = readEnvelope(json, what).results ?? [];
  if (results.length === 0) return { kind: 'no-session', date, day };

  const bars = new Map<string, DayBar>();
  const lineOf = new Map<string, number>();
  const issues: TickerRowIssue[] = [];
  const dayOf = newYorkDayOf();
  for (let i = 0; i < results.length; i++) {
    const line = i + 1;
    const element = results[i];
    const parsed = GroupedBar.safeParse(element);
    if (!parsed.success) {
      const T = (element as { T?: unknown } | null)?.T;
      const ticker = typeof T === 'string' ? T : null;
      issues.push({ line, ticker, reason: shapeProblem(element, parsed.error.issues, FIELD_NAMES) });
      continue;
    }
    const bar = parsed.data;
    const reason = groupedRowProblem(bar, day, dayOf, lineOf.get(bar.T));
    if (reason !== null) {
      issues.push({ line, ticker: bar.T, reason });
      continue;
    }
    lineOf.set(bar.T, line);
    bars.set(bar.T, {
      open: bar.o,
      high: bar.h,
      low: bar.l,
      close: bar.c,
      volume: bar.v,
      vwap: bar.vw ?? null,
      trades: bar.n ?? null,
    });
  }
  if (bars.size === 0) {
    throw new DataFileError(`massive:grouped:${date}`, `no valid rows (${issues.length} bad rows)`, issues);
  }
  return { kind: 'session', date, day, bars, issues, rowsRead: results.length };
}

function groupedRowProblem(
  bar: z.infer<typeof GroupedBar>,
  day: number,
  dayOf: (t: number) => number | null,
  seenOn: number | undefined,
): string | null {
  if (!TICKER.test(bar.T)) return `ticker (T) is not a ticker symbol: ${JSON.stringify(bar.T)}`;
  if (seenOn !== undefined) return `duplicate ticker ${bar.T} (also on line ${seenOn})`;
  const barDay = dayOf(bar.t);
  if (barDay === null) return notATime(bar.t);
  if (barDay !== day) return `t ${bar.t} is ${formatDay(barDay)} in New York, not ${formatDay(day)}`;
  return barProblem(bar.o, bar.h, bar.l, bar.c, bar.v);
}

/**
 * Adds one page of a ticker's aggregates to `rows`, numbering its elements from
 * `firstLine`; returns the next page's URL as Massive wrote it (null on the last page)
 * and how many elements the page held.
 */
export function readAggregatesPage(
  json: unknown,
  ticker: string,
  rows: BarRows,
  firstLine: number,
  what: string,
): { nextUrl: string | null; count: number } {
  const envelope = readEnvelope(json, what);
  if (envelope.ticker !== undefined && envelope.ticker !== ticker) {
    throw new ProviderError('massive', `${what}: the answer is for ${JSON.stringify(envelope.ticker)}, not ${ticker}`);
  }
  const results = envelope.results ?? [];
  const dayOf = newYorkDayOf();
  for (let i = 0; i < results.length; i++) {
    const line = firstLine + i;
    const parsed = Bar.safeParse(results[i]);
    if (!parsed.success) {
      rows.reject(line, shapeProblem(results[i], parsed.error.issues, FIELD_NAMES));
      continue;
    }
    const { o, h, l, c, v, t } = parsed.data;
    const day = dayOf(t);
    if (day === null) rows.reject(line, notATime(t));
    else rows.add(line, day, o, h, l, c, v);
  }
  return { nextUrl: envelope.next_url ?? null, count: results.length };
}

/** Unix milliseconds from 1970 to 2100: what a daily bar's `t` can be. */
const LAST_MS = Date.UTC(2100, 0, 1);

function notATime(t: number): string {
  return `timestamp (t) is not a Unix time in milliseconds from 1970 to 2100: ${t}`;
}

/**
 * The New York day number of a Unix-ms time (null for one no bar can have). Memoised on
 * the last value: the grouped answer stamps thousands of rows with the same `t`, and
 * Intl is the slow part.
 */
function newYorkDayOf(): (t: number) => number | null {
  let lastT = Number.NaN;
  let lastDay: number | null = null;
  return (t) => {
    if (t !== lastT) {
      lastDay = Number.isInteger(t) && t >= 0 && t < LAST_MS ? newYorkTime(new Date(t)).day : null;
      lastT = t;
    }
    return lastDay;
  };
}
