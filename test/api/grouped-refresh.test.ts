/**
 * IWM_UNIVERSE=grouped end to end against a local server answering in Massive's and
 * iShares' recorded formats: a 260-session backfill of 2,000 members at the free plan's
 * 5 requests a minute (on a virtual clock), stopped by its time budget and by a run that
 * dies mid-way, resumed from staging, then nightly increments (one grouped request per new
 * session plus the overlap), a split that rewrites history, and a member joining.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_EVENTS } from '../../api/src/data/calendar';
import { TokenBucket } from '../../api/src/data/rate-limit';
import { formatDay, parseIsoDay } from '../../api/src/engine/dates';
import { isNyseSession, nextNyseSession, previousNyseSession } from '../../api/src/engine/nyse-calendar';
import { backfillStatus } from '../../api/src/service/backfill-plan';
import { readConfig, type ServiceConfig } from '../../api/src/service/config';
import { runRefresh, type RefreshResult } from '../../api/src/service/refresh';
import { FsStore } from '../../api/src/storage/fs-store';
import type { Snapshot } from '../../api/src/storage/types';
import { SyntheticMarket } from '../support/market-fixture';
import { VirtualClock, clockedHttpClient } from '../support/virtual-clock';

jest.setTimeout(900_000);

const MEMBERS = 2_000;
const SESSIONS = 260;
const market = new SyntheticMarket(MEMBERS, '2025-06-30', ['IWM', 'SPY', 'HYG']);
let base = '';
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iwm-grouped-'));
  base = await market.start();
}, 60_000);
afterAll(async () => {
  await market.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** 22:00 New York on an ISO date (after the close and the 2-hour lag). */
const eveningOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) + (22 + 4) * 3_600_000;
const clock = new VirtualClock(eveningOf('2025-06-30'));

function config(): ServiceConfig {
  return readConfig({
    IWM_DATA_SOURCE: 'massive',
    IWM_MASSIVE_KEY: 'grouped-test-key',
    IWM_MASSIVE_URL: base,
    IWM_HOLDINGS_URL: `${base}/holdings`,
    IWM_UNIVERSE: 'grouped',
    IWM_SYMBOLS: 'HYG',
    IWM_FRED_SERIES: '',
    IWM_STORE: 'fs',
    IWM_STORE_DIR: join(dir, 'store'),
    IWM_HTTP_RETRIES: '3',
    IWM_HTTP_BACKOFF_MS: '10',
    IWM_REFRESH_WAIT_MS: '0',
    IWM_REFRESH_BUDGET_MS: String(8 * 60_000),
  });
}

const store = () => new FsStore({ dir: join(dir, 'store') });
// The free plan: 5 requests a minute, on the virtual clock.
const limiter = new TokenBucket({ perMinute: 5, now: clock.now, sleep: clock.sleep });
const { client } = clockedHttpClient(clock, { retries: 3, backoffMs: 10 });

function refresh(): Promise<RefreshResult> {
  const s = store();
  return runRefresh({
    config: config(),
    store: s,
    events: DEFAULT_EVENTS,
    clock: () => new Date(clock.now()),
    network: { client, limiter, now: clock.now },
  }).finally(() => s.close());
}

/** The window's sessions, oldest first: the 260 sessions up to 2025-06-30, computed by walking the calendar. */
function windowSessions(last: number, count: number): number[] {
  const out: number[] = [];
  for (let d = last; out.length < count; d--) if (isNyseSession(d)) out.unshift(d);
  return out;
}

/** Every member's stored closes against the fixture's formula. */
function expectUniverse(snapshot: Snapshot, sessions: number[], members: string[]): void {
  const u = snapshot.universe!;
  expect(u.symbols).toEqual([...members].sort());
  let mismatches = 0;
  u.symbols.forEach((t, i) => {
    const from = u.offsets[i];
    if (u.offsets[i + 1] - from !== sessions.length) mismatches++;
    else
      sessions.forEach(
        (d, k) => (u.dates[from + k] !== d || u.close[from + k] !== market.closeOf(t, d)) && mismatches++,
      );
  });
  expect(mismatches).toBe(0);
}

const groupedDates = () =>
  market.requests.filter((p) => p.includes('/grouped/')).map((p) => p.slice(p.lastIndexOf('/') + 1));

test('backfill: budget-stopped and killed runs resume from staging; nightly runs cost one request per session + overlap', async () => {
  const last = parseIsoDay('2025-06-30') as number;
  const window = windowSessions(last, SESSIONS);

  // Run 1: the 8-minute budget at 5 requests a minute: about 40 sessions, newest first.
  const r1 = await refresh();
  expect(r1.backfill?.complete).toBe(false);
  expect(r1.backfill?.sessionsTotal).toBe(SESSIONS);
  expect(r1.backfill?.sessionsDone).toBeGreaterThan(30);
  expect(r1.backfill?.sessionsDone).toBeLessThan(45);
  const g1 = r1.generation;
  let s = store();
  const m1 = await s.readManifest();
  const st1 = backfillStatus(m1!.notes, await s.listStaging(), 5);
  expect(st1).toMatchObject({ sessionsDone: r1.backfill!.sessionsDone, complete: false });
  expect(st1!.text).toBe(
    `universe backfill ${st1!.sessionsDone} of ${SESSIONS} sessions, about ${Math.ceil((SESSIONS - st1!.sessionsDone) / 5)} min left`,
  );
  expect(await s.listStaging()).toEqual([]); // consumed by the generation
  await s.close();

  // Run 2 dies after 10 more grouped requests (the provider fails for good).
  const before2 = market.groupedCount();
  market.failAfter = before2 + 10;
  await expect(refresh()).rejects.toThrow(/massive/);
  market.failAfter = null;
  s = store();
  expect((await s.readManifest())?.generation).toBe(g1); // the last good generation still serves
  expect((await s.readStatus()).lastError).toMatch(/massive/);
  const staged = await s.listStaging();
  expect(staged.length).toBeGreaterThanOrEqual(8); // 10 minus the 2 overlap re-reads (also staged)
  const st2 = backfillStatus((await s.readManifest())!.notes, staged, 5);
  expect(st2!.sessionsDone).toBeGreaterThan(st1!.sessionsDone); // status counts what was staged
  await s.close();

  // The next session to fetch meets a 429 with Retry-After, a 503 and a truncated body first.
  const oldestStaged = Math.min(...staged.map((n) => parseIsoDay(n.slice('grouped-'.length)) as number));
  const next = formatDay(previousNyseSession(oldestStaged)); // also the session the dying run failed on
  const path = `/v2/aggs/grouped/locale/us/market/stocks/${next}`;
  market.faults.set(path, [
    { status: 429, headers: { 'retry-after': '30' }, body: '{"status":"ERROR","error":"too many"}' },
    { status: 503, body: 'busy' },
    { status: 200, body: '{"status":"OK","results":[{"T":"M0000"', truncateAfter: 20 },
  ]);

  let runs = 2;
  let r: RefreshResult = r1;
  while (!r.backfill?.complete && runs < 12) {
    r = await refresh();
    runs++;
  }
  expect(r.backfill).toMatchObject({ complete: true, sessionsDone: SESSIONS, sessionsTotal: SESSIONS, etaMinutes: 0 });
  expect(runs).toBeGreaterThanOrEqual(7); // 260 sessions at ~40 a run
  s = store();
  expect(await s.listStaging()).toEqual([]);
  const snap = (await s.readSnapshot())!;
  expectUniverse(snap, window, market.members);
  expect(snap.membership).toEqual([{ asOf: '2025-06-30', symbols: market.members }]);
  await s.close();

  // Every session was asked for once, except the overlap re-reads of the newest two and the
  // session the dying run failed on, which then met the faults.
  const counts = new Map<string, number>();
  for (const d of groupedDates()) counts.set(d, (counts.get(d) ?? 0) + 1);
  expect([...counts.keys()].sort()).toEqual(window.map(formatDay));
  const top = new Set(window.slice(-2).map(formatDay));
  const extra = [...counts].filter(([d, n]) => n > 1 && !top.has(d));
  expect(extra).toEqual([[next, 8]]); // 4 attempts as the run died, 4 through the faults

  // Nightly: one new session each, plus the two overlap re-reads; nothing else from Massive.
  let day = last;
  for (let night = 1; night <= 3; night++) {
    day = nextNyseSession(day);
    market.lastDay = day;
    market.holdingsAsOf = formatDay(day);
    if (night === 2) market.splits.push({ ticker: 'M0007', day, ratio: 2 }); // rewrites M0007's history
    if (night === 3) market.members.push('M9999'); // joins the index
    clock.advance(eveningOf(formatDay(day)) - clock.now());
    const n0 = market.requests.length;
    const rn = await refresh();
    const paths = market.requests.slice(n0);
    const aggregates = paths.filter((p) => p.includes('/ticker/'));
    expect(paths.filter((p) => p.includes('/grouped/'))).toHaveLength(3);
    expect(aggregates).toEqual(
      night === 2 ? [expect.stringContaining('/M0007/')] : night === 3 ? [expect.stringContaining('/M9999/')] : [],
    );
    expect(rn.backfill?.complete).toBe(true);
  }
  s = store();
  const final = (await s.readSnapshot())!;
  const all = windowSessions(day, SESSIONS + 3);
  expectUniverse(final, all, market.members);
  expect(final.notes.splitRewrites).toEqual([]); // night 3's own; night 2 logged M0007
  expect(final.membership?.map((l) => l.asOf)).toEqual(['2025-06-30', formatDay(day)]);
  expect(final.bars.HYG.dates[final.bars.HYG.dates.length - 1]).toBe(day);
  expect(final.bars.IWM.close[final.bars.IWM.close.length - 1]).toBe(market.closeOf('IWM', day));
  await s.close();
});
