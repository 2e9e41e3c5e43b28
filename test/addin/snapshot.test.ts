/**
 * Snapshot to values: the pure helpers, then snapshotToValues against a small in-memory
 * sheet built from office-addin-mock objects (Excel itself cannot run here).
 */
import { OfficeMockObject } from 'office-addin-mock';
import {
  frozenBlock,
  iwmCells,
  noteCell,
  snapshotNote,
  snapshotToValues,
  snapshotWithStatus,
  type Block,
  type Cell,
} from '../../src/common/snapshot';

describe('pure helpers', () => {
  test('iwmCells finds the IWM formulas only, at sheet positions', () => {
    const formulas = [
      ['=IWM.COMPOSITE(-1)', '=SUM(C1:C2)', 5],
      ['', 'IWM.SCORE(-1)', '=IF(A1="bullish", iwm.size(), 0)'],
    ];
    expect(iwmCells(formulas, 3, 2)).toEqual([
      { row: 3, column: 2 },
      { row: 4, column: 4 },
    ]);
  });

  test('frozenBlock: text goes in as text, numbers and errors keep their format, a busy block stays', () => {
    const block = frozenBlock(
      [
        ['date', 2, true],
        ['2024-01-02', '#N/A', ''],
      ],
      [
        ['String', 'Double', 'Boolean'],
        ['String', 'Error', 'Empty'],
      ],
    );
    expect(block).toEqual({
      values: [
        ['date', 2, true],
        ['2024-01-02', '#N/A', ''],
      ],
      numberFormat: [
        ['@', null, null],
        ['@', null, null],
      ],
    });
    // Without valueTypes an error text is recognised by its form.
    expect(frozenBlock([['#VALUE!', '#tag']])?.numberFormat).toEqual([[null, '@']]);
    expect(frozenBlock([['x', '#BUSY!']])).toBeNull();
    expect(frozenBlock([['#SPILL!']], [['Error']])).toBeNull();
  });

  test('noteCell: above the used range, or right of it when it starts on row 1', () => {
    expect(noteCell({ row: 2, column: 1, rowCount: 5, columnCount: 3 })).toEqual({ row: 1, column: 1 });
    expect(noteCell({ row: 0, column: 1, rowCount: 5, columnCount: 3 })).toEqual({ row: 0, column: 4 });
    expect(noteCell(null)).toBeNull();
  });

  test('snapshotNote says what, as of when, taken when', () => {
    const at = new Date(Date.UTC(2024, 0, 4, 21, 30, 15));
    expect(snapshotNote('2024-01-03', at, 2, 'Signals!A1:B2')).toBe(
      'Snapshot of IWM.* values as of 2024-01-03 taken 2024-01-04 21:30 UTC: 2 IWM formulas replaced by their values in Signals!A1:B2.',
    );
    expect(snapshotNote(null, at, 1, 'x')).toMatch(/unknown last bar.*1 IWM formula replaced by its value/);
  });
});

// ---- snapshotToValues against a mock sheet ---------------------------------------------

interface FakeCell {
  formula?: string;
  value: Cell;
  format?: string;
  italic?: boolean;
}

const MAX_ROWS = 1_048_576;
const letters = (c: number): string =>
  (c < 26 ? '' : letters(Math.floor(c / 26) - 1)) + String.fromCharCode(65 + (c % 26));
const ERRORS = /^#(N\/A|VALUE!|BUSY!|SPILL!|REF!)$/;

/** One sheet of cells, spills and a selection; each proxy is an OfficeMockObject the context's sync also syncs. */
class FakeSheet {
  readonly name = 'Signals';
  cells = new Map<string, FakeCell>();
  spills: Block[] = [];
  selection: Block = { row: 0, column: 0, rowCount: 1, columnCount: 1 };
  /** Whether reading formulas of a spilled cell gives the anchor's formula (as some hosts might). */
  ghostFormulas = false;
  writes = 0;
  private readonly proxies: OfficeMockObject[] = [];
  private readonly atSync: (() => void)[] = [];

  static key = (r: number, c: number) => `${r},${c}`;
  get(r: number, c: number): FakeCell | undefined {
    return this.cells.get(FakeSheet.key(r, c));
  }
  set(r: number, c: number, cell: FakeCell): void {
    this.cells.set(FakeSheet.key(r, c), cell);
  }
  /** A formula whose result spills from (r, c). */
  spill(r: number, c: number, formula: string, values: Cell[][]): void {
    values.forEach((row, i) => row.forEach((v, j) => this.set(r + i, c + j, { value: v })));
    this.get(r, c)!.formula = formula;
    this.spills.push({ row: r, column: c, rowCount: values.length, columnCount: values[0].length });
  }
  private spillOf(r: number, c: number): Block | undefined {
    return this.spills.find(
      (s) => r >= s.row && r < s.row + s.rowCount && c >= s.column && c < s.column + s.columnCount,
    );
  }
  formulaAt(r: number, c: number): Cell {
    const cell = this.get(r, c);
    if (!cell) return '';
    if (cell.formula) return cell.formula;
    const s = this.spillOf(r, c);
    return s && this.ghostFormulas ? this.get(s.row, s.column)!.formula! : cell.value;
  }
  private used(): Block | null {
    const keys = [...this.cells.keys()].map((k) => k.split(',').map(Number));
    if (!keys.length) return null;
    const rows = keys.map((k) => k[0]);
    const cols = keys.map((k) => k[1]);
    const row = Math.min(...rows);
    const column = Math.min(...cols);
    return { row, column, rowCount: Math.max(...rows) - row + 1, columnCount: Math.max(...cols) - column + 1 };
  }

  private track(seed: Record<string, unknown>): OfficeMockObject {
    const m = new OfficeMockObject(seed);
    this.proxies.push(m);
    return m;
  }

  private nullRange(): OfficeMockObject {
    // Loading a null object's properties is allowed; reading them is not (NaN/[] here).
    return this.track({
      isNullObject: true,
      values: [],
      valueTypes: [],
      formulas: [],
      address: '',
      rowIndex: NaN,
      columnIndex: NaN,
      rowCount: NaN,
      columnCount: NaN,
    });
  }

  private readonly boxes = new WeakMap<object, Block>();

  private range(b: Block): OfficeMockObject {
    const grid = <T>(f: (r: number, c: number) => T): T[][] =>
      Array.from({ length: b.rowCount }, (_, i) =>
        Array.from({ length: b.columnCount }, (_, j) => f(b.row + i, b.column + j)),
      );
    // Like Excel, cell-level properties of an unbounded range (whole columns) are not given.
    const huge = b.rowCount * b.columnCount > 100_000;
    const values = huge ? '(unbounded)' : grid((r, c) => this.get(r, c)?.value ?? '');
    const m = this.track({
      isNullObject: false,
      formulas: huge ? '(unbounded)' : grid((r, c) => this.formulaAt(r, c)),
      values,
      valueTypes: huge
        ? '(unbounded)'
        : grid((r, c) => {
            const v = this.get(r, c)?.value ?? '';
            return v === ''
              ? 'Empty'
              : typeof v === 'number'
                ? 'Double'
                : typeof v === 'boolean'
                  ? 'Boolean'
                  : ERRORS.test(v)
                    ? 'Error'
                    : 'String';
          }),
      rowIndex: b.row,
      columnIndex: b.column,
      rowCount: b.rowCount,
      columnCount: b.columnCount,
      address: `${this.name}!${letters(b.column)}${b.row + 1}:${letters(b.column + b.columnCount - 1)}${b.row + b.rowCount}`,
      format: { font: { italic: false } },
      getIntersectionOrNullObject: (other: object) => {
        const o = this.boxes.get(other)!;
        const row = Math.max(b.row, o.row);
        const column = Math.max(b.column, o.column);
        const rowEnd = Math.min(b.row + b.rowCount, o.row + o.rowCount);
        const colEnd = Math.min(b.column + b.columnCount, o.column + o.columnCount);
        return rowEnd > row && colEnd > column
          ? this.range({ row, column, rowCount: rowEnd - row, columnCount: colEnd - column })
          : this.nullRange();
      },
      getSpillingToRangeOrNullObject: () => {
        const s = this.spills.find((x) => x.row === b.row && x.column === b.column);
        return s && b.rowCount === 1 && b.columnCount === 1 ? this.range(s) : this.nullRange();
      },
      // For the anchor itself this fake answers the anchor (the other reading, null, works too).
      getSpillParentOrNullObject: () => {
        const s = this.spillOf(b.row, b.column);
        return s ? this.range({ row: s.row, column: s.column, rowCount: 1, columnCount: 1 }) : this.nullRange();
      },
    });
    this.boxes.set(m, b);
    const applied = new Set<unknown>([values]);
    this.atSync.push(() => {
      const p = m as unknown as { values: unknown; numberFormat?: unknown; format: { font: { italic: unknown } } };
      if (Array.isArray(p.numberFormat) && !applied.has(p.numberFormat)) {
        applied.add(p.numberFormat);
        (p.numberFormat as (string | null)[][]).forEach((row, i) =>
          row.forEach((f, j) => {
            if (f === null) return;
            const at = b.row + i;
            const col = b.column + j;
            this.set(at, col, { ...(this.get(at, col) ?? { value: '' }), format: f });
          }),
        );
      }
      if (Array.isArray(p.values) && !applied.has(p.values)) {
        applied.add(p.values);
        this.writes++;
        this.write(b, p.values as Cell[][]);
      }
      if (p.format.font.italic === true) this.get(b.row, b.column)!.italic = true;
    });
    return m;
  }

  /** Excel's rules for typed values: ISO-looking text becomes a date unless the cell is Text. */
  private write(b: Block, matrix: Cell[][]): void {
    if (matrix.length !== b.rowCount || matrix.some((r) => r.length !== b.columnCount)) {
      throw new Error('InvalidArgument: the input array does not match the range');
    }
    matrix.forEach((row, i) =>
      row.forEach((v, j) => {
        const r = b.row + i;
        const c = b.column + j;
        const old = this.get(r, c);
        const asDate = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && old?.format !== '@';
        this.set(r, c, { ...old, formula: undefined, value: asDate ? `serial(${v})` : v });
      }),
    );
    // A spill whose anchor was overwritten is gone; one whose cells were written but not its anchor is blocked.
    this.spills = this.spills.filter((s) => {
      const anchorWritten =
        s.row >= b.row && s.row < b.row + b.rowCount && s.column >= b.column && s.column < b.column + b.columnCount;
      if (anchorWritten) return false;
      const overlap =
        s.row < b.row + b.rowCount &&
        b.row < s.row + s.rowCount &&
        s.column < b.column + b.columnCount &&
        b.column < s.column + s.columnCount;
      if (overlap) this.get(s.row, s.column)!.value = '#SPILL!';
      return true;
    });
  }

  context(): Excel.RequestContext {
    const sheet = () =>
      this.track({
        name: this.name,
        getUsedRangeOrNullObject: () => {
          const u = this.used();
          return u ? this.range(u) : this.nullRange();
        },
        getCell: (r: number, c: number) => this.range({ row: r, column: c, rowCount: 1, columnCount: 1 }),
        getRangeByIndexes: (row: number, column: number, rowCount: number, columnCount: number) =>
          this.range({ row, column, rowCount, columnCount }),
      });
    const ctx = new OfficeMockObject({
      workbook: {
        worksheets: { getActiveWorksheet: sheet },
        getSelectedRange: () => this.range(this.selection),
      },
    });
    const base = ctx.sync.bind(ctx);
    ctx.sync = async () => {
      for (const apply of this.atSync) apply();
      await base();
      for (const p of this.proxies) await p.sync();
    };
    return ctx as unknown as Excel.RequestContext;
  }
}

/**
 *   A                   B              C   D
 * 1 =IWM.COMPOSITE(-1)  =SUM(C1:C2)    1   hello
 * 2 =IWM.SCORE(-1)      =A2*2          2
 * 3
 * 4 =IWM.HISTORY(-2) spilling A4:B6
 */
function signals(): FakeSheet {
  const s = new FakeSheet();
  s.set(0, 0, { formula: '=IWM.COMPOSITE(-1)', value: 'bullish' });
  s.set(0, 1, { formula: '=SUM(C1:C2)', value: 3 });
  s.set(0, 2, { value: 1 });
  s.set(0, 3, { value: 'hello' });
  s.set(1, 0, { formula: '=IWM.SCORE(-1)', value: 2 });
  s.set(1, 1, { formula: '=A2*2', value: 4 });
  s.set(1, 2, { value: 2 });
  s.spill(3, 0, '=IWM.HISTORY(-2)', [
    ['date', 'composite.score'],
    ['2024-01-02', 2],
    ['2024-01-03', -1],
  ]);
  return s;
}

const NOW = () => new Date(Date.UTC(2024, 0, 4, 21, 30));

describe('snapshotToValues', () => {
  test('the whole sheet: IWM formulas become their values, spills included; other formulas and values stay', async () => {
    const s = signals();
    const r = await snapshotToValues(s.context(), { scope: 'sheet', lastBarDate: '2024-01-03', now: NOW });
    expect(r).toMatchObject({ frozen: 3, cells: 8, skipped: 0 });
    expect(s.get(0, 0)).toEqual({ value: 'bullish', format: '@', formula: undefined });
    expect(s.get(1, 0)).toMatchObject({ value: 2, formula: undefined });
    expect(s.get(1, 0)!.format).toBeUndefined();
    // Not IWM: untouched.
    expect(s.get(0, 1)).toEqual({ formula: '=SUM(C1:C2)', value: 3 });
    expect(s.get(1, 1)).toEqual({ formula: '=A2*2', value: 4 });
    expect(s.get(0, 2)).toEqual({ value: 1 });
    expect(s.get(0, 3)).toEqual({ value: 'hello' });
    // The spill: every cell a constant, the dates still text.
    expect(s.spills).toEqual([]);
    const block = [3, 4, 5].map((r) => [0, 1].map((c) => s.get(r, c)!));
    expect(block.map((row) => row.map((c) => c.value))).toEqual([
      ['date', 'composite.score'],
      ['2024-01-02', 2],
      ['2024-01-03', -1],
    ]);
    expect(block.flat().every((c) => !c.formula)).toBe(true);
    // The note: right of the used range (A1:D6), on its first row.
    expect(s.get(0, 4)).toMatchObject({ italic: true, format: '@' });
    expect(s.get(0, 4)!.value).toBe(
      'Snapshot of IWM.* values as of 2024-01-03 taken 2024-01-04 21:30 UTC: 3 IWM formulas replaced by their values in Signals!A1:D6.',
    );
    expect(r.note).toBe(s.get(0, 4)!.value);
  });

  test('the selection only: the spill outside it stays live', async () => {
    const s = signals();
    s.selection = { row: 0, column: 0, rowCount: 2, columnCount: 2 };
    const r = await snapshotToValues(s.context(), { lastBarDate: '2024-01-03', now: NOW });
    expect(r).toMatchObject({ frozen: 2, cells: 2 });
    expect(s.get(0, 0)!.formula).toBeUndefined();
    expect(s.get(1, 0)!.formula).toBeUndefined();
    expect(s.get(3, 0)!.formula).toBe('=IWM.HISTORY(-2)');
    expect(s.spills).toHaveLength(1);
    expect(r.note).toMatch(/in Signals!A1:B2\.$/);
  });

  test('whole columns selected: only their used part is read; a spill from them is frozen whole', async () => {
    const s = signals();
    s.selection = { row: 0, column: 0, rowCount: MAX_ROWS, columnCount: 1 };
    const r = await snapshotToValues(s.context(), { now: NOW });
    expect(r).toMatchObject({ frozen: 3, cells: 8 });
    expect(s.get(4, 1)!.value).toBe(2);
    expect(s.spills).toEqual([]);
    expect(r.note).toMatch(/unknown last bar/);
  });

  test('a spilled cell selected without its anchor: frozen with its whole spill when the host reports the formula there', async () => {
    const s = signals();
    s.ghostFormulas = true;
    s.selection = { row: 4, column: 1, rowCount: 1, columnCount: 1 };
    const r = await snapshotToValues(s.context(), { now: NOW });
    expect(r).toMatchObject({ frozen: 1, cells: 6 });
    expect(s.spills).toEqual([]);
    expect(s.get(3, 0)).toMatchObject({ value: 'date', formula: undefined });
    expect(s.get(4, 1)!.value).toBe(2);
  });

  test('results still calculating or blocked keep their formulas', async () => {
    const s = signals();
    s.set(0, 0, { formula: '=IWM.COMPOSITE(-1)', value: '#BUSY!' });
    s.get(3, 0)!.value = '#SPILL!';
    s.spills = [];
    const r = await snapshotToValues(s.context(), { scope: 'sheet', now: NOW });
    expect(r).toMatchObject({ frozen: 1, skipped: 2 });
    expect(s.get(0, 0)!.formula).toBe('=IWM.COMPOSITE(-1)');
    expect(s.get(3, 0)!.formula).toBe('=IWM.HISTORY(-2)');
    expect(s.get(1, 0)!.formula).toBeUndefined();
    expect(r.message).toMatch(/2 left as formulas/);
  });

  test('nothing to freeze: nothing written, no note', async () => {
    const s = new FakeSheet();
    s.set(2, 1, { formula: '=SUM(1,2)', value: 3 });
    const r = await snapshotToValues(s.context(), { scope: 'sheet', now: NOW });
    expect(r).toMatchObject({ frozen: 0, note: null });
    expect(r.message).toMatch(/No IWM formulas/);
    expect(s.writes).toBe(0);
    expect(s.cells.size).toBe(1);
    expect(await snapshotToValues(new FakeSheet().context())).toMatchObject({ frozen: 0, note: null });
  });

  test('the note goes above a used range that does not start on row 1', async () => {
    const s = new FakeSheet();
    s.set(4, 2, { formula: '=IWM.SIZE()', value: 0.5 });
    s.selection = { row: 4, column: 2, rowCount: 1, columnCount: 1 };
    await snapshotToValues(s.context(), { lastBarDate: '2024-01-03', now: NOW });
    expect(s.get(4, 2)).toEqual({ value: 0.5, formula: undefined });
    expect(s.get(3, 2)!.value).toMatch(/^Snapshot of IWM\.\* values as of 2024-01-03/);
  });
});

test('snapshotWithStatus dates the note from the API status, and still freezes offline', async () => {
  const s = signals();
  const r = await snapshotWithStatus(s.context(), { call: async () => ({ lastBarDate: '2024-01-03' }) }, { now: NOW });
  expect(r.note).toMatch(/as of 2024-01-03/);
  const offline = signals();
  const r2 = await snapshotWithStatus(
    offline.context(),
    {
      call: async () => {
        throw new Error('offline');
      },
    },
    { scope: 'sheet', now: NOW },
  );
  expect(r2.frozen).toBe(3);
  expect(r2.note).toMatch(/unknown last bar/);
});
