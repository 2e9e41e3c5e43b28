/**
 * Two ready-made sheets the taskpane inserts from a button:
 *
 * - **IWM Dashboard** (`insertDashboard`): the latest reading in live `IWM.*` cells, the
 *   `IWM.STATUS()` table, a data block filled by one spilled `IWM.HISTORY(-N, , fields)`
 *   with helper columns next to it, and three native line charts over that block (IWM/SPY
 *   ratio with its average and the rotation band, breadth pct50 with the 30/50/55 lines,
 *   the composite score).
 * - **IWM Signals** (`insertStarterTemplate`): the daily routine: a "Before the open"
 *   block (composite, each layer, sizing, rotation, macro phase), `IWM.LEVELS(5)` and
 *   `IWM.CALENDAR()`, and a line of instructions.
 *
 * What goes where is data (`dashboardLayout`, `STARTER_LAYOUT`): the Excel code only walks
 * it, so the layout is readable and tested without Excel.
 *
 * Choices:
 * - **Never over an existing sheet.** When the name is taken (Excel compares names without
 *   case), the sheet is added as "IWM Dashboard (2)", "(3)", ...: the existing sheet, and
 *   whatever the user put there, is not touched.
 * - **The rotation band is SIGNALS.md's** (and the engine's, engine.ts rotationOf): the
 *   highest and the lowest ratio of the last 20 sessions (`rotation.bandLookback`), whose
 *   spread over their mean is `rotation.bandPct`; rotation is parity when that spread is at
 *   most 2 %. So the band columns are `MAX` / `MIN` of the ratio over a 20-row window, and a
 *   check column recomputes bandPct from them (it equals the `rotation.bandPct` column, for
 *   the default profile). The table holds only N sessions, so the band starts at its 20th
 *   row (`#N/A` before it, which a line chart leaves out), as it does where a ratio is
 *   missing in the window (the engine's bandPct is undefined there too).
 * - **Fixed chart ranges.** A spilled range cannot be named before it has calculated, so
 *   the charts read the N data rows under the spill's anchor (header + N rows are the
 *   block), and each series gets its values, categories and name explicitly: Excel never
 *   has to guess a header row from cells that are still calculating.
 * - **No false zeros in the charts.** The table shows a number the engine has no value
 *   for as an empty text (tables.ts), which a line chart would draw as 0 (breadth without a
 *   universe would sit on a "0 % above the 50-day" washout). The average, pct50 and score
 *   series therefore read chart copies of their columns, `=IF(ISNUMBER(x),x,NA())`, and
 *   `#N/A` is a point a line chart leaves out. (The ratio is never empty: both closes exist
 *   on every joined session.)
 * - Breadth's lines are the IWM profile's thresholds: washout 30, full size 50,
 *   divergence 55 (constants: a profile with other thresholds needs them edited).
 * - Chart series use ExcelApi 1.7 (`series.add`, `setValues`, `setXAxisValues`); chart
 *   types are given as their string values ("Line"), which the API accepts everywhere.
 */

/** A labelled live cell: `label` goes in the cell left of `address`, `formula` in `address`. */
export interface LayoutCell {
  address: string;
  /** '' for none (a spilled table's anchor: its heading is a LayoutNote above it). */
  label: string;
  formula: string;
  numberFormat?: string;
}

/** A text: the sheet's title, a block's heading, a note. */
export interface LayoutNote {
  address: string;
  text: string;
  style: 'title' | 'heading' | 'note';
}

/** A helper column: a header in `address`, then one formula per row below it. */
export interface LayoutColumn {
  address: string;
  header: string;
  formulas: string[];
}

export interface ChartSeriesSpec {
  name: string;
  /** The values: a column of the data block, data rows only. */
  values: string;
  /** Line colour (#RRGGBB); Excel's default when omitted. */
  color?: string;
  dashed?: boolean;
}

export interface ChartSpec {
  name: string;
  type: 'Line';
  title: string;
  valueAxisTitle: string;
  categoryAxisTitle: string;
  /** Value axis bounds; automatic when omitted. */
  valueAxisMin?: number;
  valueAxisMax?: number;
  /** The x axis: the date column, data rows only. */
  categories: string;
  series: ChartSeriesSpec[];
  /** The chart covers these cells. */
  topLeft: string;
  bottomRight: string;
}

export interface SheetLayout {
  notes: LayoutNote[];
  cells: LayoutCell[];
  columns: LayoutColumn[];
  charts: ChartSpec[];
  /** Column widths in points, e.g. { A: 90 }. */
  columnWidths: Record<string, number>;
}

export const DASHBOARD_SHEET = 'IWM Dashboard';
export const STARTER_SHEET = 'IWM Signals';
export const DEFAULT_SESSIONS = 250;
export const MAX_SESSIONS = 10_000;

/** SIGNALS.md, Rotation: the band is the ratio's range over rotation.bandLookback [20] sessions. */
export const BAND_LOOKBACK = 20;
/** SIGNALS.md, Breadth: breadthWashout [30], breadthFullSizeMin [50], breadthDivergenceMax [55]. */
export const BREADTH_LINES = [
  { name: 'washout 30', value: 30, color: '#C00000' },
  { name: 'full size 50', value: 50, color: '#7F7F7F' },
  { name: 'divergence 55', value: 55, color: '#ED7D31' },
] as const;

/** The columns of the dashboard's IWM.HISTORY, in order (field names: api/src/engine/fields.ts). */
export const DASHBOARD_FIELDS = [
  'date',
  'close',
  'rotation.ratio',
  'rotation.ratioSma',
  'rotation.bandPct',
  'breadth.pct50',
  'composite.score',
] as const;

/** Where the dashboard's IWM.HISTORY spills from: its header row, then one row per session. */
export const DASHBOARD_ANCHOR = 'A17';

// ---- A1 addresses ---------------------------------------------------------------------------

/** 'A' -> 0, 'Z' -> 25, 'AA' -> 26. */
export function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** 0 -> 'A', 26 -> 'AA'. */
export function columnLetters(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** 'B3' -> { column: 1, row: 3 } (row as Excel numbers it). */
export function parseCell(address: string): { column: number; row: number } {
  const m = /^([A-Z]{1,3})(\d+)$/i.exec(address);
  if (!m) throw new RangeError(`not a cell address: ${JSON.stringify(address)}`);
  return { column: columnIndex(m[1]), row: Number(m[2]) };
}

const cellAt = (column: number, row: number) => `${columnLetters(column)}${row}`;

/** The cell left of an address, where its label goes. */
export function labelAddress(address: string): string {
  const { column, row } = parseCell(address);
  if (column === 0) throw new RangeError(`${address} is in column A: no room for a label on its left`);
  return cellAt(column - 1, row);
}

// ---- Sheet names ----------------------------------------------------------------------------

const MAX_SHEET_NAME = 31;

/** Excel's rules for a sheet name; a RangeError saying which one is broken. */
export function checkSheetName(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new RangeError('a sheet name cannot be empty');
  if (name.length > MAX_SHEET_NAME)
    throw new RangeError(`sheet name ${JSON.stringify(name)} is longer than ${MAX_SHEET_NAME} characters`);
  if (/[:\\/?*[\]]/.test(name))
    throw new RangeError(`sheet name ${JSON.stringify(name)} cannot contain any of : \\ / ? * [ ]`);
  if (name.startsWith("'") || name.endsWith("'"))
    throw new RangeError(`sheet name ${JSON.stringify(name)} cannot begin or end with an apostrophe`);
  if (name.toLowerCase() === 'history') throw new RangeError('"History" is reserved by Excel');
  return name;
}

/**
 * `base` when no sheet has that name (Excel compares sheet names without case), else the
 * first free "base (2)", "base (3)", ... (base shortened to keep 31 characters).
 */
export function freeSheetName(existing: readonly string[], base: string): string {
  checkSheetName(base);
  const taken = new Set(existing.map((n) => n.toLowerCase()));
  if (!taken.has(base.toLowerCase())) return base;
  for (let n = 2; n <= 999; n++) {
    const suffix = ` (${n})`;
    const name = `${base.slice(0, MAX_SHEET_NAME - suffix.length).trimEnd()}${suffix}`;
    if (!taken.has(name.toLowerCase())) return name;
  }
  throw new RangeError(`no free sheet name like ${JSON.stringify(base)} (up to "(999)")`);
}

// ---- Layouts --------------------------------------------------------------------------------

/** Label and formula of the reading's cells, top to bottom (shared by both sheets). */
const READING = {
  composite: ['Composite', '=IWM.COMPOSITE()'],
  score: ['Score', '=IWM.SCORE()'],
  rotation: ['Rotation', '=IWM.ROTATION()'],
  size: ['Size', '=IWM.SIZE()'],
  trend: ['Trend', '=IWM.TREND()'],
  momentum: ['Momentum', '=IWM.MOMENTUM()'],
  breadth: ['Breadth', '=IWM.BREADTH()'],
  rs: ['Relative strength', '=IWM.RELSTRENGTH()'],
  macroPhase: ['Macro phase', '=IWM.SIGNAL("macro.phase")'],
  macroActive: ['Event windows', '=IWM.SIGNAL("macro.active")'],
  lastBar: ['Last bar', '=IWM.SIGNAL("date")'],
} as const;
type ReadingKey = keyof typeof READING;

/** Reading cells down column B from `firstRow`, labels in column A. */
function readingCells(keys: readonly ReadingKey[], firstRow: number): LayoutCell[] {
  return keys.map((key, i) => {
    const [label, formula] = READING[key];
    const cell: LayoutCell = { address: `B${firstRow + i}`, label, formula };
    if (key === 'size') cell.numberFormat = '0%';
    return cell;
  });
}

function checkSessions(sessions: number): number {
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > MAX_SESSIONS)
    throw new RangeError(`sessions must be a whole number from 1 to ${MAX_SESSIONS} (got ${String(sessions)})`);
  return sessions;
}

/**
 * The dashboard for the last `sessions` sessions:
 *
 *     A1  title                          D2  "Status"
 *     A3:A11 labels, B3:B11 live cells   D3  =IWM.STATUS()  (spills D3:E14)
 *     A15 note, A16 heading
 *     A17 =IWM.HISTORY(-N,,"date,close,rotation.ratio,rotation.ratioSma,rotation.bandPct,breadth.pct50,composite.score")
 *         spills A17:G(17+N): A date, B close, C ratio, D ratioSma, E bandPct, F pct50, G score
 *     helper columns, header in row 17, one formula per session in rows 18..17+N:
 *         H average (chart)  I band high  J band low  K band % (check)       rotation chart
 *         L pct50 (chart)    M 30         N 50        O 55                   breadth chart
 *         P score (chart)                                                    composite chart
 *     charts in R:AA, one under the other, beside the blocks
 */
export function dashboardLayout(sessions: number = DEFAULT_SESSIONS): SheetLayout {
  checkSessions(sessions);
  const anchor = parseCell(DASHBOARD_ANCHOR);
  const first = anchor.row + 1;
  const last = anchor.row + sessions;
  const col = (field: (typeof DASHBOARD_FIELDS)[number]) =>
    columnLetters(anchor.column + DASHBOARD_FIELDS.indexOf(field));
  const data = (letters: string) => `${letters}${first}:${letters}${last}`;
  const ratio = col('rotation.ratio');
  const helper = (i: number) => columnLetters(anchor.column + DASHBOARD_FIELDS.length + i);
  const [sma, high, low, check, pct50, line30, line50, line55, score] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map(helper);
  const lines = [line30, line50, line55];

  const rows = Array.from({ length: sessions }, (_, i) => first + i);
  /** The band's window ends on row r; before the table holds a full window: #N/A. */
  const windowed = (r: number, full: (window: string) => string) => {
    if (r - first + 1 < BAND_LOOKBACK) return '=NA()';
    const window = `${ratio}${r - BAND_LOOKBACK + 1}:${ratio}${r}`;
    return `=IF(COUNT(${window})=${BAND_LOOKBACK},${full(window)},NA())`;
  };
  /** The table's value for the chart: #N/A where it is empty (a line chart would draw "" as 0). */
  const chartCopy = (field: (typeof DASHBOARD_FIELDS)[number]) => (r: number) =>
    `=IF(ISNUMBER(${col(field)}${r}),${col(field)}${r},NA())`;

  const history = `=IWM.HISTORY(-${sessions},,"${DASHBOARD_FIELDS.join(',')}")`;
  return {
    notes: [
      { address: 'A1', text: 'IWM Dashboard', style: 'title' },
      { address: 'A2', text: 'Latest reading', style: 'heading' },
      { address: 'D2', text: 'Status', style: 'heading' },
      {
        address: 'A15',
        text:
          `Live IWM.* formulas (the taskpane's "Refresh IWM formulas" re-runs them). The charts read rows ` +
          `${first}-${last}; leave the cells under the spilled tables empty.`,
        style: 'note',
      },
      {
        address: 'A16',
        text: `Data: the last ${sessions} sessions (IWM.HISTORY) and the charts' helper columns`,
        style: 'heading',
      },
    ],
    cells: [
      ...readingCells(['composite', 'score', 'rotation', 'size', 'trend', 'momentum', 'breadth', 'rs', 'lastBar'], 3),
      { address: 'D3', label: '', formula: '=IWM.STATUS()' },
      { address: DASHBOARD_ANCHOR, label: '', formula: history },
    ],
    columns: [
      {
        address: `${sma}${anchor.row}`,
        header: 'average (chart)',
        formulas: rows.map(chartCopy('rotation.ratioSma')),
      },
      {
        address: `${high}${anchor.row}`,
        header: `band high (${BAND_LOOKBACK}-session max)`,
        formulas: rows.map((r) => windowed(r, (w) => `MAX(${w})`)),
      },
      {
        address: `${low}${anchor.row}`,
        header: `band low (${BAND_LOOKBACK}-session min)`,
        formulas: rows.map((r) => windowed(r, (w) => `MIN(${w})`)),
      },
      {
        address: `${check}${anchor.row}`,
        header: 'band % (check: = bandPct)',
        formulas: rows.map((r) => windowed(r, (w) => `(${high}${r}-${low}${r})/AVERAGE(${w})*100`)),
      },
      {
        address: `${pct50}${anchor.row}`,
        header: 'pct50 (chart)',
        formulas: rows.map(chartCopy('breadth.pct50')),
      },
      ...BREADTH_LINES.map((line, i) => ({
        address: `${lines[i]}${anchor.row}`,
        header: line.name,
        formulas: rows.map(() => String(line.value)),
      })),
      {
        address: `${score}${anchor.row}`,
        header: 'score (chart)',
        formulas: rows.map(chartCopy('composite.score')),
      },
    ],
    charts: [
      {
        name: 'IWM Rotation',
        type: 'Line',
        title: 'IWM/SPY ratio, 50-day average and rotation band',
        valueAxisTitle: 'IWM/SPY',
        categoryAxisTitle: 'Session',
        categories: data(col('date')),
        series: [
          { name: 'IWM/SPY ratio', values: data(ratio), color: '#1F4E79' },
          { name: '50-day average', values: data(sma), color: '#ED7D31' },
          { name: `band high (${BAND_LOOKBACK} sessions)`, values: data(high), color: '#A5A5A5', dashed: true },
          { name: `band low (${BAND_LOOKBACK} sessions)`, values: data(low), color: '#A5A5A5', dashed: true },
        ],
        topLeft: 'R2',
        bottomRight: 'AA19',
      },
      {
        name: 'IWM Breadth',
        type: 'Line',
        title: 'Breadth: % of members above their 50-day average',
        valueAxisTitle: '% above 50-day',
        categoryAxisTitle: 'Session',
        valueAxisMin: 0,
        valueAxisMax: 100,
        categories: data(col('date')),
        series: [
          { name: 'pct50', values: data(pct50), color: '#1F4E79' },
          ...BREADTH_LINES.map((line, i) => ({
            name: line.name,
            values: data(lines[i]),
            color: line.color,
            dashed: true,
          })),
        ],
        topLeft: 'R21',
        bottomRight: 'AA38',
      },
      {
        name: 'IWM Composite',
        type: 'Line',
        title: 'Composite score',
        valueAxisTitle: 'score',
        categoryAxisTitle: 'Session',
        categories: data(col('date')),
        series: [{ name: 'composite score', values: data(score), color: '#1F4E79' }],
        topLeft: 'R40',
        bottomRight: 'AA57',
      },
    ],
    columnWidths: { A: 80, B: 100, D: 130, E: 150 },
  };
}

/**
 * The daily routine:
 *
 *     A1 title, A2 instructions
 *     A4 "Before the open": labels A5:A15, live cells B5:B15
 *     D4 "Levels":   D5 =IWM.LEVELS(5)   (spills D5:H17 at most: header, all-time high, 5 + close + 5)
 *     J4 "Calendar": J5 =IWM.CALENDAR()  (spills J5:N..., one row per event)
 */
export const STARTER_LAYOUT: SheetLayout = {
  notes: [
    { address: 'A1', text: 'IWM Signals: the daily routine', style: 'title' },
    {
      address: 'A2',
      text:
        'Before the open: read the composite, then each layer, sizing and rotation; check Levels for the nearest ' +
        'support and resistance and Calendar for event windows. The taskpane\'s "Refresh IWM formulas" ' +
        're-runs every IWM.* cell. Leave the cells under Levels and Calendar empty: they spill.',
      style: 'note',
    },
    { address: 'A4', text: 'Before the open', style: 'heading' },
    { address: 'D4', text: 'Levels', style: 'heading' },
    { address: 'J4', text: 'Calendar', style: 'heading' },
  ],
  cells: [
    ...readingCells(
      [
        'composite',
        'score',
        'trend',
        'momentum',
        'breadth',
        'rs',
        'size',
        'rotation',
        'macroPhase',
        'macroActive',
        'lastBar',
      ],
      5,
    ),
    { address: 'D5', label: '', formula: '=IWM.LEVELS(5)' },
    { address: 'J5', label: '', formula: '=IWM.CALENDAR()' },
  ],
  columns: [],
  charts: [],
  columnWidths: { A: 100, B: 110, D: 90, G: 80, J: 80, L: 160 },
};

// ---- Excel ----------------------------------------------------------------------------------

/** Adds a sheet named `base`, or "base (2)", ... when that name is taken. */
async function addSheet(
  context: Excel.RequestContext,
  base: string,
): Promise<{ sheet: Excel.Worksheet; name: string }> {
  checkSheetName(base);
  const sheets = context.workbook.worksheets;
  // 'items' (each sheet's few scalar properties) rather than 'items/name', which
  // office-addin-mock cannot navigate (as in workbook.ts).
  sheets.load('items');
  await context.sync();
  const name = freeSheetName(
    sheets.items.map((s) => s.name),
    base,
  );
  return { sheet: sheets.add(name), name };
}

/** Writes a layout's texts, cells and helper columns, and adds its charts (not synced). */
function writeLayout(sheet: Excel.Worksheet, layout: SheetLayout): string[] {
  for (const [letters, width] of Object.entries(layout.columnWidths)) {
    sheet.getRange(`${letters}:${letters}`).format.columnWidth = width;
  }
  for (const note of layout.notes) {
    const range = sheet.getRange(note.address);
    range.values = [[note.text]];
    if (note.style === 'title') {
      range.format.font.bold = true;
      range.format.font.size = 14;
    } else if (note.style === 'heading') range.format.font.bold = true;
    else range.format.font.italic = true;
  }
  for (const cell of layout.cells) {
    if (cell.label) sheet.getRange(labelAddress(cell.address)).values = [[cell.label]];
    const range = sheet.getRange(cell.address);
    range.formulas = [[cell.formula]];
    if (cell.numberFormat) range.numberFormat = [[cell.numberFormat]];
  }
  for (const column of layout.columns) {
    const header = sheet.getRange(column.address);
    header.values = [[column.header]];
    header.format.font.bold = true;
    const { column: c, row } = parseCell(column.address);
    const body = `${cellAt(c, row + 1)}:${cellAt(c, row + column.formulas.length)}`;
    sheet.getRange(body).formulas = column.formulas.map((f) => [f]);
  }
  return layout.charts.map((spec) => addChart(sheet, spec));
}

/**
 * A line chart whose series are given one by one: the first comes with the chart (then
 * named and pinned to its range), the others are added; each gets the dates as x values.
 */
function addChart(sheet: Excel.Worksheet, spec: ChartSpec): string {
  const [first, ...rest] = spec.series;
  const chart = sheet.charts.add(spec.type, sheet.getRange(first.values), 'Columns');
  chart.name = spec.name;
  chart.title.text = spec.title;
  chart.setPosition(spec.topLeft, spec.bottomRight);
  chart.legend.visible = true;
  chart.legend.position = 'Bottom';
  const categories = sheet.getRange(spec.categories);
  const style = (series: Excel.ChartSeries, s: ChartSeriesSpec) => {
    series.name = s.name;
    series.setValues(sheet.getRange(s.values));
    series.setXAxisValues(categories);
    if (s.color) series.format.line.color = s.color;
    if (s.dashed) series.format.line.lineStyle = 'Dash';
  };
  style(chart.series.getItemAt(0), first);
  for (const s of rest) style(chart.series.add(s.name), s);
  const valueAxis = chart.axes.valueAxis;
  valueAxis.title.text = spec.valueAxisTitle;
  if (spec.valueAxisMin !== undefined) valueAxis.minimum = spec.valueAxisMin;
  if (spec.valueAxisMax !== undefined) valueAxis.maximum = spec.valueAxisMax;
  chart.axes.categoryAxis.title.text = spec.categoryAxisTitle;
  return spec.name;
}

async function insertLayout(
  context: Excel.RequestContext,
  base: string,
  layout: SheetLayout,
): Promise<{ sheet: string; charts: string[] }> {
  const { sheet, name } = await addSheet(context, base);
  const charts = writeLayout(sheet, layout);
  sheet.activate();
  await context.sync();
  return { sheet: name, charts };
}

/**
 * Inserts the dashboard sheet (see dashboardLayout) on a new sheet, "IWM Dashboard" or the
 * first free "IWM Dashboard (2)", ...; activates it. Returns its name and its charts' names.
 */
export async function insertDashboard(
  context: Excel.RequestContext,
  options: { sessions?: number; sheetName?: string } = {},
): Promise<{ sheet: string; charts: string[] }> {
  const layout = dashboardLayout(options.sessions ?? DEFAULT_SESSIONS);
  return insertLayout(context, options.sheetName ?? DASHBOARD_SHEET, layout);
}

/**
 * Inserts the daily-routine template (STARTER_LAYOUT) on a new sheet, "IWM Signals" or the
 * first free "IWM Signals (2)", ...; activates it. Returns its name.
 */
export async function insertStarterTemplate(
  context: Excel.RequestContext,
  options: { sheetName?: string } = {},
): Promise<{ sheet: string }> {
  const { sheet } = await insertLayout(context, options.sheetName ?? STARTER_SHEET, STARTER_LAYOUT);
  return { sheet };
}

/**
 * The name of the workbook's sheet called `name` (Excel compares sheet names without case),
 * or null: the panel asks before adding "IWM Dashboard (2)" next to an existing one.
 */
export async function existingSheet(context: Excel.RequestContext, name: string): Promise<string | null> {
  const sheet = context.workbook.worksheets.getItemOrNullObject(name);
  sheet.load('isNullObject, name');
  await context.sync();
  return sheet.isNullObject ? null : sheet.name;
}

/** Activates the sheet `name` (which exists: existingSheet found it). */
export async function goToSheet(context: Excel.RequestContext, name: string): Promise<void> {
  context.workbook.worksheets.getItem(name).activate();
  await context.sync();
}
