/**
 * Fuzz of every route's inputs: random parameter names and values (dates that do not
 * exist, numbers out of range, unicode, JSON fragments, huge strings), random methods
 * and random batch bodies. Nothing may answer 500: bad input is the caller's problem and
 * must come back as a 4xx problem naming it.
 */
import fc from 'fast-check';
import { HttpRequest } from '@azure/functions';
import { FUNCTION_NAMES } from '../../api/src/contracts/params';
import { FIELD_NAMES } from '../../api/src/engine/fields';
import { routeHandler, ROUTES } from '../../api/src/http/routes';
import type { Runtime } from '../../api/src/service/runtime';
import { sampleRuntime } from '../support/runtime';

let rt: Runtime;
const internal: string[] = [];
beforeAll(async () => {
  rt = await sampleRuntime();
});
afterAll(() => rt.close());

const KNOWN = ['asOf', 'symbol', 'benchmark', 'profile', 'from', 'to', 'fields', 'count', 'date', 'horizon', 'field'];

const value = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc
    .date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  fc
    .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }))
    .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
  fc.constantFrom('iwm', 'standard', 'IWM', 'SPY', 'QQQ', '', ' ', '-1', '0', '1e3', 'NaN', 'null', '[]', '{}'),
  // Names every object inherits, and letters that case-map onto ASCII (ı -> I, ſ -> S).
  fc.constantFrom('toString', 'constructor', '__proto__', 'hasOwnProperty', '{"preset":"valueOf"}', 'ıwm', 'ſpy'),
  fc.integer({ min: 9, max: 3000 }).map((d) => `{"trend":${'['.repeat(d)}${']'.repeat(d)}}`),
  fc.subarray([...FIELD_NAMES], { maxLength: 4 }).map((f) => f.join(',')),
  fc.json().map((j) => `{"preset":"iwm","momentum":${j}}`),
  fc.jsonValue().map((j) => JSON.stringify(j)),
  fc.constant('x'.repeat(5000)),
);

const query = fc.dictionary(fc.oneof(fc.constantFrom(...KNOWN), fc.string({ maxLength: 8 })), value, { maxKeys: 5 });

function check(status: number, body: string, what: string) {
  if (status >= 500) internal.push(`${what} -> ${status} ${body.slice(0, 300)}`);
  expect(status).toBeLessThan(500);
  const parsed = JSON.parse(body);
  if (status >= 400) {
    expect(parsed.status).toBe(status);
    expect(typeof parsed.detail).toBe('string');
    expect(parsed.detail.length).toBeGreaterThan(0);
  }
}

test.each(ROUTES.filter((r) => r.allow.includes('GET')).map((r) => [r.route, r] as const))(
  'GET %s never answers 500 for any query',
  async (_route, spec) => {
    const handler = routeHandler(
      spec,
      async () => rt,
      () => {},
    );
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const url = new URL(`http://127.0.0.1/api/${spec.route}`);
        for (const [k, v] of Object.entries(q)) url.searchParams.append(k, v);
        const res = await handler(new HttpRequest({ method: 'GET', url: url.href }));
        check(res.status ?? 200, res.body as string, url.search);
      }),
      { numRuns: 150 },
    );
  },
);

test('POST batch never answers 500, and no call in it is a 500', async () => {
  const spec = ROUTES.find((r) => r.name === 'batch')!;
  const handler = routeHandler(
    spec,
    async () => rt,
    () => {},
  );
  const call = fc.oneof(
    fc.record({ fn: fc.constantFrom(...FUNCTION_NAMES), args: query }),
    fc.record({
      fn: fc.constantFrom(...FUNCTION_NAMES),
      args: fc.dictionary(fc.constantFrom(...KNOWN), fc.jsonValue(), { maxKeys: 4 }),
    }),
    fc.jsonValue(),
  );
  const body = fc.oneof(
    fc.array(call, { maxLength: 12 }).map((a) => JSON.stringify(a)),
    fc.string(),
    fc.json(),
  );
  await fc.assert(
    fc.asyncProperty(body, async (text) => {
      const res = await handler(
        new HttpRequest({
          method: 'POST',
          url: 'http://127.0.0.1/api/v1/batch',
          headers: { 'content-type': 'application/json' },
          body: { string: text },
        }),
      );
      check(res.status ?? 200, res.body as string, text.slice(0, 200));
      if (res.status === 200)
        for (const item of JSON.parse(res.body as string)) {
          if ('error' in item) expect(item.error.status).toBeLessThan(500);
          else expect(item).toHaveProperty('value');
        }
    }),
    { numRuns: 200 },
  );
});

test('no method on any route answers 500', async () => {
  for (const spec of ROUTES) {
    const handler = routeHandler(
      spec,
      async () => rt,
      () => {},
    );
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']) {
      const res = await handler(
        new HttpRequest({
          method,
          url: `http://127.0.0.1/api/${spec.route}`,
          headers: { 'content-type': 'application/json' },
          body: method === 'GET' || method === 'HEAD' ? undefined : { string: '[]' },
        }),
      );
      expect(res.status ?? 200).toBeLessThan(500);
    }
  }
  expect(internal).toEqual([]);
});
