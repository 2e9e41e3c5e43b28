/**
 * API responses as spilled Excel tables: a header row, then one row per item. Cells are
 * numbers, text or booleans; a missing number is an empty text (not 0, which would be a
 * false reading); dates are ISO text (excel-dates.ts turns them into Excel dates where the
 * host has data types); lists are joined with ", ".
 */
import type { z } from 'zod';
import type {
  BacktestResult,
  CalendarResult,
  Debriefs,
  HistoryTable,
  Levels,
  StatusResult,
} from '../../api/src/contracts/responses';

export type Cell = string | number | boolean;
export type Table = Cell[][];

export function cell(value: unknown): Cell {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'number') return Number.isFinite(value) ? value : '';
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

export function historyRows(h: z.infer<typeof HistoryTable>): Table {
  return [h.columns, ...h.rows.map((row) => row.map(cell))];
}

/** Resistances above (highest first), the close, supports below (nearest first), the all-time high on top. */
export function levelsRows(l: z.infer<typeof Levels>): Table {
  const row = (
    kind: string,
    x: { price: number; touches: number; lastTouched: string; distanceAtr: number | null },
  ) => [kind, x.price, x.touches, x.lastTouched, cell(x.distanceAtr)];
  return [
    ['level', 'price', 'touches', 'lastTouched', 'distanceAtr'],
    ['all-time high', l.allTimeHigh.price, '', l.allTimeHigh.date, ''],
    ...[...l.resistances].sort((a, b) => b.price - a.price).map((r) => row('resistance', r)),
    ['close', l.close, '', l.date, 0],
    ...[...l.supports].sort((a, b) => b.price - a.price).map((s) => row('support', s)),
  ];
}

export const DEBRIEF_COLUMNS = [
  'date',
  'openingDate',
  'openingComposite',
  'move',
  'direction',
  'outcome',
  'mostAccurate',
  'warningLayer',
  'warningDate',
  'warningClose',
  'lesson',
];

export function debriefRows(d: z.infer<typeof Debriefs>): Table {
  return [
    DEBRIEF_COLUMNS,
    ...d.debriefs.map((e) => [
      e.date,
      e.openingDate,
      cell(e.openingComposite),
      e.move,
      cell(e.direction),
      cell(e.outcome),
      e.mostAccurate,
      cell(e.earliestWarning?.layer),
      cell(e.earliestWarning?.date),
      cell(e.earliestWarning?.close),
      e.lesson,
    ]),
  ];
}

type Backtest = z.infer<typeof BacktestResult>;
type Ratio = Backtest['flightOverLeadership'];

export const BACKTEST_COLUMNS = ['group', 'setups', 'evaluated', 'failures', 'rate', 'low95', 'high95'];

/**
 * Rates by rotation state, by credit state and of the generic cross, each with its 95 %
 * interval; each ratio with its interval; each seed claim with its verdict; the range last.
 */
export function backtestRows(b: Backtest): Table {
  const stats = (name: string, s: Backtest['total']) => [
    name,
    s.setups,
    s.evaluated,
    s.failures,
    cell(s.failureRate),
    cell(s.interval?.low),
    cell(s.interval?.high),
  ];
  const ratio = (name: string, r: Ratio) => [name, '', '', '', cell(r.ratio), cell(r.low), cell(r.high)];
  return [
    BACKTEST_COLUMNS,
    stats('all', b.total),
    stats('leadership', b.byRotation.leadership),
    stats('parity', b.byRotation.parity),
    stats('flight', b.byRotation.flight),
    stats('undefined', b.byRotation.undefined),
    ratio('flight/leadership', b.flightOverLeadership),
    stats('credit calm', b.byCredit.calm),
    stats('credit stress', b.byCredit.stress),
    stats(b.creditAvailable ? 'credit undefined' : 'credit unavailable', b.byCredit.undefined),
    ratio('stress/calm', b.stressOverCalm),
    stats('generic primary', b.generic.primary),
    stats('generic benchmark', b.generic.benchmark),
    ratio('generic primary/benchmark', b.generic.primaryOverBenchmark),
    ...b.claims.map((c) => [
      `claim ${c.id}`,
      c.verdict,
      `claimed ${c.claimed}`,
      '',
      cell(c.measured.ratio),
      cell(c.measured.low),
      cell(c.measured.high),
    ]),
    [`${b.from} to ${b.to}`, `horizon ${b.horizon}`, '', '', '', '', ''],
  ];
}

export const STRATEGY_COLUMNS = ['metric', 'strategy', 'buyHold'];
export const EQUITY_COLUMNS = ['date', 'fraction', 'strategy', 'buyHold'];

/** The sizing strategy against buy-and-hold: one row per measure (fractions, not %). */
export function strategyRows(b: Backtest): Table {
  const s = b.strategy;
  const row = (name: string, pick: (p: Backtest['strategy']['strategy']) => unknown) => [
    name,
    cell(pick(s.strategy)),
    cell(pick(s.buyHold)),
  ];
  return [
    STRATEGY_COLUMNS,
    row('totalReturn', (p) => p.totalReturn),
    row('cagr', (p) => p.cagr),
    row('volatility', (p) => p.volatility),
    row('sharpe', (p) => p.sharpe),
    row('maxDrawdown', (p) => p.maxDrawdown.depth),
    row('drawdownPeak', (p) => p.maxDrawdown.peak),
    row('drawdownTrough', (p) => p.maxDrawdown.trough),
    row('exposure', (p) => p.exposure),
    row('changes', (p) => p.changes),
    ['range', `${s.from} to ${s.to}`, `cost ${s.costBps} bps`],
  ];
}

/** The equity curves, one row per session: a table a chart can plot as it is. */
export function equityRows(b: Backtest): Table {
  const e = b.strategy.equity;
  return [EQUITY_COLUMNS, ...e.date.map((d, i) => [d, cell(e.fraction[i]), e.strategy[i], e.buyHold[i]])];
}

export function calendarRows(c: z.infer<typeof CalendarResult>): Table {
  return [
    ['date', 'kind', 'label', 'windowStart', 'windowEnd'],
    ...c.events.map((e) => [e.date, e.kind, e.label, cell(e.windowStart), cell(e.windowEnd)]),
  ];
}

export function statusRows(s: z.infer<typeof StatusResult>): Table {
  return [
    ['item', 'value'],
    ['source', s.sample ? `${s.source} (SAMPLE DATA, synthetic)` : s.source],
    ['last bar', cell(s.lastBarDate)],
    ['expected last session', s.expectedLastSession],
    ['stale', s.stale],
    ['stale reason', cell(s.staleReason)],
    ['last refresh', cell(s.lastRefreshAt)],
    ['last error', cell(s.lastError)],
    ['universe members', s.universeMembers],
    ['series', cell(s.series)],
    ['generation', cell(s.generation)],
    ['version', s.version],
  ];
}
