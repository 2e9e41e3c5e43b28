/**
 * IWM_DATA_SOURCE=massive end to end: a refresh takes the pair and the extra symbols
 * from Massive's aggregates endpoint (a local server answering in its format), and the
 * configuration refuses what cannot work.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSample } from '../../api/src/data/sample';
import { formatDay } from '../../api/src/engine/dates';
import type { BarColumns } from '../../api/src/engine/types';
import { ConfigError, readConfig } from '../../api/src/service/config';
import { createRuntime, type Runtime } from '../../api/src/service/runtime';
import { MemoryStore } from '../../api/src/storage/memory-store';
import { aggregatesAnswer, newYorkMs } from '../support/massive-fixture';

const KEY = 'mssv-refresh-key';
const sample = generateSample({ sessions: 400, members: 0 });
const n = sample.primary.dates.length;
const bars: Record<string, BarColumns> = { IWM: sample.primary, SPY: sample.benchmark, QQQ: sample.benchmark };

/** A ticker's whole history as one aggregates page: t is midnight New York of each session. */
function history(ticker: string): string {
  const b = bars[ticker];
  const results = Array.from(b.dates, (d, i) => ({
    v: b.volume[i],
    vw: b.close[i],
    o: b.open[i],
    c: b.close[i],
    h: b.high[i],
    l: b.low[i],
    t: newYorkMs(formatDay(d), 0),
    n: 100,
  }));
  return aggregatesAnswer(ticker, results);
}

let server: Server | undefined;
let base = '';
const requests: { path: string; authorization?: string }[] = [];

beforeAll(async () => {
  const s = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ path: url.pathname, authorization: req.headers.authorization });
    // The end of the range is "today in New York", so only its shape is checked.
    const match = /^\/v2\/aggs\/ticker\/([A-Z]+)\/range\/1\/day\/1970-01-01\/\d{4}-\d{2}-\d{2}$/.exec(url.pathname);
    const ticker = match?.[1];
    if (ticker === undefined || bars[ticker] === undefined || req.headers.authorization !== `Bearer ${KEY}`) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"status":"NOT_FOUND","request_id":"x","message":"not here"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(history(ticker));
  });
  server = s;
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}, 60_000);
afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

const runtimes: Runtime[] = [];
afterEach(async () => Promise.all(runtimes.splice(0).map((r) => r.close())));

const ENV = {
  IWM_DATA_SOURCE: 'massive',
  IWM_MASSIVE_KEY: KEY,
  IWM_SYMBOLS: 'QQQ',
  IWM_FRED_SERIES: '',
  IWM_STORE: 'memory',
  IWM_HTTP_RETRIES: '0',
  IWM_MANIFEST_TTL_MS: '0',
};

test('a refresh takes IWM, SPY and the extra symbols from the aggregates endpoint', async () => {
  // A paid plan's setting: no limiter, so the three requests need not wait 12 s each.
  const rt = await createRuntime({ ...ENV, IWM_MASSIVE_URL: base, IWM_MASSIVE_RPM: '0' }, { store: new MemoryStore() });
  runtimes.push(rt);
  const r = await rt.refresh();
  const last = formatDay(sample.primary.dates[n - 1]);
  expect(r.lastBarDates).toEqual({ IWM: last, SPY: last, QQQ: last });
  // HYG and IEF are the credit overlay's symbols (IWM_CREDIT_SYMBOLS), asked for too.
  expect(requests.map((q) => q.path.split('/')[4]).sort()).toEqual(['HYG', 'IEF', 'IWM', 'QQQ', 'SPY']);
  const reading = (await rt.service.call('signal', {})) as { meta: { source: string } };
  expect(reading.meta.source).toBe('massive');
});

describe('configuration of the network sources', () => {
  it('needs IWM_MASSIVE_KEY for massive, and IWM_STOOQ_KEY for stooq', () => {
    expect(() => readConfig({ IWM_DATA_SOURCE: 'massive' })).toThrow(
      new ConfigError('IWM_DATA_SOURCE=massive needs IWM_MASSIVE_KEY (a Massive API key)'),
    );
    expect(() => readConfig({ IWM_DATA_SOURCE: 'stooq' })).toThrow(/^IWM_DATA_SOURCE=stooq needs IWM_STOOQ_KEY/);
  });

  it('defaults to api.massive.com at the free plan (5 requests a minute)', () => {
    const config = readConfig({ IWM_DATA_SOURCE: 'massive', IWM_MASSIVE_KEY: ' k ' });
    expect(config.massiveKey).toBe('k');
    expect(config.massiveRpm).toBe(5);
    expect(config.urls.massive).toBe('https://api.massive.com');
    expect(config.fredSeries).toEqual(['T10Y2Y', 'BAMLH0A0HYM2']); // a network source: FRED context too
  });

  it.each(['-1', '2.5', 'fast', '100001'])('refuses IWM_MASSIVE_RPM=%s, naming it', (rpm) => {
    expect(() => readConfig({ IWM_DATA_SOURCE: 'massive', IWM_MASSIVE_KEY: 'k', IWM_MASSIVE_RPM: rpm })).toThrow(
      /^IWM_MASSIVE_RPM=".*" must be an integer from 0 to 100000$/,
    );
  });
});
