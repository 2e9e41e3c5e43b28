/**
 * The end-of-day debrief as a journal the user keeps: an Excel table `IWMDebrief` on a
 * sheet `Debrief`, one row per session, written or brought up to date from the API's
 * `debrief` answers.
 *
 * Rules (the pure part, unit-tested without Excel):
 * - Rows are keyed by Date. A session already in the table is updated where it stands
 *   (every column but Notes); a new session is appended at the bottom, new sessions in date
 *   order. Existing rows never move: the user may have sorted or filtered the table, and
 *   per-row formatting or comments stay with their row. (Sort by Date to get a timeline:
 *   dates are Excel serials, so sorting and date filters work.)
 * - Notes, and any column the user added to the table, are never written. Rows whose Date
 *   is not a session we write (the user's own rows) are left alone.
 * - Blank rows at the bottom of the table (a new table has one) are filled before rows are
 *   added.
 * - Running it twice with the same answers changes nothing (and writes nothing).
 *
 * Excel part: one read of the table's header and body, then (when something changed) rows
 * added with `table.rows.add` and one write of the body in which every cell that must
 * stay as it is, is `null` (Excel leaves such cells untouched: Notes, user columns, user
 * formulas). Dates are written as serials of the 1900 date system (Excel's default) with
 * the format `yyyy-mm-dd`.
 */
import { z } from 'zod';
import { DebriefEntry } from '../../api/src/contracts/responses';
import { isoToSerial, serialToIso } from './excel-args';

export type Cell = string | number | boolean;
export type DebriefEntry = z.infer<typeof DebriefEntry>;

export const DEBRIEF_SHEET = 'Debrief';
export const DEBRIEF_TABLE = 'IWMDebrief';
export const DEBRIEF_SHEET_COLUMNS = [
  'Date',
  'Opening composite',
  'Trend call',
  'Momentum call',
  'Breadth call',
  'RS call',
  'Actual move (%)',
  'Outcome',
  'Most accurate layer',
  'Earliest warning (layer)',
  'Warning date',
  'Warning price',
  'Lesson',
  'Notes',
] as const;

const COLUMN_COUNT = DEBRIEF_SHEET_COLUMNS.length;
/** Position of Notes: the one column of ours that is never written. */
export const NOTES = COLUMN_COUNT - 1;
const DATE = 0;
const WARNING_DATE = 10;
const FORMATS: Record<number, string> = { [DATE]: 'yyyy-mm-dd', 6: '0.00%', [WARNING_DATE]: 'yyyy-mm-dd', 11: '0.00' };
const LAYERS = ['trend', 'momentum', 'breadth', 'rs'] as const;

// One source for Excel serials: the functions' argument rules use the same conversion.
export { isoToSerial, serialToIso };

/**
 * The session a Date cell names, as a serial: a serial (what Excel returns for a date),
 * or ISO text (typed by hand, or an older table). Anything else names no session.
 */
export function dateKey(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 1) return Math.floor(value);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value.trim())) {
    try {
      return isoToSerial(value.trim());
    } catch {
      return null;
    }
  }
  return null;
}

const text = (v: unknown): Cell => (typeof v === 'string' ? v : '');
const num = (v: unknown): Cell => (typeof v === 'number' && Number.isFinite(v) ? v : '');

/**
 * Each layer's call at the opening (the previous close). The API sends them in the entry's
 * `calls` (a field the contract lets through but does not name): `{layer, call}` with
 * call null when the layer was undefined, 'unavailable' without data.
 */
function layerCalls(entry: DebriefEntry): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  const calls = (entry as { calls?: unknown }).calls;
  if (!Array.isArray(calls)) return out;
  for (const c of calls) {
    if (c && typeof c === 'object' && typeof (c as { layer?: unknown }).layer === 'string') {
      out[(c as { layer: string }).layer] = text((c as { call?: unknown }).call);
    }
  }
  return out;
}

/** The session's open-to-close move as a fraction of the open (0.0123 shows as 1.23%). */
function movePct(entry: DebriefEntry): Cell {
  const e = entry as { open?: unknown; close?: unknown };
  const open = typeof e.open === 'number' ? e.open : typeof e.close === 'number' ? e.close - entry.move : Number.NaN;
  return open > 0 && Number.isFinite(entry.move) ? entry.move / open : '';
}

/**
 * One table row per session (columns DEBRIEF_SHEET_COLUMNS, Notes empty), in date order;
 * a session given twice keeps its last entry. Dates are serials; a missing value is ''.
 */
export function debriefTableRows(entries: readonly DebriefEntry[]): Cell[][] {
  const bySession = new Map<number, Cell[]>();
  for (const e of entries) {
    const calls = layerCalls(e);
    const w = e.earliestWarning;
    const row: Cell[] = [
      isoToSerial(e.date),
      text(e.openingComposite),
      ...LAYERS.map((l) => calls[l] ?? ''),
      movePct(e),
      text(e.outcome),
      text(e.mostAccurate),
      text(w?.layer),
      w ? isoToSerial(w.date) : '',
      num(w?.close),
      text(e.lesson),
      '',
    ];
    bySession.set(row[DATE] as number, row);
  }
  return [...bySession.entries()].sort((a, b) => a[0] - b[0]).map(([, row]) => row);
}

/** Same cell content: '' for a missing value, numbers equal to Excel's 15 significant digits. */
export function sameCell(a: unknown, b: unknown): boolean {
  const x = a ?? '';
  const y = b ?? '';
  if (typeof x === 'number' && typeof y === 'number') {
    return x === y || Math.abs(x - y) <= 1e-12 * Math.max(Math.abs(x), Math.abs(y));
  }
  return x === y;
}

const isBlank = (row: readonly unknown[]) => row.every((v) => v === '' || v === null || v === undefined);

export interface DebriefMerge {
  /** The table after the merge: one row per existing row, in place, then the appended ones. */
  rows: Cell[][];
  /** Sessions written into blank or new rows. */
  added: number;
  /** Existing rows whose columns (Notes aside) changed. */
  updated: number;
  /** Existing rows of a session given again, already up to date. */
  unchanged: number;
}

/**
 * Merges new session rows (debriefTableRows) into the table's current rows. Each existing
 * row holds the columns of DEBRIEF_SHEET_COLUMNS first, then any columns the user added;
 * those and Notes are kept as they are. See the module comment for the rules.
 */
export function mergeDebrief(existingRows: readonly (readonly unknown[])[], newRows: readonly Cell[][]): DebriefMerge {
  const incoming = new Map<number, readonly Cell[]>();
  for (const row of newRows) {
    const key = dateKey(row[DATE]);
    if (key === null) throw new RangeError(`a debrief row needs a date, got ${JSON.stringify(row[DATE])}`);
    incoming.set(key, row);
  }
  const seen = new Set<number>();
  let updated = 0;
  let unchanged = 0;
  const rows: Cell[][] = existingRows.map((old) => {
    const row = old.map((v) => (v === null || v === undefined ? '' : (v as Cell)));
    while (row.length < COLUMN_COUNT) row.push('');
    const key = dateKey(row[DATE]);
    const fresh = key === null ? undefined : incoming.get(key);
    if (key === null || !fresh) return row;
    seen.add(key);
    let changed = false;
    for (let c = 0; c < COLUMN_COUNT; c++) {
      if (c === NOTES || sameCell(row[c], fresh[c])) continue;
      row[c] = fresh[c];
      changed = true;
    }
    if (changed) updated++;
    else unchanged++;
    return row;
  });
  const toAdd = [...incoming.entries()]
    .filter(([key]) => !seen.has(key))
    .sort((a, b) => a[0] - b[0])
    .map(([, row]) => row);
  // Blank rows at the bottom are free: fill them first, then append.
  let slot = rows.length;
  while (slot > 0 && isBlank(rows[slot - 1])) slot--;
  for (const fresh of toAdd) {
    const width = rows[slot]?.length ?? COLUMN_COUNT;
    const row: Cell[] = Array.from({ length: width }, (_, c) => (c < COLUMN_COUNT && c !== NOTES ? fresh[c] : ''));
    if (slot < rows.length) rows[slot] = row;
    else rows.push(row);
    slot++;
  }
  return { rows, added: toAdd.length, updated, unchanged };
}

export interface DebriefWritePlan {
  /** Cells to write over the table's body after `rowsToAdd` rows are added; null = leave as it is. */
  values: (Cell | null)[][];
  /** Number formats of the written date and number cells; null elsewhere. */
  numberFormat: (string | null)[][];
  rowsToAdd: number;
  /** False when nothing changes. */
  writes: boolean;
  added: number;
  updated: number;
  unchanged: number;
}

/**
 * Where our columns are in the table (matched by header, so the user may move them or add
 * columns); an error text when one is missing. Notes may be gone: it is never written.
 */
export function columnMap(header: readonly unknown[]): number[] | string {
  const names = header.map((h) =>
    String(h ?? '')
      .trim()
      .toLowerCase(),
  );
  const map = DEBRIEF_SHEET_COLUMNS.map((c) => names.indexOf(c.toLowerCase()));
  const missing = DEBRIEF_SHEET_COLUMNS.filter((c, i) => map[i] < 0 && i !== NOTES);
  if (missing.length) {
    return `the table ${DEBRIEF_TABLE} has no column ${missing.map((m) => `"${m}"`).join(', ')} (rename it back, or delete the table to start a new one)`;
  }
  return map;
}

/**
 * The write that brings a table (its header and body as read) up to date with new session
 * rows: mergeDebrief on the table's columns, then only the cells that change.
 */
export function planDebriefWrite(
  header: readonly unknown[],
  body: readonly (readonly unknown[])[],
  newRows: readonly Cell[][],
): DebriefWritePlan | string {
  const map = columnMap(header);
  if (typeof map === 'string') return map;
  const width = header.length;
  const own = new Set(map.filter((i) => i >= 0));
  const extra = [...Array(width).keys()].filter((i) => !own.has(i));
  // Our columns first (Notes '' when the table has none), then the user's.
  const canonical = body.map((row) => [...map.map((i) => (i >= 0 ? row[i] : '')), ...extra.map((i) => row[i])]);
  const merged = mergeDebrief(canonical, newRows);
  const values: (Cell | null)[][] = [];
  const numberFormat: (string | null)[][] = [];
  let writes = false;
  merged.rows.forEach((row, r) => {
    const out: (Cell | null)[] = Array(width).fill(null);
    const fmt: (string | null)[] = Array(width).fill(null);
    for (let c = 0; c < COLUMN_COUNT; c++) {
      if (c === NOTES) continue;
      const at = map[c];
      const before = r < body.length ? body[r][at] : undefined;
      if (r < body.length && sameCell(before, row[c])) continue;
      // A new row is blank: nothing to write where the value is blank too.
      if (r >= body.length && row[c] === '') continue;
      out[at] = row[c];
      fmt[at] = FORMATS[c] ?? null;
      writes = true;
    }
    values.push(out);
    numberFormat.push(fmt);
  });
  const rowsToAdd = merged.rows.length - body.length;
  return {
    values,
    numberFormat,
    rowsToAdd,
    writes: writes || rowsToAdd > 0,
    added: merged.added,
    updated: merged.updated,
    unchanged: merged.unchanged,
  };
}

// ---- Excel --------------------------------------------------------------------------------

export interface DebriefWriteResult {
  added: number;
  updated: number;
  unchanged: number;
  /** What happened, for the taskpane's status line. */
  message: string;
}

const nothing = (message: string): DebriefWriteResult => ({ added: 0, updated: 0, unchanged: 0, message });

/** The IWMDebrief table, created on the Debrief sheet (added when missing) at A1 when there is none. */
async function debriefTable(context: Excel.RequestContext): Promise<Excel.Table | string> {
  const table = context.workbook.tables.getItemOrNullObject(DEBRIEF_TABLE);
  table.load('isNullObject');
  const sheet = context.workbook.worksheets.getItemOrNullObject(DEBRIEF_SHEET);
  sheet.load('isNullObject');
  await context.sync();
  if (!table.isNullObject) return table;
  let target: Excel.Worksheet;
  if (sheet.isNullObject) {
    target = context.workbook.worksheets.add(DEBRIEF_SHEET);
  } else {
    const used = sheet.getUsedRangeOrNullObject();
    used.load('isNullObject');
    await context.sync();
    if (!used.isNullObject) {
      return `the sheet ${DEBRIEF_SHEET} has data but no table ${DEBRIEF_TABLE}; rename the sheet (or clear it) and try again`;
    }
    target = sheet;
  }
  // A table made from a header row alone gets one blank body row; the merge fills it first.
  const created = target.tables.add(target.getRangeByIndexes(0, 0, 1, COLUMN_COUNT), true);
  created.name = DEBRIEF_TABLE;
  created.getHeaderRowRange().values = [[...DEBRIEF_SHEET_COLUMNS]];
  await context.sync();
  return created;
}

/**
 * Writes debrief entries (the API's `debriefs`) into the IWMDebrief table. Entries are
 * checked against the API's contract first: an empty or malformed list writes nothing
 * (not even the sheet) and says so in `message`.
 */
export async function writeDebrief(
  context: Excel.RequestContext,
  entries: readonly DebriefEntry[],
): Promise<DebriefWriteResult> {
  if (!Array.isArray(entries) || entries.length === 0) return nothing('No debrief sessions to write; nothing changed.');
  const parsed = z.array(DebriefEntry).safeParse(entries);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return nothing(`Not a debrief (entry ${issue.path.join('.') || '?'}: ${issue.message}); nothing was written.`);
  }
  let rows: Cell[][];
  try {
    rows = debriefTableRows(parsed.data);
  } catch (err) {
    return nothing(`Not a debrief (${(err as Error).message}); nothing was written.`);
  }
  const table = await debriefTable(context);
  if (typeof table === 'string') return nothing(`Debrief not written: ${table}.`);
  const header = table.getHeaderRowRange().load('values');
  const body = table.getDataBodyRange().load('values');
  await context.sync();
  const plan = planDebriefWrite(header.values[0], body.values, rows);
  if (typeof plan === 'string') return nothing(`Debrief not written: ${plan}.`);
  if (plan.writes) {
    if (plan.rowsToAdd > 0) {
      const width = header.values[0].length;
      table.rows.add(
        undefined,
        Array.from({ length: plan.rowsToAdd }, () => Array(width).fill('')),
      );
    }
    // Asked for after the rows are added, so it spans them.
    const target = table.getDataBodyRange();
    target.values = plan.values as Cell[][];
    if (plan.numberFormat.some((row) => row.some((f) => f !== null))) {
      target.numberFormat = plan.numberFormat as string[][];
    }
    await context.sync();
  }
  const parts = [`${plan.added} added`, `${plan.updated} updated`];
  if (plan.unchanged) parts.push(`${plan.unchanged} already up to date`);
  return {
    added: plan.added,
    updated: plan.updated,
    unchanged: plan.unchanged,
    message: `Debrief (sheet ${DEBRIEF_SHEET}): ${parts.join(', ')}.`,
  };
}

export type DebriefRequest = ({ from: string | number; to: string | number } | { date: string | number }) & {
  symbol?: string;
  profile?: unknown;
};

/** What fillDebrief needs of the API client (BatchingClient). */
export interface DebriefClient {
  call(fn: 'debrief', args: Record<string, unknown>): Promise<unknown>;
}

/** Asks the API for the debrief of a session or a range and writes it (writeDebrief). */
export async function fillDebrief(
  context: Excel.RequestContext,
  client: DebriefClient,
  request: DebriefRequest,
): Promise<DebriefWriteResult> {
  const answer = (await client.call('debrief', { ...request })) as {
    debriefs?: unknown;
    meta?: { sample?: unknown };
  } | null;
  const entries = answer?.debriefs;
  if (!Array.isArray(entries)) return nothing('The API answered without debriefs; nothing was written.');
  const result = await writeDebrief(context, entries as DebriefEntry[]);
  return answer?.meta?.sample === true
    ? { ...result, message: `${result.message} SAMPLE DATA (synthetic), not market data.` }
    : result;
}
