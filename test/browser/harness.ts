/**
 * Runs the built add-in (dist/) in Debian's headless Chromium through playwright-core:
 * one plain HTTP server serving dist/ and the API (sample data) on one origin, the way
 * `npm start` serves them, and office.js from the local npm copy instead of Microsoft's
 * CDN (no internet here).
 *
 * Two ways to host the page:
 * - outside Office: the real office.js (Office.onReady resolves with host null), plus a
 *   recording `CustomFunctions` so the test can call the functions the bundle associated;
 * - in a fake Excel: office.js replaced by nothing, and `Office`/`Excel` stand-ins whose
 *   workbook (custom XML parts, one sheet of formulas) lives in sessionStorage, so it
 *   survives a reload of the page like a workbook survives closing the taskpane.
 */
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createAddinHandler } from '../../api/src/host/addin-host';
import { createRequestHandler } from '../../api/src/host/local-host';
import type { Runtime } from '../../api/src/service/runtime';
import { sampleRuntime } from '../support/runtime';
import { onTeardown } from '../support/teardown';

const ROOT = path.resolve(__dirname, '../..');
export const DIST = path.join(ROOT, 'dist');
const OFFICE_DIST = path.join(ROOT, 'node_modules/@microsoft/office-js/dist');
const OFFICE_CDN = 'https://appsforoffice.microsoft.com/lib/1/hosted/';
export const CHROMIUM = process.env.IWM_CHROMIUM ?? '/usr/bin/chromium';

export interface Harness {
  rt: Runtime;
  browser: Browser;
  base: string;
  close(): Promise<void>;
}

/** Fails with a message that says what to do when a prerequisite is missing. */
function requirePrerequisites(): void {
  if (!existsSync(path.join(DIST, 'taskpane.html')))
    throw new Error('dist/taskpane.html is missing: run `npm run build:addin` first (npm test does)');
  if (!existsSync(path.join(OFFICE_DIST, 'office.js')))
    throw new Error('node_modules/@microsoft/office-js/dist/office.js is missing: run `npm install`');
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium (or set IWM_CHROMIUM); .ci/run does`,
    );
}

export async function startHarness(): Promise<Harness> {
  requirePrerequisites();
  const rt = await sampleRuntime();
  const server: Server = createServer(
    createAddinHandler({ dir: DIST, api: createRequestHandler({ runtime: rt, functionKeys: [], corsOrigins: [] }) }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  } catch (err) {
    await new Promise((resolve) => server.close(resolve));
    await rt.close();
    throw err;
  }
  // A setup that times out never hands the harness to its afterAll: close Chromium anyway.
  onTeardown(() => browser.close());
  return {
    rt,
    browser,
    base,
    async close() {
      await browser.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rt.close();
    },
  };
}

/** Serves Microsoft's CDN from the local office.js copy; any other outside request is refused. */
async function routeOutside(context: BrowserContext, base: string, officeJs: 'local' | 'none'): Promise<void> {
  await context.route(
    (url) => !url.href.startsWith(base),
    async (route) => {
      const url = route.request().url();
      if (!url.startsWith(OFFICE_CDN)) return route.abort();
      if (officeJs === 'none')
        return route.fulfill({ contentType: 'text/javascript', body: '/* office.js replaced by the fake host */' });
      const rel = url.slice(OFFICE_CDN.length).split(/[?#]/)[0];
      const file = path.resolve(OFFICE_DIST, rel);
      if (!file.startsWith(OFFICE_DIST + path.sep) || !existsSync(file))
        return route.fulfill({ status: 404, body: '' });
      return route.fulfill({ contentType: 'text/javascript', body: await fs.readFile(file) });
    },
  );
}

/**
 * A `CustomFunctions` that records what the functions bundle associates, on
 * `window.__customFunctions` (by upper-case id). office.js assigns its own `associate`
 * onto an existing CustomFunctions object; the setter ignores that.
 */
function recordCustomFunctions(): void {
  const fns: Record<string, (...args: unknown[]) => unknown> = {};
  class CustomFunctionError extends Error {
    constructor(
      readonly code: string,
      message?: string,
    ) {
      super(message);
      this.name = 'CustomFunctions.Error';
    }
  }
  const cf: Record<string, unknown> = {
    Error: CustomFunctionError,
    ErrorCode: { invalidValue: '#VALUE!', notAvailable: '#N/A' },
  };
  Object.defineProperty(cf, 'associate', {
    enumerable: true,
    get: () => (id: string, fn: (...args: unknown[]) => unknown) => {
      fns[String(id).toUpperCase()] = fn;
    },
    set: () => undefined,
  });
  const w = window as unknown as Record<string, unknown>;
  w.CustomFunctions = cf;
  w.__customFunctions = fns;
}

/** What the fake workbook holds (in sessionStorage under FAKE_WORKBOOK_KEY). */
export interface FakeWorkbook {
  parts: { id: number; namespace: string; xml: string }[];
  formulas: unknown[][];
  /** Cells whose formula the add-in re-entered: [row, col, formula]. */
  writes: [number, number, unknown][];
}
export const FAKE_WORKBOOK_KEY = '__fakeWorkbook';

/**
 * A fake Excel: Office.onReady resolves with host Excel, and Excel.run gives a context
 * with just what the add-in uses (custom XML parts, worksheets' used range and cells).
 * Reads are answered at context.sync(), as in Excel.
 */
function fakeExcel(seed: FakeWorkbook): void {
  const KEY = '__fakeWorkbook';
  const read = (): FakeWorkbook => JSON.parse(sessionStorage.getItem(KEY) ?? JSON.stringify(seed));
  const w = window as unknown as Record<string, unknown>;
  w.Office = {
    HostType: { Excel: 'Excel' },
    context: { host: 'Excel', requirements: { isSetSupported: () => true } },
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
      const wb = read();
      let queue: (() => void)[] = [];
      const sync = async () => {
        const ops = queue;
        queue = [];
        for (const op of ops) op();
        sessionStorage.setItem(KEY, JSON.stringify(wb));
      };
      const part = (id: number) => ({
        getXml() {
          const result: { value?: string } = {};
          queue.push(() => (result.value = wb.parts.find((p) => p.id === id)?.xml));
          return result;
        },
        setXml(xml: string) {
          queue.push(() => {
            const p = wb.parts.find((q) => q.id === id);
            if (p) p.xml = xml;
          });
        },
        delete() {
          queue.push(() => (wb.parts = wb.parts.filter((p) => p.id !== id)));
        },
      });
      const context = {
        sync,
        workbook: {
          customXmlParts: {
            getByNamespace(namespace: string) {
              const collection: { items: unknown[]; load: () => void } = { items: [], load: () => undefined };
              queue.push(() => {
                collection.items = wb.parts.filter((p) => p.namespace === namespace).map((p) => part(p.id));
              });
              return collection;
            },
            add(xml: string) {
              const namespace = /xmlns="([^"]*)"/.exec(xml)?.[1] ?? '';
              queue.push(() => wb.parts.push({ id: wb.parts.length + 1, namespace, xml }));
              return part(wb.parts.length + 1);
            },
          },
          worksheets: {
            items: [] as unknown[],
            load() {
              queue.push(() => {
                this.items = [
                  {
                    name: 'Signals',
                    getUsedRangeOrNullObject() {
                      const range = {
                        formulas: [] as unknown[][],
                        rowIndex: 0,
                        columnIndex: 0,
                        isNullObject: false,
                        load: () => undefined,
                      };
                      queue.push(() => (range.formulas = wb.formulas));
                      return range;
                    },
                    getCell(row: number, col: number) {
                      return {
                        set formulas(value: unknown[][]) {
                          queue.push(() => wb.writes.push([row, col, value[0][0]]));
                        },
                      };
                    },
                  },
                ];
              });
            },
          },
        },
      };
      const result = await batch(context);
      await sync();
      return result;
    },
  };
}

export interface PageOptions {
  /** Host the page in the fake Excel (default: outside Office, real office.js). */
  excel?: FakeWorkbook;
  /** Start on this tab (its button id, e.g. 'tab-calendar'); default: the Today tab. */
  tab?: string;
}

/** A new context and page on the taskpane, started (body[data-ready]). */
export async function openTaskpane(
  h: Harness,
  options: PageOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await h.browser.newContext({ viewport: { width: 360, height: 900 } });
  // Fail a stuck wait well before jest's test timeout, with Playwright's message.
  context.setDefaultTimeout(10_000);
  await routeOutside(context, h.base, options.excel ? 'none' : 'local');
  await context.addInitScript(recordCustomFunctions);
  if (options.excel) await context.addInitScript(fakeExcel, options.excel);
  // The tabs remember the last one shown for the session (src/taskpane/tabs.ts).
  if (options.tab)
    await context.addInitScript((tab) => {
      if (!sessionStorage.getItem('iwm-signal-analyzer:tab:v1'))
        sessionStorage.setItem('iwm-signal-analyzer:tab:v1', tab);
    }, options.tab);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${h.base}/taskpane.html`);
  try {
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
  } catch (err) {
    throw new Error(`the taskpane did not start: ${errors.join('; ') || (err as Error).message}`, { cause: err });
  }
  return { context, page };
}

/** Calls a custom function the bundle associated (through the page's shared runtime). */
export function callFunction(page: Page, id: string, ...args: unknown[]): Promise<unknown> {
  return page
    .evaluate(
      async ([name, a]) => {
        const fns = (window as unknown as { __customFunctions: Record<string, (...x: unknown[]) => unknown> })
          .__customFunctions;
        if (!fns[name]) throw new Error(`no custom function ${name} was associated`);
        try {
          return { value: await fns[name](...(a as unknown[])) };
        } catch (err) {
          return { error: `${(err as { code?: string }).code ?? ''} ${(err as Error).message}` };
        }
      },
      [id, args] as const,
    )
    .then((r) => {
      if ('error' in r) throw new Error(`IWM.${id} failed: ${r.error}`);
      return r.value;
    });
}

/** Browser contexts a test file opens, closed after each test (afterEach(() => opened.closeAll())). */
export class OpenedContexts {
  private readonly list: { close(): Promise<void> }[] = [];

  track<T extends { close(): Promise<void> }>(context: T): T {
    this.list.push(context);
    return context;
  }

  async closeAll(): Promise<void> {
    while (this.list.length) await this.list.pop()!.close();
  }
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * An ISO day as the taskpane says it ("14 May 2007"), computed apart from its formatDay:
 * through a UTC Date, so a day that does not exist fails here. (ICU's en-GB says "Sept",
 * so the month names are spelled out here.)
 */
export function dayInWords(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new Error(`not an ISO day: ${iso}`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d.toISOString().slice(0, 10) !== iso) throw new Error(`no such day: ${iso}`);
  return `${d.getUTCDate()} ${MONTHS_EN[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** The ISO days ("2024-11-29") in an element's visible text (input values are not in it). */
export async function isoDaysShown(page: Page, selector: string): Promise<string[]> {
  const text = await page.locator(selector).innerText();
  return text.match(/\b\d{4}-\d{2}-\d{2}\b/g) ?? [];
}

let axeSource: string | null = null;

/**
 * axe-core's violations on the page as it is now (hidden tabs are not checked: axe skips
 * what is not rendered), as "rule: targets" lines; [] when there are none.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const w = window as unknown as {
      axe: { run(ctx: unknown, o: unknown): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> };
    };
    const r = await w.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  });
}
