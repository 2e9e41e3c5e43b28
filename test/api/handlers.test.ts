/**
 * The HTTP handlers as Azure calls them: a real HttpRequest in, an HttpResponseInit out,
 * on a small sample. Values are checked against the engine computed independently
 * (sample generator -> alignInputs -> computeHistory -> readingAt), so the API cannot
 * serve a number the engine would not.
 */
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { alignInputs } from '../../api/src/data/align';
import { DEFAULT_EVENTS } from '../../api/src/data/calendar';
import { generateSample } from '../../api/src/data/sample';
import { backtest } from '../../api/src/engine/backtest';
import { computeHistory } from '../../api/src/engine/engine';
import { fieldValue } from '../../api/src/engine/fields';
import { formatDay } from '../../api/src/engine/dates';
import { resolveProfile } from '../../api/src/engine/profile';
import { readingAt } from '../../api/src/engine/reading';
import { MAX_BATCH_CALLS } from '../../api/src/contracts/params';
import { notFoundHandler, routeHandler, ROUTES } from '../../api/src/http/routes';
import type { Runtime } from '../../api/src/service/runtime';
import { sampleRuntime } from '../support/runtime';

let rt: Runtime;
const base = 'http://127.0.0.1:7071/api/';

// The same data, computed without the API.
const sample = generateSample({ sessions: 1500, members: 120 });
const aligned = alignInputs({
  primary: { symbol: 'IWM', bars: sample.primary },
  benchmark: { symbol: 'SPY', bars: sample.benchmark },
  others: [
    { symbol: 'HYG', bars: sample.highYield },
    { symbol: 'IEF', bars: sample.treasury },
  ],
});
const input = { ...aligned.input, breadth: sample.universe, events: DEFAULT_EVENTS };
const iwm = computeHistory(input, resolveProfile('iwm'));
const last = iwm.length - 1;
const lastDate = formatDay(iwm.dates[last]);

beforeAll(async () => {
  rt = await sampleRuntime();
  jest.spyOn(console, 'error').mockImplementation(() => {});
});
afterAll(() => rt.close());

// Response bodies are free-form JSON here; each test reads the fields it checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function call(
  route: string,
  init: { method?: string; query?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string>; body: Json }> {
  const spec = ROUTES.find((r) => r.route === route);
  const request = new HttpRequest({
    method: init.method ?? 'GET',
    url: `${base}${route}${init.query ? `?${init.query}` : ''}`,
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: { string: init.body } } : {}),
  });
  const handler = spec ? routeHandler(spec, async () => rt) : notFoundHandler();
  const res: HttpResponseInit = await handler(request, new InvocationContext({ functionName: spec?.name ?? 'x' }));
  const headers = (res.headers ?? {}) as Record<string, string>;
  return { status: res.status ?? 200, headers, body: typeof res.body === 'string' ? JSON.parse(res.body) : res.body };
}

const batch = (calls: unknown) =>
  call('v1/batch', { method: 'POST', body: JSON.stringify(calls), headers: { 'content-type': 'application/json' } });

describe('signal', () => {
  test('the latest reading equals the engine reading of the last session, with meta', async () => {
    const r = await call('v1/signal');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const { meta, context, ...reading } = r.body;
    expect(reading).toEqual(JSON.parse(JSON.stringify(readingAt(iwm, last))));
    expect(meta).toMatchObject({
      source: 'sample',
      sample: true,
      symbol: 'IWM',
      benchmark: 'SPY',
      lastBarDate: lastDate,
    });
    expect(meta.stale).toBe(false);
    expect(meta.warnings.join(' ')).toMatch(/SAMPLE DATA/);
    expect(meta.breadthSource).toMatch(/120 members/);
    expect(context).toEqual({ curve: null, credit: null });
  });

  test('asOf selects a session; the standard profile changes the thresholds', async () => {
    const t = last - 250;
    const date = formatDay(iwm.dates[t]);
    const r = await call('v1/signal', { query: `asOf=${date}&profile=standard` });
    expect(r.status).toBe(200);
    const std = computeHistory(input, resolveProfile('standard'));
    expect(r.body.composite.score).toBe(fieldValue(std, 'composite.score', t));
    expect(r.body.momentum.threshold).toBe(fieldValue(std, 'momentum.threshold', t));
    expect(r.body.meta.profile).toBe('standard');
  });

  test('an inline profile is validated and used', async () => {
    const profile = encodeURIComponent(JSON.stringify({ preset: 'iwm', momentum: { atrMultiplier: 1.2 } }));
    const r = await call('v1/signal', { query: `profile=${profile}` });
    expect(r.status).toBe(200);
    expect(r.body.thresholds.momentumAtrMultiplier.base).toBe(1.2);
    expect(r.body.meta.profile).toBe('iwm-custom');
  });

  test.each([
    ['asOf=2024-02-30', 400, 'asOf', /exists/],
    ['asOf=yesterday', 400, 'asOf', /YYYY-MM-DD/],
    ['asOf=1999-01-04', 404, 'asOf', /before the history starts/],
    ['asOf=2030-01-02', 404, 'asOf', /after the last session/],
    ['profile=aggressive', 400, 'profile', /iwm, standard/],
    ['profile=%7B%22momentum%22%3A%7B%22atrMultiplier%22%3A-1%7D%7D', 400, 'profile.momentum.atrMultiplier', /between/],
    ['profile=%7Bnot%20json', 400, 'profile', /not valid JSON/],
    ['symbol=QQQ', 404, 'symbol', /QQQ is not in the data/],
    ['benchmark=IWM', 400, 'benchmark', /must differ/],
    ['symbol=%24%24%24', 400, 'symbol', /ticker/],
    ['asof=2024-01-02', 400, 'asof', /not a known parameter/],
    ['asOf=2004-01-02&asOf=2004-01-05', 400, 'asOf', /more than once/],
  ])('%s -> %i naming %s', async (query, status, field, message) => {
    const r = await call('v1/signal', { query });
    expect(r.status).toBe(status);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.body.status).toBe(status);
    expect(r.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    const issue = r.body.errors.find((e: { field: string }) => e.field === field);
    expect(issue.message).toMatch(message);
  });

  test('a weekend date is not a session: 404 naming the sessions around it', async () => {
    let t = 100;
    while (iwm.dates[t + 1] - iwm.dates[t] < 3) t++;
    const saturday = formatDay(iwm.dates[t] + 1);
    const r = await call('v1/signal', { query: `asOf=${saturday}` });
    expect(r.status).toBe(404);
    expect(r.body.detail).toContain(`previous session ${formatDay(iwm.dates[t])}`);
  });
});

describe('history, levels, debrief, backtest, calendar', () => {
  test('history is a table of the requested fields for the sessions in range', async () => {
    const from = formatDay(iwm.dates[last - 9]);
    const r = await call('v1/history', { query: `from=${from}&fields=date,close,breadth.pct50,composite.rating` });
    expect(r.status).toBe(200);
    expect(r.body.columns).toEqual(['date', 'close', 'breadth.pct50', 'composite.rating']);
    expect(r.body.rows).toHaveLength(10);
    expect(r.body.rows[9]).toEqual([
      lastDate,
      iwm.close[last],
      fieldValue(iwm, 'breadth.pct50', last),
      fieldValue(iwm, 'composite.rating', last),
    ]);
  });

  test('history refuses an unknown field and an inverted range', async () => {
    expect((await call('v1/history', { query: 'fields=close,closee' })).body.errors[0]).toEqual({
      field: 'fields[1]',
      message: expect.stringMatching(/not a field name/),
    });
    const inverted = await call('v1/history', { query: 'from=2005-01-10&to=2005-01-03' });
    expect(inverted.status).toBe(400);
    expect(inverted.body.detail).toMatch(/after/);
  });

  test('levels: supports below and resistances above the close, at most count each', async () => {
    const r = await call('v1/levels', { query: 'count=2' });
    expect(r.status).toBe(200);
    expect(r.body.supports.length).toBeLessThanOrEqual(2);
    for (const s of r.body.supports) expect(s.price).toBeLessThanOrEqual(r.body.close);
    for (const s of r.body.resistances) expect(s.price).toBeGreaterThan(r.body.close);
    expect((await call('v1/levels', { query: 'count=101' })).status).toBe(400);
  });

  test('debrief of a range has one entry per session; date and from together is an error', async () => {
    const from = formatDay(iwm.dates[last - 4]);
    const r = await call('v1/debrief', { query: `from=${from}&to=${lastDate}` });
    expect(r.status).toBe(200);
    expect(r.body.debriefs.map((d: { date: string }) => d.date)).toEqual(
      [4, 3, 2, 1, 0].map((k) => formatDay(iwm.dates[last - k])),
    );
    const both = await call('v1/debrief', { query: `date=${lastDate}&from=${from}` });
    expect(both.status).toBe(400);
    const first = await call('v1/debrief', { query: `date=${formatDay(iwm.dates[0])}` });
    expect(first.status).toBe(404);
  });

  test('backtest honours the horizon and refuses a bad one', async () => {
    const r = await call('v1/backtest', { query: 'horizon=10' });
    expect(r.status).toBe(200);
    expect(r.body.horizon).toBe(10);
    expect(r.body.total.setups).toBeGreaterThan(0);
    for (const bad of ['0', '251', '5.5', 'ten', '']) {
      const res = await call('v1/backtest', { query: `horizon=${bad}` });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('horizon');
    }
  });

  test('calendar lists events whose windows overlap the range, with window dates', async () => {
    const r = await call('v1/calendar', { query: 'from=2026-01-01&to=2026-12-31' });
    expect(r.status).toBe(200);
    const fomc = r.body.events.filter((e: { kind: string }) => e.kind === 'fomc');
    expect(fomc.length).toBe(8);
    // SIGNALS.md: an FOMC window is the 3 sessions before the decision (Wed 28 Jan 2026) and
    // the day itself; past the last bar the calendar steps over weekdays: Fri 23, Mon 26, Tue 27.
    const jan = fomc.find((e: { date: string }) => e.date === '2026-01-28');
    expect(jan).toMatchObject({ windowStart: '2026-01-23', windowEnd: '2026-01-28' });
    expect(r.body.overlayEnabled).toBe(true);
    // Which years the server's calendar covers, per kind and in words.
    expect(r.body.coverage.map((c: { kind: string }) => c.kind)).toEqual(['fomc', 'russell-recon', 'cpi']);
    expect(r.body.coverage[1]).toMatchObject({ fromYear: 2000, toYear: 2027, missingYears: [2004] });
    expect(r.body.covers).toBe('fomc 2000-2027 (235), russell-recon 2000-2027 except 2004 (29), cpi 2003-2026 (286)');
  });

  test("backtest: the engine's numbers with intervals, claims, credit, strategy and calendar coverage", async () => {
    const r = await call('v1/backtest', { query: `from=${formatDay(iwm.dates[100])}` });
    expect(r.status).toBe(200);
    const { meta: _meta, ...bt } = r.body;
    expect(bt).toEqual(JSON.parse(JSON.stringify(backtest(iwm, 100, last))));
    expect(bt.creditAvailable).toBe(true);
    expect(bt.claims.map((c: { id: string }) => c.id)).toEqual(['flight-vs-leadership', 'generic-false-positives']);
    expect(bt.strategy.equity.date).toHaveLength(last - 100 + 1);
    // The sample (2001-2007) lies inside the calendar's years, but 2001 and 2002 have no CPI dates.
    expect(bt.calendar.sessions.none).toBe(0);
    expect(bt.calendar.sessions.partial).toBeGreaterThan(0);
  });
});

describe('relative sessions: -1 is the last close, -N the N-th last session', () => {
  const body = async (route: string, query: string) => {
    const r = await call(route, { query });
    expect(r.status).toBe(200);
    return r.body;
  };

  test('signal: -1 equals asOf = the last bar date, -2 the session before', async () => {
    const lastBarDate = (await call('v1/status')).body.lastBarDate;
    expect(lastBarDate).toBe(lastDate);
    expect(await body('v1/signal', 'asOf=-1')).toEqual(await body('v1/signal', `asOf=${lastBarDate}`));
    const second = await body('v1/signal', 'asOf=-2');
    expect(second).toEqual(await body('v1/signal', `asOf=${formatDay(iwm.dates[last - 1])}`));
    expect(second.date).toBe(formatDay(iwm.dates[last - 1]));
    expect(second.composite.score).toBe(fieldValue(iwm, 'composite.score', last - 1));
    expect(await rt.service.call('signal', { asOf: -3 })).toEqual(
      await rt.service.call('signal', { asOf: formatDay(iwm.dates[last - 2]) }),
    );
  });

  test('history from=-5 is exactly the last 5 sessions; relative ends mix with dates', async () => {
    const r = await body('v1/history', 'from=-5&fields=date,close');
    expect(r.rows.map((row: unknown[]) => row[0])).toEqual([4, 3, 2, 1, 0].map((k) => formatDay(iwm.dates[last - k])));
    expect(r.rows[4]).toEqual([lastDate, iwm.close[last]]);
    const mixed = await body('v1/history', `from=${formatDay(iwm.dates[last - 9])}&to=-3&fields=date`);
    expect(mixed.rows).toHaveLength(8);
    expect(mixed.rows[7][0]).toBe(formatDay(iwm.dates[last - 2]));
    // A relative from before the history snaps to the first session.
    expect((await body('v1/history', 'from=-100000&to=-1490&fields=date')).rows).toEqual(
      Array.from({ length: iwm.length - 1490 + 1 }, (_, k) => [formatDay(iwm.dates[k])]),
    );
  });

  test('levels, debrief and backtest resolve relative dates and report ISO dates', async () => {
    const levels = await body('v1/levels', 'asOf=-3&count=2');
    expect(levels).toEqual(await body('v1/levels', `asOf=${formatDay(iwm.dates[last - 2])}&count=2`));
    expect(JSON.stringify(levels)).not.toContain('"-3"');
    const one = await body('v1/debrief', 'date=-1');
    expect(one.debriefs.map((d: { date: string }) => d.date)).toEqual([lastDate]);
    const range = await body('v1/debrief', 'from=-3&to=-1');
    expect(range.debriefs.map((d: { date: string }) => d.date)).toEqual(
      [2, 1, 0].map((k) => formatDay(iwm.dates[last - k])),
    );
    const from = formatDay(iwm.dates[last - 400]);
    const to = formatDay(iwm.dates[last - 50]);
    expect(await body('v1/backtest', 'from=-401&to=-51')).toEqual(await body('v1/backtest', `from=${from}&to=${to}`));
  });

  test("calendar: a relative end is that session's date", async () => {
    const r = await body('v1/calendar', 'from=-20&to=-1');
    expect(r.from).toBe(formatDay(iwm.dates[last - 19]));
    expect(r.to).toBe(lastDate);
    const ahead = await body('v1/calendar', 'from=-1&to=2030-01-01');
    expect(ahead.from).toBe(lastDate);
  });

  test.each([
    ['v1/signal', 'asOf', '0'],
    ['v1/signal', 'asOf', '3'],
    ['v1/signal', 'asOf', '-1.5'],
    ['v1/signal', 'asOf', '-x'],
    ['v1/signal', 'asOf', '-0'],
    ['v1/signal', 'asOf', '-5x'],
    ['v1/signal', 'asOf', '-100001'],
    ['v1/signal', 'asOf', ''],
    ['v1/levels', 'asOf', '1'],
    ['v1/history', 'from', '0'],
    ['v1/history', 'to', '-1e3'],
    ['v1/debrief', 'date', '3'],
    ['v1/backtest', 'to', '+1'],
    ['v1/calendar', 'to', '-1.5'],
  ])('%s %s=%s -> 400 naming the field and the allowed forms', async (route, field, value) => {
    const r = await call(route, { query: `${field}=${encodeURIComponent(value)}` });
    expect(r.status).toBe(400);
    expect(r.body.type).toMatch(/invalid-parameter$/);
    expect(r.body.errors).toEqual([
      { field, message: expect.stringMatching(/YYYY-MM-DD that exists, or a relative session -1 \(last close\), -2/) },
    ]);
  });

  test.each([
    ['v1/signal', 'asOf'],
    ['v1/levels', 'asOf'],
    ['v1/debrief', 'date'],
    ['v1/history', 'to'],
    ['v1/backtest', 'to'],
    ['v1/calendar', 'from'],
  ])('%s %s=-100000 (before the history) -> 404 not-available naming it', async (route, field) => {
    const r = await call(route, { query: `${field}=-100000` });
    expect(r.status).toBe(404);
    expect(r.body.type).toMatch(/not-available$/);
    expect(r.body.errors[0].field).toBe(field);
    expect(r.body.detail).toMatch(
      new RegExp(
        `-100000 is before the history starts \\(the data has ${iwm.length} sessions, first ${formatDay(iwm.dates[0])}\\)`,
      ),
    );
  });

  test('an inverted relative range is 400', async () => {
    const r = await call('v1/history', { query: 'from=-2&to=-5' });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/from -2 is after to -5/);
  });

  test('batch: asOf as a JSON number or text; bad numbers fail alone', async () => {
    const r = await batch([
      { fn: 'field', args: { field: 'composite.rating', asOf: -1 } },
      { fn: 'field', args: { field: 'composite.score', asOf: '-2' } },
      { fn: 'field', args: { field: 'composite.score', asOf: 0 } },
      { fn: 'field', args: { field: 'composite.score', asOf: -1.5 } },
      { fn: 'field', args: { field: 'composite.score', asOf: -100001 } },
      { fn: 'history', args: { from: -3, fields: 'date' } },
      { fn: 'field', args: { field: 'composite.score', asOf: -100000 } },
    ]);
    expect(r.status).toBe(200);
    expect(r.body[0].value).toMatchObject({ value: fieldValue(iwm, 'composite.rating', last), date: lastDate });
    expect(r.body[1].value).toMatchObject({
      value: fieldValue(iwm, 'composite.score', last - 1),
      date: formatDay(iwm.dates[last - 1]),
    });
    for (const k of [2, 3, 4]) expect(r.body[k].error).toMatchObject({ status: 400, errors: [{ field: 'asOf' }] });
    expect(r.body[5].value.rows).toEqual([2, 1, 0].map((k) => [formatDay(iwm.dates[last - k])]));
    expect(r.body[6].error).toMatchObject({ status: 404, errors: [{ field: 'asOf' }] });
  });
});

describe('batch', () => {
  test('each call fails alone; results are in order', async () => {
    const date = formatDay(iwm.dates[last - 3]);
    const r = await batch([
      { fn: 'field', args: { field: 'composite.rating', asOf: date } },
      { fn: 'field', args: { field: 'no.such.field' } },
      { fn: 'nope', args: {} },
      { fn: 'signal', args: { asOf: '2001-01-01' } },
      'not an object',
      { fn: 'status' },
    ]);
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(6);
    expect(r.body[0].value).toMatchObject({ value: fieldValue(iwm, 'composite.rating', last - 3), date });
    expect(r.body[1].error.errors[0].field).toBe('field');
    expect(r.body[2].error.errors[0].field).toBe('[2].fn');
    expect(r.body[3].error.status).toBe(404);
    expect(r.body[4].error.status).toBe(400);
    expect(r.body[5].value.source).toBe('sample');
  });

  test('1,000 field calls over different dates in one request, each value equal to the engine', async () => {
    const calls = Array.from({ length: 1000 }, (_, k) => ({
      fn: 'field',
      args: { field: 'composite.score', asOf: formatDay(iwm.dates[last - k]) },
    }));
    const r = await batch(calls);
    expect(r.status).toBe(200);
    r.body.forEach((res: { value: { value: unknown } }, k: number) =>
      expect(res.value.value).toBe(fieldValue(iwm, 'composite.score', last - k)),
    );
  });

  test("{defaults, calls}: defaults go under the calls that take them; a call's own arguments win", async () => {
    const date = formatDay(iwm.dates[last - 5]);
    const custom = { preset: 'iwm', momentum: { atrMultiplier: 2.5 } };
    const r = await batch({
      defaults: { profile: custom },
      calls: [
        { fn: 'field', args: { field: 'momentum.threshold', asOf: date } },
        { fn: 'field', args: { field: 'momentum.threshold', asOf: date, profile: 'iwm' } },
        { fn: 'status' },
      ],
    });
    expect(r.status).toBe(200);
    const inline = await batch([{ fn: 'field', args: { field: 'momentum.threshold', asOf: date, profile: custom } }]);
    expect(r.body[0].value).toEqual(inline.body[0].value);
    expect(r.body[1].value.value).toBe(fieldValue(iwm, 'momentum.threshold', last - 5));
    expect(r.body[0].value.value).not.toBe(r.body[1].value.value);
    // status takes no profile: the default is not laid under it.
    expect(r.body[2].value.source).toBe('sample');
  });

  test('a bad default fails the calls that use it, naming the field; an unknown default fails the batch', async () => {
    const r = await batch({
      defaults: { profile: { momentum: { atrMultiplier: 99 } } },
      calls: [{ fn: 'field', args: { field: 'close' } }, { fn: 'status' }],
    });
    expect(r.status).toBe(200);
    expect(r.body[0].error.errors[0].field).toBe('profile.momentum.atrMultiplier');
    expect(r.body[1].value.source).toBe('sample');
    const bad = await batch({ defaults: { asOf: '2024-01-02' }, calls: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('(body).defaults.asOf');
  });

  test.each([
    ['not json', '{oops', 400, /not valid JSON/],
    ['an object', '{"fn":"signal"}', 400, /array/],
    [
      'too many calls',
      JSON.stringify(Array.from({ length: MAX_BATCH_CALLS + 1 }, () => ({ fn: 'status' }))),
      413,
      /at most/,
    ],
  ])('a body that is %s fails the batch with %p', async (_name, body, status, message) => {
    const r = await call('v1/batch', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(status);
    expect(r.body.detail).toMatch(message);
  });

  test('a body that is not JSON content is 415; an oversized one 413', async () => {
    const r = await call('v1/batch', { method: 'POST', body: '[]', headers: { 'content-type': 'text/plain' } });
    expect(r.status).toBe(415);
    const big = await call('v1/batch', {
      method: 'POST',
      body: JSON.stringify([{ fn: 'status', args: { pad: 'x'.repeat(1_100_000) } }]),
      headers: { 'content-type': 'application/json' },
    });
    expect(big.status).toBe(413);
  });
});

describe('methods, routes, status, openapi', () => {
  test('a wrong method is 405 with Allow', async () => {
    const r = await call('v1/signal', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET, HEAD');
    expect((await call('v1/batch')).status).toBe(405);
  });

  test('an unknown route is 404 problem+json naming the routes', async () => {
    const r = await call('v1/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body.detail).toContain('v1/signal');
  });

  test('status reports source, last bar, staleness and version', async () => {
    const r = await call('v1/status');
    expect(r.body).toMatchObject({
      source: 'sample',
      sample: true,
      lastBarDate: lastDate,
      stale: false,
      lastError: null,
    });
    expect(r.body.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await call('v1/status', { query: 'verbose=1' })).status).toBe(400);
  });

  test('openapi.json lists every route with the contract parameters', async () => {
    const r = await call('v1/openapi.json');
    expect(r.body.openapi).toBe('3.1.0');
    for (const route of ROUTES) expect(r.body.paths[`/api/${route.route}`]).toBeDefined();
    const params = r.body.paths['/api/v1/history'].get.parameters.map((p: { name: string }) => p.name).sort();
    expect(params).toEqual(['benchmark', 'fields', 'from', 'profile', 'symbol', 'to']);
    const horizon = r.body.paths['/api/v1/backtest'].get.parameters.find((p: { name: string }) => p.name === 'horizon');
    expect(JSON.stringify(horizon.schema)).toContain('250');
    const asOf = r.body.paths['/api/v1/signal'].get.parameters.find((p: { name: string }) => p.name === 'asOf');
    expect(asOf.schema.anyOf).toEqual([
      { type: 'string', format: 'date' },
      { type: 'string', pattern: '^-\\d{1,6}$' },
      { type: 'integer', minimum: -100000, maximum: -1 },
    ]);
    expect(asOf.description).toMatch(/-1 = the last close/);
    expect(r.body.components.schemas.Field.enum).toContain('breadth.pct50');
  });
});

test('the signal route serves cached text equal to the service reading', async () => {
  const date = formatDay(iwm.dates[last - 7]);
  for (let i = 0; i < 2; i++) {
    const r = await call('v1/signal', { query: `asOf=${date}` });
    expect(r.body).toEqual(JSON.parse(JSON.stringify(await rt.service.call('signal', { asOf: date }))));
  }
});
