/**
 * `iwm-signals refresh` and `status`: the nightly job on demand, into the same store the
 * API reads, and the store's state as `GET status` reports it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../api/src/cli/main';
import { generateSample } from '../../api/src/data/sample';
import { formatDay } from '../../api/src/engine/dates';
import { FsStore } from '../../api/src/storage';
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

describe('refresh processes and the refresh lease', () => {
  jest.setTimeout(120_000);
  const bin = join(__dirname, '..', '..', 'bin', 'iwm-signals.js');
  const storeDir = () => join(dir, 'store');
  /** This host's name inside a RegExp. */
  const host = hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  /** `node bin/iwm-signals.js refresh` in its own process; `stderr` grows while it runs. */
  function refreshProcess(env: Record<string, string>) {
    const child = spawn(process.execPath, [bin, 'refresh', '--store-dir', storeDir()], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    children.push(child);
    const run = { child, out: '', err: '', done: null as unknown as Promise<number | null> };
    child.stdout.on('data', (c: Buffer) => (run.out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (run.err += c.toString()));
    run.done = new Promise((resolve) => child.on('close', (code) => resolve(code)));
    return run;
  }

  async function until(what: string, condition: () => boolean): Promise<void> {
    for (let i = 0; !condition(); i++) {
      if (i > 6000) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));

  test('two refresh processes started together: they take turns; one writes, the other verifies', async () => {
    // Hold the lease while both start, so they certainly overlap however fast each one is.
    const gate = new FsStore({ dir: storeDir() });
    const held = (await gate.tryLease()).lease!;
    const [a, b] = [refreshProcess(SMALL), refreshProcess(SMALL)];
    const waiting = new RegExp(`waiting up to 120 s: another refresh \\(pid ${process.pid} on host ${host}`);
    await until('both to wait', () => waiting.test(a.err) && waiting.test(b.err));
    await held.release();
    expect(await Promise.all([a.done, b.done])).toEqual([0, 0]);

    const generation = (text: string) => /generation ([0-9a-f]{16})/.exec(text)?.[1];
    expect(generation(a.out)).toBe(generation(b.out));
    const outcomes = [a.out, b.out].map((o) => /generation [0-9a-f]{16} \(([^)]*)\)/.exec(o)?.[1]).sort();
    // IWM, SPY, HYG and IEF bars, the universe and the 4 precomputed breadth series (breadth-store.ts).
    expect(outcomes).toEqual(['new data', 'unchanged: same data as stored, 9 objects verified']);

    const st = await run(SMALL, 'status', '--store-dir', storeDir(), '--json');
    expect(JSON.parse(st.out)).toMatchObject({ generation: generation(a.out), refresh: { state: 'idle' } });
    expect(existsSync(join(storeDir(), 'refresh.lock'))).toBe(false);
  });

  test('a refresh that may not wait exits 1 naming the lease holder', async () => {
    const gate = new FsStore({ dir: storeDir() });
    const held = (await gate.tryLease()).lease!;
    const r = await run({ ...SMALL, IWM_REFRESH_WAIT_MS: '0' }, 'refresh', '--store-dir', storeDir());
    await held.release();
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `^iwm-signals: another refresh \\(pid ${process.pid} on host ${host}, since \\S+Z\\) holds the refresh lease until \\S+Z$`,
      ),
    );
  });

  test('a refresh process killed mid-way shows in status; the next refresh proceeds and cleans up', async () => {
    const first = await run(SMALL, 'refresh', '--store-dir', storeDir());
    expect(first.code).toBe(0);
    // The full-size sample takes seconds to build: killed as soon as it holds the lease.
    const victim = refreshProcess({});
    const lock = join(storeDir(), 'refresh.lock');
    const held = () => existsSync(lock) && readFileSync(lock, 'utf8').includes(`"pid":${victim.child.pid}`);
    await until('the lease', held);
    victim.child.kill('SIGKILL');
    await victim.done;
    expect(existsSync(lock)).toBe(true);
    // A temp file of the write it was doing.
    const gen = readdirSync(join(storeDir(), 'gen'))[0];
    const temp = join(storeDir(), 'gen', gen, 'bars', `.IWM.bin.${victim.child.pid}.0123456789ab.tmp`);
    writeFileSync(temp, 'half');

    const st = await run(SMALL, 'status', '--store-dir', storeDir());
    expect(st.out).toMatch(/^refresh now +INTERRUPTED: a refresh started at \S+ did not finish \(stopped or killed\)/m);
    const next = await run(SMALL, 'refresh', '--store-dir', storeDir());
    expect(next.code).toBe(0);
    // Ours, and any the victim had open when it was killed (its status write, say).
    expect(next.err).toMatch(/removed [1-9]\d* temp file\(s\) left by an interrupted writer/);
    expect(existsSync(lock)).toBe(false);
    expect(walk(storeDir()).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect((await run(SMALL, 'status', '--store-dir', storeDir())).out).toMatch(/^refresh now +none running$/m);
  });
});
