/**
 * The Debrief journal: the pure rows/merge, then writeDebrief against a small in-memory
 * workbook built from office-addin-mock objects (Excel itself cannot run here).
 */
import { OfficeMockObject } from 'office-addin-mock';
import {
  DEBRIEF_SHEET_COLUMNS,
  debriefTableRows,
  fillDebrief,
  isoToSerial,
  mergeDebrief,
  planDebriefWrite,
  serialToIso,
  writeDebrief,
  type Cell,
  type DebriefEntry,
} from '../../src/common/debrief-sheet';

// Serials counted independently of the code: Excel shows 45292 as 2024-01-01.
const JAN = (day: number) => 45291 + day;
const COLUMNS = [...DEBRIEF_SHEET_COLUMNS];
const col = (name: (typeof DEBRIEF_SHEET_COLUMNS)[number]) => COLUMNS.indexOf(name);

/** A debrief as the API sends it (shape checked against api/dist's answer). */
function entry(date: string, over: Record<string, unknown> = {}): DebriefEntry {
  return {
    date,
    openingDate: '2023-12-29',
    openingComposite: 'bullish',
    openingScore: 2,
    open: 200,
    close: 203,
    move: 3,
    closeToClose: 2.5,
    deadBand: 0.7,
    direction: 'up',
    calls: [
      { layer: 'trend', call: 'bullish', correct: true, margin: 2.1 },
      { layer: 'momentum', call: 'neutral', correct: false, margin: 0.4 },
      { layer: 'breadth', call: 'unavailable', correct: null, margin: null },
      { layer: 'rs', call: null, correct: null, margin: null },
    ],
    outcome: 'correct',
    mostAccurate: 'trend',
    earliestWarning: null,
    lesson: `lesson of ${date}`,
    ...over,
  } as DebriefEntry;
}

describe('debriefTableRows', () => {
  test('maps an API entry to the journal columns', () => {
    const rows = debriefTableRows([
      entry('2026-06-03', {
        openingComposite: 'neutral',
        open: 226.39,
        close: 227.58,
        move: 1.19,
        outcome: 'failed',
        mostAccurate: 'none',
        earliestWarning: { layer: 'trend', date: '2026-06-02', close: 226.02, state: 'bearish' },
        lesson: 'respect trend',
      }),
    ]);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toHaveLength(14);
    expect(row[col('Date')]).toBe(46176);
    expect(row[col('Opening composite')]).toBe('neutral');
    expect(row.slice(col('Trend call'), col('RS call') + 1)).toEqual(['bullish', 'neutral', 'unavailable', '']);
    expect(row[col('Actual move (%)')]).toBeCloseTo(1.19 / 226.39, 12);
    expect(row[col('Outcome')]).toBe('failed');
    expect(row[col('Most accurate layer')]).toBe('none');
    expect(row[col('Earliest warning (layer)')]).toBe('trend');
    expect(row[col('Warning date')]).toBe(46175);
    expect(row[col('Warning price')]).toBe(226.02);
    expect(row[col('Lesson')]).toBe('respect trend');
    expect(row[col('Notes')]).toBe('');
  });

  test('blank where the API has nothing: no warning, no outcome, no calls, no open', () => {
    const { calls: _calls, open: _open, ...bare } = entry('2024-01-02', { outcome: null, earliestWarning: null });
    const [row] = debriefTableRows([{ ...bare, close: 100, move: -2 } as DebriefEntry]);
    expect(row.slice(col('Trend call'), col('RS call') + 1)).toEqual(['', '', '', '']);
    expect(row[col('Outcome')]).toBe('');
    expect(row.slice(col('Earliest warning (layer)'), col('Warning price') + 1)).toEqual(['', '', '']);
    // open = close - move = 102
    expect(row[col('Actual move (%)')]).toBeCloseTo(-2 / 102, 12);
  });

  test('date order, one row per session (the last entry wins)', () => {
    const rows = debriefTableRows([
      entry('2024-01-04'),
      entry('2024-01-02'),
      entry('2024-01-04', { lesson: 'second' }),
    ]);
    expect(rows.map((r) => r[0])).toEqual([JAN(2), JAN(4)]);
    expect(rows[1][col('Lesson')]).toBe('second');
  });

  test('serials round-trip and refuse what is not a day', () => {
    expect(isoToSerial('2024-01-01')).toBe(45292);
    expect(serialToIso(45292)).toBe('2024-01-01');
    expect(serialToIso(46176.75)).toBe('2026-06-03');
    expect(() => isoToSerial('2024-02-30')).toThrow(/is not a date/);
    expect(() => isoToSerial('yesterday')).toThrow(/is not a date/);
  });
});

describe('mergeDebrief', () => {
  const row = (day: number, outcome = 'correct', notes = ''): Cell[] => {
    const r: Cell[] = COLUMNS.map(() => '');
    r[col('Date')] = JAN(day);
    r[col('Outcome')] = outcome;
    r[col('Lesson')] = `lesson ${day}`;
    r[col('Notes')] = notes;
    return r;
  };

  test('updates in place, keeps notes, user columns and unknown rows, appends new sessions in date order', () => {
    const existing = [
      [...row(3, 'correct', 'my note'), 'user column'],
      [...row(2), ''],
      ['my own row', ...Array(12).fill(''), 'its note', 'x'],
    ];
    const incoming = [row(5), row(4), row(3, 'failed', 'NOT A NOTE')];
    const m = mergeDebrief(existing, incoming);
    expect(m.added).toBe(2);
    expect(m.updated).toBe(1);
    expect(m.unchanged).toBe(0);
    expect(m.rows.map((r) => r[0])).toEqual([JAN(3), JAN(2), 'my own row', JAN(4), JAN(5)]);
    expect(m.rows[0][col('Outcome')]).toBe('failed');
    expect(m.rows[0][col('Notes')]).toBe('my note');
    expect(m.rows[0][14]).toBe('user column');
    expect(m.rows[2]).toEqual(existing[2]);
    expect(m.rows[3][col('Notes')]).toBe('');
  });

  test('idempotent: merging the same sessions again changes nothing', () => {
    const incoming = [row(2), row(3, 'failed')];
    const once = mergeDebrief([row(2, 'correct', 'n')], incoming);
    const twice = mergeDebrief(once.rows, incoming);
    expect(twice.rows).toEqual(once.rows);
    expect(twice).toMatchObject({ added: 0, updated: 0, unchanged: 2 });
  });

  test('a date typed as ISO text names the same session; blank rows at the bottom are filled first', () => {
    const typed = row(2, 'correct', 'typed by hand');
    typed[0] = '2024-01-02';
    const blank = COLUMNS.map(() => '');
    const m = mergeDebrief([typed, blank, blank], [row(2), row(3)]);
    expect(m.rows).toHaveLength(3);
    expect(m.rows[0][0]).toBe(JAN(2));
    expect(m.rows[0][col('Notes')]).toBe('typed by hand');
    expect(m.rows[1][0]).toBe(JAN(3));
    expect(m.rows[2]).toEqual(blank);
    expect(m).toMatchObject({ added: 1, updated: 1 });
  });

  test('the write plan leaves unchanged cells, Notes and user columns null', () => {
    const header = [...COLUMNS.slice(0, 13), 'My grade', 'Notes'];
    const existing = row(2, 'correct', 'note');
    const body = [[...existing.slice(0, 13), 'A', 'note']];
    const plan = planDebriefWrite(header, body, [row(2, 'failed'), row(3)]);
    if (typeof plan === 'string') throw new Error(plan);
    expect(plan.rowsToAdd).toBe(1);
    const expected0: (Cell | null)[] = Array(15).fill(null);
    expected0[col('Outcome')] = 'failed';
    expect(plan.values[0]).toEqual(expected0);
    expect(plan.values[1][13]).toBeNull(); // My grade
    expect(plan.values[1][14]).toBeNull(); // Notes
    expect(plan.values[1][0]).toBe(JAN(3));
    expect(plan.numberFormat[1][0]).toBe('yyyy-mm-dd');
    expect(planDebriefWrite(['Date', 'Notes'], [], [row(2)])).toMatch(/no column "Opening composite"/);
  });
});

// ---- writeDebrief against a mock workbook ----------------------------------------------

interface FakeTable {
  name: string;
  sheet: string;
  header: Cell[];
  body: Cell[][];
  formats: (string | undefined)[][];
}

/** A workbook of sheets and tables; each proxy is an OfficeMockObject the context's sync also syncs. */
class FakeBook {
  sheets = new Map<string, { hasData: boolean }>();
  tables: FakeTable[] = [];
  syncs = 0;
  bodyWrites = 0;
  private readonly proxies: OfficeMockObject[] = [];
  private readonly atSync: (() => void)[] = [];

  table(name = 'IWMDebrief'): FakeTable | undefined {
    return this.tables.find((t) => t.name === name);
  }

  private track(seed: Record<string, unknown>): OfficeMockObject {
    const m = new OfficeMockObject(seed);
    this.proxies.push(m);
    return m;
  }

  /** A range over a table's header or body as it is now; what is assigned is applied at sync, null cells skipped. */
  private range(t: FakeTable, part: 'header' | 'body'): OfficeMockObject {
    const read = (): Cell[][] => (part === 'header' ? [[...t.header]] : t.body.map((r) => [...r]));
    const seedValues = read();
    const rows = seedValues.length;
    const cols = t.header.length;
    const m = this.track({ values: seedValues });
    const applied = new Set<unknown>([seedValues]);
    this.atSync.push(() => {
      const p = m as unknown as { values: unknown; numberFormat?: unknown };
      for (const [key, value] of [
        ['values', p.values],
        ['numberFormat', p.numberFormat],
      ] as const) {
        if (!Array.isArray(value) || applied.has(value)) continue;
        applied.add(value);
        const matrix = value as unknown[][];
        if (matrix.length !== rows || matrix.some((r) => r.length !== cols)) {
          throw new Error(`InvalidArgument: ${key} is ${matrix.length} rows for a range of ${rows}x${cols}`);
        }
        if (key === 'values' && part === 'body') this.bodyWrites++;
        matrix.forEach((r, i) =>
          r.forEach((v, j) => {
            if (v === null) return;
            if (key === 'numberFormat') t.formats[i][j] = v as string;
            else if (part === 'header') t.header[j] = v as Cell;
            else t.body[i][j] = v as Cell;
          }),
        );
      }
    });
    return m;
  }

  private tableProxy(t: FakeTable | undefined): OfficeMockObject {
    if (!t) return this.track({ isNullObject: true });
    const m = this.track({
      isNullObject: false,
      getHeaderRowRange: () => this.range(t, 'header'),
      getDataBodyRange: () => this.range(t, 'body'),
      rows: {
        add: (_index: unknown, values: unknown[][]) => {
          if (!values.every((r) => r.length === t.header.length)) throw new Error('InvalidArgument: row width');
          for (const r of values) {
            t.body.push([...(r as Cell[])]);
            t.formats.push(Array(t.header.length).fill(undefined));
          }
        },
      },
    });
    // A name assigned to the proxy renames the table at sync.
    this.atSync.push(() => {
      const name = (m as unknown as { name?: unknown }).name;
      if (typeof name === 'string') t.name = name;
    });
    return m;
  }

  private sheetProxy(name: string): OfficeMockObject {
    return this.track({
      isNullObject: !this.sheets.has(name),
      getUsedRangeOrNullObject: () => this.track({ isNullObject: !this.sheets.get(name)?.hasData }),
      getRangeByIndexes: (row: number, column: number, rowCount: number, columnCount: number) => ({
        sheet: name,
        row,
        column,
        rowCount,
        columnCount,
      }),
      tables: {
        // As Excel does: a table made from a header row alone gets one blank body row.
        add: (at: { row: number; column: number; rowCount: number; columnCount: number }, hasHeaders: boolean) => {
          if (at.rowCount !== 1 || !hasHeaders) throw new Error('unexpected table source');
          const width = at.columnCount;
          const t: FakeTable = {
            name: `Table${this.tables.length + 1}`,
            sheet: name,
            header: Array.from({ length: width }, (_, i) => `Column${i + 1}`),
            body: [Array(width).fill('')],
            formats: [Array(width).fill(undefined)],
          };
          this.tables.push(t);
          this.sheets.get(name)!.hasData = true;
          return this.tableProxy(t);
        },
      },
    });
  }

  context(): Excel.RequestContext {
    const ctx = new OfficeMockObject({
      workbook: {
        tables: {
          getItemOrNullObject: (name: string) => this.tableProxy(this.table(name)),
        },
        worksheets: {
          getItemOrNullObject: (name: string) => this.sheetProxy(name),
          add: (name: string) => {
            if (this.sheets.has(name)) throw new Error(`a sheet ${name} exists`);
            this.sheets.set(name, { hasData: false });
            return this.sheetProxy(name);
          },
        },
      },
    });
    const base = ctx.sync.bind(ctx);
    ctx.sync = async () => {
      this.syncs++;
      for (const apply of this.atSync) apply();
      await base();
      for (const p of this.proxies) await p.sync();
    };
    return ctx as unknown as Excel.RequestContext;
  }

  /** The table's column by header name. */
  column(name: string): Cell[] {
    const t = this.table()!;
    const at = t.header.indexOf(name);
    return t.body.map((r) => r[at]);
  }
}

describe('writeDebrief', () => {
  test('twice over a range: each session once, notes kept, a changed outcome updated, a new session appended', async () => {
    const book = new FakeBook();
    const first = await writeDebrief(book.context(), [entry('2024-01-02'), entry('2024-01-04'), entry('2024-01-03')]);
    expect(first).toMatchObject({ added: 3, updated: 0 });
    const t = book.table()!;
    expect(t.sheet).toBe('Debrief');
    expect(t.header).toEqual(COLUMNS);
    expect(book.column('Date')).toEqual([JAN(2), JAN(3), JAN(4)]);
    expect(book.column('Trend call')).toEqual(['bullish', 'bullish', 'bullish']);
    expect(book.column('Actual move (%)')).toEqual([0.015, 0.015, 0.015]);
    expect(t.formats.map((f) => f[col('Date')])).toEqual(['yyyy-mm-dd', 'yyyy-mm-dd', 'yyyy-mm-dd']);
    expect(t.formats[0][col('Actual move (%)')]).toBe('0.00%');

    // The user writes a note, adds a row of their own.
    t.body[1][col('Notes')] = 'Fed day, ignore';
    t.body.push(['idea', ...Array(12).fill(''), 'my own row']);
    t.formats.push(Array(14).fill(undefined));

    const second = await writeDebrief(book.context(), [
      entry('2024-01-03', { outcome: 'failed', lesson: 'revised' }),
      entry('2024-01-04'),
      entry('2024-01-05'),
    ]);
    expect(second).toMatchObject({ added: 1, updated: 1, unchanged: 1 });
    expect(book.column('Date')).toEqual([JAN(2), JAN(3), JAN(4), 'idea', JAN(5)]);
    expect(book.column('Outcome')).toEqual(['correct', 'failed', 'correct', '', 'correct']);
    expect(book.column('Lesson')[1]).toBe('revised');
    expect(book.column('Notes')).toEqual(['', 'Fed day, ignore', '', 'my own row', '']);
    expect(second.message).toMatch(/1 added, 1 updated/);

    // Once more with the same answer: nothing to write.
    const before = JSON.stringify(book.tables);
    const writes = book.bodyWrites;
    const third = await writeDebrief(book.context(), [
      entry('2024-01-03', { outcome: 'failed', lesson: 'revised' }),
      entry('2024-01-04'),
      entry('2024-01-05'),
    ]);
    expect(third).toMatchObject({ added: 0, updated: 0, unchanged: 3 });
    expect(JSON.stringify(book.tables)).toBe(before);
    expect(book.bodyWrites).toBe(writes);
  });

  test('earlier sessions written later are appended, in date order, below a table the user sorted', async () => {
    const book = new FakeBook();
    await writeDebrief(book.context(), [entry('2024-01-08'), entry('2024-01-09')]);
    book.table()!.body.reverse(); // sorted newest first by the user
    const r = await writeDebrief(book.context(), [entry('2024-01-05'), entry('2024-01-04'), entry('2024-01-09')]);
    expect(r).toMatchObject({ added: 2, updated: 0, unchanged: 1 });
    expect(book.column('Date')).toEqual([JAN(9), JAN(8), JAN(4), JAN(5)]);
  });

  test('columns are found by header: a moved column and a user column are respected', async () => {
    const book = new FakeBook();
    await writeDebrief(book.context(), [entry('2024-01-02')]);
    const t = book.table()!;
    // Move Outcome to the end, insert "My grade" before Notes.
    const move = (r: Cell[], extra: Cell) => {
      const out = r.filter((_, i) => i !== col('Outcome'));
      out.splice(12, 0, extra);
      return [...out, r[col('Outcome')]];
    };
    t.header = move(t.header, 'My grade');
    t.body = t.body.map((r) => move(r, 'B+'));
    t.formats = t.body.map((r) => r.map(() => undefined));
    const r = await writeDebrief(book.context(), [entry('2024-01-02', { outcome: 'failed' }), entry('2024-01-03')]);
    expect(r).toMatchObject({ added: 1, updated: 1 });
    expect(book.column('Outcome')).toEqual(['failed', 'correct']);
    expect(book.column('My grade')).toEqual(['B+', '']);
    expect(book.column('Lesson')).toEqual(['lesson of 2024-01-02', 'lesson of 2024-01-03']);
  });

  test('an empty or malformed list writes nothing, not even the sheet, and says so', async () => {
    const book = new FakeBook();
    const empty = await writeDebrief(book.context(), []);
    expect(empty).toMatchObject({ added: 0, updated: 0 });
    expect(empty.message).toMatch(/no debrief sessions/i);
    const { lesson: _lesson, ...noLesson } = entry('2024-01-02');
    const bad = await writeDebrief(book.context(), [entry('2024-01-03'), noLesson as DebriefEntry]);
    expect(bad.message).toMatch(/not a debrief.*lesson/i);
    const badDate = await writeDebrief(book.context(), [entry('yesterday')]);
    expect(badDate.message).toMatch(/not a debrief.*yesterday/i);
    expect(book.sheets.size).toBe(0);
    expect(book.tables).toHaveLength(0);
    expect(book.syncs).toBe(0);
  });

  test('a Debrief sheet with data but no table is left alone', async () => {
    const book = new FakeBook();
    book.sheets.set('Debrief', { hasData: true });
    const r = await writeDebrief(book.context(), [entry('2024-01-02')]);
    expect(r).toMatchObject({ added: 0, updated: 0 });
    expect(r.message).toMatch(/has data but no table IWMDebrief/);
    expect(book.tables).toHaveLength(0);
  });

  test('a table whose Date column was renamed is not written', async () => {
    const book = new FakeBook();
    await writeDebrief(book.context(), [entry('2024-01-02')]);
    book.table()!.header[0] = 'Day';
    const before = JSON.stringify(book.tables);
    const r = await writeDebrief(book.context(), [entry('2024-01-03')]);
    expect(r.message).toMatch(/no column "Date"/);
    expect(JSON.stringify(book.tables)).toBe(before);
  });
});

describe('fillDebrief', () => {
  test('asks the API for the range and writes its sessions', async () => {
    const book = new FakeBook();
    const calls: [string, Record<string, unknown>][] = [];
    const client = {
      call: async (fn: string, args: Record<string, unknown>) => {
        calls.push([fn, args]);
        return { meta: { sample: true }, debriefs: [entry('2024-01-02'), entry('2024-01-03')] };
      },
    };
    const r = await fillDebrief(book.context(), client, { from: '2024-01-02', to: '2024-01-03', symbol: 'IWM' });
    expect(calls).toEqual([['debrief', { from: '2024-01-02', to: '2024-01-03', symbol: 'IWM' }]]);
    expect(r).toMatchObject({ added: 2, updated: 0 });
    expect(r.message).toMatch(/SAMPLE DATA/);
    expect(book.column('Date')).toEqual([JAN(2), JAN(3)]);
  });

  test('an answer without debriefs writes nothing; an API failure is passed on', async () => {
    const book = new FakeBook();
    const r = await fillDebrief(book.context(), { call: async () => ({ oops: 1 }) }, { date: -1 });
    expect(r.message).toMatch(/without debriefs/);
    expect(book.syncs).toBe(0);
    await expect(
      fillDebrief(
        book.context(),
        {
          call: async () => {
            throw new Error('cannot reach the IWM API');
          },
        },
        { date: -1 },
      ),
    ).rejects.toThrow(/cannot reach/);
  });
});
