/**
 * The taskpane's Workbook panel in headless Chromium, in a fake Excel rich enough for what
 * it writes (fake-excel-workbook.ts: sheets, tables, charts, selection, spills), with the
 * API on the same origin (sample data): the debrief written twice keeps one row per
 * session and the user's notes, the dashboard and starter sheets are inserted, a snapshot
 * freezes IWM formulas, and features are refused with a reason outside Excel or without
 * the Excel API they need.
 */
import type { Page } from 'playwright-core';
import { formatDay } from '../../api/src/engine/dates';
import { dashboardLayout, STARTER_LAYOUT } from '../../src/common/dashboard';
import {
  DEBRIEF_SHEET,
  DEBRIEF_SHEET_COLUMNS,
  DEBRIEF_TABLE,
  NOTES,
  debriefTableRows,
  type DebriefEntry,
} from '../../src/common/debrief-sheet';
import { serialToIso } from '../../src/common/excel-args';
import { SNAPSHOT_NOTE_PREFIX } from '../../src/common/snapshot';
import {
  emptyBook,
  keepScreenshot,
  openInFakeExcel,
  readBook,
  type FakeBook,
  type FakeExcelApi,
  type FakeHostOptions,
} from './fake-excel-workbook';
import {
  axeViolations,
  dayInWords,
  isoDaysShown,
  openTaskpane,
  startHarness,
  type Harness,
  OpenedContexts,
} from './harness';

let h: Harness;
let sessions: string[];
let last: string;
const opened = new OpenedContexts();

beforeAll(async () => {
  h = await startHarness();
  sessions = Array.from((await h.rt.service.entry({})).history.dates, (d) => formatDay(d));
  last = sessions[sessions.length - 1];
});
afterEach(async () => {
  await opened.closeAll();
});
afterAll(async () => {
  await h?.close();
});

async function open(options: FakeHostOptions = { book: emptyBook('Signals') }): Promise<Page> {
  const { context, page } = await openInFakeExcel(h, options);
  opened.track(context);
  return page;
}

type Fake = { __fakeExcel: FakeExcelApi };
const text = (page: Page, selector: string) => page.locator(selector).innerText();

/** Waits for an operation's message (not the "…" shown while it runs); returns it and its kind. */
async function outcome(page: Page, id: string): Promise<{ text: string; kind: string }> {
  await page.waitForFunction((i) => {
    const m = document.getElementById(i)!;
    return m.textContent !== '' && !m.textContent!.endsWith('…');
  }, id);
  expect(await page.getAttribute('#workbook-section', 'aria-busy')).toBe('false');
  return page.evaluate((i) => {
    const m = document.getElementById(i)!;
    return { text: m.textContent!, kind: m.dataset.kind! };
  }, id);
}

/** Waits until the message `id` reads `pattern` (a step's new outcome, not the one before it). */
async function saidIn(page: Page, id: string, pattern: RegExp): Promise<{ text: string; kind: string }> {
  await page.waitForFunction(([i, p]) => new RegExp(p).test(document.getElementById(i)!.textContent!), [
    id,
    pattern.source,
  ] as const);
  return outcome(page, id);
}

async function writeDebrief(page: Page, from: string, to = ''): Promise<string> {
  await page.getByLabel('Debrief from').fill(from);
  await page.getByLabel('Debrief to').fill(to);
  await page.getByRole('button', { name: 'Write debrief' }).click();
  const { text: message, kind } = await outcome(page, 'debrief-message');
  expect(kind).toBe('success');
  return message;
}

const debriefTable = (page: Page) =>
  page.evaluate((name) => (window as unknown as Fake).__fakeExcel.tableValues(name)!, DEBRIEF_TABLE);

/** What the API's debrief says for a range, as the table's rows. */
async function apiRows(from: string, to: string): Promise<{ entries: DebriefEntry[]; rows: unknown[][] }> {
  const res = await fetch(`${h.base}/api/v1/debrief?from=${from}&to=${to}`);
  expect(res.status).toBe(200);
  const entries = ((await res.json()) as { debriefs: DebriefEntry[] }).debriefs;
  return { entries, rows: debriefTableRows(entries) };
}

test('DONE-WHEN: a debrief range written twice (and an overlapping bigger one) has each session once, user notes kept', async () => {
  const page = await open();
  // From starts at the last session in the data.
  await page.waitForFunction((d) => (document.getElementById('debrief-from') as HTMLInputElement).value === d, last);
  expect(await page.getAttribute('#debrief-from', 'max')).toBe(last);

  const five = sessions.slice(1000, 1005);
  // Progress while the API answers: busy panel, progress bar, every action aria-disabled.
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/v1/batch', async (route) => {
    await held;
    await route.continue();
  });
  await page.getByLabel('Debrief from').fill(five[0]);
  await page.getByLabel('Debrief to').fill(five[4]);
  await page.getByRole('button', { name: 'Write debrief' }).click();
  await page.waitForSelector('#workbook-progress:not([hidden])');
  expect(await page.getAttribute('#workbook-section', 'aria-busy')).toBe('true');
  for (const id of ['debrief-write', 'dashboard-insert', 'starter-insert', 'snapshot-run'])
    expect(await page.getAttribute(`#${id}`, 'aria-disabled')).toBe('true');
  expect(await text(page, '#debrief-message')).toBe('Writing the debrief…');
  release();
  const first = await outcome(page, 'debrief-message');
  await page.unroute('**/api/v1/batch');
  expect(first).toEqual({
    text: 'Debrief (sheet Debrief): 5 added, 0 updated. SAMPLE DATA (synthetic), not market data.',
    kind: 'success',
  });
  expect(await page.locator('#workbook-progress').isHidden()).toBe(true);
  expect(await page.getAttribute('#debrief-write', 'aria-disabled')).toBeNull();

  let table = await debriefTable(page);
  expect(table.address).toBe(`${DEBRIEF_SHEET}!A1:N6`);
  expect(table.header).toEqual([...DEBRIEF_SHEET_COLUMNS]);
  const api5 = await apiRows(five[0], five[4]);
  expect(table.body).toEqual(api5.rows);
  expect(table.body.map((r) => serialToIso(r[0] as number))).toEqual(api5.entries.map((e) => e.date));
  expect(table.body.map((r) => r[7])).toEqual(api5.entries.map((e) => e.outcome));
  // Dates are serials shown as yyyy-mm-dd.
  let book = await readBook(page);
  expect(book.sheets.find((s) => s.name === DEBRIEF_SHEET)!.cells['1,0'].nf).toBe('yyyy-mm-dd');

  // The user writes a note on the third session's row.
  const note = 'Faded the gap at 10:00; stop was too tight.';
  await page.evaluate(
    ([row, column, value]) => (window as unknown as Fake).__fakeExcel.setValue('Debrief', row, column, value),
    [1 + 2, NOTES, note] as [number, number, string],
  );

  // The same range again: nothing added, nothing changed, the note kept.
  expect(await writeDebrief(page, five[0], five[4])).toBe(
    'Debrief (sheet Debrief): 0 added, 0 updated, 5 already up to date. SAMPLE DATA (synthetic), not market data.',
  );
  table = await debriefTable(page);
  expect(table.body).toHaveLength(5);
  expect(table.body[2][NOTES]).toBe(note);

  // A cell the user overwrote is put back; an overlapping bigger range appends only what is new.
  await page.evaluate(() => (window as unknown as Fake).__fakeExcel.setValue('Debrief', 1, 12, 'my own lesson'));
  const ten = sessions.slice(1000, 1010);
  expect(await writeDebrief(page, sessions[1002], sessions[1009])).toBe(
    'Debrief (sheet Debrief): 5 added, 0 updated, 3 already up to date. SAMPLE DATA (synthetic), not market data.',
  );
  // The row of sessions[1000] was not in that range: the user's lesson stays until it is.
  table = await debriefTable(page);
  expect(table.body[0][12]).toBe('my own lesson');
  expect(await writeDebrief(page, ten[0], ten[9])).toBe(
    'Debrief (sheet Debrief): 0 added, 1 updated, 9 already up to date. SAMPLE DATA (synthetic), not market data.',
  );

  table = await debriefTable(page);
  const dates = table.body.map((r) => serialToIso(r[0] as number));
  expect(dates).toEqual(ten); // each session once, in order
  expect(table.body[2][NOTES]).toBe(note);
  const api10 = await apiRows(ten[0], ten[9]);
  expect(table.body.map((r, i) => (i === 2 ? [...r.slice(0, NOTES), ''] : r))).toEqual(api10.rows);
  expect(table.body.map((r) => r[7])).toEqual(api10.entries.map((e) => e.outcome));

  book = await readBook(page);
  expect(book.tables).toHaveLength(1);
  expect(book.sheets.map((s) => s.name)).toEqual(['Signals', DEBRIEF_SHEET]);
  expect(await page.evaluate(() => (window as unknown as Fake).__fakeExcel.failures)).toEqual([]);
  await keepScreenshot(page, '#workbook-section', 'workbook-panel.png');
});

test('debrief dates: a reversed or too-late range is refused next to its field; a session the API refuses too; To empty = one session; keyboard', async () => {
  const page = await open();
  await page.waitForFunction((d) => (document.getElementById('debrief-from') as HTMLInputElement).value === d, last);
  const from = page.getByLabel('Debrief from');
  const to = page.getByLabel('Debrief to');

  await from.fill(sessions[1200]);
  await to.fill(sessions[1190]);
  expect(await text(page, '#debrief-to-error')).toBe(
    `To ${dayInWords(sessions[1190])} is before From ${dayInWords(sessions[1200])}: pick a To on or after From, or leave it empty.`,
  );
  expect(await to.getAttribute('aria-invalid')).toBe('true');
  expect(await to.getAttribute('aria-describedby')).toBe('debrief-to-hint debrief-to-error');
  await page.getByRole('button', { name: 'Write debrief' }).click();
  expect(await text(page, '#debrief-message')).toBe('Fix the highlighted date first.');
  expect(await page.evaluate(() => document.activeElement!.id)).toBe('debrief-to');

  await to.fill('');
  expect(await page.locator('#debrief-to-error').isHidden()).toBe(true);
  expect(await to.getAttribute('aria-invalid')).toBe('false');
  await from.fill('2099-01-02');
  expect(await text(page, '#debrief-from-error')).toBe(
    `From 2 Jan 2099 is after the last session in the data (${dayInWords(last)}).`,
  );
  // The field holds 2099-01-02; the text around it says every day in words.
  expect(await isoDaysShown(page, '#workbook-section')).toEqual([]);
  expect(await axeViolations(page)).toEqual([]);
  await from.fill('');
  expect(await text(page, '#debrief-from-error')).toBe('From: enter the first session to write.');
  expect((await readBook(page)).sheets).toHaveLength(1); // nothing was written

  // A day without a session: the API's answer goes next to From.
  const i = sessions.findIndex((d, k) => k > 0 && Date.parse(d) - Date.parse(sessions[k - 1]) > 86_400_000);
  const gap = formatDay(Date.parse(sessions[i - 1]) / 86_400_000 + 1);
  await from.fill(gap);
  await page.getByRole('button', { name: 'Write debrief' }).click();
  const refused = await outcome(page, 'debrief-message');
  expect(refused.kind).toBe('error');
  expect(refused.text).toBe(
    `Debrief not written: From: ${dayInWords(gap)} is not a trading session (previous session ${dayInWords(sessions[i - 1])}, next ${dayInWords(sessions[i])})`,
  );
  expect(await text(page, '#debrief-from-error')).toBe(
    `From: ${dayInWords(gap)} is not a trading session (previous session ${dayInWords(sessions[i - 1])}, next ${dayInWords(sessions[i])})`,
  );
  expect(await isoDaysShown(page, '#workbook-section')).toEqual([]);
  expect(await axeViolations(page)).toEqual([]);

  // Keyboard: Tab walks the panel's controls in order (a date field's month, day and year
  // are stops of their own); Enter in a date field writes.
  await from.focus();
  const order: string[] = [];
  for (let k = 0; k < 20 && order[order.length - 1] !== 'snapshot-run'; k++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement!.id);
    if (order[order.length - 1] !== id) order.push(id);
  }
  expect(order).toEqual([
    'debrief-from',
    'debrief-to',
    'debrief-write',
    'dashboard-insert',
    'starter-insert',
    'snapshot-scope',
    'snapshot-run',
  ]);
  await from.fill(sessions[1300]);
  await to.focus();
  await page.keyboard.press('Enter');
  expect(await outcome(page, 'debrief-message')).toEqual({
    text: 'Debrief (sheet Debrief): 1 added, 0 updated. SAMPLE DATA (synthetic), not market data.',
    kind: 'success',
  });
  const table = await debriefTable(page);
  expect(table.body.map((r) => serialToIso(r[0] as number))).toEqual([sessions[1300]]);
  expect(await from.getAttribute('aria-invalid')).toBe('false');
});

test('insert dashboard: a new sheet of live formulas and 3 native charts, never over an existing sheet; starter sheet', async () => {
  const page = await open();
  await page.getByRole('button', { name: 'Insert dashboard' }).click();
  expect(await outcome(page, 'sheets-message')).toEqual({
    text: 'Inserted the sheet "IWM Dashboard": live IWM formulas and 3 charts (IWM Rotation, IWM Breadth, IWM Composite).',
    kind: 'success',
  });
  let book = await readBook(page);
  expect(book.active).toBe('IWM Dashboard');
  const sheet = book.sheets.find((s) => s.name === 'IWM Dashboard')!;
  const layout = dashboardLayout();
  const at = (address: string) => {
    const m = /^([A-Z]+)(\d+)$/.exec(address)!;
    const column = [...m[1]].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
    return sheet.cells[`${Number(m[2]) - 1},${column}`];
  };
  for (const cell of layout.cells) expect(at(cell.address).f).toBe(cell.formula);
  expect(at('B3').f).toBe('=IWM.COMPOSITE()');
  expect(at('A17').f).toMatch(/^=IWM\.HISTORY\(-250,,"date,close,/);
  expect(at('I37').f).toBe('=IF(COUNT(C18:C37)=20,MAX(C18:C37),NA())');
  expect(at('A1')).toMatchObject({ v: 'IWM Dashboard', font: { bold: true, size: 14 } });

  expect(book.charts.map((c) => [c.sheet, c.name, c.type, c.series.length])).toEqual([
    ['IWM Dashboard', 'IWM Rotation', 'Line', 4],
    ['IWM Dashboard', 'IWM Breadth', 'Line', 4],
    ['IWM Dashboard', 'IWM Composite', 'Line', 1],
  ]);
  const rotation = book.charts[0];
  expect(rotation.series[0]).toEqual({
    name: 'IWM/SPY ratio',
    values: "'IWM Dashboard'!C18:C267",
    xValues: "'IWM Dashboard'!A18:A267",
    color: '#1F4E79',
  });
  expect(rotation.series[2]).toMatchObject({ name: 'band high (20 sessions)', lineStyle: 'Dash' });
  expect(rotation).toMatchObject({ title: layout.charts[0].title, topLeft: 'R2', bottomRight: 'AA19' });
  expect(book.charts[1].valueAxis).toEqual({ title: '% above 50-day', minimum: 0, maximum: 100 });

  // Again: asked first. Escape (or Cancel) inserts nothing and gives the focus back.
  const insert = page.getByRole('button', { name: 'Insert dashboard' });
  await insert.click();
  const question = page.getByRole('group', { name: /already has the sheet "IWM Dashboard"/ });
  await question.waitFor();
  await keepScreenshot(page, '#workbook-section', 'workbook-ask-dashboard.png');
  expect(await axeViolations(page)).toEqual([]);
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Go to IWM Dashboard');
  await page.keyboard.press('Escape');
  expect(await question.count()).toBe(0);
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('dashboard-insert');
  expect(await saidIn(page, 'sheets-message', /^Nothing/)).toEqual({ text: 'Nothing inserted.', kind: 'info' });
  expect((await readBook(page)).sheets.map((s) => s.name)).toEqual(['Signals', 'IWM Dashboard']);
  // "Go to" shows the sheet there is (the user is on another sheet meanwhile).
  await page.evaluate(() => {
    const fake = (window as unknown as Fake).__fakeExcel;
    fake.book.active = 'Signals';
    fake.save();
  });
  await insert.click();
  await page.getByRole('button', { name: 'Go to IWM Dashboard' }).click();
  expect(await saidIn(page, 'sheets-message', /^Showing/)).toEqual({
    text: 'Showing the sheet "IWM Dashboard"; nothing inserted.',
    kind: 'info',
  });
  expect((await readBook(page)).active).toBe('IWM Dashboard');
  // "Insert another": a second sheet beside the first, which stays as it is.
  await insert.click();
  await page.getByRole('button', { name: 'Insert another' }).click();
  await saidIn(page, 'sheets-message', /^Inserted the sheet "IWM Dashboard \(2\)"/);
  await page.getByRole('button', { name: 'Insert starter sheet' }).click();
  expect(await outcome(page, 'sheets-message')).toEqual({
    text: 'Inserted the sheet "IWM Signals": the daily routine in live IWM formulas.',
    kind: 'success',
  });
  book = await readBook(page);
  expect(book.sheets.map((s) => s.name)).toEqual(['Signals', 'IWM Dashboard', 'IWM Dashboard (2)', 'IWM Signals']);
  expect(book.charts.filter((c) => c.sheet === 'IWM Dashboard (2)')).toHaveLength(3);
  const starter = book.sheets.find((s) => s.name === 'IWM Signals')!;
  expect(starter.cells['4,3'].f).toBe('=IWM.LEVELS(5)'); // D5
  expect(Object.values(starter.cells).filter((c) => c.f).length).toBe(STARTER_LAYOUT.cells.length);
  expect(book.active).toBe('IWM Signals');
});

/** A sheet of IWM results: a cell, a spilled table (anchor A3), a text date, one still calculating, and the user's own cells. */
function signalsBook(): FakeBook {
  const book = emptyBook('Signals');
  const c = (r: number, col: number) => `${r},${col}`;
  book.sheets[0].cells = {
    [c(0, 0)]: { v: 'Composite' },
    [c(0, 1)]: { f: '=IWM.COMPOSITE()', v: 'bullish' },
    [c(0, 2)]: { v: 'my note: check breadth first' },
    [c(0, 4)]: { f: '=IWM.SCORE()', v: '#BUSY!' },
    [c(2, 0)]: { f: '=IWM.LEVELS(1)', v: 'level', spill: [3, 2] },
    [c(2, 1)]: { v: 'price', parent: [2, 0] },
    [c(3, 0)]: { v: 'R1', parent: [2, 0] },
    [c(3, 1)]: { v: 212.5, parent: [2, 0] },
    [c(4, 0)]: { v: 'S1', parent: [2, 0] },
    [c(4, 1)]: { v: 198.25, parent: [2, 0] },
    [c(2, 3)]: { f: '=SUM(1,2)', v: 3 },
    [c(4, 3)]: { f: '=IWM.SIGNAL("date")', v: '2007-05-31' },
  };
  book.selection = 'A3:A4'; // the spill's anchor and one of its cells
  return book;
}

test('snapshot to values: IWM formulas of the selection (a whole spill), then of the sheet, become values; the rest stays', async () => {
  const page = await open({ book: signalsBook() });
  const run = page.getByRole('button', { name: 'Snapshot to values' });
  // Asked first (the formulas do not come back); Cancel changes nothing.
  await run.click();
  expect(await text(page, '.ask p')).toMatch(/^Replace the IWM formulas in the selection by their current values\?/);
  await page.getByRole('button', { name: 'Cancel' }).click();
  expect(await saidIn(page, 'snapshot-message', /^Nothing changed/)).toEqual({
    text: 'Nothing changed.',
    kind: 'info',
  });
  expect((await readBook(page)).sheets[0].cells['2,0'].f).toBe('=IWM.LEVELS(1)');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('snapshot-run');
  const replace = async () => {
    await run.click();
    await page.getByRole('button', { name: 'Replace with values' }).click();
  };
  await replace();
  expect(await outcome(page, 'snapshot-message')).toEqual({
    text: `Froze 1 IWM formula (6 cells) in the selection. Values as of ${dayInWords(last)}; the sheet has a note saying so.`,
    kind: 'success',
  });
  let cells = (await readBook(page)).sheets[0].cells;
  expect(cells['2,0']).toEqual({ v: 'level', nf: '@' });
  expect(cells['3,1']).toEqual({ v: 212.5 });
  expect(cells['0,1'].f).toBe('=IWM.COMPOSITE()'); // not selected

  await page.getByLabel('Cells to freeze').selectOption('sheet');
  await replace();
  const sheetRun = await outcome(page, 'snapshot-message');
  expect(sheetRun.kind).toBe('success');
  expect(sheetRun.text).toBe(
    'Froze 2 IWM formulas (2 cells) in the used range of Signals; 1 left as formula: still calculating (#BUSY!) ' +
      `or blocked (#SPILL!), try again when they show values. Values as of ${dayInWords(last)}; the sheet has a note saying so.`,
  );
  expect(await isoDaysShown(page, '#workbook-section')).toEqual([]);
  expect(await axeViolations(page)).toEqual([]);
  cells = (await readBook(page)).sheets[0].cells;
  expect(cells['0,1']).toEqual({ v: 'bullish', nf: '@' });
  expect(cells['4,3']).toEqual({ v: '2007-05-31', nf: '@' }); // text, not a date
  expect(cells['0,4'].f).toBe('=IWM.SCORE()'); // still calculating: kept
  expect(cells['2,3'].f).toBe('=SUM(1,2)'); // not an IWM formula
  expect(cells['0,2'].v).toBe('my note: check breadth first');
  const notes = Object.values(cells).filter((cell) => String(cell.v).startsWith(SNAPSHOT_NOTE_PREFIX));
  expect(notes.map((n) => String(n.v).slice(0, SNAPSHOT_NOTE_PREFIX.length + 17))).toEqual([
    `${SNAPSHOT_NOTE_PREFIX} as of ${last}`,
    `${SNAPSHOT_NOTE_PREFIX} as of ${last}`,
  ]);
  expect(notes.every((n) => n.font?.italic)).toBe(true);

  // Nothing left to freeze in the selection: said, not an error.
  await page.getByLabel('Cells to freeze').selectOption('selection');
  await replace();
  expect(await outcome(page, 'snapshot-message')).toEqual({
    text: 'No IWM formulas in the selection.',
    kind: 'info',
  });
});

test('an Excel without the API a feature needs: its button is disabled with the reason', async () => {
  const page = await open({ book: emptyBook(), excelApi: '1.6' });
  expect(await page.locator('#dashboard-insert').isDisabled()).toBe(true);
  expect(await page.getAttribute('#dashboard-insert', 'aria-describedby')).toBe('dashboard-insert-reason');
  expect(await text(page, '#dashboard-insert-reason')).toMatch(
    /^Insert dashboard needs Excel chart series \(ExcelApi 1\.7\)/,
  );
  expect(await page.locator('#snapshot-run').isDisabled()).toBe(true);
  expect(await text(page, '#snapshot-run-reason')).toMatch(/^Snapshot to values needs .* \(ExcelApi 1\.12\)/);
  expect(await page.locator('#debrief-write').isEnabled()).toBe(true);
  expect(await page.locator('#starter-insert').isEnabled()).toBe(true);
  expect(await page.locator('#workbook-host-note').count()).toBe(0);
  await keepScreenshot(page, '#workbook-section', 'workbook-panel-old-excel.png');
});

test('outside Office: the panel renders, its buttons are disabled with "Open in Excel to write sheets"', async () => {
  const { context, page } = await openTaskpane(h, { tab: 'tab-workbook' });
  opened.track(context);
  expect(await text(page, '#workbook-title')).toBe('Workbook');
  expect(await text(page, '#workbook-host-note')).toBe('Open in Excel to write sheets.');
  for (const name of ['Write debrief', 'Insert dashboard', 'Insert starter sheet', 'Snapshot to values']) {
    const button = page.getByRole('button', { name });
    expect(await button.isDisabled()).toBe(true);
    expect(await button.getAttribute('aria-describedby')).toBe('workbook-host-note');
  }
  // The fields still work (and are named): the default is the last session.
  await page.waitForFunction((d) => (document.getElementById('debrief-from') as HTMLInputElement).value === d, last);
  expect(await page.getByLabel('Debrief to').inputValue()).toBe('');
  expect(await page.getByLabel('Cells to freeze').inputValue()).toBe('selection');
  expect(await page.locator('#workbook-section [aria-invalid="true"]').count()).toBe(0);
  await keepScreenshot(page, '#workbook-section', 'workbook-panel-outside.png');
});
