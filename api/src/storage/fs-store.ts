/**
 * BarStore on a local folder (the default store):
 *
 *     <dir>/manifest.json                    current manifest
 *     <dir>/status.json                      refresh status
 *     <dir>/refresh.lock                     the refresh lease, while a refresh runs (fs-lock.ts)
 *     <dir>/gen/<generation>/manifest.json   copy of the generation's manifest
 *     <dir>/gen/<generation>/bars/IWM.bin    snapshot objects (codec.ts layout)
 *     <dir>/gen/<generation>/universe.bin
 *     <dir>/gen/<generation>/series/<ID>.bin
 *     <dir>/readings/<key>/<date>.json       one precomputed reading
 *     <dir>/staging/<name>                   a refresh's work in progress (BarStore.putStaging)
 *
 * Every file is written to a temp file in its own folder, fsynced, then renamed over its
 * name (fs-atomic.ts): a rename within one file system is atomic, so a reader (or a crash)
 * sees the old file or the new one, never a torn one. Readers open only names they were
 * given, so temp files are never read; the next refresh sweeps those a crash left.
 *
 * Readings get one file per (key, date) rather than one file per key: two processes writing
 * readings (a timer run and a backfill) then never read-modify-write a shared file, so
 * neither can lose the other's rows, and two writes of the same reading end as one whole
 * file (the last rename wins), which is the upsert the interface asks for.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LockFile } from './fs-lock';
import { TEMP_FILE, errorCode, fsError, listFiles, mkdirs, readTextOrNull, writeAtomic } from './fs-atomic';
import { withLease } from './lease';
import {
  EMPTY_STATUS,
  GENERATION,
  MANIFEST_NAME,
  STATUS_NAME,
  assertReadingId,
  assertStagingName,
  decodeSnapshot,
  decodeUniverse,
  generationManifestName,
  latestReadings,
  mapLimit,
  parseGenerationManifest,
  parseManifest,
  parseStatus,
  publishSnapshot,
  serializeStatus,
  type SnapshotTarget,
} from './snapshot-objects';
import {
  CorruptObjectError,
  type BarStore,
  type GenerationInfo,
  type LeaseAttempt,
  type LeaseInfo,
  type RefreshLease,
  type RefreshStatus,
  type Snapshot,
  type SnapshotManifest,
  type StoredReading,
  type WriteOptions,
  type WriteOutcome,
  type MemberCloses,
  type ReadOptions,
} from './types';

export interface FsStoreOptions {
  dir: string;
}

export const LOCK_NAME = 'refresh.lock';
const READING_CONCURRENCY = 8;

export class FsStore implements BarStore {
  readonly kind = 'fs';
  readonly location: string;
  private readonly dir: string;
  private readonly lock: LockFile;

  private readonly target: SnapshotTarget = {
    readManifest: () => this.readManifest(),
    getObject: async (name) => {
      const file = this.objectPath(name);
      try {
        return await fs.readFile(file);
      } catch (err) {
        if (errorCode(err) === 'ENOENT') return null;
        throw fsError('read', file, err);
      }
    },
    putObject: (name, bytes) => writeAtomic(this.objectPath(name), bytes),
    putManifest: (manifest) => writeAtomic(path.join(this.dir, MANIFEST_NAME), JSON.stringify(manifest)),
    listGenerations: () => this.listGenerations(),
    deleteGeneration: async (generation) => {
      const folder = path.join(this.dir, 'gen', generation);
      // maxRetries covers Windows, where a reader still holding a file makes rm fail with EBUSY.
      await fs.rm(folder, { recursive: true, force: true, maxRetries: 3 }).catch((err) => {
        throw fsError('remove', folder, err);
      });
    },
  };

  constructor(options: FsStoreOptions) {
    this.dir = path.resolve(options.dir);
    this.location = this.dir;
    this.lock = new LockFile(path.join(this.dir, LOCK_NAME));
  }

  async init(): Promise<void> {
    for (const sub of ['gen', 'readings']) await mkdirs(path.join(this.dir, sub));
  }

  async writeSnapshot(snapshot: Snapshot, options: WriteOptions = {}): Promise<WriteOutcome> {
    await mkdirs(this.dir);
    return withLease(this, options.lease, (lease) =>
      publishSnapshot(this.target, snapshot, { lease, graceMs: options.graceMs }),
    );
  }

  async readManifest(): Promise<SnapshotManifest | null> {
    const text = await readTextOrNull(path.join(this.dir, MANIFEST_NAME));
    return text === null ? null : parseManifest(text);
  }

  async listGenerations(): Promise<GenerationInfo[]> {
    const root = path.join(this.dir, 'gen');
    let names: string[];
    try {
      names = (await fs.readdir(root)).filter((g) => GENERATION.test(g));
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return [];
      throw fsError('list', root, err);
    }
    const out: GenerationInfo[] = [];
    for (const generation of names) {
      const files = (await listFiles(path.join(root, generation))).filter((f) => !TEMP_FILE.test(f.name));
      const copy = files.find((f) => f.file === this.objectPath(generationManifestName(generation)));
      const folder = await fs.stat(path.join(root, generation)).catch(() => null);
      out.push({
        generation,
        committedAt: copy?.mtimeMs ?? null,
        lastWriteAt: Math.max(folder?.mtimeMs ?? 0, ...files.map((f) => f.mtimeMs)),
      });
    }
    return out;
  }

  async readGenerationManifest(generation: string): Promise<SnapshotManifest | null> {
    if (!GENERATION.test(generation)) return null;
    const text = await readTextOrNull(this.objectPath(generationManifestName(generation)));
    return text === null ? null : parseGenerationManifest(text, generation);
  }

  async readSnapshot(manifest?: SnapshotManifest, options?: ReadOptions): Promise<Snapshot | null> {
    const m = manifest ?? (await this.readManifest());
    if (!m) return null;
    return decodeSnapshot(m, (name) => this.readObject(name), options);
  }

  readUniverse(manifest: SnapshotManifest): Promise<MemberCloses | null> {
    return decodeUniverse(manifest, (name) => this.readObject(name));
  }

  private async readObject(name: string): Promise<Uint8Array> {
    const file = this.objectPath(name);
    try {
      return await fs.readFile(file);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') {
        throw new CorruptObjectError(name, `is missing from ${this.dir} (its generation was removed or never written)`);
      }
      throw fsError('read', file, err);
    }
  }

  async readStatus(): Promise<RefreshStatus> {
    const text = await readTextOrNull(path.join(this.dir, STATUS_NAME));
    return text === null ? { ...EMPTY_STATUS } : parseStatus(text);
  }

  async writeStatus(status: RefreshStatus): Promise<void> {
    await writeAtomic(path.join(this.dir, STATUS_NAME), serializeStatus(status));
  }

  async putReadings(readings: readonly StoredReading[]): Promise<void> {
    const latest = latestReadings(readings);
    for (const key of new Set(latest.map((r) => r.key))) await mkdirs(this.readingDir(key));
    await mapLimit(latest, READING_CONCURRENCY, (r) => writeAtomic(this.readingPath(r.key, r.date), JSON.stringify(r)));
  }

  async getReading(key: string, date: string, generation: string): Promise<StoredReading | null> {
    assertReadingId(key, date);
    const file = this.readingPath(key, date);
    const text = await readTextOrNull(file);
    if (text === null) return null;
    let stored: StoredReading;
    try {
      stored = JSON.parse(text) as StoredReading;
    } catch (err) {
      throw new CorruptObjectError(file, `is not valid JSON (${(err as Error).message})`);
    }
    if (typeof stored.json !== 'string' || typeof stored.generation !== 'string') {
      throw new CorruptObjectError(file, 'has no string "json" and "generation"');
    }
    return stored.generation === generation ? { key, date, generation, json: stored.json } : null;
  }

  async tryLease(): Promise<LeaseAttempt> {
    await mkdirs(this.dir);
    return this.lock.tryAcquire();
  }

  readLease(): Promise<LeaseInfo | null> {
    return this.lock.read();
  }

  async removeLeftovers(): Promise<number> {
    let removed = 0;
    for (const f of await listFiles(this.dir)) {
      if (!TEMP_FILE.test(f.name)) continue;
      await fs.rm(f.file, { force: true }).catch((err) => {
        throw fsError('remove', f.file, err);
      });
      removed++;
    }
    return removed;
  }

  async putStaging(name: string, bytes: Buffer, lease: RefreshLease): Promise<void> {
    assertStagingName(name);
    await lease.check();
    await mkdirs(this.stagingDir());
    await writeAtomic(path.join(this.stagingDir(), name), bytes);
  }

  async getStaging(name: string): Promise<Buffer | null> {
    assertStagingName(name);
    const file = path.join(this.stagingDir(), name);
    try {
      return await fs.readFile(file);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return null;
      throw fsError('read', file, err);
    }
  }

  async listStaging(): Promise<string[]> {
    try {
      return (await fs.readdir(this.stagingDir())).filter((f) => !TEMP_FILE.test(f)).sort();
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return [];
      throw fsError('list', this.stagingDir(), err);
    }
  }

  async deleteStaging(names: readonly string[], lease: RefreshLease): Promise<void> {
    names.forEach(assertStagingName);
    await lease.check();
    for (const name of names) {
      const file = path.join(this.stagingDir(), name);
      await fs.rm(file, { force: true }).catch((err) => {
        throw fsError('remove', file, err);
      });
    }
  }

  async close(): Promise<void> {}

  private stagingDir(): string {
    return path.join(this.dir, 'staging');
  }

  /** Object names were checked (validateManifest / encodeSnapshot), so joining them cannot leave the folder. */
  private objectPath(name: string): string {
    return path.join(this.dir, ...name.split('/'));
  }

  private readingDir(key: string): string {
    return path.join(this.dir, 'readings', key);
  }

  private readingPath(key: string, date: string): string {
    return path.join(this.readingDir(key), `${date}.json`);
  }
}
