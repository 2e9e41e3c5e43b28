/**
 * The IWM custom functions end to end: the functions' own client talks over real HTTP to
 * the local API host (sample data). CustomFunctions is Excel's runtime global, stubbed.
 */
import { createServer } from 'node:http';
import type { Runtime } from '../../api/src/service/runtime';
import { isoToSerial } from '../../src/common/excel-args';
import { client, settings } from '../../src/common/shared';
import * as IWM from '../../src/functions/functions';
import { excelError, installCustomFunctions } from '../support/custom-functions';
import { listen, startLocalApi, type LocalApi } from '../support/local-api';

installCustomFunctions();
/** Captured before any test fakes timers: waits in real time for the real HTTP request. */
const realSetTimeout = global.setTimeout;

let api: LocalApi;
let rt: Runtime;
let base: string;
let sessions: string[];

beforeAll(async () => {
  api = await startLocalApi();
  ({ rt, base, sessions } = api);
});
afterAll(() => api.close());
beforeEach(() => {
  settings.reset();
  settings.update({ apiUrl: base });
  client.clearCache();
  api.batchRequests = 0;
});

const expected = async (field: string, asOf?: string, extra: Record<string, unknown> = {}) =>
  ((await rt.service.call('field', { field, asOf, ...extra })) as { value: unknown }).value;

describe('IWM.COMPOSITE over a sheet of dates', () => {
  test('1,000 calls with different dates (serials and ISO text) make one HTTP request, each value right', async () => {
    const dates = sessions.slice(400, 1400);
    const args = dates.map((d, i) => (i % 2 ? isoToSerial(d) : d));
    const values = await Promise.all(args.map((a) => IWM.composite(a)));
    expect(api.batchRequests).toBe(1);
    for (const i of [0, 1, 2, 500, 777, 999]) expect(values[i]).toBe(await expected('composite.rating', dates[i]));
    expect(new Set(values).size).toBeGreaterThan(1);
    // Recalculating the same sheet: closed days come from the cache.
    await Promise.all(args.map((a) => IWM.composite(a)));
    expect(api.batchRequests).toBe(1);
  });

  test('a dropped connection turns every call into an error value, none left pending', async () => {
    const dropper = createServer((req) => req.socket.destroy());
    settings.update({ apiUrl: await listen(dropper) });
    try {
      const settled = await Promise.allSettled(sessions.slice(400, 700).map((d) => IWM.composite(d)));
      expect(settled).toHaveLength(300);
      for (const s of settled) {
        expect(s.status).toBe('rejected');
        const err = (s as PromiseRejectedResult).reason as { code: string; message: string };
        expect(err.code).toBe('#N/A');
        expect(err.message).toMatch(/cannot reach the IWM API/);
      }
    } finally {
      await new Promise((resolve) => dropper.close(resolve));
    }
  });
});

describe('single values', () => {
  const last = () => sessions[sessions.length - 1];

  test('each layer function reads its field; -1 and omitted are the last close', async () => {
    const d = sessions[1200];
    expect(await IWM.trend(d)).toBe(await expected('trend.state', d));
    expect(await IWM.momentum(d)).toBe(await expected('momentum.state', d));
    expect(await IWM.breadth(d)).toBe(await expected('breadth.state', d));
    expect(await IWM.rs(d)).toBe(await expected('rs.state', d));
    expect(await IWM.rotation(d)).toBe(await expected('rotation.state', d));
    expect(await IWM.score(d)).toBe(await expected('composite.score', d));
    expect(await IWM.size(d)).toBe(await expected('sizing.fraction', d));
    expect(await IWM.credit(d)).toBe(await expected('credit.state', d));
    expect(['stress', 'calm']).toContain(await IWM.credit(d));
    expect(await IWM.composite(-1)).toBe(await expected('composite.rating', last()));
    expect(await IWM.composite()).toBe(await expected('composite.rating', last()));
    expect(await IWM.composite(-2)).toBe(await expected('composite.rating', sessions[sessions.length - 2]));
  });

  test('IWM.SIGNAL reads any numeric field; a profile argument changes the numbers', async () => {
    const d = sessions[1100];
    expect(await IWM.signal('breadth.pct50', d)).toBe(await expected('breadth.pct50', d));
    expect(await IWM.signal('trend.gapAtr', d)).toBe(await expected('trend.gapAtr', d));
    const custom = '{"trend":{"fastPeriod":10,"slowPeriod":30}}';
    const fast = await IWM.signal('trend.fast', d, undefined, custom);
    expect(fast).toBe(await expected('trend.fast', d, { profile: { trend: { fastPeriod: 10, slowPeriod: 30 } } }));
    expect(fast).not.toBe(await IWM.signal('trend.fast', d));
  });

  test('the workbook profile (taskpane setting) applies when the call names none', async () => {
    const d = sessions[1100];
    settings.update({ profile: 'standard' });
    expect(await IWM.signal('momentum.threshold', d)).toBe(
      await expected('momentum.threshold', d, { profile: 'standard' }),
    );
  });
});

describe('while the workbook opens', () => {
  test("calls wait for the workbook's saved profile, then use it", async () => {
    const d = sessions[1100];
    settings.beginLoad();
    const pending = IWM.signal('momentum.threshold', d);
    await new Promise((r) => setTimeout(r, 150));
    expect(api.batchRequests).toBe(0);
    settings.update({ profile: 'standard' });
    settings.endLoad();
    expect(await pending).toBe(await expected('momentum.threshold', d, { profile: 'standard' }));
    expect(await pending).not.toBe(await expected('momentum.threshold', d));
  });

  test('a load that never ends does not hang cells', async () => {
    settings.beginLoad();
    try {
      // Fake timers: the wait is the settings' own timer firing, not a measured duration.
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
      let settled = false;
      const waiting = settings.ready(100).then(() => (settled = true));
      await jest.advanceTimersByTimeAsync(99);
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await waiting;
      expect(settled).toBe(true);
    } finally {
      jest.useRealTimers();
      settings.endLoad();
    }
  });
});

describe('errors as Excel shows them', () => {
  test('#VALUE! names the bad argument, without a request', async () => {
    expect(await excelError(IWM.composite('2024-13-01'))).toMatchObject({
      code: '#VALUE!',
      message: expect.stringMatching(/asOf "2024-13-01" must be a date/),
    });
    expect((await excelError(IWM.composite(-1.5))).message).toMatch(/whole number/);
    expect((await excelError(IWM.signal('no.such.field'))).message).toMatch(/field.*not a field name/);
    expect((await excelError(IWM.signal(''))).message).toMatch(/field is required/);
    expect((await excelError(IWM.composite(undefined, undefined, '{"trend":{"fastPeriod":0}}'))).message).toMatch(
      /profile\.trend\.fastPeriod/,
    );
    expect((await excelError(IWM.levels(0))).message).toMatch(/count must be a whole number from 1 to 100/);
    expect(api.batchRequests).toBe(0);
  });

  test('#N/A for data that does not exist: a holiday, before the history, after it', async () => {
    const holiday = await excelError(IWM.composite('2004-12-25'));
    expect(holiday.code).toBe('#N/A');
    expect(holiday.message).toMatch(/not a trading session \(previous session 2004-12-23/);
    expect((await excelError(IWM.composite('1990-01-02'))).message).toMatch(/before the history starts/);
    expect((await excelError(IWM.composite('2030-01-02'))).message).toMatch(/after the last session/);
    expect((await excelError(IWM.composite(-100000))).code).toBe('#N/A');
  });

  test('#N/A with a message when the engine has no value yet (warm-up)', async () => {
    const err = await excelError(IWM.signal('trend.slow', sessions[3]));
    expect(err.code).toBe('#N/A');
    expect(err.message).toMatch(new RegExp(`trend.slow has no value on ${sessions[3]}`));
  });

  test('#N/A naming an unknown symbol', async () => {
    const err = await excelError(IWM.composite(-1, 'NOPE'));
    expect(err.code).toBe('#N/A');
    expect(err.message).toMatch(/NOPE/);
  });
});

describe('spilled tables', () => {
  test('IWM.HISTORY: header row, one row per session, chosen fields', async () => {
    const table = await IWM.history(sessions[1000], sessions[1009], [
      ['date', 'close'],
      ['composite.rating', ''],
    ]);
    expect(table[0]).toEqual(['date', 'close', 'composite.rating']);
    expect(table).toHaveLength(11);
    expect(table[1][0]).toBe(sessions[1000]);
    expect(table[10][0]).toBe(sessions[1009]);
    expect(table[5][1]).toBe(await expected('close', sessions[1004]));
    const last20 = await IWM.history(-20);
    expect(last20).toHaveLength(21);
    expect(last20[20][0]).toBe(sessions[sessions.length - 1]);
    expect((await excelError(IWM.history(undefined))).message).toMatch(/start is required/);
  });

  test('IWM.LEVELS: resistances above the close, supports below', async () => {
    const table = await IWM.levels(3, sessions[1200]);
    expect(table[0]).toEqual(['level', 'price', 'touches', 'lastTouched', 'distanceAtr']);
    const close = table.find((r) => r[0] === 'close') as (string | number)[];
    expect(close[1]).toBe(await expected('close', sessions[1200]));
    for (const r of table.filter((r) => r[0] === 'resistance'))
      expect(r[1] as number).toBeGreaterThanOrEqual(close[1] as number);
    for (const r of table.filter((r) => r[0] === 'support'))
      expect(r[1] as number).toBeLessThanOrEqual(close[1] as number);
    expect(table.filter((r) => r[0] === 'support').length).toBeLessThanOrEqual(3);
  });

  test('IWM.DEBRIEF for one session and a range; IWM.BACKTEST; IWM.CALENDAR; IWM.STATUS', async () => {
    const one = await IWM.debrief(sessions[1200]);
    expect(one).toHaveLength(2);
    expect(one[1][0]).toBe(sessions[1200]);
    const range = await IWM.debrief(sessions[1200], sessions[1204]);
    expect(range.map((r) => r[0])).toEqual(['date', ...sessions.slice(1200, 1205)]);
    const bt = await IWM.backtest(sessions[300], sessions[1300], 10);
    expect(bt[0]).toEqual(['group', 'setups', 'evaluated', 'failures', 'rate', 'low95', 'high95']);
    expect(bt.map((r) => r[0]).slice(1, 6)).toEqual(['all', 'leadership', 'parity', 'flight', 'undefined']);
    const evaluated = bt.slice(2, 6).reduce((s, r) => s + (r[2] as number), 0);
    expect(evaluated).toBe(bt[1][2]);
    for (const r of bt.slice(1, 6).filter((r) => typeof r[4] === 'number'))
      expect(r[5] as number).toBeLessThanOrEqual(r[4] as number);
    const credit = bt.filter((r) => String(r[0]).startsWith('credit '));
    expect(credit.map((r) => r[0])).toEqual(['credit calm', 'credit stress', 'credit undefined']);
    expect(credit.reduce((s, r) => s + (r[2] as number), 0)).toBe(bt[1][2]);
    const claims = bt.filter((r) => String(r[0]).startsWith('claim '));
    expect(claims.map((r) => r[0])).toEqual(['claim flight-vs-leadership', 'claim generic-false-positives']);
    for (const c of claims) expect(['supported', 'not-supported', 'contradicted', 'no-data']).toContain(c[1]);
    const summary = await IWM.strategy(sessions[300], sessions[1300]);
    expect(summary.map((r) => r[0])).toEqual([
      'metric',
      'totalReturn',
      'cagr',
      'volatility',
      'sharpe',
      'maxDrawdown',
      'drawdownPeak',
      'drawdownTrough',
      'exposure',
      'changes',
      'range',
    ]);
    expect(summary[0]).toEqual(['metric', 'strategy', 'buyHold']);
    expect(summary[9][2]).toBe(1); // buy-and-hold changes once, on entry
    const curve = await IWM.strategy(sessions[300], sessions[1300], true);
    expect(curve[0]).toEqual(['date', 'fraction', 'strategy', 'buyHold']);
    expect(curve.map((r) => r[0]).slice(1)).toEqual(sessions.slice(300, 1301));
    expect([curve[1][2], curve[1][3]]).toEqual([1, 1]);
    // The last row of the curves is the total return of each.
    expect(curve[curve.length - 1][2] as number).toBeCloseTo(1 + (summary[1][1] as number), 12);
    expect(curve[curve.length - 1][3] as number).toBeCloseTo(1 + (summary[1][2] as number), 12);
    await expect(IWM.strategy(undefined, undefined, 'maybe')).rejects.toMatchObject({
      code: '#VALUE!',
      message: expect.stringMatching(/curve must be TRUE or FALSE/),
    });
    const cal = await IWM.calendar('2005-01-01', '2005-12-31');
    expect(cal[0]).toEqual(['date', 'kind', 'label', 'windowStart', 'windowEnd']);
    expect(cal.slice(1).every((r) => String(r[0]) >= '2005' && String(r[0]) < '2006')).toBe(true);
    const st = await IWM.status();
    expect(st.find((r) => r[0] === 'source')?.[1]).toMatch(/SAMPLE DATA/);
    expect(st.find((r) => r[0] === 'last bar')?.[1]).toBe(sessions[sessions.length - 1]);
  });
});

describe('IWM.LIVE streaming', () => {
  afterEach(() => jest.useRealTimers());

  test('updates on its interval and stops cleanly when cancelled', async () => {
    // Only timers are faked: the HTTP request itself runs for real.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance', 'Date'] });
    const results: unknown[] = [];
    const invocation = {
      setResult: (v: unknown) => results.push(v),
      onCanceled: undefined as (() => void) | undefined,
    };
    IWM.live('close', 10, invocation as unknown as CustomFunctions.StreamingInvocation<string | number | boolean>);
    const settle = async (count: number) => {
      for (let i = 0; i < 500 && results.length < count; i++) {
        await jest.advanceTimersByTimeAsync(60);
        await new Promise((r) => realSetTimeout(r, 5));
      }
    };
    await settle(1);
    expect(results).toEqual([await expected('close', sessions[sessions.length - 1])]);
    expect(api.batchRequests).toBe(1);
    await jest.advanceTimersByTimeAsync(10_000);
    await settle(2);
    expect(results).toHaveLength(2);
    expect(api.batchRequests).toBe(2);
    invocation.onCanceled?.();
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(results).toHaveLength(2);
    expect(api.batchRequests).toBe(2);
  });

  test('a bad interval is an error value at once', () => {
    const results: unknown[] = [];
    IWM.live('close', 1, { setResult: (v: unknown) => results.push(v) } as never);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ code: '#VALUE!', message: expect.stringMatching(/seconds must be/) });
  });
});
