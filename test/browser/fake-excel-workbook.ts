/**
 * A fake Excel host richer than harness.ts's: worksheets with cells (values, formulas,
 * number formats, fonts), tables, charts, the selection, dynamic-array spills and custom
 * XML parts, with the request-context semantics the add-in relies on:
 *
 * - Every call queues an operation; `context.sync()` runs the queue in order, so an object
 *   asked for after another operation sees its effect (a table's body after rows.add).
 * - A property is readable only after `load` and `sync` (else a PropertyNotLoaded error,
 *   as Excel throws); `*OrNullObject` answers `isNullObject`.
 * - Writing a `values`/`formulas`/`numberFormat` array needs the range's exact shape; a
 *   `null` in it leaves that cell as it is. A text starting with "=" written as a value is
 *   a formula, unless the cell's format is Text ("@"). Writing over a spill's anchor ends
 *   the spill.
 * - A table made from a header row alone gets one blank body row; `rows.add` appends rows
 *   (cells under the table, in its columns, move down).
 *
 * Formulas are not calculated: a cell's value is what the test seeds. The workbook lives in
 * `window.__fakeExcel.book` and in sessionStorage (FAKE_BOOK_KEY) after every sync, so it
 * survives a reload and the test reads it back with page.evaluate.
 *
 * `fakeExcelWorkbook` is injected with page.addInitScript: it is serialized, so it uses
 * nothing from outside its own body.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { Harness } from './harness';

export type FakeValue = string | number | boolean;

export interface FakeCell {
  /** The value ('' or absent: empty). */
  v?: FakeValue;
  /** The formula, when the cell has one. */
  f?: string;
  /** Number format. */
  nf?: string;
  font?: { bold?: boolean; italic?: boolean; size?: number };
  /** On a spill's anchor: the spilled block's size [rows, columns]. */
  spill?: [number, number];
  /** On a spilled cell: its anchor [row, column]. */
  parent?: [number, number];
}

export interface FakeSheet {
  name: string;
  /** By "row,column" (0-based). */
  cells: Record<string, FakeCell>;
  columnWidths: Record<string, number>;
}

export interface FakeTable {
  id: number;
  name: string;
  sheet: string;
  row: number;
  column: number;
  /** Header row included. */
  rowCount: number;
  columnCount: number;
}

export interface FakeSeries {
  name?: string;
  values?: string;
  xValues?: string;
  color?: string;
  lineStyle?: string;
}

export interface FakeChart {
  id: number;
  sheet: string;
  name: string;
  type: string;
  source: string;
  seriesBy: string;
  title?: string;
  topLeft?: string;
  bottomRight?: string;
  legend: { visible?: boolean; position?: string };
  series: FakeSeries[];
  valueAxis: { title?: string; minimum?: number; maximum?: number };
  categoryAxis: { title?: string };
}

export interface FakeBook {
  sheets: FakeSheet[];
  /** The active sheet's name. */
  active: string;
  /** The selection: an A1 address on the active sheet. */
  selection: string;
  tables: FakeTable[];
  charts: FakeChart[];
  parts: { id: number; namespace: string; xml: string }[];
  nextId: number;
}

export interface FakeHostOptions {
  book: FakeBook;
  /** The highest ExcelApi requirement set the host supports (default 1.17). */
  excelApi?: string;
}

export const FAKE_BOOK_KEY = '__fakeExcelBook';

/** An empty workbook: one sheet, A1 selected. */
export function emptyBook(sheet = 'Sheet1'): FakeBook {
  return {
    sheets: [{ name: sheet, cells: {}, columnWidths: {} }],
    active: sheet,
    selection: 'A1',
    tables: [],
    charts: [],
    parts: [],
    nextId: 1,
  };
}

/** The page side (window.__fakeExcel), for page.evaluate. */
export interface FakeExcelApi {
  book: FakeBook;
  save(): void;
  /** The cell at an A1 address ("B3") of a sheet, created when absent. */
  cell(sheet: string, address: string): FakeCell;
  /** A table's header and body values (rows of values). */
  tableValues(name: string): { header: FakeValue[]; body: FakeValue[][]; address: string } | null;
  /** Sets a cell's value (a constant: drops its formula). */
  setValue(sheet: string, row: number, column: number, value: FakeValue): void;
  /** Excel.run batches that failed, with their messages. */
  failures: string[];
}

export function fakeExcelWorkbook(options: FakeHostOptions): void {
  const KEY = '__fakeExcelBook';
  const MAX_ROWS = 1048576;
  const MAX_COLUMNS = 16384;
  type Value = string | number | boolean;
  type Cell = FakeCell;
  type Sheet = FakeSheet;
  interface Box {
    sheet: Sheet;
    row: number;
    column: number;
    rowCount: number;
    columnCount: number;
  }
  type Op = () => void;
  type Resolver = () => Box | null;

  const stored = sessionStorage.getItem(KEY);
  const book: FakeBook = stored ? JSON.parse(stored) : JSON.parse(JSON.stringify(options.book));
  const save = () => sessionStorage.setItem(KEY, JSON.stringify(book));
  const failures: string[] = [];

  // ---- A1 addresses ----
  const letters = (index: number) => {
    let s = '';
    for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    return s;
  };
  const columnOf = (text: string) => {
    let n = 0;
    for (const ch of text.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
    return n - 1;
  };
  /** "A1", "A1:C3", "A:C", "2:4" (no sheet part) as a block. */
  const parseAddress = (address: string) => {
    const [a, b = a] = address.replace(/\$/g, '').split(':');
    const part = (p: string) => {
      const m = /^([A-Z]*)(\d*)$/i.exec(p);
      if (!m || (!m[1] && !m[2])) throw new Error(`InvalidArgument: bad address ${JSON.stringify(address)}`);
      return { column: m[1] ? columnOf(m[1]) : null, row: m[2] ? Number(m[2]) - 1 : null };
    };
    const p = part(a);
    const q = part(b);
    const row = p.row ?? 0;
    const column = p.column ?? 0;
    const lastRow = q.row ?? MAX_ROWS - 1;
    const lastColumn = q.column ?? MAX_COLUMNS - 1;
    return { row, column, rowCount: lastRow - row + 1, columnCount: lastColumn - column + 1 };
  };
  const quoteSheet = (name: string) =>
    /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`;
  const a1 = (b: Box) => {
    const first = `${letters(b.column)}${b.row + 1}`;
    const last = `${letters(b.column + b.columnCount - 1)}${b.row + b.rowCount}`;
    return `${quoteSheet(b.sheet.name)}!${b.rowCount === 1 && b.columnCount === 1 ? first : `${first}:${last}`}`;
  };

  // ---- Cells ----
  const sheetNamed = (name: string) => book.sheets.find((s) => s.name.toLowerCase() === name.toLowerCase()) ?? null;
  const key = (r: number, c: number) => `${r},${c}`;
  const cellAt = (sheet: Sheet, r: number, c: number): Cell | undefined => sheet.cells[key(r, c)];
  const ensure = (sheet: Sheet, r: number, c: number): Cell => (sheet.cells[key(r, c)] ??= {});
  const valueOf = (cell: Cell | undefined): Value => cell?.v ?? '';
  const formulaOf = (cell: Cell | undefined): Value => (cell?.f && !cell.parent ? cell.f : valueOf(cell));
  const ERROR = /^#(N\/A|VALUE!|REF!|DIV\/0!|NUM!|NAME\?|NULL!|SPILL!|CALC!|BUSY!|GETTING_DATA)/;
  const typeOf = (cell: Cell | undefined) => {
    const v = valueOf(cell);
    if (v === '') return 'Empty';
    if (typeof v === 'number') return 'Double';
    if (typeof v === 'boolean') return 'Boolean';
    return ERROR.test(v) ? 'Error' : 'String';
  };
  const isEmpty = (cell: Cell | undefined) => !cell || ((cell.v === undefined || cell.v === '') && !cell.f);
  const grid = <T>(b: Box, f: (cell: Cell | undefined, r: number, c: number) => T): T[][] =>
    Array.from({ length: b.rowCount }, (_, i) =>
      Array.from({ length: b.columnCount }, (_, j) =>
        f(cellAt(b.sheet, b.row + i, b.column + j), b.row + i, b.column + j),
      ),
    );
  /** Ends the spill anchored at (r, c): its spilled cells become empty. */
  const endSpill = (sheet: Sheet, r: number, c: number) => {
    const anchor = cellAt(sheet, r, c);
    if (!anchor?.spill) return;
    const [rows, columns] = anchor.spill;
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < columns; j++) {
        if (!i && !j) continue;
        const child = cellAt(sheet, r + i, c + j);
        if (child?.parent) {
          delete child.parent;
          delete child.v;
        }
      }
    delete anchor.spill;
  };
  /** Before a cell gets new content: a spill it anchors ends; a spill it is part of is blocked. */
  const detach = (sheet: Sheet, r: number, c: number) => {
    const cell = cellAt(sheet, r, c);
    if (!cell) return;
    if (cell.spill) endSpill(sheet, r, c);
    if (cell.parent) {
      const [pr, pc] = cell.parent;
      endSpill(sheet, pr, pc);
      const anchor = cellAt(sheet, pr, pc);
      if (anchor) anchor.v = '#SPILL!';
    }
  };
  const checkShape = (b: Box, value: unknown, what: string): unknown[][] => {
    if (
      !Array.isArray(value) ||
      value.length !== b.rowCount ||
      value.some((row) => !Array.isArray(row) || row.length !== b.columnCount)
    )
      throw new Error(
        `InvalidArgument: ${what} of ${a1(b)} needs ${b.rowCount}x${b.columnCount} values, got ${JSON.stringify(value).slice(0, 80)}`,
      );
    return value as unknown[][];
  };
  const writeCell = (sheet: Sheet, r: number, c: number, v: unknown, asFormula: boolean) => {
    detach(sheet, r, c);
    const cell = ensure(sheet, r, c);
    const text = typeof v === 'string' ? v : null;
    if (text !== null && text.startsWith('=') && (asFormula || cell.nf !== '@')) {
      cell.f = text;
      cell.v = '';
    } else {
      delete cell.f;
      cell.v = v as Value;
    }
  };
  const usedBox = (sheet: Sheet): Box | null => {
    let top = Infinity;
    let left = Infinity;
    let bottom = -1;
    let right = -1;
    for (const [k, cell] of Object.entries(sheet.cells)) {
      if (isEmpty(cell)) continue;
      const [r, c] = k.split(',').map(Number);
      top = Math.min(top, r);
      left = Math.min(left, c);
      bottom = Math.max(bottom, r);
      right = Math.max(right, c);
    }
    for (const t of book.tables.filter((x) => x.sheet === sheet.name)) {
      top = Math.min(top, t.row);
      left = Math.min(left, t.column);
      bottom = Math.max(bottom, t.row + t.rowCount - 1);
      right = Math.max(right, t.column + t.columnCount - 1);
    }
    if (bottom < 0) return null;
    return { sheet, row: top, column: left, rowCount: bottom - top + 1, columnCount: right - left + 1 };
  };

  // ---- Request context ----
  function newContext() {
    let queue: Op[] = [];
    const sync = async () => {
      const ops = queue;
      queue = [];
      try {
        for (const op of ops) op();
      } finally {
        save();
      }
    };

    /** Properties readable after load + sync; set ones queue their setter. */
    function loadable<T extends object>(
      target: T,
      names: string[],
      read: () => Record<string, unknown>,
      setters: Record<string, (value: unknown) => void> = {},
    ): T & { load(what?: unknown): T } {
      const loaded = new Map<string, unknown>();
      for (const name of new Set([...names, ...Object.keys(setters)])) {
        Object.defineProperty(target, name, {
          enumerable: true,
          configurable: true,
          get() {
            if (!loaded.has(name))
              throw new Error(`PropertyNotLoaded: the property '${name}' is not available; load it and sync first`);
            return loaded.get(name);
          },
          set(value: unknown) {
            const setter = setters[name];
            if (!setter) throw new Error(`InvalidArgument: '${name}' is read-only`);
            loaded.set(name, value);
            queue.push(() => setter(value));
          },
        });
      }
      const t = target as T & { load(what?: unknown): T; _preload(values: Record<string, unknown>): void };
      t.load = (what?: unknown) => {
        const wanted =
          what === undefined
            ? names
            : (Array.isArray(what) ? what : String(what).split(',')).map((w) => String(w).trim().split('/')[0]);
        queue.push(() => {
          const values = read();
          for (const w of wanted) if (w in values) loaded.set(w, values[w]);
        });
        return target;
      };
      t._preload = (values) => {
        for (const [k, v] of Object.entries(values)) loaded.set(k, v);
      };
      return t;
    }

    const need = (b: Box | null, what: string): Box => {
      if (!b) throw new Error(`ItemNotFound: ${what} does not exist`);
      return b;
    };

    function range(resolve: Resolver, what = 'the range') {
      const get = () => need(resolve(), what);
      const fontSet = (prop: 'bold' | 'italic' | 'size') => (value: unknown) => {
        const b = get();
        for (let i = 0; i < Math.min(b.rowCount, 1000); i++)
          for (let j = 0; j < Math.min(b.columnCount, 100); j++) {
            const cell = ensure(b.sheet, b.row + i, b.column + j);
            cell.font = { ...cell.font, [prop]: value };
          }
      };
      const font = loadable({}, [], () => ({}), {
        bold: fontSet('bold'),
        italic: fontSet('italic'),
        size: fontSet('size'),
      });
      const format = loadable({ font }, [], () => ({}), {
        columnWidth: (value: unknown) => {
          const b = get();
          for (let j = 0; j < b.columnCount; j++) b.sheet.columnWidths[letters(b.column + j)] = value as number;
        },
      });
      const r = loadable(
        {
          format,
          getCell(row: number, column: number) {
            return range(() => {
              const b = get();
              return { sheet: b.sheet, row: b.row + row, column: b.column + column, rowCount: 1, columnCount: 1 };
            });
          },
          getResizedRange(rows: number, columns: number) {
            return range(() => {
              const b = get();
              return { ...b, rowCount: b.rowCount + rows, columnCount: b.columnCount + columns };
            });
          },
          getOffsetRange(rows: number, columns: number) {
            return range(() => {
              const b = get();
              return { ...b, row: b.row + rows, column: b.column + columns };
            });
          },
          getIntersectionOrNullObject(other: { _resolve: Resolver }) {
            return range(() => {
              const a = resolve();
              const b = other._resolve();
              if (!a || !b || a.sheet !== b.sheet) return null;
              const row = Math.max(a.row, b.row);
              const column = Math.max(a.column, b.column);
              const bottom = Math.min(a.row + a.rowCount, b.row + b.rowCount);
              const right = Math.min(a.column + a.columnCount, b.column + b.columnCount);
              if (bottom <= row || right <= column) return null;
              return { sheet: a.sheet, row, column, rowCount: bottom - row, columnCount: right - column };
            });
          },
          getSpillingToRangeOrNullObject() {
            return range(() => {
              const b = resolve();
              const cell = b && cellAt(b.sheet, b.row, b.column);
              if (!b || !cell?.spill) return null;
              return {
                sheet: b.sheet,
                row: b.row,
                column: b.column,
                rowCount: cell.spill[0],
                columnCount: cell.spill[1],
              };
            });
          },
          getSpillParentOrNullObject() {
            return range(() => {
              const b = resolve();
              const cell = b && cellAt(b.sheet, b.row, b.column);
              if (!b || !cell) return null;
              if (cell.spill) return { ...b, rowCount: 1, columnCount: 1 };
              if (cell.parent)
                return { sheet: b.sheet, row: cell.parent[0], column: cell.parent[1], rowCount: 1, columnCount: 1 };
              return null;
            });
          },
          _resolve: resolve,
        },
        [
          'isNullObject',
          'values',
          'formulas',
          'numberFormat',
          'valueTypes',
          'rowIndex',
          'columnIndex',
          'rowCount',
          'columnCount',
          'address',
        ],
        () => {
          const b = resolve();
          if (!b) return { isNullObject: true };
          const big = b.rowCount * b.columnCount > 2_000_000;
          return {
            isNullObject: false,
            rowIndex: b.row,
            columnIndex: b.column,
            rowCount: b.rowCount,
            columnCount: b.columnCount,
            address: a1(b),
            ...(big
              ? {}
              : {
                  values: grid(b, valueOf),
                  formulas: grid(b, formulaOf),
                  numberFormat: grid(b, (cell) => cell?.nf ?? 'General'),
                  valueTypes: grid(b, typeOf),
                }),
          };
        },
        {
          values: (value) => {
            const b = get();
            checkShape(b, value, 'values').forEach((row, i) =>
              row.forEach((v, j) => {
                if (v !== null && v !== undefined) writeCell(b.sheet, b.row + i, b.column + j, v, false);
              }),
            );
          },
          formulas: (value) => {
            const b = get();
            checkShape(b, value, 'formulas').forEach((row, i) =>
              row.forEach((v, j) => {
                if (v !== null && v !== undefined) writeCell(b.sheet, b.row + i, b.column + j, v, true);
              }),
            );
          },
          numberFormat: (value) => {
            const b = get();
            checkShape(b, value, 'numberFormat').forEach((row, i) =>
              row.forEach((v, j) => {
                if (v !== null && v !== undefined) ensure(b.sheet, b.row + i, b.column + j).nf = String(v);
              }),
            );
          },
        },
      );
      return r;
    }

    const tableNamed = (name: string) => book.tables.find((t) => t.name.toLowerCase() === name.toLowerCase()) ?? null;
    const tableBox = (t: FakeTable | null, part: 'header' | 'body' | 'all'): Box | null => {
      const sheet = t && sheetNamed(t.sheet);
      if (!t || !sheet) return null;
      const row = part === 'body' ? t.row + 1 : t.row;
      const rowCount = part === 'header' ? 1 : part === 'body' ? t.rowCount - 1 : t.rowCount;
      return { sheet, row, column: t.column, rowCount, columnCount: t.columnCount };
    };

    function table(resolve: () => FakeTable | null) {
      const get = () => {
        const t = resolve();
        if (!t) throw new Error('ItemNotFound: the table does not exist');
        return t;
      };
      return loadable(
        {
          getHeaderRowRange: () => range(() => tableBox(resolve(), 'header'), 'the table'),
          getDataBodyRange: () => range(() => tableBox(resolve(), 'body'), 'the table'),
          getRange: () => range(() => tableBox(resolve(), 'all'), 'the table'),
          rows: {
            add(index: number | null | undefined, values?: unknown[][]) {
              queue.push(() => {
                const t = get();
                if (index !== undefined && index !== null && index !== t.rowCount - 1)
                  throw new Error('fake Excel: rows.add only appends');
                const n = values?.length ?? 1;
                const sheet = sheetNamed(t.sheet)!;
                const last = t.row + t.rowCount - 1;
                // Cells under the table, in its columns, move down.
                const below = Object.keys(sheet.cells)
                  .map((k) => k.split(',').map(Number))
                  .filter(([r, c]) => r > last && c >= t.column && c < t.column + t.columnCount)
                  .sort((x, y) => y[0] - x[0]);
                for (const [r, c] of below) {
                  sheet.cells[key(r + n, c)] = sheet.cells[key(r, c)];
                  delete sheet.cells[key(r, c)];
                }
                t.rowCount += n;
                if (values) {
                  const b: Box = { sheet, row: last + 1, column: t.column, rowCount: n, columnCount: t.columnCount };
                  checkShape(b, values, 'rows.add values').forEach((row, i) =>
                    row.forEach((v, j) => writeCell(sheet, b.row + i, b.column + j, v, false)),
                  );
                }
              });
            },
          },
        },
        ['isNullObject', 'name'],
        () => {
          const t = resolve();
          return t ? { isNullObject: false, name: t.name } : { isNullObject: true };
        },
        {
          name: (value) => {
            const t = get();
            const other = tableNamed(String(value));
            if (other && other !== t) throw new Error(`InvalidArgument: a table is already named ${String(value)}`);
            t.name = String(value);
          },
        },
      );
    }

    function chart(id: number) {
      const get = () => {
        const c = book.charts.find((x) => x.id === id);
        if (!c) throw new Error('ItemNotFound: the chart does not exist');
        return c;
      };
      const set = (f: (c: FakeChart, value: unknown) => void) => (value: unknown) => f(get(), value);
      const addressOf = (r: { _resolve: Resolver }) => a1(need(r._resolve(), 'the range'));
      const series = (slot: { index: number }) =>
        loadable(
          {
            setValues(r: { _resolve: Resolver }) {
              queue.push(() => (get().series[slot.index].values = addressOf(r)));
            },
            setXAxisValues(r: { _resolve: Resolver }) {
              queue.push(() => (get().series[slot.index].xValues = addressOf(r)));
            },
            format: {
              line: loadable({}, [], () => ({}), {
                color: set((c, v) => (c.series[slot.index].color = String(v))),
                lineStyle: set((c, v) => (c.series[slot.index].lineStyle = String(v))),
              }),
            },
          },
          ['name'],
          () => ({ name: get().series[slot.index]?.name }),
          { name: set((c, v) => (c.series[slot.index].name = String(v))) },
        );
      const axisTitle = (axis: 'valueAxis' | 'categoryAxis') =>
        loadable({}, [], () => ({}), { text: set((c, v) => (c[axis].title = String(v))) });
      return loadable(
        {
          title: loadable({}, [], () => ({}), { text: set((c, v) => (c.title = String(v))) }),
          legend: loadable({}, [], () => ({}), {
            visible: set((c, v) => (c.legend.visible = Boolean(v))),
            position: set((c, v) => (c.legend.position = String(v))),
          }),
          axes: {
            valueAxis: loadable({ title: axisTitle('valueAxis') }, [], () => ({}), {
              minimum: set((c, v) => (c.valueAxis.minimum = Number(v))),
              maximum: set((c, v) => (c.valueAxis.maximum = Number(v))),
            }),
            categoryAxis: { title: axisTitle('categoryAxis') },
          },
          setPosition(topLeft: string, bottomRight?: string) {
            queue.push(() => {
              const c = get();
              c.topLeft = topLeft;
              c.bottomRight = bottomRight;
            });
          },
          series: {
            getItemAt(index: number) {
              return series({ index });
            },
            add(name?: string) {
              const slot = { index: -1 };
              queue.push(() => {
                const c = get();
                slot.index = c.series.push({ name }) - 1;
              });
              return series(slot);
            },
          },
        },
        ['name'],
        () => ({ name: get().name }),
        { name: set((c, v) => (c.name = String(v))) },
      );
    }

    function worksheet(name: string) {
      const get = () => {
        const s = sheetNamed(name);
        if (!s) throw new Error(`ItemNotFound: no sheet ${name}`);
        return s;
      };
      const box = (row: number, column: number, rowCount: number, columnCount: number) => (): Box => ({
        sheet: get(),
        row,
        column,
        rowCount,
        columnCount,
      });
      const ws = loadable(
        {
          getRange(address?: string) {
            return range(() => {
              const sheet = get();
              if (!address) return usedBox(sheet) ?? { sheet, row: 0, column: 0, rowCount: 1, columnCount: 1 };
              return { sheet, ...parseAddress(address) };
            });
          },
          getRangeByIndexes(row: number, column: number, rowCount: number, columnCount: number) {
            return range(box(row, column, rowCount, columnCount));
          },
          getCell(row: number, column: number) {
            return range(box(row, column, 1, 1));
          },
          getUsedRangeOrNullObject() {
            return range(() => usedBox(get()));
          },
          getUsedRange() {
            return range(() => need(usedBox(get()), 'the used range (the sheet is empty)'));
          },
          activate() {
            queue.push(() => {
              book.active = get().name;
              book.selection = 'A1';
            });
          },
          tables: {
            add(address: string | { _resolve: Resolver }, hasHeaders: boolean) {
              const id = book.nextId++;
              queue.push(() => {
                const b = need(
                  typeof address === 'string' ? { sheet: get(), ...parseAddress(address) } : address._resolve(),
                  'the range',
                );
                if (b.sheet !== get()) throw new Error('InvalidArgument: the range is on another sheet');
                let n = 1;
                while (tableNamed(`Table${n}`)) n++;
                const t: FakeTable = {
                  id,
                  name: `Table${n}`,
                  sheet: b.sheet.name,
                  row: hasHeaders ? b.row : b.row - 1,
                  column: b.column,
                  rowCount: hasHeaders ? Math.max(2, b.rowCount) : b.rowCount + 1,
                  columnCount: b.columnCount,
                };
                if (t.row < 0) throw new Error('InvalidArgument: no room for the header row');
                for (let j = 0; j < t.columnCount; j++) {
                  const header = ensure(b.sheet, t.row, t.column + j);
                  if (isEmpty(header)) header.v = `Column${j + 1}`;
                }
                book.tables.push(t);
              });
              return table(() => book.tables.find((t) => t.id === id) ?? null);
            },
          },
          charts: {
            add(type: string, source: { _resolve: Resolver }, seriesBy = 'Auto') {
              const id = book.nextId++;
              queue.push(() => {
                const b = need(source._resolve(), 'the source range');
                const columns = seriesBy === 'Rows' ? b.rowCount : b.columnCount;
                const series = Array.from({ length: columns }, (_, j) => ({
                  values: a1(
                    seriesBy === 'Rows'
                      ? { ...b, row: b.row + j, rowCount: 1 }
                      : { ...b, column: b.column + j, columnCount: 1 },
                  ),
                }));
                book.charts.push({
                  id,
                  sheet: get().name,
                  name: `Chart ${id}`,
                  type,
                  source: a1(b),
                  seriesBy,
                  legend: {},
                  series,
                  valueAxis: {},
                  categoryAxis: {},
                });
              });
              return chart(id);
            },
          },
        },
        ['isNullObject', 'name', 'position'],
        () => {
          const s = sheetNamed(name);
          return s ? { isNullObject: false, name: s.name, position: book.sheets.indexOf(s) } : { isNullObject: true };
        },
      );
      return ws;
    }

    const worksheets = loadable(
      {
        getItem: (name: string) => worksheet(name),
        getItemOrNullObject: (name: string) => worksheet(name),
        getActiveWorksheet: () => worksheet(book.active),
        add(name?: string) {
          const chosen = name ?? `Sheet${book.sheets.length + 1}`;
          queue.push(() => {
            if (sheetNamed(chosen)) throw new Error(`ItemAlreadyExists: a sheet is named ${chosen}`);
            book.sheets.push({ name: chosen, cells: {}, columnWidths: {} });
          });
          return worksheet(chosen);
        },
      },
      ['items'],
      () => ({
        items: book.sheets.map((s, i) => {
          const ws = worksheet(s.name) as ReturnType<typeof worksheet> & { _preload(v: Record<string, unknown>): void };
          ws._preload({ name: s.name, position: i, isNullObject: false });
          return ws;
        }),
      }),
    );

    const tables = {
      getItem: (name: string) => table(() => tableNamed(name)),
      getItemOrNullObject: (name: string) => table(() => tableNamed(name)),
    };

    // Custom XML parts (the workbook's settings), as harness.ts has them.
    const part = (id: number) => ({
      getXml() {
        const result: { value?: string } = {};
        queue.push(() => (result.value = book.parts.find((p) => p.id === id)?.xml));
        return result;
      },
      setXml(xml: string) {
        queue.push(() => {
          const p = book.parts.find((q) => q.id === id);
          if (p) p.xml = xml;
        });
      },
      delete() {
        queue.push(() => (book.parts = book.parts.filter((p) => p.id !== id)));
      },
    });
    const customXmlParts = {
      getByNamespace(namespace: string) {
        const collection: { items: unknown[]; load: () => void } = { items: [], load: () => undefined };
        queue.push(() => {
          collection.items = book.parts.filter((p) => p.namespace === namespace).map((p) => part(p.id));
        });
        return collection;
      },
      add(xml: string) {
        const namespace = /xmlns="([^"]*)"/.exec(xml)?.[1] ?? '';
        const id = book.nextId++;
        queue.push(() => book.parts.push({ id, namespace, xml }));
        return part(id);
      },
    };

    return {
      sync,
      workbook: {
        worksheets,
        tables,
        customXmlParts,
        getSelectedRange: () =>
          range(() => {
            const sheet = sheetNamed(book.active);
            return sheet ? { sheet, ...parseAddress(book.selection) } : null;
          }),
      },
    };
  }

  const version = (v: string) => v.split('.').map(Number);
  const atMost = (wanted: string, have: string) => {
    const [a, b = 0] = version(wanted);
    const [c, d = 0] = version(have);
    return a < c || (a === c && b <= d);
  };
  const w = window as unknown as Record<string, unknown>;
  w.Office = {
    HostType: { Excel: 'Excel' },
    context: {
      host: 'Excel',
      requirements: {
        isSetSupported: (name: string, v = '1.1') => name === 'ExcelApi' && atMost(v, options.excelApi ?? '1.17'),
      },
    },
    onReady(callback?: (info: unknown) => unknown) {
      const info = { host: 'Excel', platform: 'PC' };
      return new Promise((resolve) => setTimeout(resolve, 10)).then(() => {
        if (callback) callback(info);
        return info;
      });
    },
  };
  w.Excel = {
    async run(batch: (context: unknown) => Promise<unknown>) {
      const context = newContext();
      try {
        const result = await batch(context);
        await context.sync();
        return result;
      } catch (err) {
        failures.push((err as Error).message);
        throw err;
      }
    },
  };
  // office.js is replaced by nothing: the functions bundle still associates its functions.
  class CustomFunctionError extends Error {
    constructor(
      readonly code: string,
      message?: string,
    ) {
      super(message);
    }
  }
  w.CustomFunctions = {
    associate: () => undefined,
    Error: CustomFunctionError,
    ErrorCode: { invalidValue: '#VALUE!', notAvailable: '#N/A' },
  };
  const api: FakeExcelApi = {
    book,
    save,
    failures,
    cell(sheetName, address) {
      const sheet = sheetNamed(sheetName);
      if (!sheet) throw new Error(`no sheet ${sheetName}`);
      const b = parseAddress(address);
      return ensure(sheet, b.row, b.column);
    },
    tableValues(name) {
      const t = book.tables.find((x) => x.name.toLowerCase() === name.toLowerCase());
      const sheet = t && sheetNamed(t.sheet);
      if (!t || !sheet) return null;
      const rows = grid(
        { sheet, row: t.row, column: t.column, rowCount: t.rowCount, columnCount: t.columnCount },
        valueOf,
      );
      return {
        header: rows[0],
        body: rows.slice(1),
        address: a1({ sheet, row: t.row, column: t.column, rowCount: t.rowCount, columnCount: t.columnCount }),
      };
    },
    setValue(sheetName, row, column, value) {
      const sheet = sheetNamed(sheetName);
      if (!sheet) throw new Error(`no sheet ${sheetName}`);
      writeCell(sheet, row, column, value, false);
      save();
    },
  };
  w.__fakeExcel = api;
}

const ROOT = path.resolve(__dirname, '../..');
const OFFICE_CDN = 'https://appsforoffice.microsoft.com/lib/1/hosted/';

/**
 * A new context and page on the taskpane hosted in this fake Excel (office.js replaced by
 * nothing, any other outside request refused), started (body[data-ready]).
 */
export async function openInFakeExcel(
  h: Harness,
  options: FakeHostOptions,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  if (!existsSync(path.join(ROOT, 'dist/taskpane.html')))
    throw new Error('dist/taskpane.html is missing: run `npm run build:addin` first (npm test does)');
  const context = await h.browser.newContext({ viewport: { width: 360, height: 900 } });
  context.setDefaultTimeout(10_000);
  await context.route(
    (url) => !url.href.startsWith(h.base),
    (route) =>
      route.request().url().startsWith(OFFICE_CDN)
        ? route.fulfill({ contentType: 'text/javascript', body: '/* office.js replaced by the fake host */' })
        : route.abort(),
  );
  await context.addInitScript(fakeExcelWorkbook, options);
  // Start on the Workbook tab (tabs.ts remembers the tab for the session).
  await context.addInitScript(() => {
    if (!sessionStorage.getItem('iwm-signal-analyzer:tab:v1'))
      sessionStorage.setItem('iwm-signal-analyzer:tab:v1', 'tab-workbook');
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${h.base}/taskpane.html`);
  try {
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
  } catch (err) {
    await context.close();
    throw new Error(`the taskpane did not start: ${errors.join('; ') || (err as Error).message}`, { cause: err });
  }
  return { context, page, errors };
}

/** The fake workbook as the page holds it now. */
export function readBook(page: Page): Promise<FakeBook> {
  return page.evaluate(() => (window as unknown as { __fakeExcel: FakeExcelApi }).__fakeExcel.book);
}

/** Keeps a screenshot of an element when IWM_KEEP_SCREENSHOT names a directory. */
export async function keepScreenshot(page: Page, selector: string, name: string): Promise<void> {
  const dir = process.env.IWM_KEEP_SCREENSHOT;
  if (!dir || dir === '1') return;
  await fs.mkdir(dir, { recursive: true });
  await page.locator(selector).screenshot({ path: path.join(dir, name) });
}
