/**
 * The request budget: how much work and response one request may ask for, known before
 * any of it runs, and how many heavy requests a process works on at once. The one source
 * of these figures: the service enforces them, README.md, docs/API.md and the tests quote
 * them.
 *
 * The unit is the cell: one value of a history table, ~11 bytes of JSON on average over
 * every field and at most ~22 (a full-precision number). Other answers count as the cells
 * their JSON is about as large as (measured on the 25-year sample: a reading ~3.1 KB, a
 * debrief ~0.8 KB, a meta block ~0.6 KB), so the cell count bounds both the work and the
 * size of a response: MAX cells x 22 bytes is the largest answer, whatever was asked.
 */
import type { FunctionName } from '../contracts/params';
import { ProblemError, type ProblemIssue } from '../contracts/problem';
import { DEFAULT_HISTORY_FIELDS } from '../engine/fields';

export const BUDGET = {
  /**
   * Most cells one request may produce: a route, or a batch summed over its calls. 25 years
   * (6,300 sessions) of every field (62) is 390,600; of the default fields 69,300; a debrief
   * of all 25 years 472,500.
   */
  maxCells: 600_000,
  /**
   * Most different (symbol, benchmark, profile) histories one request may use: each one not
   * yet cached is a computation over the whole data (~0.2-0.6 s for 25 years).
   */
  maxHistories: 8,
  /** A request of this many cells or more, or one that computes a history, is heavy: it waits for a slot. */
  heavyCells: 50_000,
  /** A heavy request lets other requests in (one turn of the event loop) after about this many cells. */
  yieldCells: 25_000,
  /** A batch's answer is serialised call by call, letting other requests in after about this many bytes. */
  yieldBytes: 256 * 1024,
} as const;

/** The most bytes of JSON a cell takes (a full-precision number and its comma); for docs and tests. */
export const MAX_BYTES_PER_CELL = 22;

/** What each kind of answer counts, in cells. */
export const CELL_COST = {
  /** The meta block every data answer carries (~0.6 KB). */
  meta: 60,
  /** One `field` answer (~120 bytes). */
  field: 10,
  /** One reading (`signal`, ~3.1 KB). */
  reading: 300,
  /** Per level asked for (`levels` count): a support and a resistance, ~90 bytes each. */
  level: 16,
  /** Per debriefed session (~0.8 KB). */
  debrief: 75,
  /** Per backtest session: a setup is at most every other session, ~90 bytes each. */
  backtestSession: 4,
  /** Per macro event a calendar may list (~130 bytes). */
  calendarEvent: 12,
  /** One status report (~0.4 KB). */
  status: 40,
} as const;

/**
 * Heavy requests per process: at most `maxInFlight` run at once, at most `maxQueued` wait
 * (first come, first served); one more gets 503 `busy` with Retry-After. Cheap requests
 * (status, signal, small batches) never wait. IWM_HEAVY_CONCURRENCY and IWM_HEAVY_QUEUE
 * override the first two (see config.ts).
 */
export const QUEUE = {
  maxInFlight: 2,
  maxQueued: 8,
  retryAfterSeconds: 5,
} as const;

/** The size of one call before it runs. */
export interface CallCost {
  cells: number;
  /** What it counts, e.g. "history: 6,300 sessions x 124 fields = 781,200 cells". */
  text: string;
  /** How to ask for less, e.g. "split by from/to (at most 4,838 sessions of 124 fields per request)". */
  split: string;
}

/** What a call's size depends on besides its arguments, resolved against the data. */
export interface CallScope {
  /** Sessions of a range (history, debrief, backtest); 0 for other functions. */
  sessions: number;
  /** Macro events a calendar may list (the server's plus the profile's own). */
  events: number;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const perRequest = (unit: number) => Math.max(1, Math.floor((BUDGET.maxCells - CELL_COST.meta) / unit));

/** A range answer that costs `unit` cells per session. */
function perSession(fn: string, sessions: number, unit: number): CallCost {
  const cells = sessions * unit;
  return {
    cells: CELL_COST.meta + cells,
    text: `${fn}: ${fmt(sessions)} sessions x ${unit} cells = ${fmt(cells)} cells`,
    split: `split by from/to (at most ${fmt(perRequest(unit))} sessions per request)`,
  };
}

/** The cells one call (already validated) will produce. */
export function callCost(fn: FunctionName, args: Record<string, unknown>, scope: CallScope): CallCost {
  const { sessions } = scope;
  const meta = CELL_COST.meta;
  switch (fn) {
    case 'history': {
      const fields = (args.fields as readonly string[] | undefined)?.length ?? DEFAULT_HISTORY_FIELDS.length;
      const cells = sessions * fields;
      return {
        cells: meta + cells,
        text: `history: ${fmt(sessions)} sessions x ${fields} fields = ${fmt(cells)} cells`,
        split: `split by from/to (at most ${fmt(perRequest(fields))} sessions of ${fields} fields per request) or ask for fewer fields`,
      };
    }
    case 'debrief':
      return perSession('debrief', sessions, CELL_COST.debrief);
    case 'backtest':
      return perSession('backtest', sessions, CELL_COST.backtestSession);
    case 'levels': {
      const count = (args.count as number | undefined) ?? 5;
      return {
        // One more for the close, ATR, tolerance and all-time high.
        cells: meta + (count + 1) * CELL_COST.level,
        text: `levels: count ${count}`,
        split: 'ask for a smaller count',
      };
    }
    case 'calendar':
      return {
        cells: meta + scope.events * CELL_COST.calendarEvent,
        text: `calendar: up to ${fmt(scope.events)} events`,
        split: 'split by from/to',
      };
    case 'signal':
      return { cells: meta + CELL_COST.reading, text: 'signal: one reading', split: 'send fewer calls' };
    case 'field':
      return { cells: CELL_COST.field, text: 'field: one value', split: 'send fewer calls' };
    case 'status':
      return { cells: CELL_COST.status, text: 'status', split: 'send fewer calls' };
  }
}

/** A budget problem: 422 `over-budget`, naming the budget and how to split the request. */
function overBudget(detail: string, errors?: ProblemIssue[]): ProblemError {
  return ProblemError.of('over-budget', detail, errors);
}

/**
 * Checks a request against the budget before any of it runs. `costs` are the request's
 * calls in order (null for a call that already failed on its own); `batch` says whether
 * they came as a batch (the message then names the calls by index). `histories` is the
 * number of different histories the calls use.
 */
export function checkBudget(costs: readonly (CallCost | null)[], batch: boolean, histories: number): void {
  const limit = `the limit is ${fmt(BUDGET.maxCells)} cells per request`;
  if (!batch) {
    const c = costs[0];
    if (c && c.cells > BUDGET.maxCells) throw overBudget(`${c.text}; ${limit}; ${c.split}`);
    return;
  }
  if (histories > BUDGET.maxHistories)
    throw overBudget(
      `batch: the calls use ${histories} different symbol/benchmark/profile combinations; the limit is ${BUDGET.maxHistories} per request (each is a computation over the whole history); split the batch by profile`,
    );
  let total = 0;
  for (const c of costs) total += c?.cells ?? 0;
  if (total <= BUDGET.maxCells) return;
  const largest = costs
    .map((c, i) => ({ c, i }))
    .filter((x): x is { c: CallCost; i: number } => x.c !== null)
    .sort((x, y) => y.c.cells - x.c.cells || x.i - y.i)
    .slice(0, 5);
  const first = largest[0];
  throw overBudget(
    `batch: ${fmt(costs.length)} calls = ${fmt(total)} cells; ${limit}, summed over a batch's calls; the largest: [${first.i}] ${first.c.text}; send the calls in several requests, or ${first.c.split}`,
    largest.map(({ c, i }) => ({ field: `[${i}]`, message: `${c.text} (${c.split})` })),
  );
}
