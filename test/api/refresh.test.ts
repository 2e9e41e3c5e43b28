/**
 * The refresh cycle on a CSV folder and a filesystem store, as `npm start` and the nightly
 * timer run it: repeatable (same data, same generation, no duplicate readings), picked up
 * by the service, and a failure that keeps serving the last good data marked stale.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generateSample } from '../../api/src/data/sample';
import { formatDay } from '../../api/src/engine/dates';
import { profileHash, resolveProfile } from '../../api/src/engine/profile';
import { toProblem } from '../../api/src/http/errors';
import { createRuntime, type Runtime } from '../../api/src/service/runtime';
import { readingKey } from '../../api/src/service/signal-service';
import { StoreUnavailableError } from '../../api/src/storage/types';
import { csvOf, csvStoreFolder } from '../support/csv-fixture';

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
  ({ dir, env } = csvStoreFolder('iwm-refresh-', sample.primary, sample.benchmark, n - 1));
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

test('a missing folder is a 503 naming its setting (not its path), and status still answers', async () => {
  const rt = await runtime({ IWM_DATA_DIR: join(dir, 'nope') });
  const err = await rt.service.call('signal', {}).catch((e) => e);
  const problem = toProblem(err);
  expect(problem.status).toBe(503);
  expect(problem.detail).toBe('IWM_DATA_DIR: cannot read the folder (ENOENT)');
  const status = await rt.service.statusReport();
  expect(status.generation).toBeNull();
  expect(status.stale).toBe(true);
  expect(status.lastError).toBe('IWM_DATA_DIR: cannot read the folder (ENOENT)');
});

test('switching the configured source replaces the stored data', async () => {
  const csv = await runtime();
  await csv.service.statusReport();
  const sampleRt = await runtime({ IWM_DATA_SOURCE: 'sample', IWM_SAMPLE_SESSIONS: '400', IWM_SAMPLE_MEMBERS: '10' });
  const s = await sampleRt.service.statusReport();
  expect(s.source).toBe('sample');
  expect(s.universeMembers).toBe(10);
});

describe('one writer at a time, verified writes, killed refreshes', () => {
  const storeDir = () => join(dir, 'store');
  const lockFile = () => join(storeDir(), 'refresh.lock');
  const since = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');

  /** A pid that no process of this host has any more. */
  function deadPid(): number {
    return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
  }

  test('two runtimes refreshing one store at once: the second waits for the lease, then verifies instead of writing', async () => {
    const logs: string[][] = [[], []];
    const [a, b] = await Promise.all(
      logs.map(async (log) => {
        const rt = await createRuntime(env, { clock, log: (m) => log.push(m) });
        runtimes.push(rt);
        return rt;
      }),
    );
    const [ra, rb] = await Promise.all([a.refresh(), b.refresh()]);
    expect(rb.generation).toBe(ra.generation);
    const waited = logs.map((log) =>
      log.some((m) => /^waiting up to 120 s: another refresh \(pid \d+ on host /.test(m)),
    );
    expect(waited.filter(Boolean)).toHaveLength(1);
    const [first, second] = waited[0] ? [rb, ra] : [ra, rb];
    expect(first).toMatchObject({ unchanged: false, verified: 0 });
    expect(second).toMatchObject({ unchanged: true, verified: 2, repaired: [] });
    expect(existsSync(lockFile())).toBe(false);
    const reader = await runtime();
    expect((await reader.service.statusReport()).generation).toBe(ra.generation);
    expect(await reader.store.readSnapshot()).not.toBeNull();
  });

  test('two runtimes writing different data at once: the manifest names a generation whose objects are all there', async () => {
    const newer = join(dir, 'newer');
    mkdirSync(newer);
    writeFileSync(join(newer, 'IWM.csv'), csvOf(sample.primary));
    writeFileSync(join(newer, 'SPY.csv'), csvOf(sample.benchmark));
    const a = await runtime();
    const b = await runtime({ IWM_DATA_DIR: newer });
    const [ra, rb] = await Promise.all([a.refresh(), b.refresh()]);
    expect(ra.generation).not.toBe(rb.generation);
    const manifest = (await a.store.readManifest())!;
    expect([ra.generation, rb.generation]).toContain(manifest.generation);
    expect(await a.store.readSnapshot(manifest)).not.toBeNull();
    // The other one is kept too (the previous generation), still readable.
    for (const g of [ra.generation, rb.generation])
      expect(await a.store.readSnapshot((await a.store.readGenerationManifest(g))!)).not.toBeNull();
  });

  test('a truncated and a bit-flipped object are repaired by the next refresh, which does not call that unchanged', async () => {
    const rt = await runtime();
    const { generation } = await rt.refresh();
    const m = (await rt.store.readManifest())!;
    const iwm = join(storeDir(), m.bars.IWM.name);
    writeFileSync(iwm, readFileSync(iwm).subarray(0, 100));
    const spy = join(storeDir(), m.bars.SPY.name);
    const bytes = readFileSync(spy);
    bytes[bytes.length >> 1] ^= 0x01;
    writeFileSync(spy, bytes);

    const repair = await rt.refresh();
    expect(repair).toMatchObject({ generation, unchanged: false, verified: 2 });
    expect([...repair.repaired].sort()).toEqual([m.bars.IWM.name, m.bars.SPY.name].sort());
    expect(await rt.store.readSnapshot()).not.toBeNull();
    expect(await rt.refresh()).toMatchObject({ generation, unchanged: true, repaired: [] });
  });

  test('a stored object gone missing does not take the data routes down: the next load rebuilds it', async () => {
    const { generation } = await (await runtime()).refresh();
    const m = (await (await runtime()).store.readManifest())!;
    rmSync(join(storeDir(), m.bars.SPY.name));
    const cold = await runtime();
    // history needs the whole snapshot (signal could come from the stored readings).
    const rows = (await cold.service.call('history', { from: '-5' })) as {
      meta: { generation: string; stale: boolean };
    };
    expect(rows.meta).toMatchObject({ generation, stale: false });
    expect(existsSync(join(storeDir(), m.bars.SPY.name))).toBe(true);
  });

  test('a store that cannot be read keeps the loaded data in service, stale with the reason', async () => {
    const rt = await runtime();
    const { generation } = await rt.refresh();
    await rt.service.call('history', { from: '-1' });
    const down = new StoreUnavailableError('fs store: cannot read manifest.json: EIO');
    const read = jest.spyOn(rt.store, 'readManifest').mockRejectedValue(down);
    const rows = (await rt.service.call('history', { from: '-1' })) as {
      meta: { generation: string; stale: boolean; staleReason: string };
    };
    expect(rows.meta).toMatchObject({ generation, stale: true });
    expect(rows.meta.staleReason).toBe(
      `the store cannot be read (${down.message}); serving generation ${generation} loaded before`,
    );
    read.mockRestore();
    const back = (await rt.service.call('history', { from: '-1' })) as { meta: { stale: boolean } };
    expect(back.meta.stale).toBe(false);
    // Nothing loaded yet: the error itself.
    const cold = await runtime();
    jest.spyOn(cold.store, 'readManifest').mockRejectedValue(down);
    await expect(cold.service.call('history', { from: '-1' })).rejects.toBe(down);
  });

  test('a refresh killed mid-way shows in status; the next one takes over its lease and sweeps its temp files', async () => {
    const good = await (await runtime()).refresh();
    // What a refresh of this host leaves when killed after it started writing.
    const started = '2031-02-03T22:30:00.000Z';
    const store = (await runtime()).store;
    await store.writeStatus({ ...(await store.readStatus()), lastAttemptAt: started, runningSince: started });
    const now = Date.now();
    const killed = { id: 'killed', pid: deadPid(), host: hostname(), since: new Date(now - 5000).toISOString() };
    writeFileSync(lockFile(), JSON.stringify({ ...killed, expiresAt: new Date(now + 55_000).toISOString() }));
    const temp = join(storeDir(), 'gen', good.generation, 'bars', '.IWM.bin.4242.0123456789ab.tmp');
    writeFileSync(temp, 'half an object');

    const st = await (await runtime()).service.statusReport();
    expect(st.refresh).toEqual({
      state: 'interrupted',
      since: started,
      leaseUntil: null,
      note: `a refresh started at ${started} did not finish (stopped or killed); the next refresh takes over and cleans up`,
    });
    expect(st.generation).toBe(good.generation);

    const next = await (await runtime()).refresh();
    expect(next).toMatchObject({ generation: good.generation, unchanged: true, leftovers: 1 });
    expect(existsSync(temp)).toBe(false);
    expect(existsSync(lockFile())).toBe(false);
    const after = await (await runtime()).service.statusReport();
    expect(after.refresh.state).toBe('idle');
    expect(after.lastAttemptAt).not.toBe(started);
  });

  test('a live lease of another host: a refresh that may not wait names its holder, and status says one is running', async () => {
    const good = await (await runtime()).refresh();
    const before = await (await runtime()).store.readStatus();
    const holder = {
      id: 'other',
      pid: 4321,
      host: 'refresher.example',
      since: new Date(Date.now() - 5000).toISOString(),
      expiresAt: new Date(Date.now() + 55_000).toISOString(),
    };
    writeFileSync(lockFile(), JSON.stringify(holder));
    const rt = await runtime({ IWM_REFRESH_WAIT_MS: '0' });
    await expect(rt.refresh()).rejects.toThrow(
      `another refresh (pid 4321 on host refresher.example, since ${since(holder.since)}) holds the refresh lease until ${since(holder.expiresAt)}`,
    );
    // Refused before it started: not an attempt, nothing recorded.
    expect(await rt.store.readStatus()).toEqual(before);
    const st = await rt.service.statusReport();
    expect(st).toMatchObject({
      generation: good.generation,
      refresh: { state: 'running', leaseUntil: holder.expiresAt },
    });
    expect(st.refresh.note).toMatch(/^a refresh is running since /);
    expect(st.lastError).toBeNull();
  });
});
