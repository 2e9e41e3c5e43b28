/**
 * Starting from the last good data: the local host (real HTTP) restarted on a csv folder
 * that went bad, or on a store whose manifest.json is damaged, serves what the store holds
 * that verifies, marked stale with the reason, and the next good refresh repairs the store.
 */
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generateSample } from '../../api/src/data/sample';
import { formatDay } from '../../api/src/engine/dates';
import { startApi, type StartedHost } from '../../api/src/host/main';
import { createRuntime, type Runtime } from '../../api/src/service/runtime';
import { csvOf, csvStoreFolder } from '../support/csv-fixture';

jest.setTimeout(60_000);

const sample = generateSample({ sessions: 800, members: 0 });
const n = sample.primary.dates.length;
let dir: string;
let env: Record<string, string>;
const open: { close(): Promise<void> }[] = [];

const storeDir = () => join(dir, 'store');

beforeEach(() => {
  const folder = csvStoreFolder('iwm-recovery-', sample.primary, sample.benchmark, n - 1);
  dir = folder.dir;
  // The local host on a free port, without the add-in's HTTPS host.
  env = { ...folder.env, IWM_API_PORT: '0', IWM_ADDIN_PORT: 'off' };
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** `npm start` on the folder: refreshes the csv files into the store, then listens. */
async function start(extra: Record<string, string> = {}): Promise<StartedHost> {
  const host = await startApi({ ...env, ...extra }, () => {});
  open.push(host);
  return host;
}

async function stopped<T>(host: StartedHost, value: T): Promise<T> {
  open.splice(open.indexOf(host), 1);
  await host.close();
  return value;
}

/** What these tests read of a data response (`meta`) or of `status`. */
interface Body {
  meta: { generation: string; stale: boolean; staleReason: string | null; lastBarDate: string };
  generation: string;
  stale: boolean;
  lastError: string | null;
}

async function get(host: StartedHost, route: string): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${host.url}/${route}`);
  return { status: res.status, body: (await res.json()) as Body };
}

/** Starts once on good files and returns the generation the store then holds. */
async function goodGeneration(): Promise<string> {
  const host = await start();
  const { body } = await get(host, 'status');
  expect(body.generation).toMatch(/^[0-9a-f]{16}$/);
  return stopped(host, body.generation);
}

const lastDate = formatDay(sample.primary.dates[n - 1]);
const truncate = (file: string) => {
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.slice(0, text.length - 25)); // cut inside the last row
};

test.each([
  ['one bad row', () => appendFileSync(join(dir, 'SPY.csv'), `${lastDate},1,2,3,oops,100\n`), /SPY\.csv.*bad row/],
  ['a truncated file', () => truncate(join(dir, 'IWM.csv')), /IWM\.csv/],
  ['SPY.csv missing', () => rmSync(join(dir, 'SPY.csv')), /SPY\.csv is missing/],
])('a restart with %s starts and serves the last good data, stale with the reason', async (_, damage, reason) => {
  const generation = await goodGeneration();
  damage();
  const host = await start();
  const signal = await get(host, 'signal');
  expect(signal.status).toBe(200);
  expect(signal.body.meta).toMatchObject({
    generation,
    stale: true,
    lastBarDate: formatDay(sample.primary.dates[n - 2]),
  });
  expect(signal.body.meta.staleReason).toMatch(/^the latest refresh failed \(/);
  expect(signal.body.meta.staleReason).toMatch(reason);
  const status = await get(host, 'status');
  expect(status.body).toMatchObject({ generation, stale: true });
  expect(status.body.lastError).toMatch(reason);
});

test('a restart with a bad folder and nothing stored still fails, naming the problem', async () => {
  rmSync(join(dir, 'SPY.csv'));
  await expect(start()).rejects.toThrow(/SPY\.csv is missing/);
});

describe('a damaged manifest.json', () => {
  const manifestFile = () => join(storeDir(), 'manifest.json');

  /** Two generations: the older without the last row, the newer with it. */
  async function twoGenerations(): Promise<[string, string]> {
    const older = await goodGeneration();
    appendFileSync(join(dir, 'IWM.csv'), csvOf(sample.primary).split('\n')[n] + '\n');
    appendFileSync(join(dir, 'SPY.csv'), csvOf(sample.benchmark).split('\n')[n] + '\n');
    const newer = await goodGeneration();
    expect(newer).not.toBe(older);
    return [older, newer];
  }

  test('the start serves the newest generation that verifies, and the next good refresh rewrites the manifest', async () => {
    const [older, newer] = await twoGenerations();
    writeFileSync(manifestFile(), '{"formatVersion":1,"generation":"');
    // The source is broken too, so the start's own refresh cannot repair the store.
    const spy = readFileSync(join(dir, 'SPY.csv'));
    rmSync(join(dir, 'SPY.csv'));
    let host = await start();
    let signal = await get(host, 'history?from=-1&fields=date,close');
    expect(signal.status).toBe(200);
    expect(signal.body.meta).toMatchObject({ generation: newer, stale: true, lastBarDate: lastDate });
    await stopped(host, null);

    // The newest one damaged as well: the one before it.
    const iwm = join(storeDir(), 'gen', newer, 'bars', 'IWM.bin');
    const bytes = readFileSync(iwm);
    bytes[40] ^= 0x08;
    writeFileSync(iwm, bytes);
    host = await start();
    signal = await get(host, 'history?from=-1&fields=date,close');
    expect(signal.body.meta).toMatchObject({ generation: older, stale: true });

    // The source is back: a refresh rewrites the manifest and the damaged object.
    writeFileSync(join(dir, 'SPY.csv'), spy);
    const r = await host.runtime.refresh();
    expect(r).toMatchObject({ generation: newer, unchanged: false });
    expect(JSON.parse(readFileSync(manifestFile(), 'utf8')).generation).toBe(newer);
    signal = await get(host, 'history?from=-1&fields=date,close');
    expect(signal.body.meta.generation).toBe(newer);
    expect(signal.body.meta.staleReason ?? '').not.toMatch(/refresh failed|cannot be served/);
  });

  test('served while another host refreshes: stale, saying why, without waiting for that refresh', async () => {
    const [, newer] = await twoGenerations();
    writeFileSync(manifestFile(), 'not json');
    const now = Date.now();
    writeFileSync(
      join(storeDir(), 'refresh.lock'),
      JSON.stringify({
        id: 'other',
        pid: 4321,
        host: `not-${hostname()}`,
        since: new Date(now).toISOString(),
        expiresAt: new Date(now + 55_000).toISOString(),
      }),
    );
    const rt: Runtime = await createRuntime(env);
    open.push(rt);
    const rows = (await rt.service.call('history', { from: '-1' })) as {
      meta: { generation: string; stale: boolean; staleReason: string };
    };
    expect(rows.meta).toMatchObject({ generation: newer, stale: true });
    expect(rows.meta.staleReason).toMatch(
      new RegExp(
        `^the store's current data cannot be served \\(manifest\\.json: is not valid JSON .*\\); serving generation ${newer} of .*, the newest stored one that verifies, until a refresh repairs the store$`,
      ),
    );
    const status = await rt.service.statusReport();
    expect(status).toMatchObject({ generation: newer, stale: true, refresh: { state: 'running' } });
  });
});
