/**
 * The local host over real HTTP on loopback: it must enforce what Azure enforces
 * (function keys on function-level routes, the CORS allowlist with preflight, the body
 * limit) and serve the same handlers.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createLocalHost } from '../../api/src/host/local-host';
import { hostSettings } from '../../api/src/host/main';
import type { Runtime } from '../../api/src/service/runtime';
import { sampleRuntime } from '../support/runtime';

const KEY = 'local-test-key-0123456789';
const ORIGIN = 'https://localhost:3000';
let rt: Runtime;
let server: Server;
let base: string;

beforeAll(async () => {
  rt = await sampleRuntime();
  server = createLocalHost({ runtime: rt, functionKeys: [KEY, 'second-key'], corsOrigins: [ORIGIN] });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rt.close();
});

describe('function keys', () => {
  test('a data route without a key is 401 problem+json', async () => {
    const res = await fetch(`${base}/signal`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/function key/);
  });

  test('a wrong key is 401; the header and ?code= both work, for every configured key', async () => {
    expect((await fetch(`${base}/signal`, { headers: { 'x-functions-key': 'wrong' } })).status).toBe(401);
    expect((await fetch(`${base}/signal`, { headers: { 'x-functions-key': KEY } })).status).toBe(200);
    expect((await fetch(`${base}/signal?code=second-key`)).status).toBe(200);
  });

  test('the key parameter is not taken for an argument', async () => {
    const res = await fetch(`${base}/history?code=${KEY}&fields=date,close&from=2007-01-02&to=2007-01-05`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { rows: unknown[] }).rows.length).toBeGreaterThan(0);
  });

  test('anonymous routes need no key', async () => {
    expect((await fetch(`${base}/status`)).status).toBe(200);
    expect((await fetch(`${base}/openapi.json`)).status).toBe(200);
  });
});

describe('CORS', () => {
  test('a preflight from the add-in origin is allowed with the key header', async () => {
    const res = await fetch(`${base}/batch`, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-functions-key',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/x-functions-key/);
    expect(res.headers.get('access-control-allow-methods')).toBe('POST');
  });

  test('another origin gets no CORS headers and a 403 preflight', async () => {
    const pre = await fetch(`${base}/batch`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(403);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(`${base}/status`, { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('responses to the allowed origin carry Allow-Origin, errors included', async () => {
    const ok = await fetch(`${base}/signal`, { headers: { origin: ORIGIN, 'x-functions-key': KEY } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const unauthorized = await fetch(`${base}/signal`, { headers: { origin: ORIGIN } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });
});

describe('routing and limits', () => {
  const auth = { 'x-functions-key': KEY, 'content-type': 'application/json' };

  test('unknown route 404, wrong method 405 with Allow, HEAD without a body', async () => {
    const nf = await fetch(`${base}/nope`);
    expect(nf.status).toBe(404);
    expect(nf.headers.get('content-type')).toMatch(/problem\+json/);
    const wrong = await fetch(`${base}/signal`, { method: 'PUT', headers: auth, body: '{}' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${base}/status`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  test('a body over 1 MB is refused with 413 before it is read in full', async () => {
    const res = await fetch(`${base}/batch`, { method: 'POST', headers: auth, body: 'x'.repeat(2 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/limit/);
  });

  test('batch over real HTTP: 1,000 calls in one request', async () => {
    const calls = Array.from({ length: 1000 }, (_, k) => ({
      fn: 'field',
      args: { field: 'close', asOf: k % 2 ? '2007-01-03' : '2007-01-04' },
    }));
    const res = await fetch(`${base}/batch`, { method: 'POST', headers: auth, body: JSON.stringify(calls) });
    expect(res.status).toBe(200);
    const out = (await res.json()) as { value: { date: string } }[];
    expect(out).toHaveLength(1000);
    expect(out[0].value.date).toBe('2007-01-04');
    expect(out[1].value.date).toBe('2007-01-03');
  });
});

describe('host settings', () => {
  test('defaults: port 7071 on loopback, the add-in dev origin, no keys', () => {
    expect(hostSettings({})).toEqual({
      port: 7071,
      host: '127.0.0.1',
      functionKeys: [],
      corsOrigins: ['https://localhost:3000'],
    });
  });

  test('bad settings name the variable', () => {
    expect(() => hostSettings({ IWM_API_PORT: '70x' })).toThrow(/IWM_API_PORT/);
    expect(() => hostSettings({ IWM_API_PORT: '70000' })).toThrow(/IWM_API_PORT/);
    expect(() => hostSettings({ IWM_CORS_ORIGINS: 'https://a.example/path' })).toThrow(/IWM_CORS_ORIGINS/);
    expect(hostSettings({ IWM_FUNCTION_KEYS: ' a , b ', IWM_API_PORT: '8080' })).toMatchObject({
      port: 8080,
      functionKeys: ['a', 'b'],
    });
  });
});
