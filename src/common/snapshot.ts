/**
 * "Snapshot to values": freezes the IWM.* results of the selection (or of the active
 * sheet's used range) so a colleague without the add-in sees the numbers, not #NAME?.
 *
 * Every cell whose formula calls IWM.* gets its current value in place of its formula. A
 * formula that spills (IWM.HISTORY, IWM.DEBRIEF...) is replaced by its whole spilled
 * block, whatever part of it was selected: replacing the anchor alone would empty the
 * rest. Other formulas and constants are not touched. A result still calculating
 * (#BUSY!) or whose spill is blocked (#SPILL!) keeps its formula and is counted as
 * `skipped`.
 *
 * Text results are written under the Text number format (`@`): otherwise Excel would read
 * "2024-06-03" back as a date, or text starting with '=' as a formula. Error results
 * (#N/A with the API's message) are written as the bare error.
 *
 * A note is written in one cell of the sheet that is certainly empty: the row just above
 * the used range, or when the used range starts on row 1, the column just right of it
 * ("Snapshot of IWM.* values as of <last bar date> taken <UTC time>: ...").
 */
import { callsIwm } from './workbook';

export type Cell = string | number | boolean;

export interface CellRef {
  row: number;
  column: number;
}

export interface Block extends CellRef {
  rowCount: number;
  columnCount: number;
}

export const SNAPSHOT_NOTE_PREFIX = 'Snapshot of IWM.* values';

/** Absolute positions of the cells of a block (its formulas, read at rowIndex/columnIndex) that call IWM.*. */
export function iwmCells(formulas: readonly (readonly unknown[])[], rowIndex: number, columnIndex: number): CellRef[] {
  const out: CellRef[] = [];
  formulas.forEach((row, r) =>
    row.forEach((formula, c) => {
      if (callsIwm(formula)) out.push({ row: rowIndex + r, column: columnIndex + c });
    }),
  );
  return out;
}

export function contains(block: Block, cell: CellRef): boolean {
  return (
    cell.row >= block.row &&
    cell.row < block.row + block.rowCount &&
    cell.column >= block.column &&
    cell.column < block.column + block.columnCount
  );
}

/** Results that are not results yet: still calculating, or a spill that is blocked. */
const KEEP = /^#(BUSY!|GETTING_DATA|SPILL!)/;
const ERROR =
  /^#(N\/A|VALUE!|REF!|DIV\/0!|NUM!|NAME\?|NULL!|SPILL!|CALC!|FIELD!|CONNECT!|BLOCKED!|UNKNOWN!|PYTHON!|BUSY!)$/;

export interface FrozenBlock {
  values: Cell[][];
  /** '@' (Text) for text cells, null (format kept) elsewhere. */
  numberFormat: (string | null)[][];
}

/**
 * What to write over a block of IWM results (values and, when loaded, valueTypes); null
 * when a cell is still calculating or its spill is blocked, which keeps the whole block
 * as it is (writing part of a spill would break it).
 */
export function frozenBlock(
  values: readonly (readonly unknown[])[],
  valueTypes?: readonly (readonly unknown[])[],
): FrozenBlock | null {
  const out: Cell[][] = [];
  const formats: (string | null)[][] = [];
  for (let r = 0; r < values.length; r++) {
    const row: Cell[] = [];
    const fmt: (string | null)[] = [];
    for (let c = 0; c < values[r].length; c++) {
      const v = values[r][c];
      const type = valueTypes?.[r]?.[c];
      if (typeof v === 'string' && KEEP.test(v)) return null;
      const isError = type === undefined ? typeof v === 'string' && ERROR.test(v) : type === 'Error';
      if (typeof v === 'number' || typeof v === 'boolean') {
        row.push(v);
        fmt.push(null);
      } else if (typeof v === 'string' && v !== '' && !isError) {
        row.push(v);
        fmt.push('@');
      } else {
        row.push(typeof v === 'string' ? v : '');
        fmt.push(null);
      }
    }
    out.push(row);
    formats.push(fmt);
  }
  return { values: out, numberFormat: formats };
}

/**
 * Where the note goes: the cell above the used range's top-left cell, or when the used
 * range starts on the first row, the cell right of its top-right cell. Both are empty.
 */
export function noteCell(used: Block | null): CellRef | null {
  if (!used) return null;
  if (used.row > 0) return { row: used.row - 1, column: used.column };
  return { row: used.row, column: used.column + used.columnCount };
}

/** "2026-06-05 21:03 UTC" */
export function utcStamp(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function snapshotNote(
  lastBarDate: string | null | undefined,
  takenAt: Date,
  formulas: number,
  where: string,
): string {
  const asOf = lastBarDate ? `as of ${lastBarDate}` : 'as of an unknown last bar (API not reached)';
  const what = `${formulas} IWM formula${formulas === 1 ? '' : 's'} replaced by ${formulas === 1 ? 'its value' : 'their values'}`;
  return `${SNAPSHOT_NOTE_PREFIX} ${asOf} taken ${utcStamp(takenAt)}: ${what} in ${where}.`;
}

// ---- Excel --------------------------------------------------------------------------------

export interface SnapshotOptions {
  /** 'selection' (default) or the active sheet's whole used range. */
  scope?: 'selection' | 'sheet';
  /** The last session the values describe (status.lastBarDate), for the note. */
  lastBarDate?: string | null;
  now?: () => Date;
}

export interface SnapshotResult {
  /** IWM formulas replaced by their values. */
  frozen: number;
  /** Cells written (a spilled formula writes its whole block). */
  cells: number;
  /** IWM formulas left alone: still calculating (#BUSY!) or spill blocked (#SPILL!). */
  skipped: number;
  /** The note written, or null when nothing was frozen. */
  note: string | null;
  message: string;
}

interface Found extends Block {
  values: unknown[][];
  valueTypes?: unknown[][];
}

const BLOCK_PROPS = ['isNullObject', 'values', 'valueTypes', 'rowIndex', 'columnIndex', 'rowCount', 'columnCount'];

/** Replaces the IWM.* formulas of the selection (or of the active sheet) by their values. */
export async function snapshotToValues(
  context: Excel.RequestContext,
  options: SnapshotOptions = {},
): Promise<SnapshotResult> {
  const scope = options.scope ?? 'selection';
  const sheet = context.workbook.worksheets.getActiveWorksheet();
  sheet.load('name');
  const used = sheet.getUsedRangeOrNullObject();
  used.load(['isNullObject', 'rowIndex', 'columnIndex', 'rowCount', 'columnCount']);
  await context.sync();
  const none = (message: string): SnapshotResult => ({ frozen: 0, cells: 0, skipped: 0, note: null, message });
  if (used.isNullObject) return none(`No IWM formulas on ${sheet.name}: the sheet is empty.`);

  // The selection may be whole columns; only its used part has cells to read.
  const target = scope === 'sheet' ? used : context.workbook.getSelectedRange().getIntersectionOrNullObject(used);
  target.load(['isNullObject', 'formulas', 'rowIndex', 'columnIndex', 'address']);
  await context.sync();
  const where = scope === 'sheet' ? `the used range of ${sheet.name}` : 'the selection';
  if (target.isNullObject) return none(`No IWM formulas in ${where}.`);
  const candidates = iwmCells(target.formulas, target.rowIndex, target.columnIndex);
  if (!candidates.length) return none(`No IWM formulas in ${where}.`);

  // Each candidate is a formula that spills (its block is the spill), a single value, or
  // (if Excel reports the anchor's formula on spilled cells) a cell inside another's spill.
  const blocks: Found[] = [];
  const inBlocks = (c: CellRef) => blocks.some((b) => contains(b, c));
  let pending: CellRef[] = candidates;
  for (let round = 0; pending.length && round < 2; round++) {
    const probes = pending.map((at) => {
      const cell = sheet.getCell(at.row, at.column);
      cell.load(['values', 'valueTypes', 'formulas']);
      const spill = cell.getSpillingToRangeOrNullObject();
      spill.load(BLOCK_PROPS);
      const parent = cell.getSpillParentOrNullObject();
      parent.load(['isNullObject', 'rowIndex', 'columnIndex']);
      return { at, cell, spill, parent };
    });
    await context.sync();
    const parents: CellRef[] = [];
    for (const { at, cell, spill, parent } of probes) {
      if (inBlocks(at) || (round > 0 && !callsIwm(cell.formulas[0][0]))) continue;
      if (!spill.isNullObject) {
        blocks.push({
          row: spill.rowIndex,
          column: spill.columnIndex,
          rowCount: spill.rowCount,
          columnCount: spill.columnCount,
          values: spill.values,
          valueTypes: spill.valueTypes,
        });
      } else if (!parent.isNullObject && (parent.rowIndex !== at.row || parent.columnIndex !== at.column)) {
        const anchor = { row: parent.rowIndex, column: parent.columnIndex };
        if (!parents.some((p) => p.row === anchor.row && p.column === anchor.column)) parents.push(anchor);
      } else {
        blocks.push({ ...at, rowCount: 1, columnCount: 1, values: cell.values, valueTypes: cell.valueTypes });
      }
    }
    pending = parents.filter((p) => !inBlocks(p));
  }

  let frozen = 0;
  let cells = 0;
  let skipped = 0;
  for (const b of blocks) {
    const write = frozenBlock(b.values, b.valueTypes);
    if (!write) {
      skipped++;
      continue;
    }
    const range = sheet.getRangeByIndexes(b.row, b.column, b.rowCount, b.columnCount);
    // The format first, so text goes in as text.
    if (write.numberFormat.some((row) => row.some((f) => f !== null))) range.numberFormat = write.numberFormat;
    range.values = write.values;
    frozen++;
    cells += b.rowCount * b.columnCount;
  }
  const skippedText = skipped
    ? `; ${skipped} left as formula${skipped === 1 ? '' : 's'}: still calculating (#BUSY!) or blocked (#SPILL!), try again when they show values`
    : '';
  if (!frozen) return { ...none(`Nothing frozen${skippedText}.`), skipped };

  const note = snapshotNote(options.lastBarDate, (options.now ?? (() => new Date()))(), frozen, target.address);
  const at = noteCell({
    row: used.rowIndex,
    column: used.columnIndex,
    rowCount: used.rowCount,
    columnCount: used.columnCount,
  });
  if (at) {
    const noteRange = sheet.getCell(at.row, at.column);
    noteRange.numberFormat = [['@']];
    noteRange.values = [[note]];
    noteRange.format.font.italic = true;
  }
  await context.sync();
  return {
    frozen,
    cells,
    skipped,
    note,
    message: `Froze ${frozen} IWM formula${frozen === 1 ? '' : 's'} (${cells} cell${cells === 1 ? '' : 's'}) in ${where}${skippedText}.`,
  };
}

/** What snapshotWithStatus needs of the API client (BatchingClient). */
export interface StatusClient {
  call(fn: 'status', args: Record<string, unknown>): Promise<unknown>;
}

/**
 * snapshotToValues with the note's "as of" date from the API's status. Freezing works
 * offline: without an answer the note says the last bar is unknown.
 */
export async function snapshotWithStatus(
  context: Excel.RequestContext,
  client: StatusClient,
  options: Omit<SnapshotOptions, 'lastBarDate'> = {},
): Promise<SnapshotResult> {
  let lastBarDate: string | null = null;
  try {
    const status = (await client.call('status', {})) as { lastBarDate?: unknown } | null;
    if (typeof status?.lastBarDate === 'string') lastBarDate = status.lastBarDate;
  } catch {
    // Offline: the values in the cells are what they are; the note says the date is unknown.
  }
  return snapshotToValues(context, { ...options, lastBarDate });
}
