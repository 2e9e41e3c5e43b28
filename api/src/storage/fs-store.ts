/**
 * BarStore on a local folder (the default store):
 *
 *     <dir>/manifest.json                    current manifest
 *     <dir>/status.json                      refresh status
 *     <dir>/gen/<generation>/bars/IWM.bin    snapshot objects (codec.ts layout)
 *     <dir>/gen/<generation>/universe.bin
 *     <dir>/gen/<generation>/series/<ID>.bin
 *     <dir>/readings/<key>/<date>.json       one precomputed reading
 *
 * Every file is written to a temp file in its own folder, fsynced, then renamed over its
 * name: a rename within one file system is atomic, so a reader (or a crash) sees the old
 * file or the new one, never a torn one. Temp names start with "." and end with ".tmp", and
 * readers open only names they were given, so temp files are never read.
 *
 * Readings get one file per (key, date) rather than one file per key: two processes writing
 * readings (a timer run and a backfill) then never read-modify-write a shared file, so
 * neither can lose the other's rows, and two writes of the same reading end as one whole
 * file (the last rename wins), which is the upsert the interface asks for.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  EMPTY_STATUS,
  GENERATION,
  MANIFEST_NAME,
  STATUS_NAME,
  assertReadingId,
  decodeSnapshot,
  latestReadings,
  mapLimit,
  parseManifest,
  parseStatus,
  publishSnapshot,
  serializeStatus,
  type SnapshotTarget,
} from './snapshot-objects';
import {
  CorruptObjectError,
  StoreUnavailableError,
  type BarStore,
  type RefreshStatus,
  type Snapshot,
  type SnapshotManifest,
  type StoredReading,
} from './types';

export interface FsStoreOptions {
  dir: string;
}

const TEMP_FILE = /^\..+\.\d+\.[0-9a-f]{12}\.tmp$/;
/** Temp files older than this are left-overs of a crashed writer and are removed on the next snapshot write. */
const STALE_TEMP_MS = 60 * 60 * 1000;
const READING_CONCURRENCY = 8;

const errorCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

export class FsStore implements BarStore {
  readonly kind = 'fs';
  readonly location: string;
  private readonly dir: string;

  private readonly target: SnapshotTarget = {
    readManifest: () => this.readManifest(),
    putObject: (name, bytes) => this.writeAtomic(this.objectPath(name), bytes),
    putManifest: (manifest) => this.writeAtomic(path.join(this.dir, MANIFEST_NAME), JSON.stringify(manifest)),
    listGenerations: async () => {
      const gen = path.join(this.dir, 'gen');
      try {
        return (await fs.readdir(gen)).filter((g) => GENERATION.test(g));
      } catch (err) {
        if (errorCode(err) === 'ENOENT') return [];
        throw fsError('list', gen, err);
      }
    },
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
  }

  async init(): Promise<void> {
    for (const sub of ['gen', 'readings']) await this.mkdir(path.join(this.dir, sub));
  }

  async writeSnapshot(snapshot: Snapshot): Promise<SnapshotManifest> {
    await this.mkdir(this.dir);
    const manifest = await publishSnapshot(this.target, snapshot);
    await this.removeStaleTemps();
    return manifest;
  }

  async readManifest(): Promise<SnapshotManifest | null> {
    const text = await this.readText(path.join(this.dir, MANIFEST_NAME));
    return text === null ? null : parseManifest(text);
  }

  async readSnapshot(manifest?: SnapshotManifest): Promise<Snapshot | null> {
    const m = manifest ?? (await this.readManifest());
    if (!m) return null;
    return decodeSnapshot(m, async (name) => {
      const file = this.objectPath(name);
      try {
        return await fs.readFile(file);
      } catch (err) {
        if (errorCode(err) === 'ENOENT') {
          throw new CorruptObjectError(
            name,
            `is missing from ${this.dir} (its generation was removed or never written)`,
          );
        }
        throw fsError('read', file, err);
      }
    });
  }

  async readStatus(): Promise<RefreshStatus> {
    const text = await this.readText(path.join(this.dir, STATUS_NAME));
    return text === null ? { ...EMPTY_STATUS } : parseStatus(text);
  }

  async writeStatus(status: RefreshStatus): Promise<void> {
    await this.mkdir(this.dir);
    await this.writeAtomic(path.join(this.dir, STATUS_NAME), serializeStatus(status));
  }

  async putReadings(readings: readonly StoredReading[]): Promise<void> {
    const latest = latestReadings(readings);
    for (const key of new Set(latest.map((r) => r.key))) await this.mkdir(this.readingDir(key));
    await mapLimit(latest, READING_CONCURRENCY, (r) =>
      this.writeAtomic(this.readingPath(r.key, r.date), JSON.stringify(r)),
    );
  }

  async getReading(key: string, date: string, generation: string): Promise<StoredReading | null> {
    assertReadingId(key, date);
    const file = this.readingPath(key, date);
    const text = await this.readText(file);
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

  async close(): Promise<void> {}

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

  private async mkdir(dir: string): Promise<void> {
    try {
      await fs.mkdir(dir, { recursive: true });
    } catch (err) {
      throw fsError('create folder', dir, err);
    }
  }

  /** The file's text, or null when it does not exist. */
  private async readText(file: string): Promise<string | null> {
    try {
      return await fs.readFile(file, 'utf8');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return null;
      throw fsError('read', file, err);
    }
  }

  /** Temp file in the same folder (a rename across file systems is not atomic), fsync, rename. */
  private async writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
    const dir = path.dirname(file);
    await this.mkdir(dir);
    const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    let step = 'write';
    try {
      const handle = await fs.open(temp, 'wx');
      try {
        await handle.writeFile(data);
        // Without the fsync a crash soon after the rename can leave the new name pointing
        // at a file whose data never reached the disk.
        await handle.sync();
      } finally {
        await handle.close();
      }
      step = 'replace';
      await renameOver(temp, file);
    } catch (err) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw fsError(step, file, err);
    }
    await syncFolder(dir);
  }

  private async removeStaleTemps(): Promise<void> {
    try {
      const now = Date.now();
      for (const name of await fs.readdir(this.dir)) {
        if (!TEMP_FILE.test(name)) continue;
        const file = path.join(this.dir, name);
        const stat = await fs.stat(file);
        if (now - stat.mtimeMs > STALE_TEMP_MS) await fs.rm(file, { force: true });
      }
    } catch {
      // Housekeeping only; a left-over temp file is harmless (nothing reads it).
    }
  }
}

/** Renames over an existing file. Windows refuses while another process has the target open, so retry there. */
async function renameOver(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rename(from, to);
      return;
    } catch (err) {
      const code = errorCode(err);
      const transient = process.platform === 'win32' && (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY');
      if (!transient || attempt >= 8) throw err;
      await new Promise((resolve) => setTimeout(resolve, 25 * (attempt + 1)));
    }
  }
}

/**
 * Makes the rename itself durable (POSIX). Best effort: Windows cannot open a folder for
 * fsync, and the data is already safe in the renamed file either way.
 */
async function syncFolder(dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // See above.
  }
}

function fsError(operation: string, file: string, err: unknown): StoreUnavailableError {
  if (err instanceof StoreUnavailableError) return err;
  const code = errorCode(err) ?? 'unknown error';
  return new StoreUnavailableError(`fs store: cannot ${operation} ${file}: ${code}`, { cause: err });
}
