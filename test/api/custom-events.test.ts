/**
 * A profile's own calendar events (`macro.customEvents`) through the API: the service's
 * calendar (the shipped default here) plus the profile's events reach the readings, the
 * `calendar` route, history and the backtest for that profile only, by one code path
 * (computeHistory); a bad event is a 400 naming its index and field; the presets answer
 * as before.
 */
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { alignInputs } from '../../api/src/data/align';
import { DEFAULT_EVENTS } from '../../api/src/data/calendar';
import { generateSample } from '../../api/src/data/sample';
import { backtest } from '../../api/src/engine/backtest';
import { formatDay } from '../../api/src/engine/dates';
import { computeHistory } from '../../api/src/engine/engine';
import { PRESETS, profileHash, resolveProfile } from '../../api/src/engine/profile';
import { readingAt } from '../../api/src/engine/reading';
import type { MacroEvent } from '../../api/src/engine/types';
import { routeHandler, ROUTES } from '../../api/src/http/routes';
import type { Runtime } from '../../api/src/service/runtime';
import { sampleRuntime } from '../support/runtime';

// Free-form JSON bodies; each test reads the fields it checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let rt: Runtime;
beforeAll(async () => {
  rt = await sampleRuntime();
});
afterAll(() => rt.close());

// The same data computed without the API (the test runtime's sample: 1,500 sessions to 2007).
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
const dates = aligned.input.primary.dates;
const last = dates.length - 1;
const day = (t: number) => formatDay(dates[t]);

// An investor day 10 sessions before the last bar (custom window 0/0: that session only),
// a CPI release 20 before (window: the session before and the day), an earnings season
// from 40 to 35 sessions before the last bar, and one event in the future.
const mine: MacroEvent[] = [
  { date: day(last - 10), kind: 'custom', label: 'Investor day' },
  { date: day(last - 20), kind: 'cpi', label: 'CPI (my copy)' },
  { date: day(last - 40), kind: 'earnings-season', label: 'Q1 season', end: day(last - 35) },
  { date: formatDay(dates[last] + 30), kind: 'fomc', label: 'Extra FOMC' },
];
const custom = { preset: 'iwm', macro: { customEvents: mine } };
const customProfile = resolveProfile(custom);

async function get(route: string, query: Record<string, unknown>): Promise<{ status: number; body: Json }> {
  const qs = new URLSearchParams(
    Object.entries(query).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  ).toString();
  const spec = ROUTES.find((r) => r.route === route)!;
  const request = new HttpRequest({ method: 'GET', url: `http://127.0.0.1:7071/api/${route}?${qs}`, headers: {} });
  const res: HttpResponseInit = await routeHandler(spec, async () => rt)(
    request,
    new InvocationContext({ functionName: spec.name }),
  );
  return { status: res.status ?? 200, body: typeof res.body === 'string' ? JSON.parse(res.body) : res.body };
}

async function post(calls: unknown): Promise<Json> {
  const spec = ROUTES.find((r) => r.route === 'v1/batch')!;
  const request = new HttpRequest({
    method: 'POST',
    url: 'http://127.0.0.1:7071/api/v1/batch',
    headers: { 'content-type': 'application/json' },
    body: { string: JSON.stringify(calls) },
  });
  const res = await routeHandler(spec, async () => rt)(request, new InvocationContext({ functionName: spec.name }));
  return typeof res.body === 'string' ? JSON.parse(res.body) : res.body;
}

describe('readings see the profile’s events, only for that profile', () => {
  test('a session in the custom window: phase window, the event active, thresholds tightened', async () => {
    const asOf = day(last - 10);
    const r = (await get('v1/signal', { asOf, profile: custom })).body;
    expect(r.macro.phase).toBe('window');
    expect(r.macro.active).toEqual(['Investor day']);
    expect(r.macro.windows).toEqual([mine[0]]);
    expect(r.thresholds.momentumAtrMultiplier).toEqual({ base: 1.5, used: 1.5 * 1.25 });
    expect(r.thresholds.compositeRatio).toEqual({ base: 0.5, used: 0.75 });
    expect(r.thresholds.momentumThreshold.used).toBeCloseTo(r.thresholds.momentumThreshold.base * 1.25, 9);
    expect(r.meta.profileHash).toBe(profileHash(customProfile));
    // The same session for the preset: no window (no shipped event is near it).
    const plain = (await get('v1/signal', { asOf })).body;
    expect(plain.macro).toMatchObject({ phase: 'none', active: [], windows: [] });
    expect(plain.thresholds.compositeRatio).toEqual({ base: 0.5, used: 0.5 });
    // The relaxed sessions after it, and the earnings season's window.
    const after = (await rt.service.call('field', {
      field: 'macro.phase',
      asOf: day(last - 9),
      profile: custom,
    })) as Json;
    expect(after.value).toBe('after');
    const season = (await rt.service.call('signal', { asOf: day(last - 37), profile: custom })) as Json;
    // The shipped calendar's windows (back to 2000) are in force beside the profile's.
    expect(season.macro.active).toContain('Q1 season');
    const plainSeason = (await rt.service.call('signal', { asOf: day(last - 37) })) as Json;
    expect(season.macro.active.filter((l: string) => l !== 'Q1 season')).toEqual(plainSeason.macro.active);
  });

  test('the API reading equals the engine’s for the merged calendar', async () => {
    const h = computeHistory(input, customProfile);
    const {
      meta: _meta,
      context: _context,
      ...reading
    } = (await rt.service.call('signal', {
      asOf: day(last - 20),
      profile: custom,
    })) as Json;
    expect(reading).toEqual(JSON.parse(JSON.stringify(readingAt(h, last - 20))));
    expect(reading.macro.active).toContain('CPI (my copy)');
  });

  test('history and the backtest use the same merged calendar', async () => {
    const hist = (await get('v1/history', { from: '-45', fields: 'date,macro.phase,macro.active', profile: custom }))
      .body;
    const row = hist.rows.find((r: unknown[]) => r[0] === day(last - 10));
    expect(row).toEqual([day(last - 10), 'window', ['Investor day']]);
    const plainHist = (await get('v1/history', { from: '-45', fields: 'macro.active' })).body;
    const labels = new Set(mine.map((e) => e.label));
    expect(plainHist.rows.some((r: string[][]) => r[0].some((l) => labels.has(l)))).toBe(false);

    const h = computeHistory(input, customProfile);
    const from = last - 400;
    const { meta: _meta, ...bt } = (await rt.service.call('backtest', {
      from: day(from),
      to: day(last),
      profile: custom,
    })) as Json;
    expect(bt).toEqual(JSON.parse(JSON.stringify(backtest(h, from, last))));
  });
});

describe('calendar route', () => {
  test('lists the custom events with their windows, marked profile; the preset does not', async () => {
    const r = (await get('v1/calendar', { profile: custom })).body;
    expect(r.from).toBe(formatDay(dates[last] - 30));
    const byLabel = Object.fromEntries(r.events.map((e: Json) => [e.label, e]));
    expect(byLabel['Investor day']).toEqual({
      ...mine[0],
      windowStart: day(last - 10),
      windowEnd: day(last - 10),
      source: 'profile',
    });
    expect(byLabel['CPI (my copy)']).toMatchObject({ windowStart: day(last - 21), windowEnd: day(last - 20) });
    // The season ended 35 sessions ago, before the default range (30 days before the last bar).
    expect(byLabel['Q1 season']).toBeUndefined();
    const wider = (await get('v1/calendar', { from: '-60', profile: custom })).body;
    expect(wider.events.find((e: Json) => e.label === 'Q1 season')).toMatchObject({
      windowStart: day(last - 40),
      windowEnd: day(last - 35),
      source: 'profile',
    });
    // 30 calendar days ahead: past the last bar the window steps over weekdays.
    expect(byLabel['Extra FOMC'].windowEnd >= mine[3].date).toBe(true);
    expect(byLabel['Extra FOMC'].windowStart > day(last)).toBe(true);
    expect(r.events.map((e: Json) => e.windowStart)).toEqual([...r.events.map((e: Json) => e.windowStart)].sort());

    const plain = (await get('v1/calendar', {})).body;
    expect(plain.events.every((e: Json) => e.source === 'calendar')).toBe(true);
    expect(plain.events.filter((e: Json) => mine.some((m) => m.label === e.label))).toEqual([]);
    // The shipped calendar is still there for the custom profile, marked calendar.
    const later = (await get('v1/calendar', { from: '2026-01-01', to: '2026-02-01', profile: custom })).body;
    expect(later.events.filter((e: Json) => e.kind === 'fomc')).toEqual([
      expect.objectContaining({ date: '2026-01-28', kind: 'fomc', source: 'calendar', windowStart: '2026-01-23' }),
    ]);
  });

  test('a custom event identical to a shipped one is listed once, as the calendar’s', async () => {
    const shipped = DEFAULT_EVENTS.find((e) => e.date === '2026-01-28')!;
    const r = (
      await get('v1/calendar', {
        from: '2026-01-01',
        to: '2026-02-01',
        profile: { macro: { customEvents: [{ ...shipped }, { ...shipped, label: 'FOMC (mine)' }] } },
      })
    ).body;
    expect(r.events.filter((e: Json) => e.kind === 'fomc').map((e: Json) => [e.label, e.source])).toEqual([
      ['FOMC decision', 'calendar'],
      ['FOMC (mine)', 'profile'],
    ]);
  });
});

describe('bad events are 400 naming the path', () => {
  const bad = [mine[0], mine[1], { ...mine[0], date: '2026-02-30' }];

  test('in a query string', async () => {
    const r = await get('v1/signal', { profile: { macro: { customEvents: bad } } });
    expect(r.status).toBe(400);
    expect(r.body.type).toMatch(/invalid-parameter$/);
    expect(r.body.errors).toEqual([
      { field: 'profile.macro.customEvents[2].date', message: 'must be a date YYYY-MM-DD that exists' },
    ]);
    expect(r.body.detail).toContain('profile.macro.customEvents[2].date');
  });

  test('in a batch call, and every kind of problem', async () => {
    const events = [
      { date: '2026-07-01', kind: 'earnings', label: 'x' },
      { date: '2026-07-01', kind: 'earnings-season', label: 'x' },
      { date: '2026-07-01', kind: 'custom', label: '' },
    ];
    const [result] = await post([{ fn: 'calendar', args: { profile: { macro: { customEvents: events } } } }]);
    expect(result.error.status).toBe(400);
    expect(result.error.errors.map((e: { field: string }) => e.field)).toEqual([
      'profile.macro.customEvents[0].kind',
      'profile.macro.customEvents[1].end',
      'profile.macro.customEvents[2].label',
    ]);
    const tooMany = Array.from({ length: 201 }, () => mine[0]);
    const [many] = await post([{ fn: 'signal', args: { profile: { macro: { customEvents: tooMany } } } }]);
    expect(many.error.errors).toEqual([
      { field: 'profile.macro.customEvents', message: 'must hold at most 200 events' },
    ]);
  });
});

describe('the presets are unchanged', () => {
  test('iwm answers the engine’s reading on the shipped calendar alone; an empty list is the preset', async () => {
    const iwm = computeHistory(input, PRESETS.iwm);
    const { meta, context: _context, ...reading } = (await rt.service.call('signal', {})) as Json;
    expect(reading).toEqual(JSON.parse(JSON.stringify(readingAt(iwm, last))));
    const empty = (await rt.service.call('signal', { profile: { macro: { customEvents: [] } } })) as Json;
    expect(empty.meta.profileHash).toBe(meta.profileHash);
    expect(empty.composite).toEqual(reading.composite);
    const cal = (await rt.service.call('calendar', { from: '2026-01-01', to: '2026-12-31' })) as Json;
    expect(cal.events.every((e: Json) => e.source === 'calendar')).toBe(true);
    expect(cal.events.filter((e: Json) => e.kind === 'fomc')).toHaveLength(8);
  });
});
