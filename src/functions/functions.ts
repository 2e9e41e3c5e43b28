/**
 * The IWM custom functions. The JSDoc on each function is its Excel metadata:
 * webpack's CustomFunctionsMetadataPlugin generates functions.json from it and registers
 * each function with CustomFunctions.associate, so nothing here is declared twice.
 *
 * Every function turns its arguments into the API's raw arguments (excel-args.ts), asks
 * the shared batching client, and shapes the answer for a cell or a spilled table. Every
 * failure becomes #VALUE! or #N/A with a message (errors.ts).
 *
 * (No JSDoc types here: in TypeScript the generator takes the types from the signature.)
 * Date arguments are `any` because a cell may hold a date serial, ISO text or -N.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { z } from 'zod';
import type { FunctionName } from '../../api/src/contracts/params';
import type {
  BacktestResult,
  CalendarResult,
  Debriefs,
  FieldValueResult,
  HistoryTable,
  Levels,
  StatusResult,
} from '../../api/src/contracts/responses';
import { ArgumentError, boolArg, dayArg, fieldsArg, intArg, profileArg, textArg } from '../common/excel-args';
import { client, settings } from '../common/shared';
import { entitiesSupported, readingEntity, readingText, type ReadingValue } from './entity';
import { noValue, toExcelError } from './errors';
import { DATE_COLUMNS, headersArg, shapeTable, type TypedTable } from './excel-dates';
import {
  backtestRows,
  calendarRows,
  debriefRows,
  equityRows,
  historyRows,
  levelsRows,
  statusRows,
  strategyRows,
  type Table,
} from './tables';

type FieldValue = z.infer<typeof FieldValueResult>;

/** Symbol and profile: the call's own, else the workbook's (taskpane), else the API's default. */
function common(symbol: unknown, profile: unknown): Record<string, unknown> {
  const s = settings.get();
  return {
    symbol: textArg(symbol, 'symbol') ?? s.symbol,
    profile: profileArg(profile) ?? s.profile,
  };
}

async function run<T>(fn: FunctionName, args: () => Record<string, unknown>, fresh = false): Promise<T> {
  // Arguments read the workbook's profile: wait until the taskpane code has loaded it.
  await settings.ready();
  try {
    return (await client.call(fn, args(), { fresh })) as T;
  } catch (err) {
    throw toExcelError(err);
  }
}

/** One field of the reading on a session; #N/A when the engine has no value there. */
async function fieldAt(
  field: string,
  asOf: unknown,
  symbol: unknown,
  profile: unknown,
): Promise<string | number | boolean> {
  const result = await run<FieldValue>('field', () => ({
    field,
    asOf: dayArg(asOf, 'asOf'),
    ...common(symbol, profile),
  }));
  if (result.value === null || result.value === undefined) throw noValue(result.field, result.date);
  return Array.isArray(result.value) ? result.value.join(', ') : result.value;
}

/**
 * The composite rating: bullish, neutral or bearish (the score against the profile's threshold).
 * @customfunction COMPOSITE
 * @param [asOf] Session: a date, "YYYY-MM-DD", or -1 for the last close, -2 the one before (default: latest).
 * @param [symbol] Primary ticker (default: the workbook's, IWM).
 * @param [profile] Profile: "iwm", "standard" or profile JSON (default: the workbook's).
 * @returns The composite rating.
 */
export function composite(asOf?: any, symbol?: string, profile?: string): Promise<string | number | boolean> {
  return fieldAt('composite.rating', asOf, symbol, profile);
}

/**
 * The composite score: the weighted sum of the available layers' scores, each -1 to +1 (momentum unconfirmed by volume counts half).
 * @customfunction SCORE
 * @param [asOf] Session: a date, "YYYY-MM-DD", or -1 for the last close (default: latest).
 * @param [symbol] Primary ticker (default: the workbook's, IWM).
 * @param [profile] Profile: "iwm", "standard" or profile JSON (default: the workbook's).
 * @returns The composite score.
 */
export function score(asOf?: any, symbol?: string, profile?: string): Promise<string | number | boolean> {
  return fieldAt('composite.score', asOf, symbol, profile);
}

/**
 * The IWM/SPY rotation state: leadership, parity or flight.
 * @customfunction ROTATION
 * @param [asOf] Session: a date, "YYYY-MM-DD", or -1 for the last close (default: latest).
 * @param [symbol] Primary ticker (default: the workbook's, IWM).
 * @param [profile] Profile: "iwm", "standard" or profile JSON (default: the workbook's).
 * @returns The rotation state.
 */
export function rotation(asOf?: any, symbol?: string, profile?: string): Promise<string | number | boolean> {
  return fieldAt('rotation.state', asOf, symbol, profile);
}

/**
 * The position size as a fraction of a full position (0 to 1), halved in flight and again under credit stress.
 * @customfunction SIZE
 * @param [asOf] Session: a date, "YYYY-MM-DD", or -1 for the last close (default: latest).
 * @param [symbol] Primary ticker (default: the workbook's, IWM).
 * @param [profile] Profile: "iwm", "standard" or profile JSON (default: the workbook's).
 * @returns The sizing fraction.
 */
export function size(asOf?: any, symbol?: string, profile?: string): Promise<string | number | boolean> {
  return fieldAt('sizing.fraction', asOf, symbol, profile);
}

/**
 * The credit overlay's state from the HYG/IEF ratio: stress (halves the size), calm, or unavailable.
 * @customfunction CREDIT
 * @param [asOf] Session: a date, "YYYY-MM-DD", or -1 for the last close (default: latest).
 * @param [symbol] Primary ticker (default: the workbook's, IWM).
 * @param [profile] Profile: "iwm", "standard" or profile JSON (default: the workbook's).
 * @returns The credit state.
 */
export function credit(asOf?: any, symbol?: string, profile?: string): Promise<string | number | boolean> {
  return fieldAt('credit.state', asOf, symbol, profile);
}

/**
 * The trend layer's state (21/63-day EMA): bullish, neutral or bearish.
 * @customfunction TREND
 * @param [asOf] Session: a date, "YYYY-MM-DD", or -1 for the last close (default: latest).
 * @param [symbol] Primary ticker (default: the workbook's, IWM).
 * @param [profile] Profile: "iwm", "standard" or profile JSON (default: the workbook's).
 * @returns The trend state.
 */
export function trend(asOf?: any, symbol?: string, profile?: string): Promise<string | number | boolean> {
  return fieldAt('trend.state', asOf, symbol, profile);
}

/**
 * The momentum layer's state (10/21-day rate of change with volume confirmation): bullish, neutral or bearish.
 * @customfunction MOMENTUM
 * @param [asOf] Session: a date, "YYYY-MM-DD", or -1 for the last close (default: latest).
 * @param [symbol] Primary ticker (default: the workbook's, IWM).
 * @param [profile] Profile: "iwm", "standard" or profile JSON (default: the workbook's).
 * @returns The momentum state.
 */
export function momentum(asOf?: any, symbol?: string, profile?: string): Promise<string | number | boolean> {
  return fieldAt('momentum.state', asOf, symbol, profile);
}

/**
 * The breadth layer's state (% of Russell 2000 members above their 50/200-day average): bullish, neutral, bearish, or unavailable without a universe.
 * @customfunction BREADTH
 * @param [asOf] Session: a date, "YYYY-MM-DD", or -1 for the last close (default: latest).
 * @param [symbol] Primary ticker (default: the workbook's, IWM).
 * @param [profile] Profile: "iwm", "standard" or profile JSON (default: the workbook's).
 * @returns The breadth state.
 */
export function breadth(asOf?: any, symbol?: string, profile?: string): Promise<string | number | boolean> {
  return fieldAt('breadth.state', asOf, symbol, profile);
}

/**
 * The relative-strength layer's state (IWM against SPY): bullish, neutral or bearish.
 * @customfunction RELSTRENGTH
 * @param [asOf] Session: a date, "YYYY-MM-DD", or -1 for the last close (default: latest).
 * @param [symbol] Primary ticker (default: the workbook's, IWM).
 * @param [profile] Profile: "iwm", "standard" or profile JSON (default: the workbook's).
 * @returns The relative-strength state.
 */
export function rs(asOf?: any, symbol?: string, profile?: string): Promise<string | number | boolean> {
  return fieldAt('rs.state', asOf, symbol, profile);
}

/**
 * Any field of the reading, e.g. "breadth.pct50", "trend.gapAtr", "composite.threshold".
 * @customfunction SIGNAL
 * @param field Field name (see the API's openapi.json, Field; e.g. "breadth.pct50").
 * @param [asOf] Session: a date, "YYYY-MM-DD", or -1 for the last close (default: latest).
 * @param [symbol] Primary ticker (default: the workbook's, IWM).
 * @param [profile] Profile: "iwm", "standard" or profile JSON (default: the workbook's).
 * @returns The field's value on that session.
 */
export function signal(
  field: string,
  asOf?: any,
  symbol?: string,
  profile?: string,
): Promise<string | number | boolean> {
  let name: string | undefined;
  try {
    name = textArg(field, 'field');
    if (name === undefined) throw new ArgumentError('field is required, e.g. "breadth.pct50"');
  } catch (err) {
    return Promise.reject(toExcelError(err));
  }
  return fieldAt(name, asOf, symbol, profile);
}

/**
 * A table of fields per session, one row per session (spills).
 * @customfunction HISTORY
 * @param start First session: a date, "YYYY-MM-DD", or -N for the last N sessions.
 * @param [end] Last session (default: latest).
 * @param [fields] Field names, comma-separated or a range (default: date, close, each layer, composite, rotation, sizing).
 * @param [symbol] Primary ticker (default: the workbook's, IWM).
 * @param [profile] Profile: "iwm", "standard" or profile JSON (default: the workbook's).
 * @param [headers] 0: no header row, 1: column names (default 1), as STOCKHISTORY.
 * @returns A header row, then one row per session.
 */
export async function history(
  start: any,
  end?: any,
  fields?: any[][],
  symbol?: string,
  profile?: string,
  headers?: any,
): Promise<any[][]> {
  const shape = headersArgOrThrow(headers);
  const h = await run<z.infer<typeof HistoryTable>>('history', () => ({
    from: dayArg(start, 'start') ?? requiredStart(),
    to: dayArg(end, 'end'),
    fields: fieldsArg(fields),
    ...common(symbol, profile),
  }));
  return shape(historyRows(h), DATE_COLUMNS.history);
}

/**
 * The headers argument, read before any request (a bad one is #VALUE! at once), and the
 * shaping it implies: header row or not, real dates where the host has data types.
 */
function headersArgOrThrow(headers: unknown): (table: Table, dateColumns: readonly string[]) => TypedTable {
  let h: 0 | 1;
  try {
    h = headersArg(headers);
  } catch (err) {
    throw toExcelError(err);
  }
  return (table, dateColumns) => shapeTable(table, dateColumns, h, entitiesSupported());
}

function requiredStart(): never {
  throw new ArgumentError('start is required: a date, "YYYY-MM-DD", or -N for the last N sessions');
}

/**
 * Support and resistance levels around the close, with the all-time high (spills).
 * @customfunction LEVELS
 * @param [count] Levels per side, 1 to 100 (default 5).
 * @param [asOf] Session (default: latest).
 * @param [symbol] Primary ticker (default: the workbook's, IWM).
 * @param [profile] Profile: "iwm", "standard" or profile JSON (default: the workbook's).
 * @param [headers] 0: no header row, 1: column names (default 1), as STOCKHISTORY.
 * @returns level, price, touches, last touched, distance in ATRs.
 */
export async function levels(
  count?: any,
  asOf?: any,
  symbol?: string,
  profile?: string,
  headers?: any,
): Promise<any[][]> {
  const shape = headersArgOrThrow(headers);
  const l = await run<z.infer<typeof Levels>>('levels', () => ({
    count: intArg(count, 'count', 1, 100),
    asOf: dayArg(asOf, 'asOf'),
    ...common(symbol, profile),
  }));
  return shape(levelsRows(l), DATE_COLUMNS.levels);
}

/**
 * The end-of-day debrief of a session, or of every session from start to end (spills).
 * @customfunction DEBRIEF
 * @param [start] Session, or first session of a range (default: latest).
 * @param [end] Last session of a range (default: only start).
 * @param [symbol] Primary ticker (default: the workbook's, IWM).
 * @param [profile] Profile: "iwm", "standard" or profile JSON (default: the workbook's).
 * @param [headers] 0: no header row, 1: column names (default 1), as STOCKHISTORY.
 * @returns One row per session: opening composite, move, outcome, most accurate layer, earliest warning, lesson.
 */
export async function debrief(
  start?: any,
  end?: any,
  symbol?: string,
  profile?: string,
  headers?: any,
): Promise<any[][]> {
  const shape = headersArgOrThrow(headers);
  const d = await run<z.infer<typeof Debriefs>>('debrief', () => {
    const from = dayArg(start, 'start');
    const to = dayArg(end, 'end');
    const dates = to === undefined ? { date: from } : { from, to };
    return { ...dates, ...common(symbol, profile) };
  });
  return shape(debriefRows(d), DATE_COLUMNS.debrief);
}

/** The backtest reply both BACKTEST and STRATEGY read (one cached call for the same arguments). */
function backtestReply(
  start: unknown,
  end: unknown,
  horizon: unknown,
  symbol: unknown,
  profile: unknown,
): Promise<z.infer<typeof BacktestResult>> {
  return run<z.infer<typeof BacktestResult>>('backtest', () => ({
    from: dayArg(start, 'start'),
    to: dayArg(end, 'end'),
    horizon: intArg(horizon, 'horizon', 1, 250),
    ...common(symbol, profile),
  }));
}

/**
 * Failure rates of the composite's setups by rotation and credit state, the generic cross, each with its 95 % interval, and a verdict on each seed claim (spills).
 * @customfunction BACKTEST
 * @param [start] First session (default: the whole history).
 * @param [end] Last session (default: latest).
 * @param [horizon] Sessions to judge each setup over, 1 to 250 (default: the profile's).
 * @param [symbol] Primary ticker (default: the workbook's, IWM).
 * @param [profile] Profile: "iwm", "standard" or profile JSON (default: the workbook's).
 * @param [headers] 0: no header row, 1: column names (default 1), as STOCKHISTORY.
 * @returns group, setups, evaluated, failures, rate and its 95 % interval; ratios; claims with their verdicts.
 */
export async function backtest(
  start?: any,
  end?: any,
  horizon?: any,
  symbol?: string,
  profile?: string,
  headers?: any,
): Promise<any[][]> {
  const shape = headersArgOrThrow(headers);
  return shape(backtestRows(await backtestReply(start, end, horizon, symbol, profile)), DATE_COLUMNS.backtest);
}

/**
 * The sizing rule held as a position against buy-and-hold: return, CAGR, volatility, Sharpe, drawdown, exposure, or the equity curves (spills).
 * @customfunction STRATEGY
 * @param [start] First session (default: the whole history).
 * @param [end] Last session (default: latest).
 * @param [curve] TRUE for the equity curves (date, fraction, strategy, buyHold; one row per session), FALSE for the summary (default).
 * @param [symbol] Primary ticker (default: the workbook's, IWM).
 * @param [profile] Profile: "iwm", "standard" or profile JSON (default: the workbook's); backtest.costBps sets the cost.
 * @returns The summary (metric, strategy, buyHold) or the equity curves.
 */
export async function strategy(
  start?: any,
  end?: any,
  curve?: any,
  symbol?: string,
  profile?: string,
): Promise<any[][]> {
  let equity: boolean;
  try {
    equity = boolArg(curve, 'curve') ?? false;
  } catch (err) {
    throw toExcelError(err);
  }
  const b = await backtestReply(start, end, undefined, symbol, profile);
  return equity ? equityRows(b) : strategyRows(b);
}

/**
 * Macro events (FOMC, Russell reconstitution, ...) with their signal windows (spills).
 * @customfunction CALENDAR
 * @param [start] First date (default: 30 days before the last bar).
 * @param [end] Last date (default: 180 days after the last bar).
 * @param [headers] 0: no header row, 1: column names (default 1), as STOCKHISTORY.
 * @returns date, kind, label, window start, window end.
 */
export async function calendar(start?: any, end?: any, headers?: any): Promise<any[][]> {
  const shape = headersArgOrThrow(headers);
  const c = await run<z.infer<typeof CalendarResult>>('calendar', () => ({
    from: dayArg(start, 'start'),
    to: dayArg(end, 'end'),
    ...common(undefined, undefined),
  }));
  return shape(calendarRows(c), DATE_COLUMNS.calendar);
}

/**
 * Where the numbers come from: data source, last bar date, staleness, version (spills).
 * @customfunction STATUS
 * @returns item, value.
 */
export async function status(): Promise<any[][]> {
  return statusRows(await run<z.infer<typeof StatusResult>>('status', () => ({})));
}

/**
 * The latest value of a field, updated on an interval while the workbook is open.
 * @customfunction LIVE
 * @param [field] Field name (default "composite.rating").
 * @param [seconds] Seconds between updates, 5 to 3600 (default: the taskpane's setting, 60).
 * @param invocation Streaming invocation (supplied by Excel).
 * @streaming
 */
export function live(
  field: string,
  seconds: number,
  invocation: CustomFunctions.StreamingInvocation<string | number | boolean>,
): void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let cancelled = false;
  let name: string;
  let interval: number;
  try {
    name = textArg(field, 'field') ?? 'composite.rating';
    interval = intArg(seconds, 'seconds', 5, 3600) ?? settings.get().liveIntervalSeconds;
  } catch (err) {
    invocation.setResult(toExcelError(err));
    return;
  }
  const tick = async () => {
    try {
      await settings.ready();
      const result = (await client.call(
        'field',
        { field: name, ...common(undefined, undefined) },
        { fresh: true },
      )) as FieldValue;
      if (cancelled) return;
      if (result.value === null || result.value === undefined) invocation.setResult(noValue(result.field, result.date));
      else invocation.setResult(Array.isArray(result.value) ? result.value.join(', ') : result.value);
    } catch (err) {
      if (!cancelled) invocation.setResult(toExcelError(err));
    } finally {
      if (!cancelled) timer = setTimeout(() => void tick(), interval * 1000);
    }
  };
  invocation.onCanceled = () => {
    cancelled = true;
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  void tick();
}

// ---- Data types (CustomFunctionsRuntime 1.4): the reading as one card ------------------------

/**
 * The whole reading in one cell: a card showing the rating, with every layer, the composite, rotation, sizing, macro and credit as fields (=A1.Trend.State). Plain rating text where Excel lacks data types.
 * @customfunction READING
 * @param [asOf] Session: a date, "YYYY-MM-DD", or -1 for the last close (default: latest).
 * @param [symbol] Primary ticker (default: the workbook's, IWM).
 * @param [profile] Profile: "iwm", "standard" or profile JSON (default: the workbook's).
 * @returns The reading as a data-type card.
 */
export async function reading(asOf?: any, symbol?: string, profile?: string): Promise<any> {
  const r = await run<ReadingValue>('signal', () => ({ asOf: dayArg(asOf, 'asOf'), ...common(symbol, profile) }));
  return entitiesSupported() ? readingEntity(r) : readingText(r);
}
