/**
 * The Massive provider against a local server answering in Massive's recorded format:
 * grouped daily sessions of 50 tickers, a holiday, a ticker's history over pages, and the
 * ways it fails (429 with Retry-After, 5xx, cut-short JSON, an HTML page, 401/403,
 * status bodies). The rate limiter runs on a virtual clock; request times are checked
 * against schedules worked out by hand.
 */
import { DataFileError } from '../../../api/src/data/csv-bars';
import { HttpClient } from '../../../api/src/data/http-client';
import { MassiveProvider, type GroupedDaily } from '../../../api/src/data/providers';
import { ProviderError } from '../../../api/src/data/providers/types';
import { TokenBucket } from '../../../api/src/data/rate-limit';
import { parseIsoDay } from '../../../api/src/engine/dates';
import { memberClosesFromGrouped } from '../../../api/src/service/grouped-universe';
import { rejectionOf, useHttpFixture } from '../../support/http-fixture';
import {
  aggregatesAnswer,
  aggregatesPath,
  groupedAnswer,
  groupedPath,
  HOLIDAY_ANSWER,
  newYorkMs,
} from '../../support/massive-fixture';
import { clockedHttpClient, VirtualClock } from '../../support/virtual-clock';

const server = useHttpFixture();

const KEY = 'mssv-9f8e7d6c5b4a-test';
const day = (iso: string) => parseIsoDay(iso) as number;

/** 50 tickers: 49 of four letters (AAAA, AHDC, ...) and one class share, BRK.B. */
const TICKERS = Array.from({ length: 49 }, (_, i) => {
  let n = i * 7919 + 1;
  let out = '';
  for (let k = 0; k < 4; k++, n = Math.floor(n / 26)) out += String.fromCharCode(65 + (n % 26));
  return out;
}).concat('BRK.B');

/** The sessions around Thanksgiving 2024 (the 28th was a holiday). */
const SESSIONS = ['2024-11-25', '2024-11-26', '2024-11-27', '2024-11-29'];

/** Ticker i's bar on session k: binary fractions, so every value is exact. */
function barOf(i: number, k: number) {
  const close = 10 + i + 0.25 * k;
  return {
    open: close - 0.5,
    high: close + 1,
    low: close - 1,
    close,
    volume: 1000 * (i + 1),
    vwap: close + 0.125,
    trades: 10 + i,
  };
}

/** Session k as Massive sends it: every ticker stamped with the 16:00 New York close. */
function sessionResults(k: number) {
  return TICKERS.map((T, i) => {
    const b = barOf(i, k);
    return {
      T,
      v: b.volume,
      vw: b.vwap,
      o: b.open,
      c: b.close,
      h: b.high,
      l: b.low,
      t: newYorkMs(SESSIONS[k], 16),
      n: b.trades,
    };
  });
}

interface Setup {
  retries?: number;
  limiter?: TokenBucket | null;
  clock?: VirtualClock;
  now?: () => number;
}

/** A provider on the fixture; `sent` holds the clock's time of every request. */
function massive(setup: Setup = {}) {
  const clock = setup.clock ?? new VirtualClock(0);
  const { client, sent } = clockedHttpClient(clock, setup.retries === undefined ? {} : { retries: setup.retries });
  const provider = new MassiveProvider(client, {
    key: KEY,
    baseUrl: `${server.baseUrl}/`,
    limiter: setup.limiter ?? null,
    ...(setup.now === undefined ? {} : { now: setup.now }),
  });
  return { provider, clock, sent };
}

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(ProviderError);
  expect((error as ProviderError).provider).toBe('massive');
  expect(error.message).not.toContain(KEY);
  return error as ProviderError;
}

function session(answer: GroupedDaily) {
  if (answer.kind !== 'session') throw new Error(`expected a session, got ${answer.kind}`);
  return answer;
}

describe('Massive grouped daily', () => {
  it("reads every ticker's bar of a session, with the key in a Bearer header only", async () => {
    server.queue(groupedPath('2024-11-26'), {
      body: groupedAnswer(sessionResults(1)),
      headers: { 'content-type': 'application/json' },
    });
    const answer = session(await massive().provider.fetchGroupedDaily('2024-11-26'));
    expect(answer.date).toBe('2024-11-26');
    expect(answer.day).toBe(day('2024-11-26'));
    expect(answer.issues).toEqual([]);
    expect(answer.rowsRead).toBe(50);
    expect([...answer.bars.keys()]).toEqual(TICKERS);
    TICKERS.forEach((ticker, i) => expect(answer.bars.get(ticker)).toEqual(barOf(i, 1)));
    expect(answer.bars.get('BRK.B')?.close).toBe(10 + 49 + 0.25);

    const [request] = server.requestsTo(groupedPath('2024-11-26'));
    expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(Object.fromEntries(request.query)).toEqual({ adjusted: 'true' });
    expect(request.url).not.toContain(KEY);
  });

  it('answers a holiday with an explicit no-session, not an error and not zero bars', async () => {
    server.queue(groupedPath('2024-11-28'), { body: HOLIDAY_ANSWER });
    const answer = await massive().provider.fetchGroupedDaily('2024-11-28');
    expect(answer).toEqual({ kind: 'no-session', date: '2024-11-28', day: day('2024-11-28') });
  });

  it('lists each bad element with its line (index + 1) and ticker, and keeps the rest', async () => {
    const good = sessionResults(3).slice(0, 3); // 3 good rows, dated 2024-11-29 16:00 New York
    const close = newYorkMs('2024-11-29', 16);
    const results: unknown[] = [
      good[0], // 1
      { ...good[1], T: 'XLOW', c: 5 }, // 2: close below low
      { ...good[1], T: 'XNOC', c: undefined }, // 3: no close
      { ...good[1], T: 'XEVE', t: newYorkMs('2024-11-28', 23) }, // 4: 2024-11-29 04:00 UTC, still the 28th in New York
      { ...good[1], T: 'XLATE', t: newYorkMs('2024-11-29', 23) }, // 5: 2024-11-30 04:00 UTC, the 29th in New York: fine
      good[0], // 6: duplicate of line 1
      { ...good[1], T: '' }, // 7: no ticker
      { ...good[1], T: 'XVOL', v: -3 }, // 8: negative volume
      'not a bar', // 9
      { ...good[1], T: 'XSTR', o: '12.5' }, // 10: a string for a number
      { ...good[1], T: 'XHIGH', h: 9, l: 11 }, // 11: high below low
      good[2], // 12
      { ...good[1], T: 'XTIME', t: 1e20 }, // 13: not a time
    ];
    // 1e400 is valid JSON that JSON.parse reads as Infinity: spliced into the text as Massive would send it.
    const body = groupedAnswer([...results, { ...good[1], T: 'XINF', h: 424242 }]).replace('424242', '1e400'); // 14
    server.queue(groupedPath('2024-11-29'), { body });
    const answer = session(await massive().provider.fetchGroupedDaily('2024-11-29'));
    expect(answer.issues).toEqual([
      { line: 2, ticker: 'XLOW', reason: `close 5 is outside [low ${good[1].l}, high ${good[1].h}]` },
      { line: 3, ticker: 'XNOC', reason: 'missing close (c)' },
      { line: 4, ticker: 'XEVE', reason: `t ${newYorkMs('2024-11-28', 23)} is 2024-11-28 in New York, not 2024-11-29` },
      { line: 6, ticker: good[0].T, reason: `duplicate ticker ${good[0].T} (also on line 1)` },
      { line: 7, ticker: '', reason: 'ticker (T) is not a ticker symbol: ""' },
      { line: 8, ticker: 'XVOL', reason: 'negative volume -3' },
      { line: 9, ticker: null, reason: 'expected an object, found string' },
      { line: 10, ticker: 'XSTR', reason: 'open (o) is not a number: "12.5"' },
      { line: 11, ticker: 'XHIGH', reason: 'high 9 is below low 11' },
      {
        line: 13,
        ticker: 'XTIME',
        reason: 'timestamp (t) is not a Unix time in milliseconds from 1970 to 2100: 100000000000000000000',
      },
      { line: 14, ticker: 'XINF', reason: 'high (h) is not a finite number: Infinity' },
    ]);
    expect([...answer.bars.keys()]).toEqual([good[0].T, 'XLATE', good[2].T]);
    expect(answer.rowsRead).toBe(14);
    expect(close).toBe(Date.UTC(2024, 10, 29, 21)); // EST: the close is 21:00 UTC
  });

  it('is a DataFileError naming the session when no element is usable', async () => {
    const bad = sessionResults(0).map((r) => ({ ...r, t: newYorkMs('2024-11-22', 16) }));
    server.queue(groupedPath('2024-11-25'), { body: groupedAnswer(bad.slice(0, 2)) });
    const error = await rejectionOf(massive().provider.fetchGroupedDaily('2024-11-25'));
    expect(error).toBeInstanceOf(DataFileError);
    expect(error.message).toMatch(/^massive:grouped:2024-11-25: no valid rows \(2 bad rows\)/);
  });

  it('refuses an answer whose resultsCount does not match its results', async () => {
    const body = JSON.stringify({ ...JSON.parse(groupedAnswer(sessionResults(0))), resultsCount: 51 });
    server.queue(groupedPath('2024-11-25'), { body });
    const error = await providerError(massive().provider.fetchGroupedDaily('2024-11-25'));
    expect(error.message).toBe(
      'massive: grouped daily bars of 2024-11-25: resultsCount says 51 but the answer holds 50 results',
    );
  });

  it('refuses a date that is not one, without a request', async () => {
    const error = await providerError(massive().provider.fetchGroupedDaily('2024-11-31'));
    expect(error.message).toBe('massive: date: "2024-11-31" is not a YYYY-MM-DD date');
    expect(server.requests).toHaveLength(0);
  });
});

describe('Massive errors', () => {
  const PATH = groupedPath('2024-11-25');
  const fetchIt = (setup?: Setup) => massive(setup).provider.fetchGroupedDaily('2024-11-25');

  it('waits out a 429 Retry-After, then reads the answer', async () => {
    const limited = JSON.stringify({
      status: 'ERROR',
      request_id: 'x',
      error: "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue.",
    });
    server.queue(
      PATH,
      { status: 429, headers: { 'retry-after': '30' }, body: limited },
      { body: groupedAnswer(sessionResults(0)) },
    );
    const { provider, sent } = massive();
    expect(session(await provider.fetchGroupedDaily('2024-11-25')).bars.size).toBe(50);
    expect(sent).toEqual([0, 30_000]);
  });

  it('retries a 5xx, then reads the answer', async () => {
    server.queue(
      PATH,
      { status: 502, body: 'Bad Gateway' },
      { status: 500 },
      { body: groupedAnswer(sessionResults(0)) },
    );
    const { provider, sent } = massive();
    expect(session(await provider.fetchGroupedDaily('2024-11-25')).bars.size).toBe(50);
    expect(sent).toEqual([0, 50, 150]); // backoff 100 * 2^(n-1) * random 0.5
  });

  it('retries a body cut off mid-stream, then reads the whole one', async () => {
    const body = groupedAnswer(sessionResults(0));
    server.queue(PATH, { body, truncateAfter: 700 }, { body });
    expect(session(await fetchIt()).bars.size).toBe(50);
    expect(server.requestsTo(PATH)).toHaveLength(2);
  });

  it('retries JSON that stops short, then says so', async () => {
    const body = groupedAnswer(sessionResults(0));
    server.always(PATH, { body: body.slice(0, body.length - 40) });
    const error = await providerError(fetchIt({ retries: 2 }));
    expect(server.requestsTo(PATH)).toHaveLength(3);
    expect(error.message).toMatch(
      /^massive: grouped daily bars of 2024-11-25 failed after 3 attempts: answer is not valid JSON \(cut short\?\)/,
    );
  });

  it('names the provider and IWM_MASSIVE_URL for an HTML page, without retrying', async () => {
    server.always(PATH, {
      body: '<!doctype html><html><head><title>Massive | Page not found</title></head><body></body></html>',
      headers: { 'content-type': 'text/html; charset=utf-8' },
    });
    const error = await providerError(fetchIt());
    expect(server.requestsTo(PATH)).toHaveLength(1);
    expect(error.message).toMatch(
      /^massive: grouped daily bars of 2024-11-25 failed after 1 attempt: answered an HTML page, not JSON \(title "Massive \| Page not found"\): is IWM_MASSIVE_URL the API host/,
    );
  });

  it('turns a 401 into a key error naming IWM_MASSIVE_KEY, without retrying', async () => {
    server.always(PATH, {
      status: 401,
      body: JSON.stringify({ status: 'ERROR', request_id: 'x', error: 'Unknown API Key' }),
    });
    const error = await providerError(fetchIt());
    expect(server.requestsTo(PATH)).toHaveLength(1);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(
      /failed after 1 attempt: access refused \(HTTP 401\): key rejected or missing: .*Unknown API Key/,
    );
    expect(error.message).toMatch(/\(check IWM_MASSIVE_KEY and its plan\)$/);
  });

  it('turns a 403 NOT_AUTHORIZED (a plan without the data) into the same key-and-plan error', async () => {
    const message =
      "Attempted to request today's data before end of day. Please upgrade your plan at https://massive.com/pricing";
    server.always(PATH, { status: 403, body: JSON.stringify({ status: 'NOT_AUTHORIZED', request_id: 'x', message }) });
    const error = await providerError(fetchIt());
    expect(error.status).toBe(403);
    expect(error.message).toContain("Attempted to request today's data before end of day");
    expect(error.message).toMatch(/\(check IWM_MASSIVE_KEY and its plan\)$/);
  });

  it.each([
    [{ status: 'ERROR', request_id: 'x', error: 'Could not parse the date' }, 'status ERROR: Could not parse the date'],
    [
      { status: 'NOT_AUTHORIZED', request_id: 'x', message: 'You are not entitled to this data.' },
      'status NOT_AUTHORIZED: You are not entitled to this data. (check IWM_MASSIVE_KEY and its plan)',
    ],
    [{ request_id: 'x' }, 'status (none): no reason given'],
    [[1, 2], 'expected an aggregates answer (a JSON object with results)'],
  ])('refuses a body saying %j even with HTTP 200', async (json, reason) => {
    server.queue(PATH, { body: JSON.stringify(json) });
    const error = await providerError(fetchIt());
    expect(error.message).toBe(`massive: grouped daily bars of 2024-11-25: ${reason}`);
  });

  it('accepts status DELAYED (plans with delayed data)', async () => {
    const body = JSON.stringify({ ...JSON.parse(groupedAnswer(sessionResults(0))), status: 'DELAYED' });
    server.queue(PATH, { body });
    expect(session(await fetchIt()).bars.size).toBe(50);
  });

  it('refuses to start without a key, naming IWM_MASSIVE_KEY', () => {
    const client = new HttpClient();
    for (const key of [undefined, '', '  ']) {
      expect(() => new MassiveProvider(client, { key })).toThrow('massive: no API key: set IWM_MASSIVE_KEY');
    }
  });
});

describe('Massive rate limit', () => {
  it('sends one grouped request per 12 s on the free plan, a holiday included, and packs member closes', async () => {
    SESSIONS.forEach((date, k) => server.queue(groupedPath(date), { body: groupedAnswer(sessionResults(k)) }));
    server.queue(groupedPath('2024-11-28'), { body: HOLIDAY_ANSWER });
    const clock = new VirtualClock(0);
    const limiter = new TokenBucket({ perMinute: 5, now: clock.now, sleep: clock.sleep });
    const { provider, sent } = massive({ clock, limiter });
    const dates = ['2024-11-29', '2024-11-25', '2024-11-28', '2024-11-26', '2024-11-27'];
    const answers = await Promise.all(dates.map((date) => provider.fetchGroupedDaily(date)));
    expect(sent).toEqual([0, 12_000, 24_000, 36_000, 48_000]);
    expect(answers.map((a) => a.kind)).toEqual(['session', 'session', 'no-session', 'session', 'session']);

    // Three members, one unknown to Massive; closes in session order whatever the answers' order.
    const { universe, absent, sessions } = memberClosesFromGrouped(answers, [TICKERS[3], 'NOPE', 'BRK.B']);
    expect(sessions).toBe(4);
    expect(absent).toEqual(['NOPE']);
    expect(universe.symbols).toEqual([TICKERS[3], 'BRK.B']);
    expect(Array.from(universe.offsets)).toEqual([0, 4, 8]);
    const sessionDays = SESSIONS.map(day);
    expect(Array.from(universe.dates)).toEqual([...sessionDays, ...sessionDays]);
    expect(Array.from(universe.close)).toEqual([13, 13.25, 13.5, 13.75, 59, 59.25, 59.5, 59.75]);
  });

  it('keeps to the quota while a 429 is retried: the retry waits Retry-After and the next token', async () => {
    const PATH = groupedPath('2024-11-25');
    server.queue(PATH, { status: 429, headers: { 'retry-after': '2' } }, { body: groupedAnswer(sessionResults(0)) });
    const clock = new VirtualClock(0);
    const limiter = new TokenBucket({ perMinute: 5, burst: 5, now: clock.now, sleep: clock.sleep });
    const { provider, sent } = massive({ clock, limiter });
    await provider.fetchGroupedDaily('2024-11-25');
    // The burst had 4 tokens left; the 429 drained them, so the retry goes at 12 s, not at 2 s.
    expect(sent).toEqual([0, 12_000]);
  });

  it('builds a 5-a-minute limiter by default and none for requestsPerMinute 0', async () => {
    const timers: number[] = [];
    const spy = jest.spyOn(global, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      timers.push(ms ?? 0);
      fn();
      return 0 as unknown as NodeJS.Timeout;
    }) as typeof setTimeout);
    try {
      const client = new HttpClient({ fetch: async () => new Response(HOLIDAY_ANSWER) });
      const free = new MassiveProvider(client, { key: KEY });
      await free.fetchGroupedDaily('2024-11-28');
      await free.fetchGroupedDaily('2024-11-28');
      const paid = new MassiveProvider(client, { key: KEY, requestsPerMinute: 0 });
      await paid.fetchGroupedDaily('2024-11-28');
      await paid.fetchGroupedDaily('2024-11-28');
    } finally {
      spy.mockRestore();
    }
    // Only the free plan's second request waited, for (nearly) a whole 12 s interval.
    expect(timers.filter((ms) => ms > 1_000)).toHaveLength(1);
    expect(timers.find((ms) => ms > 1_000)).toBeGreaterThan(11_000);
  });
});

describe('Massive aggregates', () => {
  const TO = '2024-11-29';

  /** A ticker's daily bar as Massive sends it: t = midnight New York of the session. */
  const agg = (iso: string, close: number) => ({
    v: 1e6,
    vw: close,
    o: close,
    c: close,
    h: close + 1,
    l: close - 1,
    t: newYorkMs(iso, 0),
    n: 5,
  });

  it('follows next_url on the configured host, with the key, and numbers elements across pages', async () => {
    const first = aggregatesPath('IWM', '2024-10-31', TO);
    // As Massive writes it: its own host, a millisecond cursor start and an opaque cursor.
    const secondPath = `/v2/aggs/ticker/IWM/range/1/day/${newYorkMs('2024-11-04', 0)}/${TO}`;
    const nextUrl = `https://api.massive.com${secondPath}?cursor=bGltaXQ9MiZzb3J0PWFzYw`;
    server.queue(first, { body: aggregatesAnswer('IWM', [agg('2024-10-31', 220), agg('2024-11-01', 221)], nextUrl) });
    server.queue(secondPath, {
      body: aggregatesAnswer('IWM', [
        agg('2024-11-04', 222),
        { ...agg('2024-11-05', 223), c: null },
        agg('2024-11-29', 242),
      ]),
    });
    const { provider } = massive();
    const parsed = await provider.fetchBars('IWM', { from: '2024-10-31', to: TO });
    expect(parsed.source).toBe('massive:IWM');
    // 2024-10-31/11-01 are EDT (04:00 UTC), 11-04 onwards EST (05:00 UTC): all midnight New York.
    expect(Array.from(parsed.bars.dates)).toEqual(['2024-10-31', '2024-11-01', '2024-11-04', '2024-11-29'].map(day));
    expect(Array.from(parsed.bars.close)).toEqual([220, 221, 222, 242]);
    expect(parsed.issues).toEqual([{ line: 4, reason: 'missing close (c)' }]);
    expect(parsed.rowsRead).toBe(5);

    const [one] = server.requestsTo(first);
    expect(Object.fromEntries(one.query)).toEqual({ adjusted: 'true', sort: 'asc', limit: '50000' });
    const [two] = server.requestsTo(secondPath);
    expect(Object.fromEntries(two.query)).toEqual({ cursor: 'bGltaXQ9MiZzb3J0PWFzYw' });
    expect(two.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('asks for the full history up to today in New York when no range is given', async () => {
    // 2024-11-30 03:00 UTC is still the 29th in New York.
    const now = Date.UTC(2024, 10, 30, 3);
    const path = aggregatesPath('SPY', '1970-01-01', '2024-11-29');
    server.queue(path, { body: aggregatesAnswer('SPY', [agg('2024-11-29', 602.5)]) });
    const parsed = await massive({ now: () => now }).provider.fetchBars('spy');
    expect(Array.from(parsed.bars.close)).toEqual([602.5]);
    expect(server.requestsTo(path)).toHaveLength(1);
  });

  it('takes a token per page: three pages at 0, 12 and 24 s', async () => {
    const clock = new VirtualClock(0);
    const limiter = new TokenBucket({ perMinute: 5, now: clock.now, sleep: clock.sleep });
    const p1 = aggregatesPath('QQQ', '2024-11-25', TO);
    const p2 = `/v2/aggs/ticker/QQQ/range/1/day/${newYorkMs('2024-11-26', 0)}/${TO}`;
    const p3 = `/v2/aggs/ticker/QQQ/range/1/day/${newYorkMs('2024-11-27', 0)}/${TO}`;
    server.queue(p1, {
      body: aggregatesAnswer('QQQ', [agg('2024-11-25', 500)], `https://api.massive.com${p2}?cursor=b`),
    });
    server.queue(p2, {
      body: aggregatesAnswer('QQQ', [agg('2024-11-26', 501)], `https://api.massive.com${p3}?cursor=c`),
    });
    server.queue(p3, { body: aggregatesAnswer('QQQ', [agg('2024-11-27', 502)]) });
    const { provider, sent } = massive({ clock, limiter });
    const parsed = await provider.fetchBars('QQQ', { from: '2024-11-25', to: TO });
    expect(Array.from(parsed.bars.close)).toEqual([500, 501, 502]);
    expect(sent).toEqual([0, 12_000, 24_000]);
  });

  it('says the ticker is unknown when Massive has no results for it', async () => {
    const path = aggregatesPath('ZZZZ', '2024-01-02', TO);
    server.queue(path, {
      body: JSON.stringify({
        ticker: 'ZZZZ',
        queryCount: 0,
        resultsCount: 0,
        adjusted: true,
        status: 'OK',
        request_id: 'x',
      }),
    });
    const error = await providerError(massive().provider.fetchBars('ZZZZ', { from: '2024-01-02', to: TO }));
    expect(error.message).toBe(
      'massive: no data for ZZZZ from 2024-01-02 to 2024-11-29: Massive does not know ZZZZ, or has no bars in that range',
    );
  });

  it('refuses an answer for another ticker', async () => {
    const path = aggregatesPath('IWM', '2024-11-29', TO);
    server.queue(path, { body: aggregatesAnswer('SPY', [agg('2024-11-29', 600)]) });
    const error = await providerError(massive().provider.fetchBars('IWM', { from: TO, to: TO }));
    expect(error.message).toBe('massive: daily bars of IWM: the answer is for "SPY", not IWM');
  });

  it('stops when next_url repeats a page, or is not an aggregates URL', async () => {
    const path = aggregatesPath('IWM', '2024-11-29', TO);
    server.queue(path, {
      body: aggregatesAnswer(
        'IWM',
        [agg('2024-11-29', 242)],
        `https://api.massive.com${path}?adjusted=true&sort=asc&limit=50000`,
      ),
    });
    const loop = await providerError(massive().provider.fetchBars('IWM', { from: TO, to: TO }));
    expect(loop.message).toMatch(/^massive: daily bars of IWM: next_url repeats an earlier page/);

    server.queue(path, {
      body: aggregatesAnswer('IWM', [agg('2024-11-29', 242)], 'https://elsewhere.test/steal?key=1'),
    });
    const away = await providerError(massive().provider.fetchBars('IWM', { from: TO, to: TO }));
    expect(away.message).toBe(
      'massive: daily bars of IWM: next_url is not an aggregates URL: "https://elsewhere.test/steal?key=1"',
    );
  });

  it('refuses a range that ends before it starts, and a bad ticker, without a request', async () => {
    const { provider } = massive();
    await expect(provider.fetchBars('IWM', { from: '2024-11-29', to: '2024-11-01' })).rejects.toThrow(
      'massive: daily bars of IWM: from 2024-11-29 is after to 2024-11-01',
    );
    await expect(provider.fetchBars('IWM/../x')).rejects.toThrow('massive: not a ticker symbol: "IWM/../x"');
    expect(server.requests).toHaveLength(0);
  });
});
