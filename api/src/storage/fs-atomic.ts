/**
 * File primitives of the fs store: atomic replacement (temp file in the same folder,
 * fsync, rename) and errors that name the path and the code. Temp names start with "."
 * and end with ".<pid>.<12 hex>.tmp", so a sweep can tell them from data files.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StoreUnavailableError } from './types';

/** A temp file of writeAtomic (or of a lock takeover), wherever it lies in the store. */
export const TEMP_FILE = /^\..+\.\d+\.[0-9a-f]{12}\.tmp$/;

export const errorCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

export function fsError(operation: string, file: string, err: unknown): StoreUnavailableError {
  if (err instanceof StoreUnavailableError) return err;
  const code = errorCode(err) ?? 'unknown error';
  return new StoreUnavailableError(`fs store: cannot ${operation} ${file}: ${code}`, { cause: err });
}

/** A temp name beside `file` (a rename across file systems is not atomic). */
export const tempName = (file: string) =>
  path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);

export async function mkdirs(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (err) {
    throw fsError('create folder', dir, err);
  }
}

/** The file's text, or null when it does not exist. */
export async function readTextOrNull(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null;
    throw fsError('read', file, err);
  }
}

/** Temp file in the same folder, fsync, rename over `file`: readers see the old file or the new one. */
export async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await mkdirs(dir);
  const temp = tempName(file);
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

/** Renames over an existing file. Windows refuses while another process has the target open, so retry there. */
export async function renameOver(from: string, to: string): Promise<void> {
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
 * Makes a rename itself durable (POSIX). Best effort: Windows cannot open a folder for
 * fsync, and the data is already safe in the renamed file either way.
 */
export async function syncFolder(dir: string): Promise<void> {
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

/** Every file under `dir` (recursively) with its mtime; [] when `dir` does not exist. */
export async function listFiles(dir: string): Promise<{ file: string; name: string; mtimeMs: number }[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return [];
    throw fsError('list', dir, err);
  }
  const out: { file: string; name: string; mtimeMs: number }[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    try {
      out.push({ file, name: e.name, mtimeMs: (await fs.stat(file)).mtimeMs });
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw fsError('stat', file, err);
    }
  }
  return out;
}
