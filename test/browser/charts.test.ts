/**
 * The charts panel in headless Chromium (the built taskpane outside Office, the sample API
 * on the same origin): three SVG charts from one history call, checked against the API's
 * own /api/v1/history answer for the same sessions: as many line points as defined
 * values, the parity band from the ratio's 20-session high and low, the breadth lines
 * where the axis puts 30/50/55, a redraw for another range, after a profile change and on
 * Reload, accessible names in words, and an error said in the live region.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
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
const opened = new OpenedContexts();

beforeAll(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await opened.closeAll();
});
afterAll(async () => {
  await h?.close();
});

async function open(): Promise<Page> {
  const { context, page } = await openTaskpane(h, { tab: 'tab-charts' });
  opened.track(context);
  await chartsReady(page, 250);
  return page;
}

/** Waits until the panel is idle and its ratio chart shows `sessions` sessions. */
async function chartsReady(page: Page, sessions: number): Promise<void> {
  await page.waitForFunction((n) => {
    const section = document.getElementById('charts-section');
    const svg = document.querySelector('svg[data-chart="rotation"]');
    return section?.getAttribute('aria-busy') === 'false' && svg?.getAttribute('data-sessions') === String(n);
  }, sessions);
}

interface Table {
  columns: string[];
  rows: (number | string | null)[][];
  meta: { sample: boolean; symbol: string; benchmark: string };
}

/** The API's own history over HTTP, as columns by field name. */
async function apiHistory(from: number, fields: string[], profile?: unknown): Promise<Record<string, unknown[]>> {
  const q = new URLSearchParams({ from: String(from), fields: fields.join(',') });
  if (profile !== undefined) q.set('profile', JSON.stringify(profile));
  const res = await fetch(`${h.base}/api/v1/history?${q}`);
  expect(res.status).toBe(200);
  const t = (await res.json()) as Table;
  return Object.fromEntries(t.columns.map((c, i) => [c, t.rows.map((r) => r[i])]));
}

const defined = (xs: unknown[]) => xs.filter((v) => typeof v === 'number').length;

/** The [x, y] pairs of a path's M and L commands, per sub-path. */
function subpaths(d: string): number[][][] {
  return d
    .split('M')
    .filter(Boolean)
    .map((part) => [...`M${part}`.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]));
}

const pathOf = (page: Page, chart: string, series: string) =>
  page
    .locator(`svg[data-chart="${chart}"] path[data-series="${series}"]`)
    .getAttribute('d')
    .then((d) => d ?? '');

/** The chart's axis, read from its data attributes: y of a value, x of a session index. */
async function axis(page: Page, chart: string) {
  const a = await page.locator(`svg[data-chart="${chart}"]`).evaluate((svg) => ({ ...(svg as SVGElement).dataset }));
  const [ymin, ymax, top, bottom, left, right, n] = ['ymin', 'ymax', 'top', 'bottom', 'left', 'right', 'sessions'].map(
    (k) => Number(a[k]),
  );
  return {
    n,
    y: (v: number) => top + ((ymax - v) / (ymax - ymin)) * (bottom - top),
    x: (i: number) => left + (i / (n - 1)) * (right - left),
    top,
    bottom,
  };
}

test('outside Office: three charts of the last 250 sessions, agreeing with /api/v1/history', async () => {
  const page = await open();
  const api = await apiHistory(-250, [
    'date',
    'rotation.ratio',
    'rotation.ratioSma',
    'rotation.bandPct',
    'breadth.pct50',
  ]);
  const n = api.date.length;
  expect(n).toBe(250);
  expect(await page.locator('#charts-section svg[role="img"]').count()).toBe(4);
  expect(await page.locator('#charts-progress').isHidden()).toBe(true);

  // Lines: one point per defined value, no more (missing values are gaps, not zeros).
  expect(subpaths(await pathOf(page, 'rotation', 'ratio')).flat()).toHaveLength(defined(api['rotation.ratio']));
  expect(subpaths(await pathOf(page, 'rotation', 'ratioSma')).flat()).toHaveLength(defined(api['rotation.ratioSma']));
  expect(subpaths(await pathOf(page, 'breadth', 'pct50')).flat()).toHaveLength(defined(api['breadth.pct50']));

  // The ratio line is where the axis puts the API's values.
  const rot = await axis(page, 'rotation');
  const ratioPts = subpaths(await pathOf(page, 'rotation', 'ratio')).flat();
  for (const i of [0, 100, n - 1]) {
    expect(ratioPts[i][0]).toBeCloseTo(rot.x(i), 1);
    expect(ratioPts[i][1]).toBeCloseTo(rot.y(api['rotation.ratio'][i] as number), 1);
  }

  // The band: one polygon over every session shown (the panel fetched the 19 sessions before
  // the range), its edges the highest and lowest ratio of the last 20 sessions; their
  // spread over the mean is the API's bandPct.
  const wide = await apiHistory(-(250 + 19), ['rotation.ratio']);
  const ratios = wide['rotation.ratio'] as number[];
  const band = subpaths(await pathOf(page, 'rotation', 'band'));
  expect(band).toHaveLength(1);
  expect(band[0]).toHaveLength(2 * n);
  for (const i of [0, 137, n - 1]) {
    const window = ratios.slice(i, i + 20);
    const hi = Math.max(...window);
    const lo = Math.min(...window);
    const mean = window.reduce((a, b) => a + b, 0) / 20;
    expect(((hi - lo) / mean) * 100).toBeCloseTo(api['rotation.bandPct'][i] as number, 9);
    expect(band[0][i][1]).toBeCloseTo(rot.y(hi), 1); // upper edge, left to right
    expect(band[0][2 * n - 1 - i][1]).toBeCloseTo(rot.y(lo), 1); // lower edge, right to left
  }

  // Breadth: the 30/50/55 lines where the axis puts them.
  const br = await axis(page, 'breadth');
  for (const v of [30, 50, 55]) {
    const line = page.locator(`svg[data-chart="breadth"] line[data-ref="${v}"]`);
    expect(Number(await line.getAttribute('y1'))).toBeCloseTo(br.y(v), 1);
    expect(Number(await line.getAttribute('y2'))).toBeCloseTo(br.y(v), 1);
  }
  expect(br.y(0)).toBe(br.bottom);
  expect(br.y(100)).toBe(br.top);

  // Accessible names say the latest values in words.
  const last = n - 1;
  const ratio = (api['rotation.ratio'][last] as number).toFixed(4);
  const sma = (api['rotation.ratioSma'][last] as number).toFixed(4);
  const inside = (api['rotation.bandPct'][last] as number) <= 2 ? 'inside' : 'outside';
  await expect(
    page
      .getByRole('img', {
        name: new RegExp(
          `^IWM/SPY ratio ${ratio} on ${dayInWords(api.date[last] as string)}, 50-day average ${sma}.*, ${inside} the parity band`,
        ),
      })
      .count(),
  ).resolves.toBe(1);
  const pct50 = (api['breadth.pct50'][last] as number).toFixed(1);
  await expect(
    page
      .getByRole('img', {
        name: new RegExp(
          `^${pct50} % of members above their 50-day average on ${dayInWords(api.date[last] as string)}`,
        ),
      })
      .count(),
  ).resolves.toBe(1);
  await expect(page.getByRole('img', { name: /^Composite score [+-]?\d/ }).count()).resolves.toBe(1);

  // The sizing strategy against buy-and-hold: the API's backtest equity over the same sessions.
  const bt = (await (await fetch(`${h.base}/api/v1/backtest?from=-250`)).json()) as {
    strategy: { from: string; to: string; equity: { date: string[]; strategy: number[]; buyHold: number[] } };
  };
  const eq = bt.strategy.equity;
  expect(eq.date).toEqual(api.date);
  const st = await axis(page, 'strategy');
  expect(st.n).toBe(250);
  const equityPts = subpaths(await pathOf(page, 'strategy', 'strategy')).flat();
  const holdPts = subpaths(await pathOf(page, 'strategy', 'buyHold')).flat();
  expect([equityPts.length, holdPts.length]).toEqual([250, 250]);
  for (const i of [0, 120, n - 1]) {
    expect(equityPts[i][1]).toBeCloseTo(st.y(eq.strategy[i]), 1);
    expect(holdPts[i][1]).toBeCloseTo(st.y(eq.buyHold[i]), 1);
  }
  await expect(
    page
      .getByRole('img', { name: /^Sizing strategy [+-]\d+\.\d % \(largest drawdown .*against buy-and-hold [+-]\d/ })
      .count(),
  ).resolves.toBe(1);
  await expect(page.getByRole('region', { name: 'Charts' }).count()).resolves.toBe(1);
  expect(await page.getAttribute('#charts-section', 'aria-labelledby')).toBe('charts-title');
  expect(await page.locator('#charts-title').innerText()).toBe('Charts');

  // Sample data is said; the status line names the range.
  expect(await page.locator('#charts-note').innerText()).toMatch(/^Sample data/);
  expect(await page.locator('#charts-message').innerText()).toBe(
    `Showing 250 sessions of IWM, ${dayInWords(api.date[0] as string)} to ${dayInWords(api.date[last] as string)}, profile iwm.`,
  );

  // "Show data": the last 10 sessions, newest first; each summary names its chart.
  const details = page.locator('#chart-rotation details');
  for (const chart of ['ratio', 'breadth', 'composite score', 'strategy'])
    await expect(page.getByText(`Show data of the ${chart} chart`, { exact: true }).count()).resolves.toBe(1);
  await details.locator('summary').click();
  const rows = details.locator('tbody tr');
  expect(await rows.count()).toBe(10);
  expect(await rows.first().locator('th').innerText()).toBe(dayInWords(api.date[last] as string));
  expect(await rows.first().locator('td').first().innerText()).toBe(ratio);
  expect(await rows.last().locator('th').innerText()).toBe(dayInWords(api.date[last - 9] as string));

  // The breadth legend in words; no date shown as ISO: text, open data tables, chart names.
  expect(await page.locator('#chart-breadth .chart-legend li').first().innerText()).toBe('% above 50-day average');
  for (const chart of ['breadth', 'composite', 'strategy']) await page.locator(`#chart-${chart} summary`).click();
  expect(await page.locator('#charts-section details[open]').count()).toBe(4);
  expect(await isoDaysShown(page, '#charts-section')).toEqual([]);
  expect(await axeViolations(page)).toEqual([]);
  const names = await page
    .locator('#charts-section svg[role="img"]')
    .evaluateAll((svgs) => svgs.map((svg) => svg.getAttribute('aria-label') ?? ''));
  expect(names.join(' ')).not.toMatch(/\b\d{4}-\d{2}-\d{2}\b/);
  expect(names[3]).toContain(`${dayInWords(bt.strategy.from)} to ${dayInWords(bt.strategy.to)}`);

  // One look at it (IWM_KEEP_SCREENSHOT=1 keeps the file).
  const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'iwm-charts-')), 'charts.png');
  await page.locator('#charts-section').screenshot({ path: file });
  const png = await fs.readFile(file);
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(png.readUInt32BE(16)).toBeLessThanOrEqual(360);
  if (process.env.IWM_KEEP_SCREENSHOT) console.log(`screenshot: ${file}`);
  else await fs.rm(path.dirname(file), { recursive: true, force: true });
});

test('the range selector redraws with 60 sessions', async () => {
  const page = await open();
  await page.getByLabel('Chart range', { exact: true }).selectOption('60');
  await chartsReady(page, 60);
  const api = await apiHistory(-60, ['date', 'rotation.ratio', 'breadth.pct50', 'composite.score']);
  expect(subpaths(await pathOf(page, 'rotation', 'ratio')).flat()).toHaveLength(defined(api['rotation.ratio']));
  expect(subpaths(await pathOf(page, 'breadth', 'pct50')).flat()).toHaveLength(defined(api['breadth.pct50']));
  expect(subpaths(await pathOf(page, 'rotation', 'band'))[0]).toHaveLength(120);
  for (const chart of ['rotation', 'breadth', 'composite'])
    expect(await page.getAttribute(`svg[data-chart="${chart}"]`, 'data-sessions')).toBe('60');
  expect(await page.locator('#charts-message').innerText()).toContain(
    `${dayInWords(api.date[0] as string)} to ${dayInWords(api.date[59] as string)}`,
  );
  // A wider pane redraws at its width (the viewBox follows; text keeps its size).
  const viewBoxWidth = () => page.locator('svg[data-chart="breadth"]').evaluate((e) => e.getAttribute('viewBox')!);
  expect(await viewBoxWidth()).toBe('0 0 328 176');
  await page.setViewportSize({ width: 420, height: 900 });
  await page.waitForFunction(
    () => document.querySelector('svg[data-chart="breadth"]')?.getAttribute('viewBox') === '0 0 388 176',
  );
  expect(await page.getAttribute('svg[data-chart="rotation"]', 'data-sessions')).toBe('60');
  // The composite chart's name reads the API's latest score.
  const score = api['composite.score'][59] as number;
  await expect(
    page
      .getByRole('img', { name: new RegExp(`^Composite score \\${score > 0 ? '+' : ''}${score.toFixed(2)}`) })
      .count(),
  ).resolves.toBe(1);
});

test("a saved profile redraws with the profile's own thresholds", async () => {
  const page = await open();
  // The profile editor lives on the Settings tab; the charts are read back on theirs.
  await page.locator('#tab-settings').click();
  await page.locator('#group-breadth > summary').click();
  await page.getByLabel('Washout level', { exact: true }).fill('25');
  await page.locator('#profile-save').click();
  await page.locator('#tab-charts').click();
  await page.waitForFunction(() =>
    /profile iwm-custom\.$/.test(document.getElementById('charts-message')?.textContent ?? ''),
  );
  await chartsReady(page, 250);
  const br = await axis(page, 'breadth');
  const line = page.locator('svg[data-chart="breadth"] line[data-name="washout"]');
  expect(await line.getAttribute('data-ref')).toBe('25');
  expect(Number(await line.getAttribute('y1'))).toBeCloseTo(br.y(25), 1);
  expect(await page.locator('#chart-breadth .chart-legend').innerText()).toContain('washout 25');
});

test('Reload asks the API again; a failure is said in the live region and the charts go', async () => {
  const page = await open();
  let batches = 0;
  page.on('request', (r) => {
    if (r.url().endsWith('/api/v1/batch')) batches++;
  });
  await page.getByRole('button', { name: 'Reload' }).click();
  await page.waitForFunction(() => document.getElementById('charts-section')?.getAttribute('aria-busy') === 'false');
  await chartsReady(page, 250);
  expect(batches).toBe(1); // fresh: the cached answer is not reused

  await page.route('**/api/v1/batch', (route) => route.abort('connectionrefused'));
  await page.getByRole('button', { name: 'Reload' }).click();
  const message = page.locator('#charts-message');
  await page.waitForFunction(() =>
    /^Could not load the charts/.test(document.getElementById('charts-message')?.textContent ?? ''),
  );
  // The reason (with Retry) is the Today card's; the panel says what it means.
  expect(await message.innerText()).toBe('Could not load the charts: the signal service does not answer (see Today)');
  expect(await message.getAttribute('aria-live')).toBe('polite');
  expect(await message.getAttribute('data-kind')).toBe('error');
  expect(await page.getAttribute('#charts-section', 'aria-busy')).toBe('false');
  expect(await page.locator('#charts-section svg').count()).toBe(0);

  await page.unroute('**/api/v1/batch');
  await page.getByRole('button', { name: 'Reload' }).click();
  await chartsReady(page, 250);
  expect(await message.getAttribute('data-kind')).toBe('info');
});
