/**
 * Input meant to break the API, over real HTTP on the local host: profile names that
 * every JavaScript object inherits, profiles nested 10,000 deep, tickers that only look
 * like ASCII, and a data folder whose files fail. Nothing may answer 5xx for what a
 * client sent; each answer names the parameter; and nothing the API says (the anonymous
 * status above all) may show the server's folders.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { generateSample } from '../../api/src/data/sample';
import { formatDay } from '../../api/src/engine/dates';
import { createLocalHost } from '../../api/src/host/local-host';
import { routeHandler, ROUTES } from '../../api/src/http/routes';
import { createRuntime, type Runtime } from '../../api/src/service/runtime';
import { MANIFEST_NAME } from '../../api/src/storage/snapshot-objects';
import { csvOf } from '../support/csv-fixture';
import { listen, startLocalApi, type LocalApi } from '../support/local-api';

jest.setTimeout(120_000);

// Response bodies are free-form JSON here; each test reads the fields it checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function get(base: string, path: string): Promise<{ status: number; text: string; body: Json }> {
  const res = await fetch(`${base}${path}`);
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : null };
}

async function post(base: string, body: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${base}/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** A 400 invalid-parameter problem whose errors name `field` with a message matching `message`. */
function expectNames(problem: Json, field: string, message: RegExp) {
  expect(problem.status).toBe(400);
  expect(problem.type).toMatch(/invalid-parameter$/);
  const issue = problem.errors.find((e: { field: string }) => e.field === field);
  expect(issue).toBeDefined();
  expect(issue.message).toMatch(message);
}

/** `{"momentum": [[[ ... ]]]}` nested `depth` deep: small as text (2 bytes a level), deep as a value. */
const deepText = (depth: number) => `{"momentum":${'['.repeat(depth)}${']'.repeat(depth)}}`;

describe('on the sample API', () => {
  let api: LocalApi;
  beforeAll(async () => {
    api = await startLocalApi();
  }, 120_000);
  afterAll(() => api?.close());

  describe('profile names an object inherits are not presets', () => {
    test.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'])(
      'profile=%s is 400 naming profile',
      async (name) => {
        const r = await get(api.base, `/signal?profile=${name}`);
        expect(r.status).toBe(400);
        expectNames(r.body, 'profile', /must be one of iwm, standard/);
        const preset = await get(api.base, `/signal?profile=${encodeURIComponent(`{"preset":"${name}"}`)}`);
        expectNames(preset.body, 'profile.preset', /must be one of iwm, standard/);
      },
    );

    test('a batch whose defaults.profile is "toString" fails each call with 400, and good calls still work', async () => {
      const r = await post(api.base, {
        defaults: { profile: 'toString' },
        calls: [
          { fn: 'signal' },
          { fn: 'field', args: { field: 'close' } },
          { fn: 'field', args: { field: 'close', profile: 'iwm' } },
          { fn: 'status' },
        ],
      });
      expect(r.status).toBe(200);
      expectNames(r.body[0].error, 'profile', /must be one of iwm, standard \(got "toString"\)/);
      expectNames(r.body[1].error, 'profile', /must be one of iwm, standard/);
      // A call's own profile wins over the default; status takes no profile at all.
      expect(r.body[2].value).toMatchObject({ field: 'close', date: api.sessions[api.sessions.length - 1] });
      expect(r.body[3].value.source).toBe('sample');
    });

    test('"__proto__" as a profile field or a call argument is reported, not dropped', async () => {
      const r = await post(
        api.base,
        '[{"fn":"signal","args":{"profile":{"__proto__":{"momentum":{"lookback":3}}}}},' +
          '{"fn":"signal","args":{"__proto__":{"asOf":"1990-01-02"}}}]',
      );
      expectNames(r.body[0].error, 'profile', /unknown field\(s\) "__proto__"/);
      expectNames(r.body[1].error, '__proto__', /not a known parameter/);
      const q = await get(api.base, '/signal?__proto__=1&constructor=2');
      expectNames(q.body, '__proto__', /not a known parameter/);
      expectNames(q.body, 'constructor', /not a known parameter/);
    });
  });

  describe('profiles too deep or too large are refused before anything walks them', () => {
    const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;

    test('10,000 levels in a batch, as defaults.profile and as a call argument: 400 naming profile', async () => {
      const r = await post(
        api.base,
        `{"defaults":{"profile":${deepObject}},"calls":[{"fn":"signal"},{"fn":"levels","args":{"profile":${deepText(10_000)}}}]}`,
      );
      expect(r.status).toBe(200);
      expectNames(r.body[0].error, 'profile', /nested too deeply \(at most 8 levels\)/);
      expectNames(r.body[1].error, 'profile', /nested too deeply/);
    });

    test('10,000 levels in a query string: 400 naming profile (as Azure runs the handler), never 5xx on the local host', async () => {
      const spec = ROUTES.find((route) => route.route === 'v1/signal')!;
      for (const text of [deepText(10_000), deepObject]) {
        const request = new HttpRequest({
          method: 'GET',
          url: `http://127.0.0.1/api/v1/signal?profile=${encodeURIComponent(text)}`,
        });
        const res = await routeHandler(spec, async () => api.rt)(request, new InvocationContext());
        expect(res.status).toBe(400);
        expectNames(JSON.parse(res.body as string), 'profile', /nested too deeply|at most 65536 characters/);
        // The local host may refuse a URL this long before routing it; it must not be a 5xx.
        expect((await fetch(`${api.base}/signal?profile=${encodeURIComponent(text)}`)).status).toBeLessThan(500);
      }
    });

    test('a profile over 64 KB or with 5,000 custom events is 400 naming the field', async () => {
      const events = Array.from({ length: 5000 }, () => ({ date: '2025-01-02', kind: 'custom', label: 'x' }));
      const big = { momentum: { note: 'x'.repeat(70_000) } };
      const r = await post(api.base, [
        { fn: 'signal', args: { profile: { macro: { customEvents: events } } } },
        { fn: 'signal', args: { profile: big } },
      ]);
      expectNames(r.body[0].error, 'profile.macro.customEvents', /at most 200/);
      expectNames(r.body[1].error, 'profile', /at most 65536 characters as JSON/);
    });
  });

  test('a profile with 600 problems as a batch default: each call lists 20 and counts the rest', async () => {
    const events = Array.from({ length: 200 }, () => ({ date: 'soon', kind: 'party', label: '' }));
    const calls = Array.from({ length: 50 }, () => ({ fn: 'signal' }));
    const r = await post(api.base, { defaults: { profile: { macro: { customEvents: events } } }, calls });
    expect(r.body).toHaveLength(50);
    for (const { error } of r.body) {
      expect(error.status).toBe(400);
      expect(error.errors).toHaveLength(21);
      expect(error.errors[0]).toEqual({
        field: 'profile.macro.customEvents[0].date',
        message: 'must be a date YYYY-MM-DD that exists',
      });
      expect(error.errors[20]).toEqual({ field: 'profile', message: 'has 580 more problem(s) not listed' });
    }
  });

  describe('symbols are ASCII before any case mapping', () => {
    test.each([
      ['symbol', 'ıwm'], // dotless i: upper-cases to IWM
      ['symbol', 'İWM'], // dotted capital I
      ['symbol', 'ＩＷＭ'], // full-width letters
      ['symbol', 'IW\u041C'], // Cyrillic capital EM
      ['benchmark', 'ſpy'], // long s: upper-cases to SPY
      ['benchmark', '\u212Aey'], // Kelvin sign: lower-cases to k
    ])('%s=%s is 400 naming it', async (field, value) => {
      const r = await get(api.base, `/signal?${field}=${encodeURIComponent(value)}`);
      expect(r.status).toBe(400);
      expectNames(r.body, field, /ASCII/);
    });

    test('in a batch too, as an argument and as a default; ASCII lower case still works', async () => {
      const r = await post(api.base, {
        defaults: { symbol: 'ıwm' },
        calls: [{ fn: 'signal' }, { fn: 'signal', args: { symbol: 'iwm', benchmark: 'spy' } }],
      });
      expectNames(r.body[0].error, 'symbol', /ASCII/);
      expect(r.body[1].value.meta).toMatchObject({ symbol: 'IWM', benchmark: 'SPY' });
    });
  });
});

describe('a csv folder and a file store: no path on the wire', () => {
  const sample = generateSample({ sessions: 300, members: 0 });
  let root: string;
  let dataDir: string;
  let storeDir: string;
  const opened: { rt: Runtime; server: Server }[] = [];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'iwm-hostile-'));
    dataDir = join(root, 'market data');
    storeDir = join(root, 'store');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'IWM.csv'), csvOf(sample.primary));
    writeFileSync(join(dataDir, 'SPY.csv'), csvOf(sample.benchmark));
  });
  afterEach(async () => {
    for (const { rt, server } of opened.splice(0)) {
      await new Promise((resolve) => server.close(resolve));
      await rt.close();
    }
    rmSync(root, { recursive: true, force: true });
  });

  async function serve(): Promise<{ rt: Runtime; base: string }> {
    const rt = await createRuntime({
      IWM_DATA_SOURCE: 'csv',
      IWM_DATA_DIR: dataDir,
      IWM_STORE: 'fs',
      IWM_STORE_DIR: storeDir,
      IWM_MANIFEST_TTL_MS: '0',
    });
    const server = createLocalHost({ runtime: rt, functionKeys: [], corsOrigins: [] });
    opened.push({ rt, server });
    return { rt, base: await listen(server) };
  }

  /** Neither folder, nor the temporary root they sit in, appears anywhere in the body. */
  function expectNoPaths(text: string) {
    for (const path of [root, dataDir, storeDir, tmpdir()]) expect(text).not.toContain(path);
  }

  test('status names the store kind; a failed refresh names the file relative to the data folder', async () => {
    const { rt, base } = await serve();
    const good = await get(base, '/status');
    expect(good.status).toBe(200);
    expect(good.body.store).toBe('fs');
    expect(good.body.generation).toMatch(/^[0-9a-f]{16}$/);
    expectNoPaths(good.text);

    const next = formatDay(sample.benchmark.dates[299] + 3);
    appendFileSync(join(dataDir, 'SPY.csv'), `${next},1,2,3,oops,100\n`);
    await expect(rt.refresh()).rejects.toThrow(/bad row/);
    const status = await get(base, '/status');
    expect(status.body.stale).toBe(true);
    expect(status.body.lastError).toMatch(/^SPY\.csv: 1 bad row/);
    expect(status.body.staleReason).toMatch(/SPY\.csv:302: close is not a number: "oops"/);
    expectNoPaths(status.text);
    const signal = await get(base, '/signal');
    expect(signal.status).toBe(200);
    expect(signal.body.meta.warnings.join(' ')).toMatch(/STALE: .*SPY\.csv/);
    expectNoPaths(signal.text);
  });

  test('a folder that never loaded: the 503 and the status name the file and line, not the folder', async () => {
    writeFileSync(join(dataDir, 'IWM.csv'), `Datum,Eröffnung,${'x'.repeat(100_000)}\n2024-11-29,1,1,1,1,1\n`);
    const { base } = await serve();
    const signal = await get(base, '/signal');
    expect(signal.status).toBe(503);
    expect(signal.body.detail).toMatch(/^IWM\.csv:1: missing required columns: date, open/);
    expect(signal.body.detail.length).toBeLessThan(300);
    expectNoPaths(signal.text);
    const status = await get(base, '/status');
    expect(status.status).toBe(200);
    expect(status.body.store).toBe('fs');
    expect(status.body.staleReason).toMatch(/IWM\.csv:1: missing required columns/);
    expectNoPaths(status.text);

    rmSync(dataDir, { recursive: true });
    const missing = await get(base, '/status');
    expect(missing.body.lastError).toMatch(/IWM_DATA_DIR: cannot read the folder \(ENOENT\)/);
    expectNoPaths(missing.text);
  });

  test('a store that cannot be read: the stale reason and the status do not show its folder', async () => {
    const { base } = await serve();
    expect((await get(base, '/signal')).status).toBe(200);
    // The manifest becomes a folder: every read of it fails with EISDIR. The data already
    // loaded stays in service, stale, with the store's problem as the reason.
    rmSync(join(storeDir, MANIFEST_NAME));
    mkdirSync(join(storeDir, MANIFEST_NAME));
    const signal = await get(base, '/signal');
    expect(signal.status).toBe(200);
    expect(signal.body.meta.stale).toBe(true);
    expect(signal.body.meta.staleReason).toMatch(/EISDIR/);
    expectNoPaths(signal.text);
    const status = await get(base, '/status');
    expect(status.status).toBe(200);
    expectNoPaths(status.text);
  });
});
