import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  CorruptObjectError,
  FsStore,
  LeaseBusyError,
  StoreUnavailableError,
  createStore,
  holdLease,
  type RefreshLease,
} from '../../api/src/storage';
import { describeStoreContract } from './contract';
import { expectSameSnapshot, makeSnapshot } from './fixtures';

const tmpDirs: string[] = [];
async function tmpDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iwm-fs-store-'));
  tmpDirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(tmpDirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

/** Every file under `dir`, relative, with forward slashes. */
async function walk(dir: string, prefix = ''): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const rel = prefix + e.name;
    if (e.isDirectory()) out.push(...(await walk(path.join(dir, e.name), `${rel}/`)));
    else out.push(rel);
  }
  return out.sort();
}

describeStoreContract('fs', async () => {
  const dir = await tmpDir();
  const store = new FsStore({ dir });
  const file = (name: string) => path.join(dir, ...name.split('/'));
  return {
    store,
    sibling: () => new FsStore({ dir }),
    readRaw: async (name) => fs.readFile(file(name)).catch(() => null),
    writeRaw: async (name, bytes) => {
      if (bytes === null) return fs.rm(file(name), { force: true });
      await fs.mkdir(path.dirname(file(name)), { recursive: true });
      await fs.writeFile(file(name), bytes);
    },
    expireLease: async () => {
      const lock = path.join(dir, 'refresh.lock');
      const record = JSON.parse(await fs.readFile(lock, 'utf8'));
      await fs.writeFile(lock, JSON.stringify({ ...record, expiresAt: new Date(Date.now() - 1000).toISOString() }));
    },
    objectStamps: async () => {
      const stamps = new Map<string, string>();
      for (const name of (await walk(dir)).filter((n) => n.startsWith('gen/'))) {
        // A rewrite renames a new file over the name: a new inode even when mtime does not move.
        const stat = await fs.stat(path.join(dir, name), { bigint: true });
        stamps.set(name, `${stat.ino}:${stat.mtimeNs}`);
      }
      return stamps;
    },
    readingCount: async (key) => (await walk(path.join(dir, 'readings', key))).length,
    dispose: async () => undefined,
  };
});

describe('fs store', () => {
  let dir: string;
  let store: FsStore;
  beforeEach(async () => {
    dir = await tmpDir();
    store = new FsStore({ dir });
    await store.init();
  });
  afterEach(() => jest.restoreAllMocks());

  it('lays files out as documented, with an absolute location', async () => {
    const { manifest: m } = await store.writeSnapshot(makeSnapshot(1));
    await store.writeStatus({ ...(await store.readStatus()), generation: m.generation });
    await store.putReadings([{ key: 'IWM-SPY-ab', date: '2024-01-05', generation: m.generation, json: '{}' }]);
    expect(await walk(dir)).toEqual(
      [
        `gen/${m.generation}/bars/IWM.bin`,
        `gen/${m.generation}/bars/SPY.bin`,
        `gen/${m.generation}/manifest.json`,
        `gen/${m.generation}/series/BAMLH0A0HYM2.bin`,
        `gen/${m.generation}/series/T10Y2Y.bin`,
        `gen/${m.generation}/universe.bin`,
        'manifest.json',
        'readings/IWM-SPY-ab/2024-01-05.json',
        'status.json',
      ].sort(),
    );
    expect(store.location).toBe(path.resolve(dir));
    expect(createStore({ kind: 'fs', dir }).location).toBe(path.resolve(dir));
  });

  it('keeps the previous snapshot when the manifest cannot be replaced (a crash before the commit)', async () => {
    const a = makeSnapshot(1);
    const { manifest: ma } = await store.writeSnapshot(a);
    const manifestFile = path.join(path.resolve(dir), 'manifest.json');
    const rename = fs.rename.bind(fs);
    jest.spyOn(fs, 'rename').mockImplementation(async (from, to) => {
      if (String(to) === manifestFile) throw Object.assign(new Error('simulated crash'), { code: 'EIO' });
      return rename(from, to);
    });
    const failed = store.writeSnapshot(makeSnapshot(2));
    await expect(failed).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(failed).rejects.toThrow(`${manifestFile}: EIO`);
    jest.restoreAllMocks();

    expect((await store.readManifest())?.generation).toBe(ma.generation);
    expectSameSnapshot(await store.readSnapshot(), a);
    expect((await walk(dir)).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock'))).toEqual([]);
  });

  it('keeps the previous snapshot when an object write fails half way; the unfinished generation goes after the grace', async () => {
    const a = makeSnapshot(1);
    const { manifest: ma } = await store.writeSnapshot(a);
    const rename = fs.rename.bind(fs);
    let objects = 0;
    jest.spyOn(fs, 'rename').mockImplementation(async (from, to) => {
      if (String(to).endsWith('.bin') && ++objects === 2)
        throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      return rename(from, to);
    });
    await expect(store.writeSnapshot(makeSnapshot(2))).rejects.toThrow(/ENOSPC/);
    jest.restoreAllMocks();
    expect((await store.readManifest())?.generation).toBe(ma.generation);
    expectSameSnapshot(await store.readSnapshot(), a);
    expect((await walk(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const unfinished = (await fs.readdir(path.join(dir, 'gen'))).find((g) => g !== ma.generation) as string;
    expect(await store.listGenerations()).toContainEqual(
      expect.objectContaining({ generation: unfinished, committedAt: null }),
    );

    // Within the grace period a writer might still be at it; after it, the next write removes it.
    const { manifest: mc } = await store.writeSnapshot(makeSnapshot(3));
    expect((await fs.readdir(path.join(dir, 'gen'))).sort()).toEqual([ma.generation, mc.generation, unfinished].sort());
    const { removed } = await store.writeSnapshot(makeSnapshot(3), { graceMs: 0 });
    expect(removed).toEqual([unfinished]);
    expect((await fs.readdir(path.join(dir, 'gen'))).sort()).toEqual([ma.generation, mc.generation].sort());
  });

  it('sweeps the temp files a crashed writer left anywhere in the folder, and nothing else', async () => {
    const { manifest: m } = await store.writeSnapshot(makeSnapshot(1));
    await store.putReadings([{ key: 'K', date: '2024-01-05', generation: m.generation, json: '{}' }]);
    const strays = [
      '.manifest.json.4242.0123456789ab.tmp',
      `gen/${m.generation}/bars/.SPY.bin.4242.0123456789ab.tmp`,
      'readings/K/.2024-01-08.json.77.abcdefabcdef.tmp',
    ];
    for (const stray of strays) await fs.writeFile(path.join(dir, stray), '{"half":');
    const before = (await walk(dir)).filter((n) => !strays.includes(n));
    expect((await store.readManifest())?.generation).toBe(m.generation); // never read
    expect(await store.removeLeftovers()).toBe(3);
    expect(await walk(dir)).toEqual(before);
    expect(await store.removeLeftovers()).toBe(0);
  });

  it('reports a damaged object by name', async () => {
    const { manifest: m } = await store.writeSnapshot(makeSnapshot(1));
    const file = path.join(dir, m.bars.SPY.name);
    const bytes = await fs.readFile(file);
    bytes[bytes.length >> 1] ^= 0x40;
    await fs.writeFile(file, bytes);
    const read = store.readSnapshot();
    await expect(read).rejects.toBeInstanceOf(CorruptObjectError);
    await expect(read).rejects.toMatchObject({ object: m.bars.SPY.name, message: /CRC-32/ });
  });

  it('reports a truncated manifest and refuses a manifest that points outside its generation', async () => {
    const { manifest: m } = await store.writeSnapshot(makeSnapshot(1));
    const manifestFile = path.join(dir, 'manifest.json');
    const text = await fs.readFile(manifestFile, 'utf8');
    await fs.writeFile(manifestFile, text.slice(0, 100));
    await expect(store.readManifest()).rejects.toMatchObject({ object: 'manifest.json', message: /not valid JSON/ });

    const tampered = JSON.parse(text);
    tampered.bars.IWM.name = '../../etc/passwd';
    await fs.writeFile(manifestFile, JSON.stringify(tampered));
    await expect(store.readManifest()).rejects.toThrow(/bars\.IWM names "\.\.\/\.\.\/etc\/passwd"/);
    await expect(store.readSnapshot({ ...m, bars: { IWM: tampered.bars.IWM } })).rejects.toBeInstanceOf(
      CorruptObjectError,
    );
    // A generation's copy must name its own folder.
    await fs.writeFile(
      path.join(dir, 'gen', m.generation, 'manifest.json'),
      JSON.stringify({ ...m, generation: '0'.repeat(16) }),
    );
    await expect(store.readGenerationManifest(m.generation)).rejects.toBeInstanceOf(CorruptObjectError);
  });

  it('turns file-system errors into StoreUnavailableError naming the path and the code', async () => {
    await fs.mkdir(path.join(dir, 'status.json'));
    const write = store.writeStatus({
      lastAttemptAt: null,
      runningSince: null,
      lastSuccessAt: null,
      generation: null,
      lastError: null,
      lastErrorAt: null,
    });
    await expect(write).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(write).rejects.toThrow(
      `fs store: cannot replace ${path.join(path.resolve(dir), 'status.json')}: EISDIR`,
    );
    await expect(store.readStatus()).rejects.toThrow(/EISDIR/);
    expect((await walk(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('stores readings one file per (key, date), so separate writers never share a file', async () => {
    const other = new FsStore({ dir });
    await Promise.all([
      store.putReadings([{ key: 'K', date: '2024-01-05', generation: 'g', json: '"a"' }]),
      other.putReadings([{ key: 'K', date: '2024-01-08', generation: 'g', json: '"b"' }]),
    ]);
    expect(await fs.readdir(path.join(dir, 'readings', 'K'))).toEqual(['2024-01-05.json', '2024-01-08.json']);
    expect((await store.getReading('K', '2024-01-08', 'g'))?.json).toBe('"b"');
    expect((await other.getReading('K', '2024-01-05', 'g'))?.json).toBe('"a"');
  });

  describe('refresh.lock', () => {
    const lockFile = () => path.join(dir, 'refresh.lock');
    const otherHost = (over: Record<string, unknown> = {}) => ({
      id: 'other',
      pid: 4321,
      host: 'elsewhere.example',
      since: new Date(Date.now() - 5000).toISOString(),
      expiresAt: new Date(Date.now() + 55_000).toISOString(),
      ...over,
    });

    it('holds the owner record while held and disappears on release', async () => {
      const { lease } = await store.tryLease();
      const record = JSON.parse(await fs.readFile(lockFile(), 'utf8'));
      expect(record).toEqual({
        id: lease!.info.id,
        pid: process.pid,
        host: os.hostname(),
        since: lease!.info.since,
        expiresAt: lease!.info.expiresAt,
      });
      await lease!.release();
      await expect(fs.stat(lockFile())).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('leaves a live lock of another host alone and names it; takes it over once it has expired', async () => {
      await fs.writeFile(lockFile(), JSON.stringify(otherHost()));
      const busy = await store.tryLease();
      expect(busy.lease).toBeNull();
      expect(busy.holder).toMatchObject({ pid: 4321, host: 'elsewhere.example', abandoned: false });
      const waited = holdLease(store, { waitMs: 0 });
      await expect(waited).rejects.toBeInstanceOf(LeaseBusyError);
      await expect(waited).rejects.toThrow(
        /^another refresh \(pid 4321 on host elsewhere\.example, since [\d-]+T[\d:]+Z\) holds the refresh lease until [\d-]+T[\d:]+Z$/,
      );

      await fs.writeFile(lockFile(), JSON.stringify(otherHost({ expiresAt: new Date(Date.now() - 1).toISOString() })));
      expect((await store.readLease())?.abandoned).toBe(true);
      const { lease } = await store.tryLease();
      expect(lease?.info.pid).toBe(process.pid);
      await lease!.release();
    });

    it('takes over at once from a process of this host that no longer runs', async () => {
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
      const pid = Number(dead.stdout.toString());
      await fs.writeFile(lockFile(), JSON.stringify(otherHost({ pid, host: os.hostname() })));
      expect(await store.readLease()).toMatchObject({ pid, abandoned: true });
      const { lease } = await store.tryLease();
      expect(lease).not.toBeNull();
      await lease!.release();
    });

    it('treats a lock file that does not parse (its owner stopped while writing it) as held for one lease from its mtime', async () => {
      await fs.writeFile(lockFile(), '');
      expect(await store.tryLease()).toMatchObject({
        lease: null,
        holder: { pid: null, host: null, abandoned: false },
      });
      const old = new Date(Date.now() - 61_000);
      await fs.utimes(lockFile(), old, old);
      const { lease } = await store.tryLease();
      expect(lease).not.toBeNull();
      await lease!.release();
    });

    it('makes a second writer on the same folder wait for the first, then proceed', async () => {
      const other = new FsStore({ dir });
      const first = await holdLease(store, { waitMs: 0 });
      const log: string[] = [];
      let second: RefreshLease | null = null;
      const waiting = holdLease(other, { waitMs: 60_000, pollMs: 20, log: (m) => log.push(m) }).then(
        (l) => (second = l),
      );
      while (log.length === 0) await new Promise((r) => setTimeout(r, 10));
      expect(second).toBeNull();
      expect(log[0]).toMatch(
        /^waiting up to 60 s: another refresh \(pid \d+ on host .+\) holds the refresh lease until/,
      );
      await first.release();
      await waiting;
      expect((await store.readLease())?.id).toBe(second!.info.id);
      await second!.release();
    });
  });
});
