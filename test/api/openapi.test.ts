/**
 * openapi.json as standard tools read it: served over real HTTP by the local host, then
 * validated by an independent OpenAPI validator (@readme/openapi-parser), every `$ref`
 * followed by hand, the statuses the server actually answers checked against the ones the
 * document lists, and a typed client generated from it (openapi-typescript) compiled
 * against code that calls the API the way the add-in does (src/common/api-client.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { validate } from '@readme/openapi-parser';
import ts from 'typescript';
import { HttpRequest } from '@azure/functions';
import { MAX_BATCH_CALLS } from '../../api/src/contracts/params';
import { PROBLEM_BASE } from '../../api/src/contracts/problem';
import { createLocalHost } from '../../api/src/host/local-host';
import { routeHandler, ROUTES } from '../../api/src/http/routes';
import { BUDGET, callCost } from '../../api/src/service/budget';
import { ConfigError } from '../../api/src/service/config';
import type { Runtime } from '../../api/src/service/runtime';
import { MAX_CUSTOM_EVENTS } from '../../api/src/engine/profile';
import { FIELD_NAMES } from '../../api/src/engine/fields';
import { listen } from '../support/local-api';
import { SMALL_SAMPLE, sampleRuntime } from '../support/runtime';
import { onTeardown } from '../support/teardown';

// The document is free-form JSON here; each test reads the parts it checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const KEY = 'test-key';
let rt: Runtime;
let server: Server;
let base: string;
let doc: Json;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iwm-openapi-'));
  onTeardown(() => rm(dir, { recursive: true, force: true }));
  rt = await sampleRuntime();
  onTeardown(() => rt.close());
  server = createLocalHost({ runtime: rt, functionKeys: [KEY], corsOrigins: [] });
  base = await listen(server);
  const res = await fetch(`${base}/openapi.json`);
  expect(res.status).toBe(200);
  doc = await res.json();
}, 120_000);

afterAll(() => new Promise((resolve) => server?.close(resolve)));

/** Every `$ref` in `node` with the JSON pointer path where it sits. */
function refsOf(node: unknown, at = '#', out: { at: string; ref: string }[] = []) {
  if (Array.isArray(node)) node.forEach((item, i) => refsOf(item, `${at}/${i}`, out));
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push({ at, ref: v });
      else refsOf(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
    }
  return out;
}

/** What a local JSON pointer (`#/a/b~1c`) points at in `root`, or undefined. */
function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!node || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

describe('the document', () => {
  test('an independent OpenAPI 3.1 validator accepts it, and rejects it with a root-less $defs ref', async () => {
    const result = await validate(structuredClone(doc));
    // Invalid, the result carries the errors, which this comparison then prints.
    expect(result).toEqual({ valid: true, warnings: [], specification: 'OpenAPI' });
    // The control: the fault this replaced (a ref into $defs the root does not have) is caught.
    const broken = structuredClone(doc);
    broken.paths['/api/v1/signal'].get.responses['200'].content['application/json'].schema = {
      $ref: '#/$defs/Reading',
    };
    expect((await validate(broken)).valid).toBe(false);
  });

  test('every $ref resolves inside the document; no $defs or $schema is left', () => {
    const refs = refsOf(doc);
    // Each data route's 200 and every problem response, at least.
    expect(refs.length).toBeGreaterThan(40);
    const unresolved = refs.filter(({ ref }) => resolvePointer(doc, ref) === undefined);
    expect(unresolved).toEqual([]);
    expect(JSON.stringify(doc)).not.toMatch(/"\$defs"|"\$schema"/);
    // The control: a ref to a name that is not there does not resolve.
    expect(resolvePointer(doc, '#/components/schemas/Nope')).toBeUndefined();
    expect(resolvePointer(doc, '#/components/schemas/Meta')).toMatchObject({ type: 'object' });
  });

  test('every route is documented with its methods and auth, and nothing else', () => {
    const documented = Object.keys(doc.paths).sort();
    expect(documented).toEqual(ROUTES.map((r) => `/api/${r.route}`).sort());
    for (const route of ROUTES) {
      const item = doc.paths[`/api/${route.route}`];
      const methods = Object.keys(item).sort();
      // HEAD is answered like GET (info.description says so); it is not an operation of its own.
      expect(methods).toEqual(route.allow.filter((m) => m !== 'HEAD').map((m) => m.toLowerCase()));
      const op = item[methods[0]];
      expect(op.security.length > 0).toBe(route.authLevel === 'function');
      expect('401' in op.responses).toBe(route.authLevel === 'function');
    }
  });

  test('every error response is application/problem+json with the one Problem schema', () => {
    for (const [path, item] of Object.entries<Json>(doc.paths))
      for (const op of Object.values<Json>(item))
        for (const [status, res] of Object.entries<Json>(op.responses)) {
          if (status === '200') continue;
          expect([path, status, Object.keys(res.content)]).toEqual([path, status, ['application/problem+json']]);
          expect(res.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
          expect([path, status, 'Retry-After' in (res.headers ?? {})]).toEqual([
            path,
            status,
            status === '503' && /busy/.test(res.description),
          ]);
        }
    expect(doc.components.schemas.Problem.required).toEqual(['type', 'title', 'status', 'detail']);
  });

  test('422 is documented where a single request can exceed the budget, and signal/levels cannot', () => {
    const has422 = (fn: string) => '422' in doc.paths[`/api/v1/${fn}`].get.responses;
    expect(['history', 'debrief', 'backtest', 'calendar'].filter(has422)).toHaveLength(4);
    expect(['signal', 'levels'].filter(has422)).toEqual([]);
    // The largest signal and levels (count 100, the contract's maximum) stay far below the budget.
    const none = { sessions: 0, events: 0 };
    expect(callCost('signal', {}, none).cells).toBeLessThan(BUDGET.maxCells / 100);
    expect(callCost('levels', { count: 100 }, none).cells).toBeLessThan(BUDGET.maxCells / 100);
    // A calendar grows with the server's calendar file, whose size no contract bounds.
    expect(callCost('calendar', {}, { sessions: 0, events: 50_000 + MAX_CUSTOM_EVENTS }).cells).toBeGreaterThan(
      BUDGET.maxCells,
    );
  });
});

describe('the statuses the server answers are the documented ones', () => {
  const headers = { 'x-functions-key': KEY };
  const json = { ...headers, 'content-type': 'application/json' };
  // Every field over the whole sample, as many times as it takes to pass the budget summed
  // over a batch (one history: nothing is computed before the budget check refuses it).
  const sessions = Number(SMALL_SAMPLE.IWM_SAMPLE_SESSIONS);
  const overBudget = Array(Math.ceil(BUDGET.maxCells / (sessions * FIELD_NAMES.length)) + 1).fill({
    fn: 'history',
    args: { fields: FIELD_NAMES.join(',') },
  });
  const tooMany = Array(MAX_BATCH_CALLS + 1).fill({ fn: 'status' });
  // [what, route (under /api/v1), method, the status it must get, request]
  const CASES: [string, string, 'get' | 'post', number, RequestInit & { query?: string }][] = [
    ['OK', 'status', 'get', 200, {}],
    ['a query', 'status', 'get', 400, { query: 'verbose=1' }],
    ['a query', 'openapi.json', 'get', 400, { query: 'x=1' }],
    ['OK', 'signal', 'get', 200, { headers }],
    ['no key', 'signal', 'get', 401, {}],
    ['an unknown parameter', 'signal', 'get', 400, { headers, query: 'asof=2005-01-03' }],
    ['a date before the history', 'signal', 'get', 404, { headers, query: 'asOf=1990-01-02' }],
    ['OK', 'history', 'get', 200, { headers, query: 'from=-5' }],
    ['count out of range', 'levels', 'get', 400, { headers, query: 'count=101' }],
    ['OK', 'batch', 'post', 200, { headers: json, body: '[{"fn":"status"}]' }],
    ['no key', 'batch', 'post', 401, { headers: { 'content-type': 'application/json' }, body: '[]' }],
    ['a body that is not JSON', 'batch', 'post', 400, { headers: json, body: '[{"fn":' }],
    ['a query', 'batch', 'post', 400, { headers: json, query: 'x=1', body: '[]' }],
    ['text/plain', 'batch', 'post', 415, { headers: { ...headers, 'content-type': 'text/plain' }, body: '[]' }],
    [`${tooMany.length} calls`, 'batch', 'post', 413, { headers: json, body: JSON.stringify(tooMany) }],
    [`${overBudget.length} full histories`, 'batch', 'post', 422, { headers: json, body: JSON.stringify(overBudget) }],
  ];

  test.each(CASES)('%s: %s %s -> %d', async (_what, route, method, expected, init) => {
    const { query, ...request } = init;
    const res = await fetch(`${base}/${route}${query ? `?${query}` : ''}`, {
      method: method.toUpperCase(),
      ...request,
    });
    await res.arrayBuffer();
    expect(res.status).toBe(expected);
    const responses = doc.paths[`/api/v1/${route}`][method].responses;
    expect(Object.keys(responses)).toContain(String(expected));
    expect(res.headers.get('content-type')).toMatch(
      expected === 200 ? /^application\/json/ : /^application\/problem\+json/,
    );
  });

  test('a server that cannot start answers 503 on every route, and every route documents it', async () => {
    const failing = () => Promise.reject(new ConfigError('IWM_SOURCE: "nope" is not a source'));
    for (const spec of ROUTES) {
      const method = spec.allow[0];
      const res = await routeHandler(
        spec,
        failing,
      )(
        new HttpRequest({
          method,
          url: `http://127.0.0.1/api/${spec.route}`,
          headers: { 'content-type': 'application/json' },
          ...(method === 'POST' ? { body: { string: '[]' } } : {}),
        }),
      );
      expect([spec.route, res.status]).toEqual([spec.route, 503]);
      expect(JSON.parse(res.body as string).type).toBe(`${PROBLEM_BASE}data-unavailable`);
      expect(Object.keys(doc.paths[`/api/${spec.route}`][method.toLowerCase()].responses)).toContain('503');
    }
  });
});

/**
 * Code that calls the API as the add-in does, against the generated `paths`: the batch
 * body in both forms and its {value}|{error} results, a failed request's problem, the
 * signal route's query and reading, the history table. The @ts-expect-error lines fail
 * the compile if the types went loose (any/unknown) or the document listed a wrong status.
 */
const CLIENT_USE = `
import type { components, paths } from './api';

type Batch = paths['/api/v1/batch']['post'];
type BatchBody = Batch['requestBody']['content']['application/json'];
type BatchResults = Batch['responses'][200]['content']['application/json'];
type Problem = components['schemas']['Problem'];

export const bare: BatchBody = [{ fn: 'signal', args: { asOf: '2024-11-29' } }, { fn: 'status' }];
export const shared: BatchBody = {
  defaults: { profile: { preset: 'iwm' }, symbol: 'IWM' },
  calls: [{ fn: 'field', args: { field: 'composite.score', asOf: -1 } }],
};
// @ts-expect-error not a function of the API
export const unknownFn: BatchBody = [{ fn: 'signals' }];
// @ts-expect-error calls is required in the object form
export const noCalls: BatchBody = { defaults: {} };

export function settle(results: BatchResults): string[] {
  return results.map((r) => ('value' in r ? 'ok' : r.error.type + ': ' + r.error.detail + ' ' + r.error.status.toFixed(0)));
}
export function refused(p: Batch['responses'][401 | 413 | 415 | 422]['content']['application/problem+json']): Problem {
  return p;
}
export function retryAfter(r: Batch['responses'][503]): number | undefined {
  return r.headers['Retry-After'];
}

type Signal = paths['/api/v1/signal']['get'];
export const query: NonNullable<Signal['parameters']['query']> = { asOf: -1, symbol: 'IWM', profile: 'iwm' };
// @ts-expect-error asof is not a parameter (asOf is)
export const typo: NonNullable<Signal['parameters']['query']> = { asof: '2024-11-29' };
export function reading(r: Signal['responses'][200]['content']['application/json']): [string, number | null] {
  return [r.date, r.close];
}
// @ts-expect-error a reading's date is text (the reading is neither any nor unknown)
export const notANumber = (r: Signal['responses'][200]['content']['application/json']): number => r.date;

type History = paths['/api/v1/history']['get'];
export const range: NonNullable<History['parameters']['query']> = { from: '2024-01-02', to: -1, fields: 'close,composite.score' };
export function table(t: History['responses'][200]['content']['application/json']): number {
  return t.columns.indexOf('close') + t.rows.length;
}

// @ts-expect-error status takes no key, so it never answers 401
export type StatusUnauthorized = paths['/api/v1/status']['get']['responses'][401];
// @ts-expect-error signal's answer cannot be over the budget
export type SignalOverBudget = Signal['responses'][422];
`;

describe('a typed client generated with openapi-typescript', () => {
  test('compiles the add-in style calls with zero diagnostics', async () => {
    const docPath = join(dir, 'openapi.json');
    await writeFile(docPath, JSON.stringify(doc));
    // The CLI in a process of its own: its dependencies are ES modules jest does not load.
    const cli = join(dirname(require.resolve('openapi-typescript')), '..', 'bin', 'cli.js');
    await promisify(execFile)(process.execPath, [cli, docPath, '-o', join(dir, 'api.d.ts')], { timeout: 110_000 });
    const use = join(dir, 'use.ts');
    await writeFile(use, CLIENT_USE);
    const program = ts.createProgram([use], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      types: [],
      skipLibCheck: true,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `use.ts:${line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(diagnostics).toEqual([]);
    // The control: the same code against an empty paths type does not compile.
    await writeFile(join(dir, 'api.d.ts'), 'export interface paths {}\nexport interface components { schemas: {} }\n');
    const loose = ts.getPreEmitDiagnostics(ts.createProgram([use], program.getCompilerOptions()));
    expect(loose.length).toBeGreaterThan(0);
  }, 180_000);
});
