/**
 * The azure store's refresh lease: a blob lease (LEASE_TTL_MS, the 60 s maximum Azure
 * grants, renewable) on the empty blob `refresh.lock`. Azure enforces exclusivity and
 * expiry; the holder's record (owner id, pid, host, since, expiresAt) is the blob's
 * metadata, written under the lease, so a second refresh can say who is running.
 * The blob lease id stays with its holder: it is the key to renew or release the lease.
 */
import { randomUUID } from 'node:crypto';
import type { BlobLeaseClient, BlockBlobClient } from '@azure/storage-blob';
import { LEASE_TTL_MS, lostLease, newLeaseInfo, unknownHolder } from './lease';
import type { HeldLease, LeaseAttempt, LeaseInfo, StoreUnavailableError } from './types';

export const LOCK_BLOB = 'refresh.lock';

const statusOf = (err: unknown): number | undefined => (err as { statusCode?: number } | null)?.statusCode;

/** Metadata values travel as HTTP headers: printable ASCII only. */
const ascii = (text: string) => text.replace(/[^\x21-\x7e]/g, '_');

export class BlobLock {
  constructor(
    private readonly blob: BlockBlobClient,
    readonly fail: (operation: string, err: unknown) => StoreUnavailableError,
  ) {}

  async tryAcquire(): Promise<LeaseAttempt> {
    await this.ensureBlob();
    const client = this.blob.getBlobLeaseClient(randomUUID());
    try {
      await client.acquireLease(LEASE_TTL_MS / 1000);
    } catch (err) {
      // 409 LeaseAlreadyPresent: another holder's lease is live.
      if (statusOf(err) === 409) return { lease: null, holder: await this.read() };
      throw this.fail('acquire the refresh lease', err);
    }
    const info = newLeaseInfo();
    try {
      await this.writeRecord(info, client.leaseId);
    } catch (err) {
      await client.releaseLease().catch(() => undefined);
      throw this.fail('record the refresh lease holder', err);
    }
    return { lease: new BlobLease(this, client, info) };
  }

  /** The holder of a live or lapsed lease; null when the lease is free (released, broken, never taken). */
  async read(): Promise<LeaseInfo | null> {
    let props;
    try {
      props = await this.blob.getProperties();
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw this.fail(`read ${LOCK_BLOB}`, err);
    }
    if (props.leaseState !== 'leased' && props.leaseState !== 'expired') return null;
    const m = props.metadata ?? {};
    const now = Date.now();
    const recorded = typeof m.expiresat === 'string' && Date.parse(m.expiresat) > now;
    if (props.leaseState === 'leased' && !recorded) {
      // Taken a moment ago and its holder has not written its record yet: what is there
      // is the previous holder's. Unknown holder, at most one lease duration to go.
      return unknownHolder(now, now);
    }
    const pid = Number(m.pid);
    return {
      id: m.owner ?? '?',
      pid: Number.isSafeInteger(pid) ? pid : null,
      host: m.host ?? null,
      since: m.since ?? (props.lastModified ?? new Date(now)).toISOString(),
      expiresAt: m.expiresat ?? new Date(now).toISOString(),
      abandoned: props.leaseState === 'expired',
    };
  }

  async writeRecord(info: LeaseInfo, leaseId: string): Promise<void> {
    await this.blob.setMetadata(
      {
        owner: info.id,
        pid: String(info.pid ?? ''),
        host: ascii(info.host ?? '?'),
        since: info.since,
        expiresat: info.expiresAt,
      },
      { conditions: { leaseId } },
    );
  }

  /** The lock blob exists (empty) before its first lease; an existing one, leased or not, is left as it is. */
  private async ensureBlob(): Promise<void> {
    try {
      await this.blob.upload('', 0, { conditions: { ifNoneMatch: '*' } });
    } catch (err) {
      const status = statusOf(err);
      if (status !== 409 && status !== 412) throw this.fail(`create ${LOCK_BLOB}`, err);
    }
  }
}

class BlobLease implements HeldLease {
  constructor(
    private readonly lock: BlobLock,
    private readonly client: BlobLeaseClient,
    readonly info: LeaseInfo,
  ) {}

  async renew(): Promise<void> {
    const now = Date.now();
    try {
      await this.client.renewLease();
    } catch (err) {
      // 409: the lease id no longer holds the blob (it lapsed and was taken, or was broken).
      if (statusOf(err) === 409) throw lostLease(this.info, await this.lock.read().catch(() => null));
      throw this.lock.fail('renew the refresh lease', err);
    }
    this.info.expiresAt = new Date(now + LEASE_TTL_MS).toISOString();
    await this.lock.writeRecord(this.info, this.client.leaseId);
  }

  async release(): Promise<void> {
    await this.client.releaseLease().catch((err) => {
      if (statusOf(err) !== 409) throw this.lock.fail('release the refresh lease', err);
    });
  }
}
