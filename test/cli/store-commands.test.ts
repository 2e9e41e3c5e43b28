/**
 * `iwm-signals refresh` and `status`: the nightly job on demand, into the same store the
 * API reads, and the store's state as `GET status` reports it.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../api/src/cli/main';
import { generateSample } from '../../api/src/data/sample';
import { formatDay } from '../../api/src/engine/dates';
import { csvOf } from '../support/csv-fixture';

const SMALL = { IWM_SAMPLE_SESSIONS: '400', IWM_SAMPLE_MEMBERS: '10' };
let dir: string;

async function run(env: Record<string, string>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'iwm-cli-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('refresh twice: the second finds the same data; status reports it', async () => {
  const store = ['--store-dir', join(dir, 'store')];
  const first = await run(SMALL, 'refresh', ...store, '--json');
  expect(first.code).toBe(0);
  const r1 = JSON.parse(first.out);
  expect(r1).toMatchObject({ source: 'sample', unchanged: false, universeMembers: 10, readings: 10 });
  const r2 = JSON.parse((await run(SMALL, 'refresh', ...store, '--json')).out);
  expect(r2).toMatchObject({ generation: r1.generation, unchanged: true });
  const st = await run(SMALL, 'status', ...store);
  expect(st.code).toBe(0);
  expect(st.out).toContain(`generation    ${r1.generation}`);
  expect(st.out).toMatch(/SAMPLE DATA/);
});

test('a csv refresh into the store, then a signal read through the store', async () => {
  const s = generateSample({ sessions: 300, members: 0 });
  const data = join(dir, 'market');
  mkdirSync(data);
  writeFileSync(join(data, 'IWM.csv'), csvOf(s.primary));
  writeFileSync(join(data, 'SPY.csv'), csvOf(s.benchmark));
  const common = ['--source', 'csv', '--data-dir', data, '--store-dir', join(dir, 'store')];
  expect((await run({}, 'refresh', ...common)).out).toMatch(/refreshed csv into .*generation [0-9a-f]{16}/);
  const sig = await run({}, 'signal', ...common, '--store', 'fs', '--json');
  expect(sig.code).toBe(0);
  const j = JSON.parse(sig.out);
  expect(j.meta).toMatchObject({ source: 'csv', lastBarDate: formatDay(s.primary.dates[299]) });
  expect(j.close).toBe(s.primary.close[299]);
});

test('a refresh that fails exits 1 with the reason; status then shows it', async () => {
  const common = ['--source', 'csv', '--data-dir', join(dir, 'missing'), '--store-dir', join(dir, 'store')];
  const r = await run({}, 'refresh', ...common);
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/IWM_DATA_DIR: cannot read the folder \(ENOENT\)/);
  const st = await run({}, 'status', ...common);
  expect(st.code).toBe(1);
  expect(st.out).toMatch(/stale +YES/);
  expect(st.out).toMatch(/last attempt failed: IWM_DATA_DIR: cannot read the folder/);
});

test('bad store options and settings are usage errors naming them', async () => {
  const bad = await run({}, 'status', '--store', 'ftp');
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('--store: "ftp"');
  const setting = await run({ IWM_HTTP_RETRIES: 'many' }, 'status', '--store', 'memory');
  expect(setting.code).toBe(2);
  expect(setting.err).toContain('IWM_HTTP_RETRIES');
  const tiingo = await run({}, 'refresh', '--source', 'tiingo', '--store', 'memory');
  expect(tiingo.code).toBe(2);
  expect(tiingo.err).toContain('IWM_TIINGO_KEY');
});
