/**
 * The Today card at taskpane widths (320, 350, 500 px), light and dark: the reading a
 * trader needs is on the first screen and equals the API's own `signal` for that session;
 * when the service is down the last reading stays, marked "last known", with one message
 * and a Retry; axe-core finds no violations; every tab works with the keyboard alone.
 * Screenshots of each state go to .cache/screenshots/ (gitignored).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { OpenedContexts, axeViolations, dayInWords, openTaskpane, startHarness, type Harness } from './harness';

const SHOTS = path.resolve(__dirname, '../../.cache/screenshots');

let h: Harness;
const opened = new OpenedContexts();

beforeAll(async () => {
  h = await startHarness();
  await fs.mkdir(SHOTS, { recursive: true });
}, 120_000);
afterEach(async () => {
  await opened.closeAll();
});
afterAll(async () => {
  await h?.close();
});

interface Reading {
  date: string;
  composite: { rating: string; score: number; threshold: number };
  rotation: { state: string; posture: string };
  sizing: { fraction: number };
  breadth: { pct50: number };
}

/** The API's reading, over HTTP from the same server the page uses. */
async function apiReading(): Promise<Reading> {
  const res = await fetch(`${h.base}/api/v1/signal`);
  expect(res.status).toBe(200);
  return (await res.json()) as Reading;
}

async function open(width: number, scheme: 'light' | 'dark'): Promise<{ page: Page; context: BrowserContext }> {
  const { context, page } = await openTaskpane(h);
  opened.track(context);
  await page.setViewportSize({ width, height: 900 });
  await page.emulateMedia({ colorScheme: scheme });
  return { context, page };
}

const axe = axeViolations;

/** The element's box lies inside the first viewport (no scrolling needed). */
async function inFirstScreen(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((sel) => {
    const r = document.querySelector(sel)!.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth + 1;
  }, selector);
}

/** The card's words, computed here from the API's numbers, independently of today-model.ts. */
function percentText(fraction: number): string {
  return `${fraction * 100}%`;
}

const FIELD_PATH = /\b(?:composite|trend|momentum|breadth|rs|rotation|sizing|macro|credit)\.[a-z][A-Za-z0-9]*\b/;

describe.each([320, 350, 500])('at %i px', (width) => {
  test.each(['light', 'dark'] as const)('%s: the first screen is the reading the API gives', async (scheme) => {
    const { page } = await open(width, scheme);
    const r = await apiReading();
    await page.waitForSelector('#today-rating');
    for (const sel of [
      '#today-rating',
      '#today-score',
      '#today-layers',
      '#today-rotation',
      '#today-size',
      '#today-macro',
    ])
      expect(await inFirstScreen(page, sel)).toBe(true);
    expect((await page.locator('#today-rating').innerText()).toLowerCase()).toBe(r.composite.rating);
    const score = await page.locator('#today-score').innerText();
    expect(score.replace('\u2212', '-')).toContain(
      `score ${r.composite.score.toFixed(1)} vs ±${r.composite.threshold.toFixed(1)}`,
    );
    const rotation = await page.locator('#today-rotation').innerText();
    expect(rotation).toContain(r.rotation.state);
    expect(rotation).toContain(r.rotation.posture);
    expect(await page.locator('#today-size').innerText()).toMatch(new RegExp(`^${percentText(r.sizing.fraction)} `));
    expect(await page.locator('[data-layer="breadth"]').innerText()).toContain(`${r.breadth.pct50.toFixed(1)}% above`);
    expect(await page.locator('#today-macro').innerText()).toMatch(/window/);
    // Day of the reading in the one date format.
    expect(await page.locator('.today-date').innerText()).toBe(`Session of ${dayInWords(r.date)}`);
    // No field path, file path or header name reaches the user, on any tab.
    const all = await page.evaluate(() => document.body.innerText + ' ' + document.body.textContent);
    expect(all.match(new RegExp(FIELD_PATH.source, 'g')) ?? []).toEqual([]);
    expect(all).not.toMatch(/docs\/|\.md\b|x-functions-key/);
    // Opening a layer shows its numbers.
    await page.locator('[data-layer="trend"] summary').click();
    expect(await page.locator('[data-layer="trend"] dl').isVisible()).toBe(true);
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, `today-${width}-${scheme}.png`) });
  });
});

test('API down: the last reading stays, marked, with one message, Retry and the connection link', async () => {
  const { context, page } = await open(350, 'light');
  const r = await apiReading();
  await page.waitForSelector('#today-rating');
  // The service goes away: every API request fails as a network error.
  await context.route(`${h.base}/api/**`, (route) => route.abort('connectionrefused'));
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('#today-alert:not([hidden])');
  const alert = await page.locator('#today-alert').innerText();
  expect(alert).toMatch(/No answer from the signal service/);
  expect(alert).toMatch(/last known reading/);
  expect(await page.locator('.last-known').innerText()).toMatch(/last known/i);
  expect((await page.locator('#today-rating').innerText()).toLowerCase()).toBe(r.composite.rating);
  expect(await page.locator('#today-body').getAttribute('data-last-known')).toBe('true');
  // One message: the Today card's, not one per panel on the first screen.
  expect(await page.getByText(/Failed to fetch/).count()).toBeLessThanOrEqual(1);
  expect(await axe(page)).toEqual([]);
  await page.screenshot({ path: path.join(SHOTS, 'today-350-api-down.png') });

  // The connection link opens Settings at the address field.
  await page.locator('#today-connection').click();
  expect(await page.locator('#tab-settings').getAttribute('aria-selected')).toBe('true');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('api-url');
  await page.locator('#tab-today').click();

  // Refresh does not claim a success when nothing reached the service.
  await page.locator('#refresh').click();
  await page.waitForFunction(() =>
    /Nothing was refreshed/.test(document.getElementById('refresh-message')!.textContent!),
  );
  expect(await page.locator('#refresh-message').getAttribute('data-kind')).toBe('error');

  // Retry once the service is back replaces the last-known reading with a live one.
  await context.unroute(`${h.base}/api/**`);
  await page.locator('#today-retry').click();
  await page.waitForSelector('#today-alert[hidden]', { state: 'attached' });
  expect(await page.locator('#today-body').getAttribute('data-last-known')).toBe('false');
});

test('API down with nothing kept: says so, no stale card', async () => {
  const { context, page } = await open(350, 'dark');
  await page.evaluate(() => localStorage.clear());
  await context.route(`${h.base}/api/**`, (route) => route.abort('connectionrefused'));
  await page.reload();
  await page.waitForSelector('#today-alert:not([hidden])');
  expect(await page.locator('#today-alert').innerText()).toMatch(/no earlier reading/);
  expect(await page.locator('#today-rating').count()).toBe(0);
  expect(await axe(page)).toEqual([]);
});

test('keyboard only: arrows move between the tabs, each panel shows and is reachable with Tab', async () => {
  const { page } = await open(350, 'light');
  await page.locator('#tab-today').focus();
  const names = ['today', 'calendar', 'charts', 'workbook', 'settings'];
  for (let i = 0; i < names.length; i++) {
    const id = names[i];
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`tab-${id}`);
    expect(await page.locator(`#tab-${id}`).getAttribute('aria-selected')).toBe('true');
    expect(await page.locator(`#panel-${id}`).isVisible()).toBe(true);
    for (const other of names.filter((n) => n !== id))
      expect(await page.locator(`#panel-${other}`).isHidden()).toBe(true);
    // Tab leaves the tab list into the panel.
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate((p) => document.getElementById(p)!.contains(document.activeElement), `panel-${id}`),
    ).toBe(true);
    await page.keyboard.press('Shift+Tab');
    if (i < names.length - 1) await page.keyboard.press('ArrowRight');
  }
  await page.keyboard.press('ArrowRight'); // wraps
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-today');
  await page.keyboard.press('End');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-settings');
  expect(await axe(page)).toEqual([]);
  await page.screenshot({ path: path.join(SHOTS, 'settings-350-light.png') });
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowLeft');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-settings');

  // Escape closes what Enter opened: a layer's numbers on Today, a group in Settings.
  await page.keyboard.press('Home');
  const trend = page.locator('[data-layer="trend"] details');
  await page.locator('[data-layer="trend"] summary').focus();
  await page.keyboard.press('Enter');
  expect(await trend.getAttribute('open')).not.toBeNull();
  await page.keyboard.press('Escape');
  expect(await trend.getAttribute('open')).toBeNull();
  expect(await page.evaluate(() => document.activeElement?.closest('[data-layer]')?.getAttribute('data-layer'))).toBe(
    'trend',
  );
  await page.locator('#tab-settings').click();
  await page.locator('#group-rs > summary').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab'); // into the group's first field
  expect(await page.evaluate(() => document.activeElement?.closest('details')?.id)).toBe('group-rs');
  await page.keyboard.press('Escape');
  expect(await page.locator('#group-rs').getAttribute('open')).toBeNull();
  expect(await page.evaluate(() => document.activeElement?.parentElement?.id)).toBe('group-rs');
});
