import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorruptObjectError, FsStore, StoreUnavailableError, createStore } from '../../api/src/storage';
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
  return {
    store,
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
    const m = await store.writeSnapshot(makeSnapshot(1));
    await store.writeStatus({ ...(await store.readStatus()), generation: m.generation });
    await store.putReadings([{ key: 'IWM-SPY-ab', date: '2024-01-05', generation: m.generation, json: '{}' }]);
    expect(await walk(dir)).toEqual(
      [
        `gen/${m.generation}/bars/IWM.bin`,
        `gen/${m.generation}/bars/SPY.bin`,
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
    const ma = await store.writeSnapshot(a);
    const rename = fs.rename.bind(fs);
    jest.spyOn(fs, 'rename').mockImplementation(async (from, to) => {
      if (String(to).endsWith('manifest.json')) throw Object.assign(new Error('simulated crash'), { code: 'EIO' });
      return rename(from, to);
    });
    const failed = store.writeSnapshot(makeSnapshot(2));
    await expect(failed).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(failed).rejects.toThrow(`${path.join(path.resolve(dir), 'manifest.json')}: EIO`);
    jest.restoreAllMocks();

    expect((await store.readManifest())?.generation).toBe(ma.generation);
    expectSameSnapshot(await store.readSnapshot(), a);
    expect((await walk(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps the previous snapshot when an object write fails half way, and leaves no temp file', async () => {
    const a = makeSnapshot(1);
    const ma = await store.writeSnapshot(a);
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

    // The next successful write cleans up behind the failed one: only A (previous) and C remain.
    const mc = await store.writeSnapshot(makeSnapshot(3));
    expect(await fs.readdir(path.join(dir, 'gen'))).toEqual([ma.generation, mc.generation].sort());
  });

  it('ignores a crashed writer’s temp file and removes it once it is stale', async () => {
    const ma = await store.writeSnapshot(makeSnapshot(1));
    const stray = path.join(dir, '.manifest.json.4242.0123456789ab.tmp');
    await fs.writeFile(stray, '{"half":');
    expect((await store.readManifest())?.generation).toBe(ma.generation);
    await store.writeSnapshot(makeSnapshot(2));
    expect((await fs.readdir(dir)).includes(path.basename(stray))).toBe(true); // fresh: may be in use
    const hoursAgo = new Date(Date.now() - 2 * 3600_000);
    await fs.utimes(stray, hoursAgo, hoursAgo);
    await store.writeSnapshot(makeSnapshot(3));
    expect((await fs.readdir(dir)).includes(path.basename(stray))).toBe(false);
  });

  it('reports a damaged object by name', async () => {
    const m = await store.writeSnapshot(makeSnapshot(1));
    const file = path.join(dir, m.bars.SPY.name);
    const bytes = await fs.readFile(file);
    bytes[bytes.length >> 1] ^= 0x40;
    await fs.writeFile(file, bytes);
    const read = store.readSnapshot();
    await expect(read).rejects.toBeInstanceOf(CorruptObjectError);
    await expect(read).rejects.toMatchObject({ object: m.bars.SPY.name, message: /CRC-32/ });
  });

  it('reports a truncated manifest and refuses a manifest that points outside its generation', async () => {
    const m = await store.writeSnapshot(makeSnapshot(1));
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
  });

  it('turns file-system errors into StoreUnavailableError naming the path and the code', async () => {
    await fs.mkdir(path.join(dir, 'status.json'));
    const write = store.writeStatus({
      lastAttemptAt: null,
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
});
