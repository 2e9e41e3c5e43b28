/**
 * The refresh cycle on a CSV folder and a filesystem store, as `npm start` and the nightly
 * timer run it: repeatable (same data, same generation, no duplicate readings), picked up
 * by the service, and a failure that keeps serving the last good data marked stale.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSample } from '../../api/src/data/sample';
import { formatDay } from '../../api/src/engine/dates';
import { profileHash, resolveProfile } from '../../api/src/engine/profile';
import { toProblem } from '../../api/src/http/errors';
import { createRuntime, type Runtime } from '../../api/src/service/runtime';
import { readingKey } from '../../api/src/service/signal-service';
import { csvOf } from '../support/csv-fixture';

const sample = generateSample({ sessions: 800, members: 0 });
const n = sample.primary.dates.length;
const lastDate = formatDay(sample.primary.dates[n - 1]);
let dir: string;
let env: Record<string, string>;
const runtimes: Runtime[] = [];

// "Now" is the evening of the last bar: the data is current.
const lastDay = new Date(`${lastDate}T23:30:00Z`);
const clock = () => lastDay;

async function runtime(extra: Record<string, string> = {}, at = clock) {
  const rt = await createRuntime({ ...env, ...extra }, { clock: at });
  runtimes.push(rt);
  return rt;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'iwm-refresh-'));
  writeFileSync(join(dir, 'IWM.csv'), csvOf(sample.primary, n - 1));
  writeFileSync(join(dir, 'SPY.csv'), csvOf(sample.benchmark, n - 1));
  env = {
    IWM_DATA_SOURCE: 'csv',
    IWM_DATA_DIR: dir,
    IWM_STORE: 'fs',
    IWM_STORE_DIR: join(dir, 'store'),
    IWM_MANIFEST_TTL_MS: '0',
  };
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
  rmSync(dir, { recursive: true, force: true });
});

const prevDate = () => formatDay(sample.primary.dates[n - 2]);

test('a first request loads the folder into the store; a second refresh of the same files changes nothing', async () => {
  const rt = await runtime();
  const first = await rt.service.statusReport();
  expect(first.lastBarDate).toBe(prevDate());
  expect(first.generation).toMatch(/^[0-9a-f]{16}$/);
  const again = await rt.refresh();
  expect(again.unchanged).toBe(true);
  expect(again.generation).toBe(first.generation);
});

test('the refresh stores the latest readings of each preset, equal to what the service computes', async () => {
  const rt = await runtime();
  const r = await rt.refresh();
  expect(r.readings).toBe(2 * 5);
  for (const preset of ['iwm', 'standard']) {
    const key = readingKey('IWM', 'SPY', profileHash(resolveProfile(preset)));
    const stored = await rt.store.getReading(key, prevDate(), r.generation);
    expect(stored).not.toBeNull();
    const live = (await rt.service.call('signal', { profile: preset })) as Record<string, unknown>;
    const { meta: _m1, ...storedReading } = JSON.parse(stored!.json);
    const { meta: _m2, ...liveReading } = live;
    expect(storedReading).toEqual(JSON.parse(JSON.stringify(liveReading)));
    expect(await rt.store.getReading(key, prevDate(), 'another-generation')).toBeNull();
  }
});

test('a cold instance answers the latest reading from the stored readings', async () => {
  const warm = await runtime();
  const { generation } = await warm.refresh();
  const cold = await runtime();
  // Hold the snapshot load: the answer must not wait for it.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const read = cold.store.readSnapshot.bind(cold.store);
  jest.spyOn(cold.store, 'readSnapshot').mockImplementation(async (m) => {
    await held;
    return read(m);
  });
  const reading = (await cold.service.call('signal', {})) as { meta: { generation: string; lastBarDate: string } };
  expect(reading.meta.generation).toBe(generation);
  expect(reading.meta.lastBarDate).toBe(prevDate());
  release();
  // Once loaded, the same answer comes from the computed history.
  await new Promise((r) => setTimeout(r, 20));
  const live = (await cold.service.call('signal', {})) as { meta: { generation: string } };
  expect(live.meta.generation).toBe(generation);
});

test('a cold instance answers asOf=-1 from the stored readings; -2 waits for the history', async () => {
  const warm = await runtime();
  await warm.refresh();
  const cold = await runtime();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const read = cold.store.readSnapshot.bind(cold.store);
  jest.spyOn(cold.store, 'readSnapshot').mockImplementation(async (m) => {
    await held;
    return read(m);
  });
  const latest = (await cold.service.call('signal', { asOf: '-1' })) as { date: string };
  expect(latest.date).toBe(prevDate());
  let answered = false;
  const second = cold.service.call('signal', { asOf: -2 }).then((r) => {
    answered = true;
    return r as { date: string };
  });
  await new Promise((r) => setTimeout(r, 20));
  expect(answered).toBe(false);
  release();
  expect((await second).date).toBe(formatDay(sample.primary.dates[n - 3]));
});

test('new bars in the folder become a new generation that the service serves', async () => {
  const rt = await runtime();
  const before = await rt.service.statusReport();
  appendFileSync(join(dir, 'IWM.csv'), csvOf(sample.primary).split('\n')[n] + '\n');
  appendFileSync(join(dir, 'SPY.csv'), csvOf(sample.benchmark).split('\n')[n] + '\n');
  const r = await rt.refresh();
  expect(r.unchanged).toBe(false);
  expect(r.generation).not.toBe(before.generation);
  const reading = (await rt.service.call('signal', {})) as { meta: { lastBarDate: string; generation: string } };
  expect(reading.meta).toMatchObject({ lastBarDate: lastDate, generation: r.generation });
});

test('a failed refresh keeps serving the last good data and marks it stale', async () => {
  const rt = await runtime();
  const good = await rt.service.statusReport();
  // The signal route's cached text (meta cached per freshness state) must follow the same staleness.
  const signalText = async () => JSON.parse(await rt.service.signalText(rt.service.parse('signal', {})));
  expect((await signalText()).meta.stale).toBe(false);
  appendFileSync(join(dir, 'SPY.csv'), `${lastDate},1,2,3,oops,100\n`);
  await expect(rt.refresh()).rejects.toThrow(/SPY\.csv.*bad row/s);
  const status = await rt.service.statusReport();
  expect(status.generation).toBe(good.generation);
  expect(status.stale).toBe(true);
  expect(status.lastError).toMatch(/SPY\.csv/);
  const reading = (await rt.service.call('signal', {})) as {
    meta: { stale: boolean; staleReason: string; warnings: string[] };
  };
  expect(reading.meta.stale).toBe(true);
  expect(reading.meta.staleReason).toMatch(/latest refresh failed/);
  expect(reading.meta.warnings.some((w) => w.startsWith('STALE'))).toBe(true);
  expect(await signalText()).toEqual(reading);
});

test('old data is stale by the calendar', async () => {
  const rt = await runtime({}, () => new Date('2030-01-10T12:00:00Z'));
  const reading = (await rt.service.call('signal', {})) as { meta: { stale: boolean; staleReason: string } };
  expect(reading.meta.stale).toBe(true);
  expect(reading.meta.staleReason).toMatch(
    new RegExp(`last bar ${prevDate()} is \\d+ sessions behind the expected 2030-01-09`),
  );
});

test('a missing folder is a 503 naming it, and status still answers', async () => {
  const rt = await runtime({ IWM_DATA_DIR: join(dir, 'nope') });
  const err = await rt.service.call('signal', {}).catch((e) => e);
  const problem = toProblem(err);
  expect(problem.status).toBe(503);
  expect(problem.detail).toMatch(/cannot read folder .*nope/);
  const status = await rt.service.statusReport();
  expect(status.generation).toBeNull();
  expect(status.stale).toBe(true);
  expect(status.lastError).toMatch(/nope/);
});

test('switching the configured source replaces the stored data', async () => {
  const csv = await runtime();
  await csv.service.statusReport();
  const sampleRt = await runtime({ IWM_DATA_SOURCE: 'sample', IWM_SAMPLE_SESSIONS: '400', IWM_SAMPLE_MEMBERS: '10' });
  const s = await sampleRt.service.statusReport();
  expect(s.source).toBe('sample');
  expect(s.universeMembers).toBe(10);
});
