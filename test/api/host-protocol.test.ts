/**
 * Requests that are bad at the protocol level, sent byte for byte over raw sockets to
 * real local hosts (plain HTTP and the add-in's HTTPS): each gets a 4xx/5xx
 * problem+json answer naming what is wrong, never a 500, an empty body or a dropped
 * connection, and the host keeps serving afterwards.
 */
import { promises as fs } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PROBLEM_BASE } from '../../api/src/contracts/problem';
import { createAddinHost } from '../../api/src/host/addin-host';
import { resolveDevCertificate, type DevCertificate } from '../../api/src/host/dev-certs';
import { hostProblem } from '../../api/src/host/http-server';
import { createLocalHost, createRequestHandler, parseTarget } from '../../api/src/host/local-host';
import type { Runtime } from '../../api/src/service/runtime';
import { problemOf, rawReplies, rawRequest, type RawTarget } from '../support/raw-http';
import { sampleRuntime } from '../support/runtime';

jest.setTimeout(60_000);

// Short enough for a stalled body to end the test quickly, long enough for a loaded machine.
const SHORT = { headersMs: 2_000, requestMs: 3_000 };

let rt: Runtime;
let tmp: string;
let cert: DevCertificate;
const logs: string[] = [];
const servers: Server[] = [];
let plain: RawTarget; // default timeouts
let impatient: RawTarget; // SHORT timeouts
let https: RawTarget; // the add-in host, SHORT timeouts

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'iwm-host-protocol-'));
  rt = await sampleRuntime();
  const options = { runtime: rt, functionKeys: [], corsOrigins: [], log: (m: string) => logs.push(m) };
  plain = { port: await listen(createLocalHost(options)) };
  impatient = { port: await listen(createLocalHost({ ...options, timeouts: SHORT })) };
  cert = await resolveDevCertificate(
    {},
    { officeDir: path.join(tmp, 'no-office-certs'), cacheDir: path.join(tmp, 'certs') },
  );
  const addin = createAddinHost({ dir: tmp, api: createRequestHandler(options), tls: cert, timeouts: SHORT });
  https = { port: await listen(addin as unknown as Server), ca: cert.ca };
}, 120_000);

afterAll(async () => {
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        }),
    ),
  );
  await rt?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

const kind = (type: string) => type.slice(PROBLEM_BASE.length);

describe('methods', () => {
  test('TRACE on a route is 405 with the route Allow (undici would have refused it: a 500)', async () => {
    const reply = await rawRequest(plain, 'TRACE /api/v1/signal HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET, HEAD');
    expect(kind(problemOf(reply).type)).toBe('method-not-allowed');
  });

  test.each([
    ['plain', () => plain],
    ['https', () => https],
  ])('CONNECT over %s is 405 problem+json with Allow, then the connection closes', async (_, target) => {
    const reply = await rawRequest(target(), 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
    expect(problemOf(reply).detail).toMatch(/CONNECT example\.com:443 .*not a proxy/);
    expect(reply.closed).toBe(true);
  });

  test.each([
    ['plain', () => plain],
    ['https', () => https],
  ])('a method Node does not know (FOO) over %s is 501 with Allow', async (_, target) => {
    const reply = await rawRequest(target(), 'FOO /api/v1/status HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(reply.status).toBe(501);
    expect(reply.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
    expect(kind(problemOf(reply).type)).toBe('not-implemented');
    expect(reply.closed).toBe(true);
  });
});

describe('Host', () => {
  test.each([
    ['a host with a space', 'Host: a b\r\n', /"a b" is not a host name/],
    ['a host with a path', 'Host: example.com/x\r\n', /is not a host name/],
    ['no host on HTTP/1.1', '', /needs a Host header/],
    ['two hosts', 'Host: a.example\r\nHost: b.example\r\n', /more than one Host/],
  ])('%s is 400', async (_, hostLines, detail) => {
    const reply = await rawRequest(plain, `GET /api/v1/status HTTP/1.1\r\n${hostLines}\r\n`);
    expect(reply.status).toBe(400);
    const problem = problemOf(reply);
    expect(kind(problem.type)).toBe('bad-request');
    expect(problem.detail).toMatch(detail);
  });

  test('the add-in host checks Host too, for its files as for the API', async () => {
    const reply = await rawRequest(https, 'GET /taskpane.html HTTP/1.1\r\nHost: a b\r\n\r\n');
    expect(reply.status).toBe(400);
    expect(kind(problemOf(reply).type)).toBe('bad-request');
  });

  test('HTTP/1.0 may leave Host out; names, IPv4 and IPv6 with ports are accepted', async () => {
    const reply = await rawRequest(plain, 'GET /api/v1/status HTTP/1.0\r\n\r\n');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ source: 'sample' });
    const hosts = ['localhost', 'localhost:7071', '127.0.0.1:3000', '[::1]:3000', 'my_box.lan'];
    for (const host of hosts)
      expect(hostProblem({ headers: { host }, rawHeaders: ['Host', host], httpVersion: '1.1' })).toBeNull();
    for (const host of ['', 'a@b', 'a:b:c', '[::1', 'a,b'])
      expect(hostProblem({ headers: { host }, rawHeaders: ['Host', host], httpVersion: '1.1' })?.status).toBe(400);
  });
});

describe('framing and limits Node enforces', () => {
  test.each([
    ['plain', () => plain],
    ['https', () => https],
  ])('a Content-Length that is not a number over %s is 400 naming the header', async (_, target) => {
    const reply = await rawRequest(
      target(),
      'POST /api/v1/batch HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 12abc\r\n\r\n[]',
    );
    expect(reply.status).toBe(400);
    expect(problemOf(reply).detail).toMatch(/Content-Length/);
    expect(reply.closed).toBe(true);
  });

  test('Content-Length together with chunked Transfer-Encoding is 400', async () => {
    const reply = await rawRequest(
      plain,
      'POST /api/v1/batch HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(reply.status).toBe(400);
    expect(kind(problemOf(reply).type)).toBe('bad-request');
  });

  test('a 20 KB header is 431', async () => {
    const reply = await rawRequest(
      plain,
      `GET /api/v1/status HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`,
    );
    expect(reply.status).toBe(431);
    const problem = problemOf(reply);
    expect(kind(problem.type)).toBe('headers-too-large');
    expect(problem.detail).toMatch(/16384 bytes/);
    expect(reply.closed).toBe(true);
  });

  test('after a good request on a kept-alive connection, a malformed one still gets its problem', async () => {
    const replies = await rawReplies(
      plain,
      'GET /api/v1/status HTTP/1.1\r\nHost: localhost\r\n\r\n',
      'GET /api/v1/status HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n',
    );
    expect(replies.map((r) => r.status)).toEqual([200, 400]);
    expect(problemOf(replies[1]).detail).toMatch(/header line is malformed/);
  });
});

describe('a body that stalls', () => {
  test.each([
    ['plain', () => impatient],
    ['https', () => https],
  ])('over %s is cut with 408 problem+json, and the host logs no error', async (_, target) => {
    const before = logs.length;
    const reply = await rawRequest(
      target(),
      'POST /api/v1/batch HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[{"fn":',
    );
    expect(reply.status).toBe(408);
    const problem = problemOf(reply);
    expect(kind(problem.type)).toBe('request-timeout');
    expect(problem.detail).toContain(`${SHORT.requestMs} ms`);
    expect(reply.closed).toBe(true);
    // The handler waiting for the body learns the client is gone; that is not an error.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(logs.slice(before)).toEqual([]);
  });

  test('headers that never end are cut with 408 as well', async () => {
    const reply = await rawRequest(impatient, 'GET /api/v1/status HTTP/1.1\r\nHost: localhost\r\n');
    expect(reply.status).toBe(408);
    expect(kind(problemOf(reply).type)).toBe('request-timeout');
  });
});

test('request targets: path and query as WHATWG URL parses them, on the fast path or not', () => {
  const targets = [
    '/api/v1/signal?asOf=2026-06-05&profile=standard',
    '/api/v1/openapi.json',
    '/',
    '/api/v1/history?fields=date,close&from=-20&code=k',
    '/api/v1/signal?profile=%7B%22preset%22%3A%22iwm%22%7D&x=a+b&y=%zz&y=2',
    '/api/v1/./signal?asOf=1',
    '/api/v1/x/../signal',
    '/api/v1/%2e%2e/status',
    '/api//v1/signal',
    '/api/v1/signal#frag?x=1',
    '/api/v1/s ig"nal?a=b c',
    'http://other.example/api/v1/status?x=1',
    '/api/v1/.hidden',
  ];
  for (const raw of targets) {
    const url = new URL(raw, 'http://localhost:7071');
    const got = parseTarget(raw, 'localhost:7071');
    expect({ raw, pathname: got?.pathname, query: [...(got?.query ?? [])] }).toEqual({
      raw,
      pathname: url.pathname,
      query: [...url.searchParams],
    });
  }
  expect(parseTarget('http://[::1/x', 'localhost')).toBeNull();
});

test('after all of the above, both hosts still serve', async () => {
  const status = await rawRequest(plain, 'GET /api/v1/status HTTP/1.1\r\nHost: localhost\r\n\r\n');
  expect(status.status).toBe(200);
  const viaHttps = await rawRequest(https, 'GET /api/v1/status HTTP/1.1\r\nHost: localhost:3000\r\n\r\n');
  expect(viaHttps.status).toBe(200);
  expect(JSON.parse(viaHttps.body)).toMatchObject({ source: 'sample' });
});
