/**
 * The batching client against the real local API host over HTTP on loopback (and, for
 * whole-request failures, against small servers that misbehave on purpose).
 */
import { createServer, type Server } from 'node:http';
import { ApiError, BatchingClient, type ClientOptions } from '../../src/common/api-client';
import { makeProblem } from '../../api/src/contracts/problem';
import { FIELDS } from '../../api/src/engine/fields';
import { createLocalHost } from '../../api/src/host/local-host';
import { BUDGET } from '../../api/src/service/budget';
import type { Runtime } from '../../api/src/service/runtime';
import { listen, startLocalApi, type LocalApi } from '../support/local-api';

let api: LocalApi;
let rt: Runtime;
let base: string;
let sessions: string[];

beforeAll(async () => {
  api = await startLocalApi();
  ({ rt, base, sessions } = api);
});
afterAll(() => api.close());
beforeEach(() => (api.batchRequests = 0));

const client = (options: Partial<ClientOptions> = {}) => new BatchingClient({ baseUrl: () => base, ...options });

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => {
      expect(err).toBeInstanceOf(ApiError);
      return err as ApiError;
    },
  );
}

describe('batching', () => {
  test('1,000 calls in one burst are one request, each settled with its own value', async () => {
    const c = client();
    const dates = sessions.slice(300, 1300);
    const values = await Promise.all(dates.map((asOf) => c.call('field', { field: 'composite.score', asOf })));
    expect(api.batchRequests).toBe(1);
    expect(c.requestsSent).toBe(1);
    for (const i of [0, 1, 499, 999]) {
      const expected = await rt.service.call('field', { field: 'composite.score', asOf: dates[i] });
      expect(values[i]).toEqual(expected);
      expect((values[i] as { date: string }).date).toBe(dates[i]);
    }
  });

  test('one bad call fails alone: a holiday is not-available, its neighbours resolve', async () => {
    const c = client();
    const [before, holiday, after] = await Promise.allSettled([
      c.call('field', { field: 'close', asOf: '2004-12-23' }),
      c.call('field', { field: 'close', asOf: '2004-12-25' }),
      c.call('field', { field: 'close', asOf: '2004-12-27' }),
    ]);
    expect(api.batchRequests).toBe(1);
    expect(before.status).toBe('fulfilled');
    expect(after.status).toBe('fulfilled');
    const err = (holiday as PromiseRejectedResult).reason as ApiError;
    expect(err.kind).toBe('not-available');
    expect(err.message).toMatch(/2004-12-25 is not a trading session/);
  });

  test('more calls than maxCalls go in several requests', async () => {
    const c = client({ maxCalls: 100 });
    await Promise.all(sessions.slice(0, 250).map((asOf) => c.call('field', { field: 'close', asOf })));
    expect(api.batchRequests).toBe(3);
  });

  test('bad arguments are refused before any request, naming the argument', async () => {
    const c = client();
    const err = await rejection(c.call('field', { field: 'close', asOf: '2024-02-30' }));
    expect(err.kind).toBe('invalid');
    expect(err.message).toMatch(/asOf/);
    const profile = await rejection(c.call('field', { field: 'close', profile: { trend: { fastPeriod: -3 } } }));
    expect(profile.kind).toBe('invalid');
    expect(profile.message).toMatch(/profile\.trend\.fastPeriod/);
    expect(await rejection(c.call('field', { field: 'no.such' }))).toMatchObject({ kind: 'invalid' });
    await c.flushNow();
    expect(api.batchRequests).toBe(0);
  });

  test('relative sessions: -1 is the last close', async () => {
    const c = client();
    const v = (await c.call('field', { field: 'close', asOf: '-1' })) as { date: string };
    expect(v.date).toBe(sessions[sessions.length - 1]);
  });
});

describe('cache', () => {
  test('closed sessions are never fetched twice; identical calls in flight share one entry', async () => {
    const bodies: unknown[][] = [];
    const c = client({
      fetch: (url, init) => {
        bodies.push(JSON.parse(String(init?.body)) as unknown[]);
        return fetch(url, init);
      },
    });
    const dates = sessions.slice(100, 200);
    const twice = [...dates, ...dates];
    await Promise.all(twice.map((asOf) => c.call('field', { field: 'trend.state', asOf })));
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toHaveLength(100);
    await Promise.all(dates.map((asOf) => c.call('field', { field: 'trend.state', asOf })));
    expect(bodies).toHaveLength(1);
    // Another profile is another key.
    await c.call('field', { field: 'trend.state', asOf: dates[0], profile: 'standard' });
    expect(bodies).toHaveLength(2);
  });

  test('results about the latest session expire; clearCache forgets everything', async () => {
    let now = 1_000_000;
    const c = client({ latestTtlMs: 60_000, now: () => now });
    await c.call('field', { field: 'close' });
    await c.call('field', { field: 'close' });
    expect(c.requestsSent).toBe(1);
    now += 61_000;
    await c.call('field', { field: 'close' });
    expect(c.requestsSent).toBe(2);
    await c.call('field', { field: 'close', asOf: sessions[5] });
    c.clearCache();
    await c.call('field', { field: 'close', asOf: sessions[5] });
    expect(c.requestsSent).toBe(4);
  });

  test('a profile the calls share is sent once per request, in the defaults', async () => {
    const bodies: string[] = [];
    const c = client({
      fetch: (url, init) => {
        bodies.push(String(init?.body));
        return fetch(url, init);
      },
    });
    const customEvents = Array.from({ length: 40 }, (_, k) => ({
      date: sessions[900 + k * 5],
      kind: 'custom',
      label: `Event number ${k} with a label long enough to matter`,
    }));
    const profile = { preset: 'iwm', macro: { customEvents } };
    const dates = sessions.slice(900, 1400);
    const values = await Promise.all(dates.map((asOf) => c.call('field', { field: 'macro.phase', asOf, profile })));
    expect(bodies).toHaveLength(1);
    const body = JSON.parse(bodies[0]) as { defaults: { profile: unknown }; calls: { args: object }[] };
    expect(body.calls).toHaveLength(500);
    expect(body.calls.every((call) => !('profile' in call.args))).toBe(true);
    expect(bodies[0].split('Event number 7 ').length - 1).toBe(1);
    // The values are those of the profile, not of the preset.
    for (const i of [0, 5, 250]) {
      const expected = await rt.service.call('field', { field: 'macro.phase', asOf: dates[i], profile });
      expect(values[i]).toEqual(expected);
    }
  });

  test('fresh calls skip the cache', async () => {
    const c = client();
    await c.call('field', { field: 'close', asOf: sessions[9] });
    await c.call('field', { field: 'close', asOf: sessions[9] }, { fresh: true });
    expect(c.requestsSent).toBe(2);
  });
});

describe('a request that fails as a whole rejects every call in it', () => {
  const servers: Server[] = [];
  async function misbehaving(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const s = createServer(handler);
    servers.push(s);
    return listen(s);
  }
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });

  async function allRejected(url: string, options: Partial<ClientOptions> = {}): Promise<ApiError[]> {
    const c = new BatchingClient({ baseUrl: () => url, ...options });
    const calls = sessions.slice(0, 50).map((asOf) => c.call('field', { field: 'close', asOf }));
    const settled = await Promise.allSettled(calls);
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    return settled.map((s) => (s as PromiseRejectedResult).reason as ApiError);
  }

  test('a dropped connection', async () => {
    const url = await misbehaving((req) => req.socket.destroy());
    const errors = await allRejected(url);
    expect(errors[0].kind).toBe('network');
    expect(errors[49].message).toMatch(new RegExp(`cannot reach the IWM API at ${url}`));
  });

  test('a body cut off mid-way', async () => {
    const url = await misbehaving((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
      res.write('[{"value":', () => res.socket?.destroy());
    });
    const errors = await allRejected(url);
    expect(errors[0].kind).toBe('network');
    expect(errors[0].message).toMatch(/dropped the connection/);
  });

  test('no answer within the timeout', async () => {
    const url = await misbehaving(() => undefined);
    const errors = await allRejected(url, { timeoutMs: 300 });
    expect(errors[0].kind).toBe('network');
    expect(errors[0].message).toMatch(/no answer within 0 s|no answer within/);
  });

  test('nothing listening', async () => {
    const s = createServer();
    const url = await listen(s);
    await new Promise((resolve) => s.close(resolve));
    const errors = await allRejected(url);
    expect(errors[0].kind).toBe('network');
    expect(errors[0].message).toMatch(/ECONNREFUSED/);
  });

  test('a refused key names the problem', async () => {
    const keyed = createLocalHost({ runtime: rt, functionKeys: ['right-key'], corsOrigins: [] });
    servers.push(keyed);
    const url = await listen(keyed);
    const errors = await allRejected(url, { apiKey: () => 'wrong-key' });
    expect(errors[0].kind).toBe('auth');
    expect(errors[0].message).toMatch(/refused the request \(401\).*function key/);
    const ok = new BatchingClient({ baseUrl: () => url, apiKey: () => 'right-key' });
    expect(await ok.call('field', { field: 'close', asOf: sessions[3] })).toMatchObject({ date: sessions[3] });
  });

  test('an HTTP 502 without a problem document, and a reply of the wrong length', async () => {
    const bad = await misbehaving((_req, res) => res.writeHead(502).end('<html>Bad gateway</html>'));
    expect((await allRejected(bad))[0].message).toMatch(/answered HTTP 502/);
    const short = await misbehaving((_req, res) => res.writeHead(200).end('[{"value":1}]'));
    const errors = await allRejected(short);
    expect(errors[0].kind).toBe('server');
    expect(errors[0].message).toMatch(/unexpected reply \(expected 50 results\)/);
  });
});

describe('a request the API cannot take now is not the cells’ failure', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });

  /** A server that answers 503 `busy` (Retry-After: 0) `busyTimes` times, then passes requests to the real API. */
  async function busyThen(busyTimes: number): Promise<{ url: string; requests: () => number }> {
    let requests = 0;
    const s = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests++;
        if (requests <= busyTimes) {
          res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '0' });
          res.end(JSON.stringify(makeProblem('busy', 'the server is working on 2 heavy requests and 8 wait')));
          return;
        }
        void fetch(`${base}/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: Buffer.concat(chunks),
        })
          .then(async (r) => res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()))
          .catch(() => res.destroy());
      });
    });
    servers.push(s);
    return { url: await listen(s), requests: () => requests };
  }

  test('busy: the same request again after Retry-After; the cells get their values', async () => {
    const { url, requests } = await busyThen(2);
    const c = new BatchingClient({ baseUrl: () => url });
    const dates = sessions.slice(10, 20);
    const values = await Promise.all(dates.map((asOf) => c.call('field', { field: 'close', asOf })));
    expect(requests()).toBe(3);
    expect(values[4]).toEqual(await rt.service.call('field', { field: 'close', asOf: dates[4] }));
  });

  test('busy every time: after busyRetries more tries the cells say the API is busy', async () => {
    const { url, requests } = await busyThen(Infinity);
    const c = new BatchingClient({ baseUrl: () => url, busyRetries: 2 });
    const settled = await Promise.allSettled(
      sessions.slice(0, 5).map((asOf) => c.call('field', { field: 'close', asOf })),
    );
    expect(requests()).toBe(3);
    const errors = settled.map((s) => (s as PromiseRejectedResult).reason as ApiError);
    expect(errors.every((e) => e instanceof ApiError && e.kind === 'server')).toBe(true);
    expect(errors[0].message).toBe('IWM API: the server is working on 2 heavy requests and 8 wait');
  });

  test('over budget as one request: the burst is split until each part fits, every call gets its value', async () => {
    // Whole-history tables of every field: each fits the budget alone, together they do not.
    const fields = FIELDS.map((f) => f.name);
    const n = Math.min(sessions.length - 20, Math.floor((BUDGET.maxCells - 1000) / fields.length));
    const perCall = n * fields.length;
    const k = Math.floor(BUDGET.maxCells / perCall) + 2;
    expect(k).toBeLessThanOrEqual(20); // each call's window, shifted by one session, stays in the data
    const c = client();
    const calls = Array.from({ length: k }, (_, i) =>
      c.call('history', { from: sessions[sessions.length - n - i], to: sessions[sessions.length - 1 - i], fields }),
    );
    const tables = (await Promise.all(calls)) as { columns: string[]; rows: unknown[][] }[];
    // One refused request, then at least its two halves.
    expect(api.batchRequests).toBeGreaterThanOrEqual(3);
    tables.forEach((t, i) => {
      expect(t.rows).toHaveLength(n);
      expect(t.rows[n - 1][0]).toBe(sessions[sessions.length - 1 - i]);
    });
  });
});
