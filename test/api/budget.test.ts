/**
 * The request budget and the queue of heavy work, over real HTTP on the local host
 * (issue 9: five concurrent batches of 70 whole-range history calls used to exhaust the
 * heap). A request over the budget is refused with 422 `over-budget` naming the budget and
 * how to split it, before any of it runs; heavy requests queue (at most QUEUE.maxInFlight
 * at once) and a full queue is 503 `busy` with Retry-After; cheap routes keep answering.
 *
 * The sample has 5,000 sessions so that one history call of every field twice is
 * over the budget on its own (5,000 x 2 x the field count > 600,000).
 */
import { PROBLEM_BASE } from '../../api/src/contracts/problem';
import { FIELD_NAMES, DEFAULT_HISTORY_FIELDS } from '../../api/src/engine/fields';
import { BUDGET, CELL_COST, MAX_BYTES_PER_CELL, QUEUE, callCost } from '../../api/src/service/budget';
import { readConfig } from '../../api/src/service/config';
import { Gate } from '../../api/src/service/gate';
import { startLocalApi, type LocalApi } from '../support/local-api';

jest.setTimeout(120_000);

const SAMPLE = { IWM_SAMPLE_SESSIONS: '5000', IWM_SAMPLE_MEMBERS: '20' };
const EVERY_FIELD_TWICE = [...FIELD_NAMES, ...FIELD_NAMES];
const TWICE = EVERY_FIELD_TWICE.length;
const fmt = (n: number) => n.toLocaleString('en-US');

// Response bodies are free-form JSON here; each test reads the fields it checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Json;
}

async function get(api: LocalApi, path: string): Promise<Reply> {
  const res = await fetch(`${api.base}/${path}`);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: JSON.parse(text) };
}

async function batch(api: LocalApi, body: unknown): Promise<Reply> {
  const res = await fetch(`${api.base}/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: JSON.parse(text) };
}

/**
 * Polls GET status every 20 ms until `until` settles; returns how many status replies came
 * back while it was still pending. Liveness without a clock: a server that held status
 * behind the heavy work would answer none (or one) before the work is done.
 */
async function statusRepliesDuring(api: LocalApi, until: Promise<unknown>): Promise<number> {
  let done = false;
  void until.finally(() => (done = true));
  let during = 0;
  do {
    const res = await fetch(`${api.base}/status`);
    expect(res.status).toBe(200);
    await res.json();
    if (!done) during++;
    await new Promise((resolve) => setTimeout(resolve, 20));
  } while (!done);
  return during;
}

function expectProblem(reply: Reply, status: number, kind: string): void {
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({ type: PROBLEM_BASE + kind, status });
  expect(reply.status).toBe(status);
}

describe('the request budget (default queue)', () => {
  let api: LocalApi;
  let n: number;
  beforeAll(async () => {
    api = await startLocalApi(SAMPLE);
    n = api.sessions.length;
  }, 120_000);
  afterAll(() => api?.close());

  test('the figures: 25 years of every field once, and of a debrief, fit; every field twice does not', () => {
    // 6,300 sessions = 25 years; the budget is one number, read by docs and service alike.
    expect(6300 * FIELD_NAMES.length + CELL_COST.meta).toBeLessThanOrEqual(BUDGET.maxCells);
    expect(6300 * CELL_COST.debrief + CELL_COST.meta).toBeLessThanOrEqual(BUDGET.maxCells);
    expect(n * EVERY_FIELD_TWICE.length).toBeGreaterThan(BUDGET.maxCells);
    // The largest answer the budget allows stays well under 20 MB.
    expect(BUDGET.maxCells * MAX_BYTES_PER_CELL).toBeLessThan(15e6);
  });

  test('the crash scenario: 5 concurrent batches of 70 whole-range calls of every field twice are each refused; status keeps answering', async () => {
    const calls = Array.from({ length: 70 }, () => ({ fn: 'history', args: { fields: EVERY_FIELD_TWICE } }));
    expect(JSON.stringify(calls).length).toBeGreaterThan(100_000); // the request of the report (~133 KB)
    const all = Promise.all(Array.from({ length: 5 }, () => batch(api, calls)));
    await statusRepliesDuring(api, all);
    const one = n * EVERY_FIELD_TWICE.length;
    const total = 70 * (one + CELL_COST.meta);
    for (const reply of await all) {
      expectProblem(reply, 422, 'over-budget');
      expect(reply.body.detail).toBe(
        `batch: 70 calls = ${fmt(total)} cells; the limit is ${fmt(BUDGET.maxCells)} cells per request, summed over a batch's calls; ` +
          `the largest: [0] history: ${fmt(n)} sessions x ${TWICE} fields = ${fmt(one)} cells; send the calls in several requests, ` +
          `or split by from/to (at most ${fmt(Math.floor((BUDGET.maxCells - CELL_COST.meta) / TWICE))} sessions of ${TWICE} fields per request) or ask for fewer fields`,
      );
      expect(reply.body.errors.map((e: Json) => e.field)).toEqual(['[0]', '[1]', '[2]', '[3]', '[4]']);
    }
    expect((await get(api, 'status')).status).toBe(200);
  });

  test('one route over the budget: 422 with the split that works', async () => {
    const fields = EVERY_FIELD_TWICE.join(',');
    const over = await get(api, `history?fields=${fields}`);
    expectProblem(over, 422, 'over-budget');
    const most = Math.floor((BUDGET.maxCells - CELL_COST.meta) / TWICE);
    expect(over.body.detail).toBe(
      `history: ${fmt(n)} sessions x ${TWICE} fields = ${fmt(n * TWICE)} cells; the limit is ${fmt(BUDGET.maxCells)} cells per request; ` +
        `split by from/to (at most ${fmt(most)} sessions of ${TWICE} fields per request) or ask for fewer fields`,
    );
    // Following the advice works: exactly the advised sessions, and one more is refused.
    const split = await get(api, `history?fields=${fields}&from=-${most}`);
    expect(split.status).toBe(200);
    expect(split.body.rows).toHaveLength(most);
    expect((await get(api, `history?fields=${fields}&from=-${most + 1}`)).status).toBe(422);
  });

  test('the whole range of every field once, and of the default fields, is answered', async () => {
    for (const fields of [FIELD_NAMES, DEFAULT_HISTORY_FIELDS]) {
      const reply = await get(api, `history?fields=${fields.join(',')}`);
      expect(reply.status).toBe(200);
      expect(reply.body.rows).toHaveLength(n);
      expect(reply.body.columns).toEqual([...fields]);
    }
  });

  test('debrief?from=-N over the whole history is within the budget and answered', async () => {
    expect(n * CELL_COST.debrief + CELL_COST.meta).toBeLessThanOrEqual(BUDGET.maxCells);
    const reply = await get(api, `debrief?from=-${n}`);
    expect(reply.status).toBe(200);
    // The first session has no previous close to debrief against.
    expect(reply.body.debriefs).toHaveLength(n - 1);
    expect(reply.body.debriefs[0].date).toBe(api.sessions[1]);
    expect(reply.body.debriefs[n - 2].date).toBe(api.sessions[n - 1]);
  });

  test('the estimate bounds the answer: bytes <= cells x MAX_BYTES_PER_CELL for every function', async () => {
    const scope = { sessions: n, events: 0 };
    const cases: [string, string, number][] = [
      ['history', `fields=${FIELD_NAMES.join(',')}`, callCost('history', { fields: FIELD_NAMES }, scope).cells],
      ['history', '', callCost('history', {}, scope).cells],
      ['debrief', `from=-${n}`, callCost('debrief', {}, scope).cells],
      ['backtest', '', callCost('backtest', {}, scope).cells],
      ['signal', 'asOf=-3', callCost('signal', {}, scope).cells],
      ['levels', 'count=100', callCost('levels', { count: 100 }, scope).cells],
      ['status', '', callCost('status', {}, scope).cells],
    ];
    for (const [fn, query, cells] of cases) {
      const reply = await get(api, `${fn}?${query}`);
      expect({ fn, status: reply.status }).toEqual({ fn, status: 200 });
      expect({ fn, query, bytes: reply.text.length, within: reply.text.length <= cells * MAX_BYTES_PER_CELL }).toEqual({
        fn,
        query,
        bytes: reply.text.length,
        within: true,
      });
    }
    // A field comes in a batch only; its part of the batch's answer.
    const field = await batch(api, [{ fn: 'field', args: { field: 'macro.active', asOf: '-1' } }]);
    expect(JSON.stringify(field.body[0]).length).toBeLessThanOrEqual(
      callCost('field', {}, scope).cells * MAX_BYTES_PER_CELL,
    );
    // The calendar counts the events it may list: the server's (none of them fall outside).
    const calendar = await get(api, `calendar?from=-${n}&to=2100-01-01`);
    expect(calendar.status).toBe(200);
    const events = calendar.body.events.length;
    expect(calendar.text.length).toBeLessThanOrEqual(
      callCost('calendar', {}, { sessions: 0, events }).cells * MAX_BYTES_PER_CELL,
    );
  });

  test("a batch's budget is the sum of its calls: each fits, the two do not", async () => {
    const call = { fn: 'history', args: { fields: FIELD_NAMES } };
    expect(n * FIELD_NAMES.length).toBeLessThan(BUDGET.maxCells);
    const one = await batch(api, [call, { fn: 'field', args: { field: 'close' } }]);
    expect(one.status).toBe(200);
    expect(one.body[0].value.rows).toHaveLength(n);
    const two = await batch(api, { calls: [{ fn: 'status' }, call, { fn: 'nope' }, call] });
    expectProblem(two, 422, 'over-budget');
    expect(two.body.detail).toMatch(
      new RegExp(`^batch: 4 calls = ${fmt(2 * (n * FIELD_NAMES.length + CELL_COST.meta) + CELL_COST.status)} cells; `),
    );
    // The largest calls are named by index; the invalid call costs nothing and fails alone in a batch that fits.
    expect(two.body.errors.map((e: Json) => e.field)).toEqual(['[1]', '[3]', '[0]']);
    const fits = await batch(api, { calls: [{ fn: 'status' }, call, { fn: 'nope' }] });
    expect(fits.status).toBe(200);
    expect(fits.body[2].error.type).toBe(PROBLEM_BASE + 'invalid-parameter');
  });

  test('a batch may use at most BUDGET.maxHistories different profiles', async () => {
    const profiles = (k: number) =>
      Array.from({ length: k }, (_, i) => ({
        fn: 'field',
        args: { field: 'close', asOf: '-1', profile: { preset: 'iwm', levels: { swingWindow: i + 1 } } },
      }));
    const over = await batch(api, profiles(BUDGET.maxHistories + 1));
    expectProblem(over, 422, 'over-budget');
    expect(over.body.detail).toMatch(
      `the calls use ${BUDGET.maxHistories + 1} different symbol/benchmark/profile combinations; the limit is ${BUDGET.maxHistories} per request`,
    );
    // The same profile many times is one history.
    const same = await batch(api, { defaults: { profile: 'standard' }, calls: profiles(1).concat(profiles(1)) });
    expect(same.status).toBe(200);
  });

  test('five concurrent heavy batches within the budget all succeed while status keeps answering', async () => {
    // Heavy (>= BUDGET.heavyCells), so they pass through the queue; read as text during the load so
    // that the test's own JSON parsing (same thread as the server) does not stand in the way.
    const heavy = [
      { fn: 'history', args: { fields: FIELD_NAMES.slice(0, 20) } },
      { fn: 'debrief', args: { from: '-500' } },
    ];
    expect(n * 20 + 500 * CELL_COST.debrief).toBeGreaterThan(BUDGET.heavyCells);
    const send = () =>
      fetch(`${api.base}/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(heavy),
      }).then(async (res) => ({ status: res.status, text: await res.text() }));
    const all = Promise.all(Array.from({ length: 5 }, send));
    const during = await statusRepliesDuring(api, all);
    for (const reply of await all) {
      expect(reply.status).toBe(200);
      const body = JSON.parse(reply.text);
      expect(body[0].value.rows).toHaveLength(n);
      expect(body[1].value.debriefs).toHaveLength(500);
    }
    // Five heavy batches run two at a time; status kept answering in between.
    expect(during).toBeGreaterThanOrEqual(2);
    expect(api.rt.service.gate.inFlight).toBe(0);
  });
});

describe('the queue of heavy requests (1 in flight, 1 waiting)', () => {
  let api: LocalApi;
  beforeAll(async () => {
    api = await startLocalApi({ ...SAMPLE, IWM_HEAVY_CONCURRENCY: '1', IWM_HEAVY_QUEUE: '1' });
  }, 120_000);
  afterAll(() => api?.close());

  /** Resolves once `k` requests wait in the queue. */
  async function queued(k: number): Promise<void> {
    while (api.rt.service.gate.queued < k) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  test('a full queue is 503 busy with Retry-After; cheap requests still answer; the waiting one runs when the slot frees', async () => {
    // The test holds the only slot, so what follows does not depend on timing.
    const release = await api.rt.service.gate.acquire();
    let waiting: Promise<Reply> | undefined;
    try {
      // 5,000 sessions x 11 default fields = 55,000 cells: heavy.
      expect(api.sessions.length * DEFAULT_HISTORY_FIELDS.length + CELL_COST.meta).toBeGreaterThanOrEqual(
        BUDGET.heavyCells,
      );
      waiting = get(api, 'history');
      await queued(1);
      const busy = await get(api, 'history');
      expectProblem(busy, 503, 'busy');
      expect(busy.headers.get('retry-after')).toBe(String(QUEUE.retryAfterSeconds));
      expect(busy.body.detail).toMatch(`retry in ${QUEUE.retryAfterSeconds} s`);
      // A batch is gated as a whole, and one that would compute a new history is heavy however small.
      const newProfile = await batch(api, [{ fn: 'field', args: { field: 'close', profile: 'standard' } }]);
      expectProblem(newProfile, 503, 'busy');
      expect(newProfile.headers.get('retry-after')).toBe(String(QUEUE.retryAfterSeconds));
      // Cheap requests never wait.
      expect((await get(api, 'status')).status).toBe(200);
      expect((await get(api, 'signal?asOf=-2')).status).toBe(200);
      const cheap = await batch(api, [{ fn: 'field', args: { field: 'close', asOf: '-1' } }, { fn: 'status' }]);
      expect(cheap.status).toBe(200);
      expect(cheap.body[0].value.value).toBeGreaterThan(0);
      expect(api.rt.service.gate.queued).toBe(1);
    } finally {
      release();
    }
    const served = await waiting!;
    expect(served.status).toBe(200);
    expect(served.body.rows).toHaveLength(api.sessions.length);
    // The slot is free again.
    expect((await get(api, 'history')).status).toBe(200);
    expect(api.rt.service.gate.inFlight).toBe(0);
  });
});

describe('Gate', () => {
  const limits = { maxInFlight: 2, maxQueued: 2, retryAfterSeconds: 7 };

  test('runs at most maxInFlight, queues maxQueued in arrival order, refuses the next', async () => {
    const gate = new Gate(limits);
    const a = await gate.acquire();
    const b = await gate.acquire();
    const order: string[] = [];
    const c = gate.acquire().then((r) => (order.push('c'), r));
    const d = gate.acquire().then((r) => (order.push('d'), r));
    expect([gate.inFlight, gate.queued]).toEqual([2, 2]);
    await expect(gate.acquire()).rejects.toMatchObject({
      problem: { type: PROBLEM_BASE + 'busy', status: 503 },
      headers: { 'retry-after': '7' },
    });
    a();
    a(); // a second release of the same slot does nothing
    const rc = await c;
    expect([gate.inFlight, gate.queued, order]).toEqual([2, 1, ['c']]);
    b();
    const rd = await d;
    expect(order).toEqual(['c', 'd']);
    rc();
    rd();
    expect([gate.inFlight, gate.queued]).toEqual([0, 0]);
  });

  test('run releases the slot when the work fails', async () => {
    const gate = new Gate({ ...limits, maxInFlight: 1, maxQueued: 0 });
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(gate.inFlight).toBe(0);
    await expect(gate.run(async () => 5)).resolves.toBe(5);
  });

  test('the limits are settings checked like the others', () => {
    expect(readConfig({}).heavy).toEqual({ maxInFlight: QUEUE.maxInFlight, maxQueued: QUEUE.maxQueued });
    expect(readConfig({ IWM_HEAVY_CONCURRENCY: '1', IWM_HEAVY_QUEUE: '0' }).heavy).toEqual({
      maxInFlight: 1,
      maxQueued: 0,
    });
    expect(() => readConfig({ IWM_HEAVY_CONCURRENCY: '0' })).toThrow(/IWM_HEAVY_CONCURRENCY/);
  });
});
