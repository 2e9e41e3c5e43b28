/**
 * Readable text for the CLI's default (non-JSON) output: aligned tables, numbers with
 * sensible precision, `-` for undefined values.
 */
import type { Backtest, FailureStats } from '../engine/backtest';
import type { RatioEstimate } from '../engine/stats';
import type { PerformanceStats } from '../engine/strategy';
import type { Debrief } from '../engine/debrief';
import type { FieldValue } from '../engine/fields';
import type { Reading } from '../engine/reading';

export function cell(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    const fixed = v.toFixed(a >= 1000 ? 0 : a >= 1 ? 2 : 4);
    return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
  }
  if (Array.isArray(v)) return v.length ? v.join('; ') : '-';
  return String(v);
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function formatTable(table: { columns: string[]; rows: FieldValue[][] | unknown[][] }): string {
  const text = table.rows.map((r) => r.map(cell));
  const widths = table.columns.map((c, i) => Math.max(c.length, ...text.map((r) => r[i].length)));
  const numeric = table.columns.map((_, i) => table.rows.every((r) => typeof r[i] === 'number' || r[i] === null));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(table.columns), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

type Obj = Record<string, unknown>;
const get = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, k) => (node && typeof node === 'object' ? (node as Obj)[k] : undefined), o);

export function formatReading(r: Reading, meta: Obj): string {
  const upper = (v: unknown) => (typeof v === 'string' ? v.toUpperCase() : '-');
  const flip = (layer: string) => {
    const f = get(r, `composite.flip.${layer}`) as { distance: number | null; unit: string };
    return f.distance === null ? '' : `  (flips ${cell(f.distance)} ${f.unit} away)`;
  };
  const banner =
    meta.source === 'sample' ? '\nSAMPLE DATA: synthetic bars for trying the product, not market prices.' : '';
  const lines = [
    `${meta.symbol} vs ${meta.benchmark}  ${r.date}  close ${cell(r.close)}  (source: ${meta.source}, profile: ${meta.profile}, data to ${meta.lastBarDate})${banner}`,
    '',
    `Composite  ${upper(get(r, 'composite.rating'))}  score ${cell(get(r, 'composite.score'))} vs threshold ±${cell(get(r, 'composite.threshold'))} (base ${cell(get(r, 'composite.thresholdBase'))})`,
    `Trend      ${cell(get(r, 'trend.state'))}  gap ${cell(get(r, 'trend.gapAtr'))} ATR${flip('trend')}`,
    `Momentum   ${cell(get(r, 'momentum.state'))}${get(r, 'momentum.confirmed') ? ' (confirmed)' : ''}  move ${cell(get(r, 'momentum.move'))} vs ±${cell(get(r, 'momentum.threshold'))}${flip('momentum')}`,
    `Breadth    ${cell(get(r, 'breadth.state'))}  pct50 ${cell(get(r, 'breadth.pct50'))}  pct200 ${cell(get(r, 'breadth.pct200'))}  d5 ${cell(get(r, 'breadth.d5'))}${flip('breadth')}`,
    `RS         ${cell(get(r, 'rs.state'))}  spread ${cell(get(r, 'rs.spread'))} pp${flip('rs')}`,
    `Rotation   ${cell(get(r, 'rotation.state'))}  ratio ${cell(get(r, 'rotation.ratio'))} vs SMA ${cell(get(r, 'rotation.ratioSma'))}, band ${cell(get(r, 'rotation.bandPct'))}%  -> ${cell(get(r, 'rotation.posture'))}`,
    `Sizing     ${cell(get(r, 'sizing.fraction'))}`,
    `Macro      ${cell(get(r, 'macro.active'))} (${cell(get(r, 'macro.phase'))}${get(r, 'macro.enabled') ? '' : ', overlay off'})`,
    '',
    ...((get(r, 'composite.rationale') as string[]) ?? []).map((s) => `  - ${s}`),
  ];
  return lines.join('\n');
}

interface LevelsView {
  date: string;
  close: number;
  atr: number | null;
  supports: { price: number; touches: number; lastTouched: string; distanceAtr: number | null }[];
  resistances: { price: number; touches: number; lastTouched: string; distanceAtr: number | null }[];
  allTimeHigh: { price: number; date: string };
}

export function formatLevels(lv: LevelsView): string {
  const rows = [
    ...lv.resistances
      .slice()
      .reverse()
      .map((l) => ['resistance', l.price, l.touches, l.lastTouched, l.distanceAtr]),
    ['close', lv.close, null, lv.date, 0],
    ...lv.supports.map((l) => ['support', l.price, l.touches, l.lastTouched, l.distanceAtr]),
  ];
  return [
    formatTable({ columns: ['level', 'price', 'touches', 'lastTouched', 'distanceAtr'], rows }),
    '',
    `all-time high ${cell(lv.allTimeHigh.price)} on ${lv.allTimeHigh.date}; ATR ${cell(lv.atr)}`,
  ].join('\n');
}

export function formatDebriefs(list: Debrief[]): string {
  const rows = list.map((d) => [
    d.date,
    d.openingComposite,
    ...d.calls.map((c) => `${c.call ?? '-'}${c.correct === null ? '' : c.correct ? ' ✓' : ' ✗'}`),
    d.move,
    d.direction,
    d.outcome,
    d.mostAccurate,
    d.earliestWarning
      ? `${d.earliestWarning.layer} ${d.earliestWarning.date} @${d.earliestWarning.close.toFixed(2)}`
      : null,
  ]);
  const table = formatTable({
    columns: [
      'date',
      'opening',
      'trend',
      'momentum',
      'breadth',
      'rs',
      'move',
      'direction',
      'outcome',
      'mostAccurate',
      'earliestWarning',
    ],
    rows,
  });
  const lessons = list.length === 1 ? `\n\nLesson: ${list[0].lesson}` : '';
  return table + lessons;
}

const percent = (v: number | null) => (v === null ? null : v * 100);
const intervalText = (i: { low: number; high: number } | null, scale = 100, digits = 1) =>
  i === null ? null : `${(i.low * scale).toFixed(digits)} to ${(i.high * scale).toFixed(digits)}`;
const ratioText = (r: RatioEstimate) =>
  r.ratio === null
    ? 'n/a'
    : `${r.ratio.toFixed(2)} (95 % interval ${r.low === null || r.high === null ? 'n/a: a group has no failures' : `${r.low.toFixed(2)} to ${r.high.toFixed(2)}`})`;

function ratesTable(first: string, rows: [string, FailureStats][], event = 'failures'): string {
  return formatTable({
    columns: [first, 'setups', 'evaluated', event, `${event === 'failures' ? 'failure' : 'rate'}%`, '95% interval'],
    rows: rows.map(([name, s]) => [
      name,
      s.setups,
      s.evaluated,
      s.failures,
      percent(s.failureRate),
      intervalText(s.interval),
    ]),
  });
}

function performanceRow(name: string, p: PerformanceStats): unknown[] {
  return [
    name,
    p.totalReturn * 100,
    percent(p.cagr),
    percent(p.volatility),
    p.sharpe,
    p.maxDrawdown.depth * 100,
    p.maxDrawdown.peak,
    p.maxDrawdown.trough,
    p.exposure,
    p.changes,
  ];
}

export function formatBacktest(bt: Backtest): string {
  const s = bt.strategy;
  return [
    `Composite setups ${bt.from} to ${bt.to}, horizon ${bt.horizon} sessions (failure: close after horizon <= close at setup)`,
    ratesTable('rotation', [
      ['all', bt.total],
      ['leadership', bt.byRotation.leadership],
      ['parity', bt.byRotation.parity],
      ['flight', bt.byRotation.flight],
      ['undefined', bt.byRotation.undefined],
    ]),
    `failure(flight) / failure(leadership): ${ratioText(bt.flightOverLeadership)}`,
    '',
    bt.creditAvailable
      ? 'By credit state at the setup (undefined: before the credit look-back or without a bar)'
      : 'By credit state at the setup: unavailable (the data has no credit series; every setup is undefined)',
    ratesTable('credit', [
      ['calm', bt.byCredit.calm],
      ['stress', bt.byCredit.stress],
      ['undefined', bt.byCredit.undefined],
    ]),
    `failure(stress) / failure(calm): ${ratioText(bt.stressOverCalm)}`,
    '',
    `Generic SMA${bt.generic.fast}/SMA${bt.generic.slow} cross, false positive when close ${bt.generic.horizon} sessions later <= close`,
    ratesTable(
      'symbol',
      [
        ['primary', bt.generic.primary],
        ['benchmark', bt.generic.benchmark],
      ],
      'falsePositives',
    ),
    `primary / benchmark false-positive rate: ${ratioText(bt.generic.primaryOverBenchmark)}`,
    '',
    "The seed's claims (supported only when the 95 % interval of the ratio excludes 1)",
    ...bt.claims.flatMap((c, i) => [`${i + 1}. ${c.claim}`, `   ${c.summary}`]),
    '',
    `Sizing strategy against buy-and-hold, ${s.from} to ${s.to} (${s.intervals} sessions held, cost ${s.costBps} bps per unit of change)`,
    formatTable({
      columns: ['', 'total%', 'CAGR%', 'vol%', 'Sharpe', 'maxDD%', 'ddPeak', 'ddTrough', 'exposure', 'changes'],
      rows: [performanceRow('strategy', s.strategy), performanceRow('buy-and-hold', s.buyHold)],
    }),
    '',
    `Macro calendar: ${bt.calendar.note}`,
  ].join('\n');
}

/** What the backfill progress reporter shows (the fields of BackfillProgress it needs). */
interface Progress {
  sessionsDone: number;
  sessionsTotal: number;
  etaMinutes: number;
}

/**
 * A progress reporter for `refresh`: on a terminal, one bar redrawn in place
 * ("[#####.....] 140/260 sessions, about 24 min left"); otherwise a plain line each time
 * another 10% is done, so a log file gets about ten lines rather than one per session.
 */
export function backfillReporter(write: (text: string) => void, tty: boolean): (p: Progress) => void {
  let lastTenth = -1;
  return (p) => {
    if (p.sessionsTotal <= 0) return;
    const share = p.sessionsDone / p.sessionsTotal;
    const line = `${p.sessionsDone}/${p.sessionsTotal} sessions${p.etaMinutes > 0 ? `, about ${p.etaMinutes} min left` : ''}`;
    if (tty) {
      const width = 30;
      const filled = Math.round(share * width);
      const end = p.sessionsDone >= p.sessionsTotal ? '\n' : '';
      write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] universe backfill ${line}${end}`);
      return;
    }
    const tenth = Math.floor(share * 10);
    if (tenth === lastTenth) return;
    lastTenth = tenth;
    write(`universe backfill ${Math.round(share * 100)}%: ${line}`);
  };
}
