/**
 * The fs store's refresh lease: a lock file (`<dir>/refresh.lock`) holding its owner's
 * record as JSON (id, pid, host, since, expiresAt).
 *
 * - Taken atomically: open(..., 'wx') creates the file only when none exists.
 * - Renewed by its owner (a new record renamed over it) while it has not expired.
 * - Taken over only when it has expired, or its owner is a process of this host that no
 *   longer runs (a killed refresh need not block the next one for a whole lease). The
 *   takeover renames the old file away first; as two writers may race for the same stale
 *   lock, the one whose renamed file is not the record it judged puts it back.
 * - A file that does not parse (its owner was stopped between creating and writing it)
 *   counts as held until its mtime plus the lease duration.
 */
import { promises as fs } from 'node:fs';
import { holderDied, leaseLapsed, newLeaseInfo, renewedExpiry, unknownHolder } from './lease';
import { errorCode, fsError, readTextOrNull, tempName, writeAtomic } from './fs-atomic';
import type { HeldLease, LeaseAttempt, LeaseInfo } from './types';

interface LockRecord {
  info: LeaseInfo;
  /** The file's text, to tell whether the file was replaced since it was read. */
  text: string;
}

function parseRecord(text: string, mtimeMs: number): LeaseInfo {
  try {
    const v = JSON.parse(text) as Partial<LeaseInfo>;
    if (typeof v.id === 'string' && typeof v.since === 'string' && typeof v.expiresAt === 'string') {
      const info: LeaseInfo = {
        id: v.id,
        pid: Number.isSafeInteger(v.pid) ? (v.pid as number) : null,
        host: typeof v.host === 'string' ? v.host : null,
        since: v.since,
        expiresAt: v.expiresAt,
        abandoned: false,
      };
      info.abandoned = holderDied(info) || leaseLapsed(info);
      return info;
    }
  } catch {
    // Falls through: an unreadable record.
  }
  return unknownHolder(mtimeMs);
}

const serialize = (info: LeaseInfo) =>
  JSON.stringify({ id: info.id, pid: info.pid, host: info.host, since: info.since, expiresAt: info.expiresAt });

export class LockFile {
  constructor(readonly file: string) {}

  /** The lock's record, or null when there is no lock file. */
  async read(): Promise<LeaseInfo | null> {
    return (await this.readRecord())?.info ?? null;
  }

  async tryAcquire(): Promise<LeaseAttempt> {
    // A few rounds: the file can vanish or be taken over between our steps.
    for (let round = 0; round < 3; round++) {
      const info = newLeaseInfo();
      if (await this.create(info)) return { lease: new FsLease(this, info) };
      const held = await this.readRecord();
      if (!held) continue;
      if (!held.info.abandoned) return { lease: null, holder: held.info };
      if (!(await this.takeOver(held))) return { lease: null, holder: await this.read() };
    }
    return { lease: null, holder: await this.read() };
  }

  /** Creates the lock file with `info`; false when one exists. */
  private async create(info: LeaseInfo): Promise<boolean> {
    let handle;
    try {
      handle = await fs.open(this.file, 'wx');
    } catch (err) {
      if (errorCode(err) === 'EEXIST') return false;
      throw fsError('create', this.file, err);
    }
    try {
      await handle.writeFile(serialize(info));
      await handle.sync();
    } catch (err) {
      await handle.close().catch(() => undefined);
      await fs.rm(this.file, { force: true }).catch(() => undefined);
      throw fsError('write', this.file, err);
    }
    await handle.close();
    return true;
  }

  /** Removes the stale lock `held`; false when the file turned out to be another, live one (restored). */
  private async takeOver(held: LockRecord): Promise<boolean> {
    const aside = tempName(this.file);
    try {
      await fs.rename(this.file, aside);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return true; // someone removed it already
      throw fsError('take over', this.file, err);
    }
    const moved = await readTextOrNull(aside);
    if (moved !== null && moved !== held.text) {
      // Another writer replaced the stale lock between our read and our rename: put theirs
      // back (link fails if yet another lock appeared meanwhile; its owner's renewal then
      // finds its lease gone and stops before committing).
      await fs.link(aside, this.file).catch(() => undefined);
      await fs.rm(aside, { force: true });
      return false;
    }
    await fs.rm(aside, { force: true });
    return true;
  }

  async readRecord(): Promise<LockRecord | null> {
    let text: string;
    let mtimeMs: number;
    try {
      const handle = await fs.open(this.file, 'r');
      try {
        text = await handle.readFile('utf8');
        mtimeMs = (await handle.stat()).mtimeMs;
      } finally {
        await handle.close();
      }
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return null;
      throw fsError('read', this.file, err);
    }
    return { info: parseRecord(text, mtimeMs), text };
  }

  /** Replaces the record of a lease we hold (atomically, so a reader never sees half of it). */
  async rewrite(info: LeaseInfo): Promise<void> {
    await writeAtomic(this.file, serialize(info));
  }

  async remove(): Promise<void> {
    await fs.rm(this.file, { force: true }).catch((err) => {
      throw fsError('remove', this.file, err);
    });
  }
}

class FsLease implements HeldLease {
  constructor(
    private readonly lock: LockFile,
    readonly info: LeaseInfo,
  ) {}

  async renew(): Promise<void> {
    const expiresAt = renewedExpiry(this.info, await this.lock.read());
    await this.lock.rewrite({ ...this.info, expiresAt });
    this.info.expiresAt = expiresAt;
  }

  async release(): Promise<void> {
    if ((await this.lock.read())?.id === this.info.id) await this.lock.remove();
  }
}
