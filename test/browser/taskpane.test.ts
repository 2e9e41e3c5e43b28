/**
 * The taskpane in headless Chromium, served with the API on one origin (sample data):
 * it renders, shows the data source, validates the profile as you type with the API's
 * schema, applies a saved profile to the custom functions in the same page, keeps the
 * profile in the workbook (a fake Excel) across a reload, and works with the keyboard.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { formatDay } from '../../api/src/engine/dates';
import { profileLeaves } from '../../src/common/profile-form';
import { LAST_READING_KEY } from '../../src/taskpane/today';
import { SETTINGS_NAMESPACE, parseSettingsXml } from '../../src/common/workbook-settings';
import {
  FAKE_WORKBOOK_KEY,
  axeViolations,
  callFunction,
  dayInWords,
  openTaskpane,
  startHarness,
  type FakeWorkbook,
  type Harness,
  OpenedContexts,
} from './harness';

let h: Harness;
let sessions: string[];
const opened = new OpenedContexts();

beforeAll(async () => {
  h = await startHarness();
  sessions = Array.from((await h.rt.service.entry({})).history.dates, (d) => formatDay(d));
});
afterEach(async () => {
  await opened.closeAll();
});
afterAll(async () => {
  await h?.close();
});

async function open(options: Parameters<typeof openTaskpane>[1] = {}): Promise<Page> {
  const { context, page } = await openTaskpane(h, options);
  opened.track(context);
  return page;
}

/** Shows the Settings tab (the profile editor and the connection live there). */
async function settingsTab(page: Page): Promise<void> {
  await page.locator('#tab-settings').click();
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();

/** The API's own answer for one field, computed in this process. */
async function expected(field: string, asOf: string, profile?: unknown): Promise<unknown> {
  return ((await h.rt.service.call('field', { field, asOf, profile })) as { value: unknown }).value;
}

test('outside Office: renders, says the data is sample data', async () => {
  const page = await open();
  expect(await text(page, '#status-source')).toMatch(/sample/i);
  expect(await text(page, '#status-last')).toBe(dayInWords(sessions[sessions.length - 1]));
  // Said once, on the Today card; the Data section's banner is for an unreachable service.
  await page.waitForSelector('#today-notes');
  expect(await text(page, '#today-notes')).toMatch(/^Sample data: synthetic numbers/);
  expect(
    await page
      .locator('#panel-today')
      .getByText(/^Sample data/)
      .count(),
  ).toBe(1);
  expect(await page.locator('#banner').isHidden()).toBe(true);
  expect(await page.getAttribute('#status-section', 'aria-busy')).toBe('false');
  expect(await page.locator('#status-progress').isHidden()).toBe(true);
  expect(await text(page, '#profile-where')).toMatch(/this browser/);
  // Every schema parameter has its control, but the macro overlay: its one switch is on the
  // Calendar tab; Settings says its state and leads there.
  expect(await page.locator('[data-path]').count()).toBe(profileLeaves().length - 1);
  expect(await page.locator('[data-path="macro.enabled"]').count()).toBe(0);
  expect(await page.getByRole('switch', { name: 'Macro overlay', includeHidden: true }).count()).toBe(1);
  expect(await page.locator('#f-macro-enabled-state').textContent()).toBe('Macro overlay: on.');

  const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'iwm-taskpane-')), 'taskpane.png');
  await settingsTab(page);
  await page.locator('#group-trend > summary').click();
  await page.screenshot({ path: file, fullPage: true });
  const png = await fs.readFile(file);
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(png.readUInt32BE(16)).toBe(360); // IHDR width: the viewport
  expect(png.readUInt32BE(20)).toBeGreaterThan(900); // full page: longer than one screen
  expect(png.length).toBeGreaterThan(20_000);
  if (process.env.IWM_KEEP_SCREENSHOT) console.log(`screenshot: ${file}`);
  else await fs.rm(path.dirname(file), { recursive: true, force: true });
});

test('DONE-WHEN: an out-of-range value is refused with its range, a valid one saved is what the functions use', async () => {
  const page = await open();
  await settingsTab(page);
  const save = page.locator('#profile-save');
  const field = page.getByLabel('Momentum ATR multiplier', { exact: true });
  const error = page.locator('#f-momentum-atrMultiplier-error');
  await page.locator('#group-momentum > summary').click();
  expect(await field.inputValue()).toBe('1.5');

  await field.fill('25');
  expect(await error.innerText()).toBe('Momentum ATR multiplier must be between 0 and 20.');
  expect(await field.getAttribute('aria-invalid')).toBe('true');
  expect((await field.getAttribute('aria-describedby'))!.split(' ')).toEqual([
    'f-momentum-atrMultiplier-hint',
    'f-momentum-atrMultiplier-error',
  ]);
  expect(await save.isDisabled()).toBe(true);
  expect(await text(page, '#group-momentum-problems')).toBe('1 problem');

  await field.fill('2.5');
  expect(await error.isHidden()).toBe(true);
  expect(await field.getAttribute('aria-invalid')).toBe('false');
  expect(await field.getAttribute('aria-describedby')).toBe('f-momentum-atrMultiplier-hint');
  expect(await save.isEnabled()).toBe(true);
  await save.click();
  await page.waitForFunction(() =>
    /^Saved in this browser/.test(document.getElementById('profile-message')!.textContent!),
  );

  // The same page's custom functions now send the saved profile.
  const d = sessions[1200];
  const profile = { preset: 'iwm', momentum: { atrMultiplier: 2.5 } };
  const threshold = await callFunction(page, 'SIGNAL', 'momentum.threshold', d);
  expect(threshold).toBe(await expected('momentum.threshold', d, profile));
  expect(threshold).not.toBe(await expected('momentum.threshold', d));
  // ... and the API over HTTP agrees for that profile.
  const res = await fetch(`${h.base}/api/v1/signal?asOf=${d}&profile=${encodeURIComponent(JSON.stringify(profile))}`);
  const reading = (await res.json()) as { momentum: { threshold: number }; composite: { rating: string } };
  expect(reading.momentum.threshold).toBe(threshold);
  expect(await callFunction(page, 'COMPOSITE', d)).toBe(reading.composite.rating);
  // A profile argument in the formula still wins over the workbook's.
  expect(await callFunction(page, 'SIGNAL', 'momentum.threshold', d, undefined, 'iwm')).toBe(
    await expected('momentum.threshold', d),
  );
});

test('cross-field rules and bad text come from the same schema', async () => {
  const page = await open();
  await settingsTab(page);
  await page.locator('#group-trend > summary').click();
  await page.getByLabel('Fast EMA period', { exact: true }).fill('100');
  expect(await text(page, '#f-trend-fastPeriod-error')).toBe('Fast EMA period must be less than trend.slowPeriod.');
  await page.getByLabel('Fast EMA period', { exact: true }).fill('10.5');
  expect(await text(page, '#f-trend-fastPeriod-error')).toBe('Fast EMA period must be an integer between 2 and 500.');
  await page.getByLabel('Fast EMA period', { exact: true }).fill('');
  expect(await text(page, '#f-trend-fastPeriod-error')).toBe('Fast EMA period must be an integer between 2 and 500.');
  expect(await page.locator('#profile-save').isDisabled()).toBe(true);
  expect(await axeViolations(page)).toEqual([]); // errors shown next to their fields

  await page.getByRole('button', { name: 'Reset to defaults' }).click();
  expect(await page.getByLabel('Fast EMA period', { exact: true }).inputValue()).toBe('21');
  expect(await page.locator('#profile-save').isEnabled()).toBe(true);
  // Reset replaced what was typed: Undo brings it back (here the empty, refused value).
  expect(await axeViolations(page)).toEqual([]);
  await page.locator('#profile-message').getByRole('button', { name: 'Undo' }).click();
  expect(await page.getByLabel('Fast EMA period', { exact: true }).inputValue()).toBe('');
  expect(await page.locator('#profile-save').isDisabled()).toBe(true);
  await page.getByRole('button', { name: 'Reset to defaults' }).click();
  expect(await page.getByLabel('Fast EMA period', { exact: true }).inputValue()).toBe('21');

  // Presets: standard's look-back is 14.
  await page.getByLabel('Preset', { exact: true }).selectOption('standard');
  await page.locator('#group-momentum > summary').click();
  expect(await page.getByLabel('Momentum look-back (L)').inputValue()).toBe('14');
});

test('import and export JSON', async () => {
  const page = await open();
  await settingsTab(page);
  await page.locator('#profile-json > summary').click();
  await page.getByRole('button', { name: 'Export to text' }).click();
  expect(JSON.parse(await page.getByLabel('Profile JSON').inputValue())).toEqual({ preset: 'iwm' });

  await page.getByLabel('Profile JSON').fill('{"preset":"standard","rs":{"period":1000}}');
  await page.getByRole('button', { name: 'Import from text' }).click();
  expect(await text(page, '#profile-json-error')).toMatch(/rs\.period must be an integer between 1 and 250/);
  expect(await page.getByLabel('Profile JSON').getAttribute('aria-invalid')).toBe('true');

  await page.getByLabel('Profile JSON').fill('{"preset":"standard","rs":{"period":15}}');
  await page.getByRole('button', { name: 'Import from text' }).click();
  expect(await page.getByLabel('Preset', { exact: true }).inputValue()).toBe('standard');
  expect(await page.getByLabel('Relative strength period', { exact: true }).inputValue()).toBe('15');

  await page.getByLabel('Import from a file').setInputFiles({
    name: 'p.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"macro":{"enabled":false}}'),
  });
  await page.waitForFunction(
    () => document.getElementById('f-macro-enabled-state')!.textContent === 'Macro overlay: off.',
  );
  expect(await page.getByLabel('Preset', { exact: true }).inputValue()).toBe('iwm');
  await page.getByRole('button', { name: 'Export to text' }).click();
  expect(JSON.parse(await page.getByLabel('Profile JSON').inputValue())).toEqual({
    preset: 'iwm',
    macro: { enabled: false },
  });
});

test('in Excel: Save writes the workbook part and re-enters the IWM formulas; a reload loads it back', async () => {
  const workbook: FakeWorkbook = {
    parts: [],
    formulas: [
      ['=IWM.COMPOSITE()', 'note'],
      ['=SUM(1,2)', '=IWM.SIGNAL("rs.spread",-1)'],
    ],
    writes: [],
  };
  const page = await open({ excel: workbook });
  await settingsTab(page);
  expect(await text(page, '#profile-where')).toMatch(/Saved in this workbook/);
  await page.locator('#group-rs > summary').click();
  await page.getByLabel('Relative strength period', { exact: true }).fill('12');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForFunction(() => /Recalculated/.test(document.getElementById('profile-message')!.textContent!));
  expect(await text(page, '#profile-message')).toBe('Saved in this workbook. Recalculated 2 IWM formulas.');

  const stored = JSON.parse(
    (await page.evaluate((k) => sessionStorage.getItem(k), FAKE_WORKBOOK_KEY))!,
  ) as FakeWorkbook;
  expect(stored.parts).toHaveLength(1);
  expect(stored.parts[0].namespace).toBe(SETTINGS_NAMESPACE);
  const saved = { preset: 'iwm', rs: { period: 12 } };
  expect(parseSettingsXml(stored.parts[0].xml)).toEqual({ profile: saved });
  expect(stored.writes).toEqual([
    [0, 0, '=IWM.COMPOSITE()'],
    [1, 1, '=IWM.SIGNAL("rs.spread",-1)'],
  ]);
  // Nothing went to the browser's storage: the workbook is the only copy.
  // (The last reading of the Today card is kept, for when the service is down; no profile.)
  expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([LAST_READING_KEY]);

  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  expect(await page.getByLabel('Relative strength period', { exact: true }).inputValue()).toBe('12');
  expect(await page.getByLabel('Profile name').inputValue()).toBe('iwm-custom');
  // Loading a profile other than the default re-entered the formulas computed before it.
  expect(await text(page, '#refresh-message')).toBe("Loaded the workbook's profile; recalculated 2 IWM formulas.");
  const d = sessions[1100];
  expect(await callFunction(page, 'SIGNAL', 'rs.spread', d)).toBe(await expected('rs.spread', d, saved));

  // Refresh IWM formulas (on the Today tab) re-enters them again.
  await page.locator('#tab-today').click();
  await page.getByRole('button', { name: 'Refresh IWM formulas' }).click();
  await page.waitForFunction(() => /Recalculated/.test(document.getElementById('refresh-message')!.textContent!));
  expect(await text(page, '#refresh-message')).toBe('Recalculated 2 IWM formulas.');
});

test('progress while the API works, the page stays usable; a stale status is said with the last bar', async () => {
  const page = await open();
  await settingsTab(page);
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/v1/batch', async (route) => {
    await held;
    const calls = route.request().postDataJSON() as { fn: string }[];
    const response = await route.fetch();
    const results = (await response.json()) as { value?: Record<string, unknown> }[];
    const stale = results.map((r, i) =>
      calls[i].fn === 'status'
        ? {
            value: {
              ...r.value,
              sample: false,
              source: 'massive',
              stale: true,
              staleReason: 'no bars since 2026-11-20',
              backfill: { sessionsDone: 65, sessionsTotal: 260, etaMinutes: 39, complete: false, text: 'unused' },
            },
          }
        : r,
    );
    await route.fulfill({ response, json: stale });
  });
  await page.locator('#tab-today').click();
  await page.getByRole('button', { name: 'Refresh IWM formulas' }).click();
  await page.waitForSelector('#status-progress:not([hidden])');
  expect(await page.getAttribute('#status-section', 'aria-busy')).toBe('true');
  expect(await page.getAttribute('#refresh', 'aria-disabled')).toBe('true');
  // While the request is held the editor still validates as you type.
  await settingsTab(page);
  await page.locator('#group-rs > summary').click();
  await page.getByLabel('Relative strength period', { exact: true }).fill('0');
  expect(await text(page, '#f-rs-period-error')).toBe('Relative strength period must be an integer between 1 and 250.');
  release();
  await page.waitForSelector('#status-progress[hidden]', { state: 'attached' });
  expect(await page.getAttribute('#status-section', 'aria-busy')).toBe('false');
  expect(await text(page, '#status-last')).toBe(
    `${dayInWords(sessions[sessions.length - 1])} (out of date: no bars since 20 Nov 2026)`,
  );
  expect(await page.locator('#banner').isHidden()).toBe(true);
  expect(await text(page, '#status-source')).toBe('massive');
  // The universe backfill's progress, in sessions and minutes (65/260 = 25 %).
  expect(await page.locator('#status-backfill-label').getAttribute('hidden')).toBeNull();
  expect(await text(page, '#status-backfill')).toBe('65 of 260 sessions loaded (25%), about 39 min left');
  // The status answers first; the message follows once the Today card has reloaded too.
  await page.waitForFunction(() =>
    /^Reading updated/.test(document.getElementById('refresh-message')?.textContent ?? ''),
  );
});

test('connection: address and key are validated; Apply points the functions elsewhere and is kept', async () => {
  const page = await open();
  await settingsTab(page);
  const url = page.getByLabel('Signal service address');
  const key = page.getByLabel('Function key (optional)');
  expect(await url.inputValue()).toBe(`${h.base}/api/v1`);
  await url.fill('ftp://example.com/api');
  expect(await text(page, '#api-url-error')).toBe('API address must start with https:// or http:// (got ftp:)');
  expect(await url.getAttribute('aria-invalid')).toBe('true');
  await key.fill('has space');
  expect(await text(page, '#api-key-error')).toMatch(/without spaces/);
  await page.getByRole('button', { name: 'Apply' }).click();
  expect(await text(page, '#api-message')).toBe('Fix the highlighted value first.');

  // A port nobody listens on: the banner says the API cannot be reached, and so do the functions.
  await url.fill('http://127.0.0.1:9/api/v1/');
  await key.fill('abc==');
  await page.getByRole('button', { name: 'Apply' }).click();
  expect(await url.inputValue()).toBe('http://127.0.0.1:9/api/v1');
  await page.waitForFunction(() => !document.getElementById('banner')!.hidden);
  expect(await page.locator('#banner').textContent()).toMatch(/^Data status unknown/);
  await expect(callFunction(page, 'COMPOSITE')).rejects.toThrow(/#N\/A cannot reach the IWM API/);
  expect(JSON.parse((await page.evaluate(() => localStorage.getItem('iwm-signal-analyzer:connection:v1')))!)).toEqual({
    apiUrl: 'http://127.0.0.1:9/api/v1',
    apiKey: 'abc==',
  });

  // Empty is the default (this origin); a reload keeps what was applied.
  await url.fill('');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => document.getElementById('banner')!.hidden);
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  expect(await page.getByLabel('Signal service address').inputValue()).toBe(`${h.base}/api/v1`);
  expect(await text(page, '#status-source')).toMatch(/sample/);
});

test('keyboard: Tab reaches the preset, a field and Save; Enter and Space activate; every control is named', async () => {
  const page = await open();
  await settingsTab(page);
  const order: string[] = [];
  for (let i = 0; i < 40 && !order.includes('profile-save'); i++) {
    await page.keyboard.press('Tab');
    order.push(
      await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        return el.id || (el.tagName === 'SUMMARY' ? `summary:${el.parentElement!.id}` : el.tagName);
      }),
    );
  }
  const at = (id: string) => order.indexOf(id);
  expect(at('preset')).toBeGreaterThanOrEqual(0);
  expect(at('f-macro-enabled-go')).toBeGreaterThan(at('preset'));
  expect(at('summary:group-trend')).toBeGreaterThan(at('f-macro-enabled-go'));
  expect(at('profile-save')).toBeGreaterThan(at('summary:group-backtest'));

  // The overlay's button leads to its one switch on the Calendar tab, and back.
  await page.focus('#f-macro-enabled-go');
  await page.keyboard.press('Enter');
  expect(await page.evaluate(() => document.activeElement!.id)).toBe('cal-overlay');
  expect(await page.locator('#tab-calendar').getAttribute('aria-selected')).toBe('true');
  await settingsTab(page);
  // Enter opens a group; type into its first field.
  await page.focus('#group-general > summary');
  await page.keyboard.press('Enter');
  expect(await page.getAttribute('#group-general', 'open')).toBe('');
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement!.id)).toBe('f-name');
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement!.id)).toBe('f-atrPeriod');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('20');
  // Enter in a field submits the form: Save.
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /^Saved/.test(document.getElementById('profile-message')!.textContent!));
  // Space on a focused button activates it.
  await page.focus('#profile-reset');
  await page.keyboard.press('Space');
  expect(await page.inputValue('#f-atrPeriod')).toBe('14');
  expect(await text(page, '#profile-message')).toMatch(/^Reset to the iwm preset/);

  // Accessible names, as Chromium computes them for assistive technology.
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
    nodes: { ignored: boolean; role?: { value: string }; name?: { value: string } }[];
  };
  const interactive = new Set([
    'textbox',
    'spinbutton',
    'combobox',
    'button',
    'checkbox',
    'switch',
    'DisclosureTriangle',
  ]);
  const controls = nodes.filter((n) => !n.ignored && interactive.has(n.role?.value ?? ''));
  expect(controls.length).toBeGreaterThan(profileLeaves().length + 8);
  const unnamed = controls.filter((n) => !n.name?.value?.trim());
  expect(unnamed).toEqual([]);
  // Chromium names the parts of every date input alike (Month, Day, Year, Show date picker).
  const datePart = /^(Month|Day|Year|Show date picker)( |$)/;
  const names = controls
    .filter((n) => n.role!.value !== 'DisclosureTriangle' && !datePart.test(n.name!.value))
    .map((n) => n.name!.value);
  expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  // And from the DOM side: every input, select, textarea and button has a label or text.
  const orphans = await page.evaluate(() =>
    Array.from(document.querySelectorAll('input, select, textarea, button'))
      .filter((el) => {
        const c = el as HTMLInputElement;
        return c.labels?.length ? false : !(c.textContent?.trim() || c.getAttribute('aria-label'));
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  expect(orphans).toEqual([]);
});
