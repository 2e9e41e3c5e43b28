/**
 * The dashboard and starter-template sheets: the layouts against hand-written
 * expectations, then insertDashboard / insertStarterTemplate against a small workbook
 * built on office-addin-mock (Excel itself cannot run here). What the code assigns to a
 * range or a chart only lands in the fake workbook when the context syncs, as in Excel.
 */
import { OfficeMockObject } from 'office-addin-mock';
import { FIELD_NAMES } from '../../api/src/engine/fields';
import {
  STARTER_LAYOUT,
  checkSheetName,
  dashboardLayout,
  freeSheetName,
  insertDashboard,
  insertStarterTemplate,
  type SheetLayout,
} from '../../src/common/dashboard';

// ---- A1 helpers written for the test (independent of the module's) -----------------------

interface Rect {
  c0: number;
  r0: number;
  c1: number;
  r1: number;
}

const colNum = (letters: string) => [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);

function rect(address: string): Rect {
  const [a, b = a] = address.split(':');
  const p = (s: string) => {
    const m = /^([A-Z]+)(\d+)$/.exec(s);
    if (!m) throw new Error(`bad address ${s}`);
    return { c: colNum(m[1]), r: Number(m[2]) };
  };
  const x = p(a);
  const y = p(b);
  return { c0: x.c, r0: x.r, c1: y.c, r1: y.r };
}

const overlaps = (a: Rect, b: Rect) => a.c0 <= b.c1 && b.c0 <= a.c1 && a.r0 <= b.r1 && b.r0 <= a.r1;
const inside = (cell: string, area: string) => overlaps(rect(cell), rect(area));

/** Every single cell a layout writes: notes, labels, formulas, helper headers and bodies. */
function writtenCells(layout: SheetLayout): Map<string, string> {
  const out = new Map<string, string>();
  const put = (address: string, what: string) => {
    if (out.has(address)) throw new Error(`${address} written twice`);
    out.set(address, what);
  };
  for (const n of layout.notes) put(n.address, n.text);
  for (const c of layout.cells) {
    if (c.label) {
      const { c0, r0 } = rect(c.address);
      put(`${String.fromCharCode(64 + c0 - 1)}${r0}`, c.label);
    }
    put(c.address, c.formula);
  }
  for (const col of layout.columns) {
    put(col.address, col.header);
    const m = /^([A-Z]+)(\d+)$/.exec(col.address)!;
    col.formulas.forEach((f, i) => put(`${m[1]}${Number(m[2]) + 1 + i}`, f));
  }
  return out;
}

// ---- A fake workbook ---------------------------------------------------------------------

interface Cell {
  value?: unknown;
  formula?: unknown;
  numberFormat?: unknown;
  bold?: boolean;
}

interface FakeSeries {
  name?: string;
  values?: string;
  xValues?: string;
  color?: string;
  lineStyle?: string;
}

interface FakeChart {
  type: string;
  source: string;
  seriesBy: string;
  name?: string;
  title?: string;
  position?: [string, string];
  legend: { visible?: boolean; position?: string };
  series: FakeSeries[];
  valueAxis: { title?: string; minimum?: number; maximum?: number };
  categoryAxisTitle?: string;
}

interface FakeSheet {
  name: string;
  cells: Map<string, Cell>;
  charts: FakeChart[];
  widths: Record<string, number>;
}

/** A range proxy: the fake keeps its address where the code cannot read it (Excel needs a load). */
interface RangeProxy {
  __address: string;
  values?: unknown[][];
  formulas?: unknown[][];
  numberFormat?: unknown[][];
  format: { columnWidth?: number; font: { bold?: boolean; italic?: boolean; size?: number } };
}

class FakeBook {
  sheets: FakeSheet[] = [];
  active: string | null = null;
  syncs = 0;
  private pending: (() => void)[] = [];

  constructor(existing: { name: string; cells?: Record<string, unknown> }[] = []) {
    for (const e of existing) {
      const cells = new Map(Object.entries(e.cells ?? {}).map(([a, v]) => [a, { value: v } as Cell]));
      this.sheets.push({ name: e.name, cells, charts: [], widths: {} });
    }
  }

  sheet(name: string): FakeSheet {
    const s = this.sheets.find((x) => x.name === name);
    if (!s) throw new Error(`no sheet ${name}`);
    return s;
  }

  private rangeProxy(sheet: FakeSheet, address: string): RangeProxy {
    const proxy: RangeProxy = { __address: address, format: { font: {} } };
    this.pending.push(() => {
      const whole = /^([A-Z]+):\1$/.exec(address);
      if (whole) {
        if (proxy.format.columnWidth !== undefined) sheet.widths[whole[1]] = proxy.format.columnWidth;
        return;
      }
      const r = rect(address);
      const rows = r.r1 - r.r0 + 1;
      const cols = r.c1 - r.c0 + 1;
      for (const key of ['values', 'formulas', 'numberFormat'] as const) {
        const m = proxy[key];
        if (m === undefined) continue;
        if (m.length !== rows || m.some((row) => row.length !== cols))
          throw new Error(`InvalidArgument: ${key} for ${address} is not ${rows}x${cols}`);
        m.forEach((row, i) =>
          row.forEach((v, j) => {
            const a = `${String.fromCharCode(64 + r.c0 + j)}${r.r0 + i}`;
            const cell = sheet.cells.get(a) ?? {};
            if (key === 'values') cell.value = v;
            else if (key === 'formulas') cell.formula = v;
            else cell.numberFormat = v;
            if (proxy.format.font.bold) cell.bold = true;
            sheet.cells.set(a, cell);
          }),
        );
      }
    });
    return proxy;
  }

  private seriesProxy(chart: FakeChart, index: number, name?: string) {
    const proxy = {
      name,
      format: { line: {} as { color?: string; lineStyle?: string } },
      setValues: (r: RangeProxy) => {
        this.pending.push(() => (chart.series[index].values = r.__address));
      },
      setXAxisValues: (r: RangeProxy) => {
        this.pending.push(() => (chart.series[index].xValues = r.__address));
      },
    };
    this.pending.push(() => {
      chart.series[index].name = proxy.name;
      chart.series[index].color = proxy.format.line.color;
      chart.series[index].lineStyle = proxy.format.line.lineStyle;
    });
    return proxy;
  }

  private sheetProxy(sheet: FakeSheet) {
    return {
      getRange: (address: string) => this.rangeProxy(sheet, address),
      activate: () => this.pending.push(() => (this.active = sheet.name)),
      charts: {
        add: (type: string, source: RangeProxy, seriesBy: string) => {
          // The chart comes with one series made from its source, but what Excel makes of
          // cells that are still calculating (a header row? categories?) is a guess: the
          // code must set every series' values itself.
          const chart: FakeChart = {
            type,
            source: source.__address,
            seriesBy,
            legend: {},
            series: [{ name: 'Series1', values: `guessed from ${source.__address}` }],
            valueAxis: {},
          };
          const proxy = {
            name: undefined as string | undefined,
            title: {} as { text?: string },
            legend: chart.legend,
            setPosition: (a: string, b: string) => this.pending.push(() => (chart.position = [a, b])),
            axes: {
              valueAxis: { title: {} as { text?: string } } as Record<string, unknown>,
              categoryAxis: { title: {} as { text?: string } },
            },
            series: {
              getItemAt: (i: number) => {
                if (i >= chart.series.length) throw new Error(`ItemNotFound: series ${i}`);
                return this.seriesProxy(chart, i, chart.series[i].name);
              },
              add: (name: string) => {
                chart.series.push({ name });
                return this.seriesProxy(chart, chart.series.length - 1, name);
              },
            },
          };
          this.pending.push(() => {
            chart.name = proxy.name;
            chart.title = proxy.title.text;
            const v = proxy.axes.valueAxis as { title: { text?: string }; minimum?: number; maximum?: number };
            chart.valueAxis = { title: v.title.text, minimum: v.minimum, maximum: v.maximum };
            chart.categoryAxisTitle = proxy.axes.categoryAxis.title.text;
            if (!sheet.charts.includes(chart)) sheet.charts.push(chart);
          });
          return proxy;
        },
      },
    };
  }

  context(): Excel.RequestContext {
    // What the code reads (each sheet's name) is loaded through the mock, so a read without
    // load + sync fails as it would in Excel.
    const ctx = new OfficeMockObject({
      workbook: {
        worksheets: {
          items: this.sheets.map((s) => ({ name: s.name })),
          add: (name: string) => {
            if (this.sheets.some((s) => s.name.toLowerCase() === name.toLowerCase()))
              throw new Error(`ItemAlreadyExists: a sheet ${name} exists`);
            const sheet: FakeSheet = { name, cells: new Map(), charts: [], widths: {} };
            this.sheets.push(sheet);
            return this.sheetProxy(sheet);
          },
        },
      },
    });
    const base = ctx.sync.bind(ctx);
    ctx.sync = async () => {
      this.syncs++;
      const todo = this.pending;
      this.pending = [];
      for (const apply of todo) apply();
      await base();
    };
    return ctx as unknown as Excel.RequestContext;
  }
}

const formula = (sheet: FakeSheet, address: string) => sheet.cells.get(address)?.formula;
const value = (sheet: FakeSheet, address: string) => sheet.cells.get(address)?.value;

const HISTORY_250 =
  '=IWM.HISTORY(-250,,"date,close,rotation.ratio,rotation.ratioSma,rotation.bandPct,breadth.pct50,composite.score")';

// ---- The dashboard's layout --------------------------------------------------------------

describe('dashboardLayout', () => {
  const layout = dashboardLayout();
  const cells = writtenCells(layout);

  test('the latest reading: labels in A, live formulas in B; status and history spill from D3 and A17', () => {
    const expected: Record<string, string> = {
      A3: 'Composite',
      B3: '=IWM.COMPOSITE()',
      A4: 'Score',
      B4: '=IWM.SCORE()',
      A5: 'Rotation',
      B5: '=IWM.ROTATION()',
      A6: 'Size',
      B6: '=IWM.SIZE()',
      A7: 'Trend',
      B7: '=IWM.TREND()',
      A8: 'Momentum',
      B8: '=IWM.MOMENTUM()',
      A9: 'Breadth',
      B9: '=IWM.BREADTH()',
      A10: 'Relative strength',
      B10: '=IWM.RELSTRENGTH()',
      A11: 'Last bar',
      B11: '=IWM.SIGNAL("date")',
      D3: '=IWM.STATUS()',
      A17: HISTORY_250,
    };
    for (const [address, text] of Object.entries(expected))
      expect([address, cells.get(address)]).toEqual([address, text]);
    expect(layout.cells.find((c) => c.address === 'B6')?.numberFormat).toBe('0%');
  });

  test('the helper columns: headers in row 17, one formula per session in rows 18-267', () => {
    expect(layout.columns.map((c) => [c.address, c.header, c.formulas.length])).toEqual([
      ['H17', 'average (chart)', 250],
      ['I17', 'band high (20-session max)', 250],
      ['J17', 'band low (20-session min)', 250],
      ['K17', 'band % (check: = bandPct)', 250],
      ['L17', 'pct50 (chart)', 250],
      ['M17', 'washout 30', 250],
      ['N17', 'full size 50', 250],
      ['O17', 'divergence 55', 250],
      ['P17', 'score (chart)', 250],
    ]);
    expect(cells.has('P267')).toBe(true);
    expect(cells.has('P268')).toBe(false);
    expect(cells.has('Q17')).toBe(false);
    for (let r = 18; r <= 267; r++) {
      expect([cells.get(`M${r}`), cells.get(`N${r}`), cells.get(`O${r}`)]).toEqual(['30', '50', '55']);
    }
  });

  // The table shows a missing number as "" (tables.ts), which a line chart draws as 0.
  test('chart copies turn an empty table cell into #N/A: average (D), pct50 (F), score (G)', () => {
    expect(cells.get('H18')).toBe('=IF(ISNUMBER(D18),D18,NA())');
    expect(cells.get('L18')).toBe('=IF(ISNUMBER(F18),F18,NA())');
    expect(cells.get('P18')).toBe('=IF(ISNUMBER(G18),G18,NA())');
    expect(cells.get('H267')).toBe('=IF(ISNUMBER(D267),D267,NA())');
    expect(cells.get('L200')).toBe('=IF(ISNUMBER(F200),F200,NA())');
    expect(cells.get('P267')).toBe('=IF(ISNUMBER(G267),G267,NA())');
  });

  // SIGNALS.md, Rotation: bandPct = (max - min) / mean of r over the last 20 sessions x 100.
  // The band is that max and min; the table starts at row 18, so row 37 is the first full window.
  test('the rotation band is the 20-session max and min of the ratio (column C), as SIGNALS.md defines it', () => {
    expect(cells.get('I18')).toBe('=NA()');
    expect(cells.get('I36')).toBe('=NA()');
    expect(cells.get('J36')).toBe('=NA()');
    expect(cells.get('K36')).toBe('=NA()');
    expect(cells.get('I37')).toBe('=IF(COUNT(C18:C37)=20,MAX(C18:C37),NA())');
    expect(cells.get('J37')).toBe('=IF(COUNT(C18:C37)=20,MIN(C18:C37),NA())');
    expect(cells.get('K37')).toBe('=IF(COUNT(C18:C37)=20,(I37-J37)/AVERAGE(C18:C37)*100,NA())');
    expect(cells.get('I267')).toBe('=IF(COUNT(C248:C267)=20,MAX(C248:C267),NA())');
    expect(cells.get('J267')).toBe('=IF(COUNT(C248:C267)=20,MIN(C248:C267),NA())');
    expect(cells.get('K267')).toBe('=IF(COUNT(C248:C267)=20,(I267-J267)/AVERAGE(C248:C267)*100,NA())');
  });

  test('evaluated over a ratio series, the band columns give bandPct by its definition', () => {
    // A ratio with a gap (a missing close: an empty cell) at row 100.
    const ratio = new Map<number, number | ''>();
    for (let r = 18; r <= 267; r++) ratio.set(r, r === 100 ? '' : 0.3 + 0.01 * Math.sin(r / 7) + 0.0003 * r);
    const nums = (a: number, b: number) =>
      [...Array(b - a + 1).keys()].map((i) => ratio.get(a + i)).filter((v): v is number => typeof v === 'number');
    const band = new Map<string, number | 'NA'>();
    /** The three formula shapes of the helper columns, nothing more. */
    const evaluate = (address: string): number | 'NA' => {
      const f = cells.get(address)!;
      if (f === '=NA()') return 'NA';
      const m = /^=IF\(COUNT\(C(\d+):C(\d+)\)=(\d+),(.*),NA\(\)\)$/.exec(f);
      if (!m) throw new Error(`unexpected ${address}: ${f}`);
      const window = nums(Number(m[1]), Number(m[2]));
      if (window.length !== Number(m[3])) return 'NA';
      if (m[4] === `MAX(C${m[1]}:C${m[2]})`) return Math.max(...window);
      if (m[4] === `MIN(C${m[1]}:C${m[2]})`) return Math.min(...window);
      const p = /^\(I(\d+)-J(\d+)\)\/AVERAGE\(C(\d+):C(\d+)\)\*100$/.exec(m[4]);
      if (!p) throw new Error(`unexpected ${address}: ${f}`);
      const hi = band.get(`I${p[1]}`)!;
      const lo = band.get(`J${p[2]}`)!;
      const avg = window.reduce((s, x) => s + x, 0) / window.length;
      return hi === 'NA' || lo === 'NA' ? 'NA' : ((hi - lo) / avg) * 100;
    };
    for (let r = 18; r <= 267; r++) for (const c of 'IJK') band.set(`${c}${r}`, evaluate(`${c}${r}`));
    for (let r = 18; r <= 267; r++) {
      // By hand: the sessions r-19..r all have a ratio, else undefined.
      const w = r - 19 >= 18 ? nums(r - 19, r) : [];
      if (w.length < 20) {
        expect([r, band.get(`K${r}`)]).toEqual([r, 'NA']);
        continue;
      }
      const want = ((Math.max(...w) - Math.min(...w)) / (w.reduce((s, x) => s + x, 0) / 20)) * 100;
      expect(band.get(`K${r}`)).toBeCloseTo(want, 12);
    }
    expect(band.get('K119')).toBe('NA'); // window 100..119 holds the gap
    expect(band.get('K120')).not.toBe('NA');
  });

  test('every field the sheets ask for exists', () => {
    const fields = /"([^"]*)"\)$/.exec(cells.get('A17')!)![1].split(',');
    const signals = [...writtenCells(layout).values(), ...writtenCells(STARTER_LAYOUT).values()]
      .map((f) => /IWM\.SIGNAL\("([^"]+)"\)/.exec(f)?.[1])
      .filter((f): f is string => f !== undefined);
    expect(signals).toEqual(expect.arrayContaining(['date', 'macro.phase']));
    for (const f of [...fields, ...signals]) expect([f, FIELD_NAMES.includes(f)]).toEqual([f, true]);
  });

  test('nothing is written where a table spills; charts sit beside the blocks, apart', () => {
    const spills: Record<string, string> = { D3: 'D3:E14', A17: 'A17:G267' };
    for (const address of cells.keys()) {
      for (const [anchor, area] of Object.entries(spills)) {
        if (address !== anchor) expect([address, inside(address, area)]).toEqual([address, false]);
      }
    }
    const used = [...cells.keys()].map(rect);
    const charts = layout.charts.map((c) => rect(`${c.topLeft}:${c.bottomRight}`));
    for (const chart of charts) {
      for (const u of used) expect(overlaps(chart, u)).toBe(false);
      for (const area of Object.values(spills)) expect(overlaps(chart, rect(area))).toBe(false);
    }
    expect(overlaps(charts[0], charts[1]) || overlaps(charts[1], charts[2]) || overlaps(charts[0], charts[2])).toBe(
      false,
    );
  });

  test('sessions sizes the history and every fixed range; a bad count is refused', () => {
    const small = dashboardLayout(60);
    const c = writtenCells(small);
    expect(c.get('A17')).toBe(
      '=IWM.HISTORY(-60,,"date,close,rotation.ratio,rotation.ratioSma,rotation.bandPct,breadth.pct50,composite.score")',
    );
    expect(c.has('P77')).toBe(true);
    expect(c.has('P78')).toBe(false);
    expect(small.charts[0].series[0].values).toBe('C18:C77');
    expect(small.charts[2].categories).toBe('A18:A77');
    for (const bad of [0, -5, 2.5, NaN, 10_001]) expect(() => dashboardLayout(bad)).toThrow(/sessions/);
  });
});

// ---- insertDashboard against the fake workbook -------------------------------------------

describe('insertDashboard', () => {
  test('adds the sheet with its formulas, helper columns and three line charts, and activates it', async () => {
    const book = new FakeBook([{ name: 'Sheet1', cells: { A1: 'keep' } }]);
    const result = await insertDashboard(book.context());
    expect(result).toEqual({ sheet: 'IWM Dashboard', charts: ['IWM Rotation', 'IWM Breadth', 'IWM Composite'] });
    expect(book.active).toBe('IWM Dashboard');
    const s = book.sheet('IWM Dashboard');

    expect(value(s, 'A1')).toBe('IWM Dashboard');
    expect(s.cells.get('A1')?.bold).toBe(true);
    expect(value(s, 'A3')).toBe('Composite');
    expect(formula(s, 'B3')).toBe('=IWM.COMPOSITE()');
    expect(formula(s, 'B4')).toBe('=IWM.SCORE()');
    expect(formula(s, 'B5')).toBe('=IWM.ROTATION()');
    expect(formula(s, 'B6')).toBe('=IWM.SIZE()');
    expect(s.cells.get('B6')?.numberFormat).toBe('0%');
    expect(formula(s, 'B7')).toBe('=IWM.TREND()');
    expect(formula(s, 'B8')).toBe('=IWM.MOMENTUM()');
    expect(formula(s, 'B9')).toBe('=IWM.BREADTH()');
    expect(formula(s, 'B10')).toBe('=IWM.RELSTRENGTH()');
    expect(formula(s, 'B11')).toBe('=IWM.SIGNAL("date")');
    expect(formula(s, 'D3')).toBe('=IWM.STATUS()');
    expect(formula(s, 'A17')).toBe(HISTORY_250);
    expect(value(s, 'I17')).toBe('band high (20-session max)');
    expect(s.cells.get('I17')?.bold).toBe(true);
    expect(formula(s, 'H18')).toBe('=IF(ISNUMBER(D18),D18,NA())');
    expect(formula(s, 'I37')).toBe('=IF(COUNT(C18:C37)=20,MAX(C18:C37),NA())');
    expect(formula(s, 'J267')).toBe('=IF(COUNT(C248:C267)=20,MIN(C248:C267),NA())');
    expect(formula(s, 'L18')).toBe('=IF(ISNUMBER(F18),F18,NA())');
    expect(formula(s, 'M267')).toBe('30');
    expect(formula(s, 'O18')).toBe('55');
    expect(formula(s, 'P267')).toBe('=IF(ISNUMBER(G267),G267,NA())');
    expect(s.cells.has('P268')).toBe(false);
    // Nothing inside the spill areas but their anchors.
    expect(s.cells.has('B18')).toBe(false);
    expect(s.cells.has('E14')).toBe(false);
    expect(s.widths.A).toBeGreaterThan(0);

    expect(s.charts).toHaveLength(3);
    const [rotation, breadth, composite] = s.charts;
    for (const c of s.charts) {
      expect(c.type).toBe('Line');
      expect(c.seriesBy).toBe('Columns');
      expect(c.categoryAxisTitle).toBe('Session');
      expect(c.legend).toEqual({ visible: true, position: 'Bottom' });
      for (const series of c.series) expect(series.xValues).toBe('A18:A267');
    }

    expect(rotation.name).toBe('IWM Rotation');
    expect(rotation.title).toBe('IWM/SPY ratio, 50-day average and rotation band');
    expect(rotation.source).toBe('C18:C267');
    expect(rotation.series.map((x) => [x.name, x.values])).toEqual([
      ['IWM/SPY ratio', 'C18:C267'],
      ['50-day average', 'H18:H267'],
      ['band high (20 sessions)', 'I18:I267'],
      ['band low (20 sessions)', 'J18:J267'],
    ]);
    expect(rotation.series.map((x) => x.lineStyle)).toEqual([undefined, undefined, 'Dash', 'Dash']);
    expect(rotation.valueAxis.title).toBe('IWM/SPY');
    expect(rotation.position).toEqual(['R2', 'AA19']);

    expect(breadth.name).toBe('IWM Breadth');
    expect(breadth.source).toBe('L18:L267');
    expect(breadth.series.map((x) => [x.name, x.values])).toEqual([
      ['pct50', 'L18:L267'],
      ['washout 30', 'M18:M267'],
      ['full size 50', 'N18:N267'],
      ['divergence 55', 'O18:O267'],
    ]);
    expect(breadth.valueAxis).toEqual({ title: '% above 50-day', minimum: 0, maximum: 100 });
    expect(breadth.position).toEqual(['R21', 'AA38']);

    expect(composite.name).toBe('IWM Composite');
    expect(composite.title).toBe('Composite score');
    expect(composite.source).toBe('P18:P267');
    expect(composite.series.map((x) => [x.name, x.values])).toEqual([['composite score', 'P18:P267']]);
    expect(composite.position).toEqual(['R40', 'AA57']);

    expect(book.sheet('Sheet1').cells).toEqual(new Map([['A1', { value: 'keep' }]]));
  });

  test('an existing dashboard is left alone: the new one is "IWM Dashboard (2)"', async () => {
    const book = new FakeBook([{ name: 'IWM Dashboard', cells: { A1: 'my notes', B3: 42 } }]);
    const before = JSON.stringify([...book.sheet('IWM Dashboard').cells]);
    const result = await insertDashboard(book.context(), { sessions: 30 });
    expect(result.sheet).toBe('IWM Dashboard (2)');
    expect(book.sheets.map((s) => s.name)).toEqual(['IWM Dashboard', 'IWM Dashboard (2)']);
    expect(JSON.stringify([...book.sheet('IWM Dashboard').cells])).toBe(before);
    expect(book.sheet('IWM Dashboard').charts).toEqual([]);
    const s = book.sheet('IWM Dashboard (2)');
    expect(formula(s, 'B3')).toBe('=IWM.COMPOSITE()');
    expect(formula(s, 'A17')).toMatch(/^=IWM\.HISTORY\(-30,,"/);
    expect(s.charts[0].series[0].values).toBe('C18:C47');
    expect(book.active).toBe('IWM Dashboard (2)');
  });

  test('names are compared without case; the first free number is taken; a custom name works the same', async () => {
    const book = new FakeBook([{ name: 'iwm dashboard' }, { name: 'IWM DASHBOARD (2)' }, { name: 'Board' }]);
    expect((await insertDashboard(book.context())).sheet).toBe('IWM Dashboard (3)');
    expect((await insertDashboard(book.context(), { sheetName: 'Board' })).sheet).toBe('Board (2)');
    expect((await insertDashboard(book.context(), { sheetName: 'Mine' })).sheet).toBe('Mine');
  });

  test('a bad sessions count or sheet name writes nothing', async () => {
    const book = new FakeBook([{ name: 'Sheet1' }]);
    await expect(insertDashboard(book.context(), { sessions: 0 })).rejects.toThrow(/sessions/);
    await expect(insertDashboard(book.context(), { sheetName: 'a/b' })).rejects.toThrow(/cannot contain/);
    expect(book.sheets.map((s) => s.name)).toEqual(['Sheet1']);
  });
});

// ---- The starter template ----------------------------------------------------------------

describe('insertStarterTemplate', () => {
  test('the daily routine: the reading before the open, Levels and Calendar, instructions', async () => {
    const book = new FakeBook();
    expect(await insertStarterTemplate(book.context())).toEqual({ sheet: 'IWM Signals' });
    expect(book.active).toBe('IWM Signals');
    const s = book.sheet('IWM Signals');
    const expected: Record<string, [string, string]> = {
      B5: ['Composite', '=IWM.COMPOSITE()'],
      B6: ['Score', '=IWM.SCORE()'],
      B7: ['Trend', '=IWM.TREND()'],
      B8: ['Momentum', '=IWM.MOMENTUM()'],
      B9: ['Breadth', '=IWM.BREADTH()'],
      B10: ['Relative strength', '=IWM.RELSTRENGTH()'],
      B11: ['Size', '=IWM.SIZE()'],
      B12: ['Rotation', '=IWM.ROTATION()'],
      B13: ['Macro phase', '=IWM.SIGNAL("macro.phase")'],
      B14: ['Event windows', '=IWM.SIGNAL("macro.active")'],
      B15: ['Last bar', '=IWM.SIGNAL("date")'],
    };
    for (const [address, [label, f]] of Object.entries(expected)) {
      expect([address, value(s, `A${address.slice(1)}`), formula(s, address)]).toEqual([address, label, f]);
    }
    expect(value(s, 'A4')).toBe('Before the open');
    expect(value(s, 'D4')).toBe('Levels');
    expect(formula(s, 'D5')).toBe('=IWM.LEVELS(5)');
    expect(value(s, 'J4')).toBe('Calendar');
    expect(formula(s, 'J5')).toBe('=IWM.CALENDAR()');
    expect(String(value(s, 'A2'))).toMatch(/Refresh IWM formulas/);
    expect(s.charts).toEqual([]);
  });

  test('nothing is written where Levels (13x5 at most) or Calendar (any length) spill', () => {
    const spills: Record<string, string> = { D5: 'D5:H17', J5: 'J5:N1048576' };
    for (const address of writtenCells(STARTER_LAYOUT).keys()) {
      for (const [anchor, area] of Object.entries(spills)) {
        if (address !== anchor) expect([address, inside(address, area)]).toEqual([address, false]);
      }
    }
  });

  test('an existing "IWM Signals" sheet is kept; the template goes to "IWM Signals (2)"', async () => {
    const book = new FakeBook([{ name: 'IWM Signals', cells: { B5: 'my own' } }]);
    expect(await insertStarterTemplate(book.context())).toEqual({ sheet: 'IWM Signals (2)' });
    expect(book.sheet('IWM Signals').cells).toEqual(new Map([['B5', { value: 'my own' }]]));
    expect(formula(book.sheet('IWM Signals (2)'), 'B5')).toBe('=IWM.COMPOSITE()');
  });
});

// ---- Sheet names -------------------------------------------------------------------------

describe('sheet names', () => {
  test('free names: numbered after the base, kept within 31 characters', () => {
    expect(freeSheetName([], 'IWM Dashboard')).toBe('IWM Dashboard');
    expect(freeSheetName(['IWM Dashboard'], 'IWM Dashboard')).toBe('IWM Dashboard (2)');
    expect(freeSheetName(['IWM Dashboard', 'IWM Dashboard (2)'], 'IWM Dashboard')).toBe('IWM Dashboard (3)');
    const long = 'A'.repeat(31);
    expect(freeSheetName([long], long)).toBe(`${'A'.repeat(27)} (2)`);
  });

  test("Excel's rules", () => {
    expect(checkSheetName('IWM Dashboard')).toBe('IWM Dashboard');
    expect(() => checkSheetName('')).toThrow(/empty/);
    expect(() => checkSheetName('x'.repeat(32))).toThrow(/31/);
    expect(() => checkSheetName('a[1]')).toThrow(/cannot contain/);
    expect(() => checkSheetName("'quoted'")).toThrow(/apostrophe/);
    expect(() => checkSheetName('history')).toThrow(/reserved/);
  });
});
