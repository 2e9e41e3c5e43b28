/**
 * A refresh from the network sources, end to end, against a local server that answers
 * in the providers' recorded formats: stooq CSV per symbol, FRED series with "." gaps,
 * and the iShares holdings file for the breadth universe. Checks what reaches the
 * readings (breadth from the fetched members, FRED context) and what a failure does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSample } from '../../api/src/data/sample';
import { formatDay } from '../../api/src/engine/dates';
import type { BarColumns } from '../../api/src/engine/types';
import { toProblem } from '../../api/src/http/errors';
import { createRuntime, type Runtime } from '../../api/src/service/runtime';
import { MemoryStore } from '../../api/src/storage/memory-store';

const sample = generateSample({ sessions: 600, members: 3 });
const n = sample.primary.dates.length;

function stooqCsv(b: BarColumns): string {
  const rows = ['Date,Open,High,Low,Close,Volume'];
  for (let i = 0; i < b.dates.length; i++)
    rows.push(`${formatDay(b.dates[i])},${b.open[i]},${b.high[i]},${b.low[i]},${b.close[i]},${b.volume[i]}`);
  return rows.join('\r\n') + '\r\n';
}

/** Members have closes only: a flat bar at the close is a valid stooq row. */
function memberCsv(m: number): string {
  const u = sample.universe;
  const rows = ['Date,Open,High,Low,Close,Volume'];
  for (let k = u.offsets[m]; k < u.offsets[m + 1]; k++) {
    const c = u.close[k];
    rows.push(`${formatDay(sample.primary.dates[u.dayIndex[k]])},${c},${c},${c},${c},1000`);
  }
  return rows.join('\n') + '\n';
}

const tickers = sample.universe.symbols.map((s) => s.toUpperCase());
const holdings = [
  'iShares Russell 2000 ETF',
  'Fund Holdings as of,"Nov 29, 2024"',
  'Inception Date,"May 22, 2000"',
  'Shares Outstanding,"250,000,000.00"',
  'Stock,"-"',
  'Bond,"-"',
  'Cash,"-"',
  'Other,"-"',
  '\u00a0',
  'Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Quantity,Price,Location,Exchange,Currency,FX Rate,Market Currency,Accrual Date',
  ...tickers.map(
    (t, i) =>
      `"${t}","MEMBER ${i} INC","Industrials","Equity","1,000,000.00","0.${i + 1}","1,000,000.00","10,000.00","100.00","United States","NASDAQ","USD","1.00","USD","-"`,
  ),
  '"XTSLA","BLK CSH FND TREASURY SL AGENCY","Cash and/or Derivatives","Money Market","5,000.00","0.01","5,000.00","5,000.00","1.00","United States","-","USD","1.00","USD","-"',
  ' ',
  '"The content contained herein is owned or licensed by BlackRock and/or its third-party information providers."',
].join('\n');

// T10Y2Y on every other session, "." on the others (FRED's "no observation").
const fred = [
  'observation_date,T10Y2Y',
  ...Array.from(sample.primary.dates, (d, i) => `${formatDay(d)},${i % 2 ? '.' : (i / 1000).toFixed(2)}`),
].join('\n');
const credit = ['observation_date,BAMLH0A0HYM2', `${formatDay(sample.primary.dates[0])},3.50`].join('\n');

let server: Server;
let base: string;
const failing = new Set<string>();
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.push(url.pathname + url.search);
    const send = (status: number, body: string, type = 'text/csv') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (url.pathname === '/q/d/l/') {
      const sym = (url.searchParams.get('s') ?? '').replace(/\.us$/, '').toUpperCase();
      if (failing.has(sym)) return send(503, 'Service Unavailable', 'text/plain');
      if (sym === 'IWM') return send(200, stooqCsv(sample.primary));
      if (sym === 'SPY') return send(200, stooqCsv(sample.benchmark));
      if (sym === 'HYG') return send(200, stooqCsv(sample.highYield));
      if (sym === 'IEF') return send(200, stooqCsv(sample.treasury));
      const m = tickers.indexOf(sym);
      return m >= 0 ? send(200, memberCsv(m)) : send(200, 'No data', 'text/plain');
    }
    if (url.pathname === '/graph/fredgraph.csv') {
      const id = url.searchParams.get('id');
      return id === 'T10Y2Y' ? send(200, fred) : id === 'BAMLH0A0HYM2' ? send(200, credit) : send(404, 'not found');
    }
    if (url.pathname === '/holdings.csv') return send(200, holdings);
    send(404, 'not found', 'text/plain');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
afterEach(() => failing.clear());

const runtimes: Runtime[] = [];
afterEach(async () => Promise.all(runtimes.splice(0).map((r) => r.close())));

async function stooqRuntime(store = new MemoryStore()) {
  const rt = await createRuntime(
    {
      IWM_DATA_SOURCE: 'stooq',
      IWM_STOOQ_KEY: 'test-stooq-key',
      IWM_STOOQ_URL: base,
      IWM_FRED_URL: base,
      IWM_HOLDINGS_URL: `${base}/holdings.csv`,
      IWM_UNIVERSE: 'ishares',
      IWM_STORE: 'memory',
      IWM_HTTP_RETRIES: '2',
      IWM_HTTP_BACKOFF_MS: '1',
      IWM_HTTP_TIMEOUT_MS: '2000',
      IWM_MANIFEST_TTL_MS: '0',
    },
    { store },
  );
  runtimes.push(rt);
  return rt;
}

test('before the first refresh a network source answers 503 and starts one', async () => {
  const rt = await stooqRuntime();
  const err = await rt.service.call('signal', {}).catch((e) => e);
  expect(toProblem(err).status).toBe(503);
  expect(toProblem(err).detail).toMatch(/refresh has started/);
  // The background refresh lands; the next request is served.
  for (let i = 0; i < 100 && !(await rt.store.readManifest()); i++) await new Promise((r) => setTimeout(r, 20));
  const reading = (await rt.service.call('signal', {})) as { meta: { source: string } };
  expect(reading.meta.source).toBe('stooq');
});

test('a refresh fetches bars, the holdings universe and FRED context into the readings', async () => {
  const rt = await stooqRuntime();
  const r = await rt.refresh();
  expect(r.universeMembers).toBe(3);
  // The credit overlay's symbols (IWM_CREDIT_SYMBOLS, default HYG and IEF) come along.
  expect(r.lastBarDates).toEqual({
    IWM: formatDay(sample.primary.dates[n - 1]),
    SPY: formatDay(sample.benchmark.dates[n - 1]),
    HYG: formatDay(sample.highYield.dates[n - 1]),
    IEF: formatDay(sample.treasury.dates[n - 1]),
  });
  const t = n - 3; // an odd index: T10Y2Y has "." there, so the value on or before is from t-1
  const reading = (await rt.service.call('signal', { asOf: formatDay(sample.primary.dates[t]) })) as {
    meta: { breadthSource: string; warnings: string[] };
    breadth: { state: string | null };
    context: { curve: { date: string; value: number }; credit: { date: string; value: number } };
  };
  expect(reading.meta.breadthSource).toMatch(/3 members \(ishares\)/);
  const credit = (await rt.service.call('field', {
    field: 'credit.ratio',
    asOf: formatDay(sample.primary.dates[t]),
  })) as {
    value: number;
  };
  expect(credit.value).toBe(sample.highYield.close[t] / sample.treasury.close[t]);
  expect(reading.breadth.state).not.toBe('unavailable');
  expect(reading.context.curve).toEqual({
    id: 'T10Y2Y',
    date: formatDay(sample.primary.dates[t - (t % 2)]),
    value: Number(((t - (t % 2)) / 1000).toFixed(2)),
  });
  expect(reading.context.credit).toEqual({ id: 'BAMLH0A0HYM2', date: formatDay(sample.primary.dates[0]), value: 3.5 });
  const status = await rt.service.statusReport();
  expect(status.series).toEqual(['BAMLH0A0HYM2', 'T10Y2Y']);
  expect(status.stale).toBe(true); // sample dates are years old: real-source data is judged by the calendar
});

test('a provider that keeps failing fails the refresh after bounded retries; the last good data stays', async () => {
  const rt = await stooqRuntime();
  const good = await rt.refresh();
  failing.add('SPY');
  const before = hits.length;
  await expect(rt.refresh()).rejects.toThrow(/stooq.*SPY.*3 attempt/is);
  expect(hits.slice(before).filter((h) => h.includes('s=spy.us'))).toHaveLength(3);
  const status = await rt.service.statusReport();
  expect(status.generation).toBe(good.generation);
  expect(status.lastError).toMatch(/SPY/);
  const reading = (await rt.service.call('signal', {})) as { meta: { stale: boolean; staleReason: string } };
  expect(reading.meta.staleReason).toMatch(/latest refresh failed/);
});

test('a credit symbol that cannot be fetched leaves the overlay unavailable, not the refresh failed', async () => {
  const rt = await stooqRuntime();
  failing.add('HYG');
  const r = await rt.refresh();
  expect(Object.keys(r.lastBarDates).sort()).toEqual(['IEF', 'IWM', 'SPY']);
  const reading = (await rt.service.call('signal', {})) as {
    meta: { warnings: string[] };
    credit: { state: string };
    sizing: { fraction: number | null };
  };
  expect(reading.credit.state).toBe('unavailable');
  expect(reading.meta.warnings).toContain('credit overlay unavailable: the data has no HYG or IEF series');
  const snapshot = await rt.store.readSnapshot((await rt.store.readManifest())!);
  expect(snapshot!.notes.creditFailed).toEqual([expect.stringMatching(/^HYG: /)]);
});

test('a member that cannot be fetched is left out of breadth and named', async () => {
  const rt = await stooqRuntime();
  failing.add(tickers[1]);
  const r = await rt.refresh();
  expect(r.universeMembers).toBe(2);
  const reading = (await rt.service.call('signal', {})) as { meta: { warnings: string[] } };
  expect(reading.meta.warnings.join('\n')).toMatch(/without 1 member/);
});
