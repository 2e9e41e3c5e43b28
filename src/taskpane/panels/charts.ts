/**
 * The taskpane's charts panel: the IWM/SPY ratio with its 50-day average and the parity
 * band, breadth (% of members above their 50-day average) with the 30/50/55 lines, the composite score, and the sizing rule's
 * equity against buy-and-hold, over the last N sessions (60, 125, 250 or 500) of the
 * workbook's profile and symbol.
 *
 * Choices:
 * - **Inline SVG, no chart library.** A taskpane is 320-400 px wide and these are three
 *   line charts; a charting library would be most of the bundle for what ~300 lines of
 *   SVG do here. The geometry (scales, ticks, gaps, the band) is pure and unit-tested in
 *   src/common/chart-geometry.ts; this file only builds elements.
 * - **One `history` call** per load, with every field the first three charts need, and
 *   one `backtest` call over the shown sessions for the equity curves (the client sends
 *   both in one batch). A failed backtest leaves the other charts and says so. It asks for
 *   `bandLookback - 1` sessions more than it shows, so the parity band (the ratio's
 *   highest and lowest of the last 20 sessions, SIGNALS.md) is computed here from the
 *   ratio exactly as the engine does, and covers the first session shown too. The chart
 *   shows the last N of the rows.
 * - **Missing is a gap**, never 0: the API's `null` ends a line (chart-geometry.ts).
 * - The y domains: the ratio chart fits its data with "nice" ticks; breadth is always
 *   0-100 %; the composite spans the profile's possible scores (± the sum of weights) and
 *   its thresholds. The reference lines are the profile's own breadth thresholds
 *   (washout, full size, divergence: 30/50/55 for the IWM profile).
 * - **Accessible**: each chart is an `<svg role="img">` whose name says the latest values
 *   in words; "Show data" opens a table of the last 10 sessions; loading sets aria-busy
 *   and shows a progress bar; what happened is said in a polite live region.
 * - Redraws when the workbook's profile or symbol (or the API address or key) changes,
 *   and on Reload (which skips the client's cache). The viewBox is the panel's width at
 *   drawing time (text stays at its CSS size) and the SVG scales with width 100%; a
 *   resize of the pane redraws from the data already loaded.
 */
import type { z } from 'zod';
import type { BacktestResult, Meta } from '../../../api/src/contracts/responses';
import { resolveProfile, type Profile } from '../../../api/src/engine/profile';
import {
  bandPath,
  dateTicks,
  extent,
  formatValue,
  indexScale,
  isValue,
  linePath,
  linearScale,
  niceTicks,
  referenceLine,
  rollingBand,
  stepPath,
  type Ticks,
  type Value,
} from '../../common/chart-geometry';
import { errorText, h, say } from '../dom';
import { formatDay, staleNote } from '../format';
import type { PanelContext } from './context';

/** Sessions the range selector offers, and the default. */
export const CHART_RANGES = [60, 125, 250, 500] as const;
export const DEFAULT_CHART_RANGE = 250;

/** The fields of the one history call. */
export const CHART_FIELDS = [
  'date',
  'rotation.ratio',
  'rotation.ratioSma',
  'rotation.bandPct',
  'rotation.state',
  'breadth.pct50',
  'breadth.state',
  'composite.score',
  'composite.threshold',
  'composite.rating',
] as const;

const RANGE_NAMES: Record<number, string> = {
  60: 'about 3 months',
  125: 'about 6 months',
  250: 'about 1 year',
  500: 'about 2 years',
};
const TABLE_ROWS = 10;
const SVG_NS = 'http://www.w3.org/2000/svg';
const HEIGHT = 176;
const MARGIN = { top: 22, right: 10, bottom: 24, left: 46 };

interface HistoryReply {
  meta: Meta;
  columns: string[];
  rows: unknown[][];
}

/** The loaded sessions (the last N), with the band computed over the longer fetch. */
export interface ChartData {
  meta: Meta;
  profile: Profile;
  dates: string[];
  ratio: Value[];
  ratioSma: Value[];
  bandHi: Value[];
  bandLo: Value[];
  bandPct: Value[];
  rotationState: (string | null)[];
  pct50: Value[];
  breadthState: (string | null)[];
  score: Value[];
  threshold: Value[];
  rating: (string | null)[];
}

/** The sizing strategy over the same sessions (the backtest route's `strategy`). */
export type StrategyData = z.infer<typeof BacktestResult>['strategy'];

/** Reads the history reply into columns; keeps the last `sessions` rows. */
export function chartData(reply: unknown, profile: Profile, sessions: number): ChartData {
  const r = reply as HistoryReply;
  if (!r || !Array.isArray(r.columns) || !Array.isArray(r.rows) || !r.meta)
    throw new Error('the IWM API sent a history reply without columns and rows');
  const col = (name: string): unknown[] => {
    const i = r.columns.indexOf(name);
    if (i < 0) throw new Error(`the IWM API's history reply has no ${name} column`);
    return r.rows.map((row) => row[i]);
  };
  const nums = (name: string): Value[] => col(name).map((v) => (typeof v === 'number' ? v : null));
  const texts = (name: string): (string | null)[] => col(name).map((v) => (typeof v === 'string' ? v : null));
  const ratioAll = nums('rotation.ratio');
  const band = rollingBand(ratioAll, profile.rotation.bandLookback);
  const skip = Math.max(0, r.rows.length - sessions);
  const last = <T>(xs: T[]): T[] => xs.slice(skip);
  return {
    meta: r.meta,
    profile,
    dates: last(texts('date')).map((d) => d ?? ''),
    ratio: last(ratioAll),
    ratioSma: last(nums('rotation.ratioSma')),
    bandHi: last(band.hi),
    bandLo: last(band.lo),
    bandPct: last(nums('rotation.bandPct')),
    rotationState: last(texts('rotation.state')),
    pct50: last(nums('breadth.pct50')),
    breadthState: last(texts('breadth.state')),
    score: last(nums('composite.score')),
    threshold: last(nums('composite.threshold')),
    rating: last(texts('composite.rating')),
  };
}

// ---- SVG building ---------------------------------------------------------------------

type SvgAttrs = Record<string, string | number | undefined>;

function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: SvgAttrs = {},
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) el.setAttribute(name, String(value));
  el.append(...children);
  return el;
}

interface Frame {
  svg: SVGSVGElement;
  plot: SVGGElement;
  x: (i: number) => number;
  y: (v: number) => number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * An empty chart: the svg with its accessible name, grid lines and y labels at the ticks,
 * date ticks along the bottom, the y axis title; data attributes record the geometry
 * (tests compute expected positions from them).
 */
function frame(
  name: string,
  summary: string,
  width: number,
  dates: string[],
  ticks: Ticks,
  yTitle: string,
  format: (v: number) => string,
): Frame {
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = HEIGHT - MARGIN.bottom;
  const x = indexScale(dates.length, [left, right]);
  const y = linearScale([ticks.min, ticks.max], [bottom, top]);
  const svg = s('svg', {
    role: 'img',
    'aria-label': summary,
    viewBox: `0 0 ${width} ${HEIGHT}`,
    width: '100%',
    preserveAspectRatio: 'xMidYMid meet',
    'data-chart': name,
    'data-sessions': dates.length,
    'data-ymin': ticks.min,
    'data-ymax': ticks.max,
    'data-top': top,
    'data-bottom': bottom,
    'data-left': left,
    'data-right': right,
  });
  svg.append(s('title', {}, summary));
  const axes = s('g', { class: 'axes' });
  for (const t of ticks.ticks) {
    const yy = Math.round(y(t) * 100) / 100;
    axes.append(
      s('line', { class: 'grid', x1: left, x2: right, y1: yy, y2: yy }),
      s(
        'text',
        { class: 'tick y', x: left - 6, y: yy, 'text-anchor': 'end', 'dominant-baseline': 'middle' },
        format(t),
      ),
    );
  }
  axes.append(s('line', { class: 'axis', x1: left, x2: right, y1: bottom, y2: bottom }));
  const maxTicks = Math.max(2, Math.floor((right - left) / 64));
  for (const t of dateTicks(dates, maxTicks)) {
    const xx = Math.round(x(t.index) * 100) / 100;
    const anchor = xx < left + 24 ? 'start' : xx > right - 24 ? 'end' : 'middle';
    axes.append(
      s('line', { class: 'tick-mark', x1: xx, x2: xx, y1: bottom, y2: bottom + 4 }),
      s('text', { class: 'tick x', x: xx, y: bottom + 16, 'text-anchor': anchor }, t.label),
    );
  }
  axes.append(s('text', { class: 'axis-title', x: 0, y: 12 }, yTitle));
  const plot = s('g', { class: 'plot' });
  svg.append(axes, plot);
  return { svg, plot, x, y, left, right, top, bottom };
}

function legend(items: { label: string; kind: string }[]): HTMLUListElement {
  return h(
    'ul',
    { class: 'chart-legend' },
    ...items.map((i) => h('li', {}, h('span', { class: `swatch ${i.kind}`, 'aria-hidden': 'true' }), i.label)),
  );
}

/**
 * "Show data": the last sessions as a table, newest first. The summary's accessible name
 * says which chart (three "Show data" alike would be ambiguous in a list of controls).
 */
function dataTable(chart: string, caption: string, head: string[], rows: string[][]): HTMLDetailsElement {
  const table = h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      {},
      ...rows.map((row) => h('tr', {}, h('th', { scope: 'row' }, row[0]), ...row.slice(1).map((c) => h('td', {}, c)))),
    ),
  );
  return h(
    'details',
    { class: 'chart-data' },
    h('summary', {}, 'Show data', h('span', { class: 'visually-hidden' }, ` of the ${chart} chart`)),
    h('div', { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: 0 }, table),
  );
}

/** Indexes of the last `count` sessions, newest first. */
const lastRows = (n: number, count = TABLE_ROWS): number[] =>
  Array.from({ length: Math.min(n, count) }, (_, k) => n - 1 - k);

function figure(id: string, title: string, items: Element[]): HTMLElement {
  return h(
    'figure',
    { class: 'chart', id },
    h('figcaption', { id: `${id}-caption`, class: 'chart-title' }, title),
    ...items,
  );
}

const signed = (v: number, d: number) => (v > 0 ? `+${v.toFixed(d)}` : v.toFixed(d));

// ---- The three charts -------------------------------------------------------------------

function rotationChart(d: ChartData, width: number): HTMLElement {
  const P = d.profile.rotation;
  const n = d.dates.length;
  const pair = `${d.meta.symbol}/${d.meta.benchmark}`;
  const t = n - 1;
  const r = d.ratio[t];
  const m = d.ratioSma[t];
  const band = d.bandPct[t];
  const words: string[] = [`${pair} ratio ${formatValue(r, 4)} on ${formatDay(d.dates[t])}`];
  words.push(
    isValue(m)
      ? `${P.smaPeriod}-day average ${m.toFixed(4)}${isValue(r) ? (r > m ? ', ratio above it' : r < m ? ', ratio below it' : ', ratio on it') : ''}`
      : `${P.smaPeriod}-day average not available`,
  );
  words.push(
    isValue(band)
      ? `${band <= P.bandPct ? 'inside' : 'outside'} the parity band (${P.bandLookback}-session range ${band.toFixed(2)} %, parity at ${P.bandPct} % or less)`
      : 'parity band not available',
  );
  const state = d.rotationState[t];
  const summary = `${words.join(', ')}. Rotation: ${state ?? 'not available'}. ${n} sessions from ${formatDay(d.dates[0])}.`;

  const range = extent(d.ratio, d.ratioSma, d.bandHi, d.bandLo) ?? [0, 1];
  const ticks = niceTicks(range[0], range[1], 4);
  const f = frame('rotation', summary, width, d.dates, ticks, pair, (v) => v.toFixed(Math.max(2, ticks.decimals)));
  f.plot.append(
    s('path', { class: 'band', 'data-series': 'band', d: bandPath(d.bandHi, d.bandLo, f.x, f.y) }),
    s('path', { class: 'line sma', 'data-series': 'ratioSma', d: linePath(d.ratioSma, f.x, f.y) }),
    s('path', { class: 'line ratio', 'data-series': 'ratio', d: linePath(d.ratio, f.x, f.y) }),
  );
  const rows = lastRows(n).map((i) => [
    formatDay(d.dates[i]),
    formatValue(d.ratio[i], 4),
    formatValue(d.ratioSma[i], 4),
    formatValue(d.bandHi[i], 4),
    formatValue(d.bandLo[i], 4),
    formatValue(d.bandPct[i], 2),
  ]);
  return figure('chart-rotation', `${pair} ratio, ${P.smaPeriod}-day average and parity band`, [
    legend([
      { label: 'ratio', kind: 'ratio' },
      { label: `${P.smaPeriod}-day average`, kind: 'sma' },
      { label: `band: ${P.bandLookback}-session high and low`, kind: 'band' },
    ]),
    f.svg,
    dataTable(
      'ratio',
      `${pair} ratio, last ${rows.length} sessions, newest first`,
      ['Date', 'Ratio', 'Average', 'Band high', 'Band low', 'Band %'],
      rows,
    ),
  ]);
}

function breadthChart(d: ChartData, width: number): HTMLElement {
  const B = d.profile.breadth;
  const n = d.dates.length;
  const t = n - 1;
  const refs = [
    { value: B.washout, name: 'washout', label: `washout ${B.washout}` },
    { value: B.fullSizeMin, name: 'full-size', label: `full size ${B.fullSizeMin}` },
    { value: B.divergenceMax, name: 'divergence', label: `divergence ${B.divergenceMax}` },
  ];
  const available = d.pct50.some(isValue);
  const v = d.pct50[t];
  let summary: string;
  if (!available) summary = `Breadth is unavailable: the data has no universe or breadth series. ${n} sessions.`;
  else if (!isValue(v)) summary = `Breadth on ${formatDay(d.dates[t])} is not available.`;
  else {
    const where = refs.map((ref) => `${v >= ref.value ? 'above' : 'below'} the ${ref.value} ${ref.name} line`);
    summary =
      `${v.toFixed(1)} % of members above their ${B.shortPeriod}-day average on ${formatDay(d.dates[t])}, ` +
      `${where.join(', ')}. Breadth: ${d.breadthState[t] ?? 'not available'}. ${n} sessions from ${formatDay(d.dates[0])}.`;
  }
  const ticks: Ticks = { min: 0, max: 100, step: 25, ticks: [0, 25, 50, 75, 100], decimals: 0 };
  const f = frame('breadth', summary, width, d.dates, ticks, `% above ${B.shortPeriod}-day`, (x) => String(x));
  for (const ref of refs) {
    const line = referenceLine(ref.value, f.y, f.left, f.right);
    f.plot.append(s('line', { class: `ref ${ref.name}`, 'data-ref': ref.value, 'data-name': ref.name, ...line }));
  }
  f.plot.append(s('path', { class: 'line pct50', 'data-series': 'pct50', d: linePath(d.pct50, f.x, f.y) }));
  if (!available)
    f.plot.append(
      s(
        'text',
        { class: 'empty', x: (f.left + f.right) / 2, y: (f.top + f.bottom) / 2, 'text-anchor': 'middle' },
        'Breadth unavailable',
      ),
    );
  const rows = lastRows(n).map((i) => [formatDay(d.dates[i]), formatValue(d.pct50[i], 1), d.breadthState[i] ?? 'n/a']);
  return figure('chart-breadth', `Breadth: % of members above their ${B.shortPeriod}-day average`, [
    legend([
      { label: `% above ${B.shortPeriod}-day average`, kind: 'pct50' },
      ...refs.map((ref) => ({ label: ref.label, kind: `ref ${ref.name}` })),
    ]),
    f.svg,
    dataTable(
      'breadth',
      `Breadth, last ${rows.length} sessions, newest first`,
      ['Date', `% above ${B.shortPeriod}-day`, 'State'],
      rows,
    ),
  ]);
}

function compositeChart(d: ChartData, width: number): HTMLElement {
  const w = d.profile.composite.weights;
  const total = w.trend + w.momentum + w.breadth + w.rs;
  const n = d.dates.length;
  const t = n - 1;
  const score = d.score[t];
  const k = d.threshold[t];
  const summary = isValue(score)
    ? `Composite score ${signed(score, 2)} on ${formatDay(d.dates[t])}` +
      (isValue(k) ? `, bullish at ${signed(k, 2)} or more, bearish at ${signed(-k, 2)} or less` : '') +
      `: ${d.rating[t] ?? 'no rating'}. ${n} sessions from ${formatDay(d.dates[0])}.`
    : `Composite score on ${formatDay(d.dates[t])} is not available.`;
  const minus = d.threshold.map((v) => (isValue(v) ? -v : null));
  const range = extent(d.score, d.threshold, minus, [-total, total]) ?? [-1, 1];
  const ticks = niceTicks(range[0], range[1], 4);
  const f = frame('composite', summary, width, d.dates, ticks, 'score', (v) => (v > 0 ? `+${v}` : String(v)));
  const zero = referenceLine(0, f.y, f.left, f.right);
  f.plot.append(
    s('line', { class: 'zero', ...zero }),
    s('path', { class: 'line threshold bullish', 'data-series': 'threshold', d: stepPath(d.threshold, f.x, f.y) }),
    s('path', { class: 'line threshold bearish', 'data-series': '-threshold', d: stepPath(minus, f.x, f.y) }),
    s('path', { class: 'line score', 'data-series': 'score', d: stepPath(d.score, f.x, f.y) }),
  );
  const rows = lastRows(n).map((i) => [
    formatDay(d.dates[i]),
    isValue(d.score[i]) ? signed(d.score[i] as number, 2) : 'n/a',
    formatValue(d.threshold[i], 2),
    d.rating[i] ?? 'n/a',
  ]);
  return figure('chart-composite', 'Composite score', [
    legend([
      { label: 'score', kind: 'score' },
      { label: 'bullish threshold', kind: 'threshold bullish' },
      { label: 'bearish threshold', kind: 'threshold bearish' },
    ]),
    f.svg,
    dataTable(
      'composite score',
      `Composite score, last ${rows.length} sessions, newest first`,
      ['Date', 'Score', 'Threshold', 'Rating'],
      rows,
    ),
  ]);
}

const pct = (v: number | null, d = 1) => (v === null ? 'n/a' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(d)} %`);

function strategyChart(st: StrategyData, width: number): HTMLElement {
  const e = st.equity;
  const n = e.date.length;
  const s1 = st.strategy;
  const b1 = st.buyHold;
  const summary =
    `Sizing strategy ${pct(s1.totalReturn)} (largest drawdown ${pct(-s1.maxDrawdown.depth)}, ` +
    `average exposure ${(s1.exposure * 100).toFixed(0)} %) against buy-and-hold ${pct(b1.totalReturn)} ` +
    `(largest drawdown ${pct(-b1.maxDrawdown.depth)}), ${formatDay(st.from)} to ${formatDay(st.to)}` +
    `${st.costBps ? `, cost ${st.costBps} basis points per change of size` : ''}.`;
  const range = extent(e.strategy, e.buyHold) ?? [0.9, 1.1];
  const ticks = niceTicks(range[0], range[1], 4);
  const f = frame('strategy', summary, width, e.date, ticks, 'growth of 1', (v) =>
    v.toFixed(Math.max(2, ticks.decimals)),
  );
  const one = referenceLine(1, f.y, f.left, f.right);
  f.plot.append(
    s('line', { class: 'zero', ...one }),
    s('path', { class: 'line buyhold', 'data-series': 'buyHold', d: linePath(e.buyHold, f.x, f.y) }),
    s('path', { class: 'line equity', 'data-series': 'strategy', d: linePath(e.strategy, f.x, f.y) }),
  );
  const rows = lastRows(n).map((i) => [
    formatDay(e.date[i]),
    e.fraction[i] === null ? 'n/a' : String(e.fraction[i]),
    formatValue(e.strategy[i], 4),
    formatValue(e.buyHold[i], 4),
  ]);
  return figure('chart-strategy', 'Sizing strategy against buy-and-hold', [
    legend([
      { label: 'strategy (the size held as a position)', kind: 'equity' },
      { label: 'buy-and-hold', kind: 'buyhold' },
    ]),
    f.svg,
    dataTable(
      'strategy',
      `Equity (growth of 1), last ${rows.length} sessions, newest first`,
      ['Date', 'Size held', 'Strategy', 'Buy-and-hold'],
      rows,
    ),
  ]);
}

// ---- The panel --------------------------------------------------------------------------

export class ChartsPanel {
  private readonly range: HTMLSelectElement;
  private readonly reload: HTMLButtonElement;
  private readonly progress: HTMLProgressElement;
  private readonly message: HTMLElement;
  private readonly note: HTMLElement;
  private readonly charts: HTMLElement;
  private data: ChartData | null = null;
  private strategy: StrategyData | null = null;
  private strategyProblem: string | null = null;
  private drawnWidth = 0;
  private seq = 0;
  /** The load in progress (tests and callers may await it). */
  loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly root: HTMLElement,
    private readonly ctx: PanelContext,
  ) {
    this.range = h(
      'select',
      { id: 'charts-range', 'aria-describedby': 'charts-range-hint' },
      ...CHART_RANGES.map((n) =>
        h('option', { value: n, selected: n === DEFAULT_CHART_RANGE }, `${n} sessions (${RANGE_NAMES[n]})`),
      ),
    );
    this.reload = h('button', { id: 'charts-reload', type: 'button' }, 'Reload');
    this.progress = h('progress', { id: 'charts-progress', 'aria-label': 'Loading the charts', hidden: true });
    this.message = h('p', { id: 'charts-message', class: 'message', role: 'status', 'aria-live': 'polite' });
    this.note = h('p', { id: 'charts-note', class: 'chart-note', hidden: true });
    this.charts = h('div', { id: 'charts-body', class: 'charts-body' });
    root.setAttribute('aria-labelledby', 'charts-title');
    root.setAttribute('aria-busy', 'false');
    root.replaceChildren(
      h('h2', { id: 'charts-title' }, 'Charts'),
      h(
        'div',
        { class: 'charts-controls' },
        h('div', { class: 'field' }, h('label', { for: 'charts-range' }, 'Chart range'), this.range),
        this.reload,
      ),
      h(
        'p',
        { id: 'charts-range-hint', class: 'hint' },
        "Sessions up to the latest close, with the workbook's profile and symbol.",
      ),
      this.progress,
      this.message,
      this.note,
      this.charts,
    );
    this.range.addEventListener('change', () => this.load());
    this.reload.addEventListener('click', () => this.load({ fresh: true }));
    ctx.settings.onChange((_s, changed) => {
      if (changed.some((c) => c === 'profile' || c === 'symbol' || c === 'apiUrl' || c === 'apiKey')) this.load();
    });
    if (typeof ResizeObserver !== 'undefined')
      new ResizeObserver(() => {
        if (this.data && Math.abs(this.width() - this.drawnWidth) >= 16) this.draw();
      }).observe(root);
  }

  get sessions(): number {
    return Number(this.range.value) || DEFAULT_CHART_RANGE;
  }

  /** Asks the API for the sessions and draws them; a later load wins over an earlier one. */
  load(options: { fresh?: boolean } = {}): Promise<void> {
    const seq = ++this.seq;
    this.loading = this.fetchAndDraw(seq, options.fresh ?? false);
    return this.loading;
  }

  private busy(on: boolean): void {
    this.root.setAttribute('aria-busy', String(on));
    this.progress.hidden = !on;
  }

  private async fetchAndDraw(seq: number, fresh: boolean): Promise<void> {
    const { profile: setting, symbol } = this.ctx.settings.get();
    const sessions = this.sessions;
    this.busy(true);
    try {
      let profile: Profile;
      try {
        profile = resolveProfile(setting);
      } catch (err) {
        throw new Error(`the workbook's profile is not valid: ${errorText(err)}`, { cause: err });
      }
      const from = -(sessions + profile.rotation.bandLookback - 1);
      const args = { profile: setting, symbol };
      const [reply, backtest] = await Promise.allSettled([
        this.ctx.client.call('history', { from: String(from), fields: [...CHART_FIELDS], ...args }, { fresh }),
        this.ctx.client.call('backtest', { from: String(-sessions), ...args }, { fresh }),
      ]);
      if (seq !== this.seq) return;
      if (reply.status === 'rejected') throw reply.reason;
      this.data = chartData(reply.value, profile, sessions);
      this.strategy = backtest.status === 'fulfilled' ? (backtest.value as { strategy: StrategyData }).strategy : null;
      this.strategyProblem =
        backtest.status === 'rejected' ? `The strategy chart could not be loaded: ${errorText(backtest.reason)}` : null;
      this.draw();
      const d = this.data;
      const n = d.dates.length;
      say(
        this.message,
        n
          ? `Showing ${n} sessions of ${d.meta.symbol}, ${formatDay(d.dates[0])} to ${formatDay(d.dates[n - 1])}, profile ${d.meta.profile}.`
          : 'The API returned no sessions for this range.',
      );
    } catch (err) {
      if (seq !== this.seq) return;
      this.data = null;
      this.strategy = null;
      this.charts.replaceChildren();
      this.note.hidden = true;
      say(this.message, `Could not load the charts: ${errorText(err)}`, 'error');
    } finally {
      if (seq === this.seq) this.busy(false);
    }
  }

  private width(): number {
    const w = Math.round(this.root.clientWidth);
    return w > 0 ? Math.min(640, Math.max(240, w)) : 328;
  }

  private draw(): void {
    const d = this.data;
    if (!d) return;
    const width = this.width();
    this.drawnWidth = width;
    const notes: string[] = [];
    if (d.meta.sample) notes.push('Sample data: these charts show the embedded synthetic sample, not market prices.');
    if (d.meta.stale) notes.push(staleNote(d.meta.staleReason));
    if (this.strategyProblem) notes.push(this.strategyProblem);
    this.note.textContent = notes.join(' ');
    this.note.hidden = notes.length === 0;
    if (!d.dates.length) {
      this.charts.replaceChildren();
      return;
    }
    this.charts.replaceChildren(
      rotationChart(d, width),
      breadthChart(d, width),
      compositeChart(d, width),
      ...(this.strategy && this.strategy.equity.date.length > 1 ? [strategyChart(this.strategy, width)] : []),
    );
  }
}

export function mountChartsPanel(root: HTMLElement, ctx: PanelContext): ChartsPanel {
  const panel = new ChartsPanel(root, ctx);
  void panel.load();
  return panel;
}
