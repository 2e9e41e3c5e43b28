/**
 * IWM_DATA_SOURCE=massive with IWM_UNIVERSE=grouped through the runtime (a paid plan's
 * IWM_MASSIVE_RPM=0): status reports the backfill, a day Massive has no bars for costs one
 * request and is never asked again, an HTML page where data belongs fails the refresh with
 * the provider named and the last good generation keeps serving.
 */
import { formatDay, parseIsoDay } from '../../api/src/engine/dates';
import { previousNyseSession } from '../../api/src/engine/nyse-calendar';
import { createRuntime, type Runtime } from '../../api/src/service/runtime';
import { MemoryStore } from '../../api/src/storage/memory-store';
import { SyntheticMarket } from '../support/market-fixture';

const market = new SyntheticMarket(30, '2025-06-30', ['IWM', 'SPY']);
let base = '';
beforeAll(async () => {
  base = await market.start();
}, 60_000);
afterAll(() => market.close(), 60_000);

const runtimes: Runtime[] = [];
afterEach(async () => Promise.all(runtimes.splice(0).map((r) => r.close())));

test('status shows the backfill; a no-bars day is covered; an HTML page fails the refresh and the old data serves', async () => {
  const last = parseIsoDay('2025-06-30') as number;
  const closedDay = previousNyseSession(previousNyseSession(previousNyseSession(last)));
  market.closed.add(closedDay); // Massive has nothing for it, though the calendar lists it
  const clock = () => new Date(Date.parse('2025-07-01T02:00:00Z'));
  const env = {
    IWM_DATA_SOURCE: 'massive',
    IWM_MASSIVE_KEY: 'k-runtime',
    IWM_MASSIVE_URL: base,
    IWM_MASSIVE_RPM: '0',
    IWM_HOLDINGS_URL: `${base}/holdings`,
    IWM_UNIVERSE: 'grouped',
    IWM_BACKFILL_SESSIONS: '200',
    IWM_FRED_SERIES: '',
    IWM_STORE: 'memory',
    IWM_HTTP_RETRIES: '0',
    IWM_MANIFEST_TTL_MS: '0',
  };
  const store = new MemoryStore();
  const rt = await createRuntime(env, { store, clock });
  runtimes.push(rt);
  const r = await rt.refresh();
  expect(r.backfill).toMatchObject({ sessionsDone: 200, sessionsTotal: 200, complete: true });
  const status = await rt.service.statusReport();
  expect(status.backfill).toMatchObject({ complete: true, text: 'universe backfill complete: 200 sessions' });
  expect(status.universeMembers).toBe(30);
  const snap = (await rt.store.readSnapshot())!;
  const u = snap.universe!;
  expect(u.offsets[1] - u.offsets[0]).toBe(199); // 200 sessions, one without bars
  expect(Array.from(u.dates.subarray(0, u.offsets[1]))).not.toContain(closedDay);
  const asked = market.requests.filter((p) => p.endsWith(formatDay(closedDay))).length;
  expect(asked).toBe(1);

  // Next night: an HTML page instead of the grouped answer.
  const next = formatDay(last + 1);
  market.lastDay = last + 1;
  market.faults.set(`/v2/aggs/grouped/locale/us/market/stocks/${next}`, [
    { status: 200, body: '<!DOCTYPE html><html><body>Please log in</body></html>' },
  ]);
  const rt2 = await createRuntime(env, { store, clock: () => new Date(Date.parse('2025-07-02T02:00:00Z')) });
  runtimes.push(rt2);
  await expect(rt2.refresh()).rejects.toThrow(/massive: .*HTML/i);
  expect((await store.readManifest())?.generation).toBe(r.generation);
  const after = await rt2.service.statusReport();
  expect(after.generation).toBe(r.generation);
  expect(after.lastError).toMatch(/HTML/i);
  expect(market.requests.filter((p) => p.endsWith(formatDay(closedDay)))).toHaveLength(1);
});
