/**
 * The Macro calendar panel in headless Chromium, with the API on the same origin: it
 * lists the shipped events whose windows overlap the default range, refuses a bad event
 * with the API's own message next to the field, saves a good one in the workbook's
 * profile (so the page's IWM functions and the API see it in force), edits and removes
 * it, mirrors the editor's overlay switch, previews the thresholds at the last bar, and
 * works from the keyboard.
 *
 * The shared harness serves a 1,500-session sample ending in 2007, years before the
 * shipped calendar (2024-2027); this file serves the full-length sample (ending
 * 2026-06-05, with few universe members) the same way, so the default range holds
 * shipped events, and borrows the harness's browser.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator, Page } from 'playwright-core';
import { formatDay } from '../../api/src/engine/dates';
import { createAddinHandler } from '../../api/src/host/addin-host';
import { createRequestHandler } from '../../api/src/host/local-host';
import type { Runtime } from '../../api/src/service/runtime';
import { BROWSER_KEY, SETTINGS_NAMESPACE, parseSettingsXml } from '../../src/common/workbook-settings';
import { sampleRuntime } from '../support/runtime';
import { keepScreenshot } from './fake-excel-workbook';
import {
  DIST,
  FAKE_WORKBOOK_KEY,
  axeViolations,
  callFunction,
  dayInWords,
  isoDaysShown,
  openTaskpane,
  startHarness,
  type FakeWorkbook,
  type Harness,
  OpenedContexts,
} from './harness';

let shared: Harness;
let h: Harness;
let server: Server;
/** The last session: ISO (what the functions and the form take) and as the panel says it. */
let last: string;
let lastWords: string;
const opened = new OpenedContexts();

/** The harness's browser, in front of a runtime whose sample ends in 2026. */
async function startCalendarHarness(): Promise<Harness> {
  shared = await startHarness();
  const rt: Runtime = await sampleRuntime({ IWM_SAMPLE_SESSIONS: '6300', IWM_SAMPLE_MEMBERS: '20' });
  server = createServer(
    createAddinHandler({ dir: DIST, api: createRequestHandler({ runtime: rt, functionKeys: [], corsOrigins: [] }) }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    rt,
    browser: shared.browser,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rt.close();
      await shared.close();
    },
  };
}

beforeAll(async () => {
  h = await startCalendarHarness();
  const dates = (await h.rt.service.entry({})).history.dates;
  last = formatDay(dates[dates.length - 1]);
  lastWords = dayInWords(last);
});
afterEach(async () => {
  await opened.closeAll();
});
afterAll(async () => {
  await h?.close();
});

async function open(options: Parameters<typeof openTaskpane>[1] = {}): Promise<Page> {
  const { context, page } = await openTaskpane(h, { tab: 'tab-calendar', ...options });
  opened.track(context);
  await loaded(page);
  return page;
}

/** The panel has finished asking the API (its section is no longer busy). */
async function loaded(page: Page): Promise<void> {
  await page.waitForSelector('#calendar-section[aria-busy="false"]', { state: 'attached' });
}

const section = (page: Page) => page.locator('#calendar-section');
const rows = (page: Page) => page.locator('#cal-events tbody tr');
const rowOf = (page: Page, label: string): Locator => rows(page).filter({ hasText: label });
/** A row's cells as text, white space collapsed (the Edit and Remove buttons are stacked). */
const cells = async (row: Locator) =>
  (await row.locator('td').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());

/** The preview's row for one key of the reading's thresholds: [name, base, used, overlay]. */
async function threshold(page: Page, key: string): Promise<string[]> {
  const row = page.locator(`#cal-thresholds tr[data-threshold="${key}"]`);
  return [await row.locator('th').innerText(), ...(await cells(row))];
}

async function addEvent(page: Page, event: { date: string; kind?: string; label: string; end?: string }) {
  const panel = section(page);
  await panel.getByLabel('Event date').fill(event.date);
  await panel.getByLabel('Event kind').selectOption(event.kind ?? 'custom');
  await panel.getByLabel('Event label').fill(event.label);
  if (event.end !== undefined) await panel.getByLabel('Event end (earnings seasons)').fill(event.end);
  await panel.getByRole('button', { name: 'Add event' }).click();
}

/** Waits for the panel's message after a save, and for the reload it causes. */
async function saved(page: Page, pattern: RegExp): Promise<string> {
  const message = page.locator('#cal-message');
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.getElementById('cal-message')!.textContent ?? ''),
    pattern.source,
  );
  await loaded(page);
  return message.innerText();
}

test('lists the shipped events in the default range and previews the thresholds at the last bar', async () => {
  const page = await open();
  expect(await page.locator('#calendar-title').innerText()).toBe('Macro calendar');
  expect(await page.getAttribute('#calendar-section', 'aria-labelledby')).toBe('calendar-title');
  expect(await page.locator('#cal-progress').isHidden()).toBe(true);
  expect(await page.locator('#cal-error').innerText()).toBe('');

  // The API's calendar for the default range, row for row.
  const api = (await h.rt.service.call('calendar', {})) as {
    from: string;
    to: string;
    events: { date: string; label: string; windowStart: string; windowEnd: string }[];
  };
  expect(api.events.length).toBeGreaterThanOrEqual(4);
  expect(await rows(page).count()).toBe(api.events.length);
  expect(await page.locator('#cal-range').innerText()).toContain(
    `${dayInWords(api.from)} to ${dayInWords(api.to)} (last bar ${lastWords})`,
  );
  const june = await cells(rowOf(page, 'FOMC decision (SEP)').first());
  expect(june).toEqual(['17 Jun 2026', 'FOMC', 'FOMC decision (SEP)', '12 Jun 2026 to 17 Jun 2026']);
  expect(await cells(rowOf(page, 'Russell reconstitution effective').first())).toEqual([
    '26 Jun 2026',
    'Russell',
    'Russell reconstitution effective after close (fourth Friday of June)',
    // Five sessions before: 22-25 June and Thursday 18 (Friday 19 is Juneteenth, no session).
    '18 Jun 2026 to 26 Jun 2026',
  ]);
  // Shipped events are read-only.
  expect(await section(page).locator('#cal-events button').count()).toBe(0);

  // The overlay switch mirrors the profile (on in the preset).
  expect(await section(page).getByRole('switch', { name: 'Macro overlay' }).isChecked()).toBe(true);

  // Every threshold of the reading, base and used, as numbers.
  const reading = (await h.rt.service.call('signal', {})) as { thresholds: Record<string, unknown>; date: string };
  expect(await page.locator('#cal-thresholds tbody tr').count()).toBe(Object.keys(reading.thresholds).length);
  expect(await threshold(page, 'compositeRatio')).toEqual(['Composite ratio', '0.5', '0.5', 'unchanged']);
  expect(await threshold(page, 'momentumAtrMultiplier')).toEqual([
    'Momentum ATR multiplier',
    '1.5',
    '1.5',
    'unchanged',
  ]);
  const [, base, used] = await threshold(page, 'momentumThreshold');
  expect(Number(base)).toBeCloseTo((reading.thresholds.momentumThreshold as { base: number }).base, 4);
  expect(Number(used)).toBe(Number(base));
  for (const row of await page.locator('#cal-thresholds tbody tr').all()) {
    const [b, u] = await cells(row);
    expect([b, u].every((v) => Number.isFinite(Number(v)))).toBe(true);
  }
  expect(await page.locator('#cal-preview-summary').innerText()).toBe(
    `As of ${lastWords} (last bar): no event window in force: base thresholds.`,
  );
  // Which years the API's calendar covers, and the credit overlay at the last bar.
  expect(await page.locator('#cal-range').innerText()).toMatch(
    /which covers FOMC 2000-2027 \(235 events\), .*CPI 2003-2026/,
  );
  const today = (await h.rt.service.call('signal', {})) as {
    credit: { state: string; ratio: number };
    sizing: { fraction: number };
  };
  const credit = await page.locator('#cal-credit').innerText();
  expect(credit).toMatch(new RegExp(`^Credit \\(HYG/IEF\\): ${today.credit.state}[:;]`));
  expect(credit).toContain(`ratio ${Number(today.credit.ratio.toFixed(4))} `);
  expect(credit).toMatch(new RegExp(`Position size: ${today.sizing.fraction * 100}%\\.$`));
  // Every date the panel shows is in words (the form's text input takes ISO, but its value is not shown text).
  expect(await isoDaysShown(page, '#calendar-section')).toEqual([]);
  expect(await axeViolations(page)).toEqual([]);
  await keepScreenshot(page, '#calendar-section', 'calendar-panel.png');
});

test('a bad event is refused next to its field; a good one is saved, in force for the functions, edited and removed', async () => {
  const page = await open();
  const panel = section(page);
  const date = panel.getByLabel('Event date');

  // A date that does not exist: the API schema's message, named by the field's label.
  await addEvent(page, { date: '2026-02-30', label: 'Investor day' });
  expect(await page.locator('#cal-f-date-error').innerText()).toBe('Event date must be a date YYYY-MM-DD that exists.');
  expect(await date.getAttribute('aria-invalid')).toBe('true');
  expect((await date.getAttribute('aria-describedby'))!.split(' ')).toEqual(['cal-f-date-hint', 'cal-f-date-error']);
  expect(await page.evaluate(() => document.activeElement!.id)).toBe('cal-f-date');
  expect(await page.locator('#cal-message').innerText()).toBe('');
  // Empty label too, and an earnings season needs its end (the field appears for that kind).
  await panel.getByLabel('Event label').fill(' ');
  expect(await page.locator('#cal-f-label-error').innerText()).toBe('Event label must be text of 1 to 80 characters.');
  await panel.getByLabel('Event kind').selectOption('earnings-season');
  await date.fill('2026-06-01');
  await panel.getByLabel('Event label').fill('Q2 season');
  expect(await page.locator('#cal-f-end-error').innerText()).toBe(
    'Event end is required for earnings-season (its window runs date..end).',
  );
  await panel.getByLabel('Event end (earnings seasons)').fill('2026-05-01');
  expect(await page.locator('#cal-f-end-error').innerText()).toBe('Event end must not be before date.');
  expect(await page.locator('#cal-f-date-error').isHidden()).toBe(true);
  // Nothing was saved.
  expect(await callFunction(page, 'SIGNAL', 'macro.active', last)).toBe('');

  // A custom event on the last bar.
  await addEvent(page, { date: last, kind: 'custom', label: 'Investor day' });
  expect(await saved(page, /^Added/)).toBe(
    `Added Investor day (${lastWords}). Saved in this browser (not in Excel). IWM formulas use it from their next calculation.`,
  );
  expect(await cells(rowOf(page, 'Investor day'))).toEqual([
    lastWords,
    'Custom',
    'Investor day yours Edit Remove',
    lastWords,
  ]);
  expect(await isoDaysShown(page, '#calendar-section')).toEqual([]);
  expect(await axeViolations(page)).toEqual([]);
  expect(await rowOf(page, 'Investor day').getAttribute('data-source')).toBe('profile');
  expect(await date.inputValue()).toBe('');
  // The page's functions send the saved profile: the event is in force on that session.
  expect(await callFunction(page, 'SIGNAL', 'macro.active', last)).toBe('Investor day');
  expect(await callFunction(page, 'SIGNAL', 'macro.phase', last)).toBe('window');
  // ... as the API says for that profile, and not for the preset.
  const profile = { preset: 'iwm', macro: { customEvents: [{ date: last, kind: 'custom', label: 'Investor day' }] } };
  const api = (await h.rt.service.call('field', { field: 'macro.active', asOf: last, profile })) as { value: unknown };
  expect(api.value).toEqual(['Investor day']);
  expect(
    ((await h.rt.service.call('field', { field: 'macro.active', asOf: last })) as { value: unknown }).value,
  ).toEqual([]);
  // The preview tightens: x1.25 and ratio + 0.25 (SIGNALS.md).
  expect(await threshold(page, 'compositeRatio')).toEqual(['Composite ratio', '0.5', '0.75', 'tightened']);
  expect(await threshold(page, 'momentumAtrMultiplier')).toEqual([
    'Momentum ATR multiplier',
    '1.5',
    '1.875',
    'tightened',
  ]);
  expect(await page.locator('#cal-preview-summary').innerText()).toBe(
    `As of ${lastWords} (last bar): inside an event window: thresholds tightened. Active: Investor day.`,
  );
  // The profile editor carries it (and would keep it on Save).
  expect(await page.locator('#list-f-macro-customEvents').textContent()).toBe('Custom events: 1.');
  expect(await page.getByLabel('Profile name').inputValue()).toBe('iwm-custom');

  // The same event again is refused.
  await addEvent(page, { date: last, label: 'Investor day' });
  expect(await page.locator('#cal-form-error').innerText()).toBe(
    `Investor day (${lastWords}) is already one of your events.`,
  );

  // Edit: the form takes the event; Update replaces it.
  await panel.getByRole('button', { name: `Edit Investor day (${lastWords})` }).click();
  expect(await page.evaluate(() => document.activeElement!.id)).toBe('cal-f-date');
  expect(await date.inputValue()).toBe(last);
  expect(await page.locator('#cal-form-title').innerText()).toBe(`Edit event: Investor day (${lastWords})`);
  await panel.getByLabel('Event label').fill('Investor day (moved)');
  await panel.getByRole('button', { name: 'Update event' }).click();
  await saved(page, /^Updated/);
  expect(await rowOf(page, 'Investor day (moved)').count()).toBe(1);
  expect(await page.locator('#cal-events tr[data-source="profile"]').count()).toBe(1);
  expect(await callFunction(page, 'SIGNAL', 'macro.active', last)).toBe('Investor day (moved)');

  // Remove: gone from the table, from the functions and from the preview.
  await panel.getByRole('button', { name: `Remove Investor day (moved) (${lastWords})` }).click();
  await saved(page, /^Removed/);
  expect(await page.locator('#cal-events tr[data-source="profile"]').count()).toBe(0);
  expect(await callFunction(page, 'SIGNAL', 'macro.active', last)).toBe('');
  expect(await threshold(page, 'compositeRatio')).toEqual(['Composite ratio', '0.5', '0.5', 'unchanged']);
  expect(await page.locator('#list-f-macro-customEvents').textContent()).toBe('Custom events: 0.');
});

test('an earnings season is listed with its range; an event outside the range stays editable', async () => {
  const page = await open();
  await addEvent(page, { date: '2026-06-08', kind: 'earnings-season', label: 'Q2 season', end: '2026-06-19' });
  await saved(page, /^Added/);
  // Past the last bar (Fri 2026-06-05) the window steps over NYSE sessions: Mon 8 to Thu 18
  // (Friday 19 is Juneteenth).
  expect(await cells(rowOf(page, 'Q2 season'))).toEqual([
    '8 Jun 2026 to 19 Jun 2026',
    'Earnings',
    'Q2 season yours Edit Remove',
    '8 Jun 2026 to 18 Jun 2026',
  ]);
  await addEvent(page, { date: '2024-01-10', kind: 'cpi', label: 'Old CPI' });
  await saved(page, /^Added/);
  expect(await cells(rowOf(page, 'Old CPI'))).toEqual([
    '10 Jan 2024',
    'CPI',
    'Old CPI yours Edit Remove',
    'outside this range',
  ]);
  // The kind's window from this profile is shown with the kind.
  await section(page).getByLabel('Event kind').selectOption('fomc');
  expect(await page.locator('#cal-kind-window').innerText()).toBe(
    'Window (this profile): 3 sessions before the date to 0 after.',
  );
  expect(await section(page).getByLabel('Event end (earnings seasons)').isHidden()).toBe(true);
});

test('the overlay has one switch, here; the profile editor shows it and its Save keeps it', async () => {
  const page = await open();
  await addEvent(page, { date: last, label: 'Investor day' });
  await saved(page, /^Added/);
  const mine = section(page).getByRole('switch', { name: 'Macro overlay' });
  const editors = page.locator('#f-macro-enabled-state');
  // Unsaved edits in the editor are kept when the panel saves.
  await page.locator('#tab-settings').click();
  await page.locator('#group-rs > summary').click();
  await page.getByLabel('Relative strength period', { exact: true }).fill('12');

  await page.locator('#tab-calendar').click();
  await mine.uncheck();
  expect(await saved(page, /^Overlay off/)).toMatch(/^Overlay off\. Saved in this browser/);
  expect(await editors.textContent()).toBe('Macro overlay: off.');
  expect(await page.getByLabel('Relative strength period', { exact: true }).inputValue()).toBe('12');
  expect(await page.locator('#profile-message').innerText()).toBe('Unsaved changes.');
  // Off: the window is still reported, nothing is tightened.
  expect(await threshold(page, 'compositeRatio')).toEqual(['Composite ratio', '0.5', '0.5', 'unchanged']);
  expect(await page.locator('#cal-preview-summary').innerText()).toMatch(
    /Active: Investor day\. The overlay is off: windows are reported, the thresholds stay at base\.$/,
  );
  expect(await callFunction(page, 'SIGNAL', 'macro.enabled', last)).toBe(false);

  // Save in the editor keeps the overlay off (and the custom event): it carries both.
  await page.locator('#tab-settings').click();
  await page.getByLabel('Relative strength period', { exact: true }).fill('10');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForFunction(() => /^Saved/.test(document.getElementById('profile-message')!.textContent!));
  await loaded(page);
  expect(await callFunction(page, 'SIGNAL', 'macro.enabled', last)).toBe(false);
  await page.locator('#tab-calendar').click();
  expect(await mine.isChecked()).toBe(false);
  expect(await rowOf(page, 'Investor day').count()).toBe(1);
  // On again, here: the editor follows.
  await mine.check();
  await saved(page, /^Overlay on/);
  expect(await editors.textContent()).toBe('Macro overlay: on.');
  expect(await threshold(page, 'compositeRatio')).toEqual(['Composite ratio', '0.5', '0.75', 'tightened']);
});

test('in Excel: the events are saved in the workbook and come back with it', async () => {
  const workbook: FakeWorkbook = { parts: [], formulas: [[`=IWM.SIGNAL("macro.active","${last}")`]], writes: [] };
  const page = await open({ excel: workbook });
  await addEvent(page, { date: last, label: 'Investor day' });
  expect(await saved(page, /^Added/)).toBe(
    `Added Investor day (${lastWords}). Saved in this workbook. Recalculated 1 IWM formula.`,
  );
  const stored = JSON.parse(
    (await page.evaluate((k) => sessionStorage.getItem(k), FAKE_WORKBOOK_KEY))!,
  ) as FakeWorkbook;
  expect(stored.parts.map((p) => p.namespace)).toEqual([SETTINGS_NAMESPACE]);
  expect(parseSettingsXml(stored.parts[0].xml)).toEqual({
    profile: { preset: 'iwm', macro: { customEvents: [{ date: last, kind: 'custom', label: 'Investor day' }] } },
  });
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  await loaded(page);
  expect(await rowOf(page, 'Investor day').getAttribute('data-source')).toBe('profile');
  expect(await callFunction(page, 'SIGNAL', 'macro.active', last)).toBe('Investor day');
});

test('keyboard and names: Tab reaches the switch and the form; Space toggles; every control is named once', async () => {
  const page = await open();
  await addEvent(page, { date: last, label: 'Investor day' });
  await saved(page, /^Added/);
  await page.focus('#cal-overlay');
  await page.keyboard.press('Space');
  await saved(page, /^Overlay off/);
  expect(await page.isChecked('#cal-overlay')).toBe(false);
  await page.focus('#cal-overlay');
  await page.keyboard.press('Space');
  await saved(page, /^Overlay on/);
  expect(await page.locator('#f-macro-enabled-state').textContent()).toBe('Macro overlay: on.');

  // From the switch, Tab goes through the row's buttons to the form, Enter submits it.
  await page.focus('#cal-overlay');
  const order: string[] = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    order.push(
      await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        return el.id || el.getAttribute('aria-label') || el.tagName;
      }),
    );
  }
  expect(order.slice(0, 6)).toEqual([
    `Edit Investor day (${lastWords})`,
    `Remove Investor day (${lastWords})`,
    'cal-f-date',
    'cal-f-kind',
    'cal-f-label',
    'cal-submit',
  ]);
  await page.focus('#cal-f-date');
  await page.keyboard.type('2026-06-04');
  await page.focus('#cal-f-label');
  await page.keyboard.type('Typed');
  await page.keyboard.press('Enter');
  await saved(page, /^Added Typed/);
  expect(await rowOf(page, 'Typed').count()).toBe(1);

  // Accessible names of the panel's controls, as Chromium computes them: all named, none twice.
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
    nodes: { ignored: boolean; role?: { value: string }; name?: { value: string } }[];
  };
  const interactive = new Set(['textbox', 'combobox', 'button', 'switch', 'checkbox']);
  const names = nodes
    .filter((n) => !n.ignored && interactive.has(n.role?.value ?? ''))
    .map((n) => n.name?.value?.trim() ?? '');
  expect(names.filter((n) => !n)).toEqual([]);
  for (const name of [
    'Macro overlay',
    'Event date',
    'Event kind',
    'Event label',
    'Add event',
    `Edit Investor day (${lastWords})`,
    `Remove Typed (4 Jun 2026)`,
  ])
    expect([name, names.filter((n) => n === name).length]).toEqual([name, 1]);
  // Each table is named by its heading.
  expect(await page.getByRole('table', { name: 'Events in force' }).count()).toBe(1);
  expect(await page.getByRole('table', { name: "Today's thresholds" }).count()).toBe(1);
});

test('Escape leaves an edit; Remove is one click with an Undo that puts the event back in its place', async () => {
  const page = await open();
  const panel = section(page);
  await addEvent(page, { date: last, label: 'First' });
  await saved(page, /^Added/);
  await addEvent(page, { date: last, label: 'Second' });
  await saved(page, /^Added/);
  const active = async () => String(await callFunction(page, 'SIGNAL', 'macro.active', last));
  /** The labels of the profile's events, in the order the workbook stores them. */
  const stored = () =>
    page.evaluate((key) => {
      const text = localStorage.getItem(key) ?? '';
      return Array.from(text.matchAll(/\\?"label\\?":\s*\\?"(First|Second)/g), (m) => m[1]);
    }, BROWSER_KEY);
  expect(await stored()).toEqual(['First', 'Second']);

  // Edit, then Escape: the form is back to adding, nothing changed.
  await panel.getByRole('button', { name: `Edit First (${lastWords})` }).click();
  expect(await page.locator('#cal-form-title').innerText()).toBe(`Edit event: First (${lastWords})`);
  expect(await axeViolations(page)).toEqual([]);
  await page.keyboard.press('Escape');
  expect(await page.locator('#cal-form-title').innerText()).toBe('Add event');
  expect(await page.locator('#cal-cancel').isHidden()).toBe(true);
  expect(await stored()).toEqual(['First', 'Second']);

  // Remove the first; Undo puts it back first in the list, saved and in force.
  await panel.getByRole('button', { name: `Remove First (${lastWords})` }).click();
  await saved(page, /^Removed First/);
  expect(await stored()).toEqual(['Second']);
  expect(await active()).not.toMatch(/First/);
  expect(await axeViolations(page)).toEqual([]); // the message with its Undo button
  await page.locator('#cal-message').getByRole('button', { name: 'Undo' }).click();
  await saved(page, /^Put back First/);
  expect(await stored()).toEqual(['First', 'Second']);
  expect(await active()).toMatch(/First/);
  expect(await rowOf(page, 'First').count()).toBe(1);
});
