/**
 * BarStore in process memory, for tests and sample-only runs. It keeps the stored form
 * (encoded objects, manifest and status as JSON text) rather than the caller's objects, so
 * it goes through the same encode/check/decode path as the durable stores and a caller that
 * mutates what it wrote or read cannot change what the store holds. Its refresh lease is an
 * in-process lock with the same expiry rules as the others.
 */
import { leaseLapsed, newLeaseInfo, renewedExpiry, withLease } from './lease';
import {
  EMPTY_STATUS,
  MANIFEST_NAME,
  assertReadingId,
  assertStagingName,
  decodeSnapshot,
  decodeUniverse,
  generationManifestName,
  latestReadings,
  objectGeneration,
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
  type HeldLease,
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

/** A stored object as listObjects reports it; `version` rises on every write, for tests. */
export interface MemoryObjectInfo {
  name: string;
  bytes: number;
  version: number;
}

export class MemoryStore implements BarStore {
  readonly kind = 'memory';
  readonly location = 'memory';
  private readonly objects = new Map<string, { bytes: Buffer; version: number; at: number }>();
  private manifestText: string | null = null;
  private statusText: string | null = null;
  private readonly readings = new Map<string, string>();
  private writes = 0;
  private holder: LeaseInfo | null = null;
  private readonly staging = new Map<string, Buffer>();

  private readonly target: SnapshotTarget = {
    readManifest: () => this.readManifest(),
    getObject: async (name) => {
      const stored = this.objects.get(name);
      return stored ? Buffer.from(stored.bytes) : null;
    },
    // No copy: encodeSnapshot made these buffers for this write and nothing else holds them.
    putObject: async (name, bytes) => {
      this.objects.set(name, { bytes, version: ++this.writes, at: Date.now() });
    },
    putManifest: async (manifest) => {
      this.manifestText = JSON.stringify(manifest);
    },
    listGenerations: () => this.listGenerations(),
    deleteGeneration: async (generation) => {
      for (const name of [...this.objects.keys()]) {
        if (objectGeneration(name) === generation) this.objects.delete(name);
      }
    },
  };

  async init(): Promise<void> {}

  writeSnapshot(snapshot: Snapshot, options: WriteOptions = {}): Promise<WriteOutcome> {
    return withLease(this, options.lease, (lease) =>
      publishSnapshot(this.target, snapshot, { lease, graceMs: options.graceMs }),
    );
  }

  async readManifest(): Promise<SnapshotManifest | null> {
    return this.manifestText === null ? null : parseManifest(this.manifestText);
  }

  async listGenerations(): Promise<GenerationInfo[]> {
    const byGeneration = new Map<string, GenerationInfo>();
    for (const [name, o] of this.objects) {
      const generation = objectGeneration(name);
      if (!generation) continue;
      const info = byGeneration.get(generation) ?? { generation, committedAt: null, lastWriteAt: 0 };
      info.lastWriteAt = Math.max(info.lastWriteAt, o.at);
      if (name === generationManifestName(generation)) info.committedAt = o.at;
      byGeneration.set(generation, info);
    }
    return [...byGeneration.values()];
  }

  async readGenerationManifest(generation: string): Promise<SnapshotManifest | null> {
    const stored = this.objects.get(generationManifestName(generation));
    return stored ? parseGenerationManifest(stored.bytes.toString('utf8'), generation) : null;
  }

  async readSnapshot(manifest?: SnapshotManifest, options?: ReadOptions): Promise<Snapshot | null> {
    const m = manifest ?? (await this.readManifest());
    if (!m) return null;
    return decodeSnapshot(m, async (name) => this.readObject(name), options);
  }

  readUniverse(manifest: SnapshotManifest): Promise<MemberCloses | null> {
    return decodeUniverse(manifest, async (name) => this.readObject(name));
  }

  private readObject(name: string): Uint8Array {
    const stored = this.objects.get(name);
    if (!stored) throw new CorruptObjectError(name, 'is missing (its generation was removed or never written)');
    // A copy, so the returned arrays are the caller's own, as with the other stores.
    return Buffer.from(stored.bytes);
  }

  async readStatus(): Promise<RefreshStatus> {
    return this.statusText === null ? { ...EMPTY_STATUS } : parseStatus(this.statusText);
  }

  async writeStatus(status: RefreshStatus): Promise<void> {
    this.statusText = serializeStatus(status);
  }

  async putReadings(readings: readonly StoredReading[]): Promise<void> {
    for (const r of latestReadings(readings)) {
      this.readings.set(`${r.key}\n${r.date}`, JSON.stringify({ generation: r.generation, json: r.json }));
    }
  }

  async getReading(key: string, date: string, generation: string): Promise<StoredReading | null> {
    assertReadingId(key, date);
    const text = this.readings.get(`${key}\n${date}`);
    if (text === undefined) return null;
    const stored = JSON.parse(text) as { generation: string; json: string };
    return stored.generation === generation ? { key, date, generation, json: stored.json } : null;
  }

  async tryLease(): Promise<LeaseAttempt> {
    // Check and take in one synchronous step: no other caller can run in between.
    const current = this.currentHolder();
    if (current && !current.abandoned) return { lease: null, holder: current };
    const info = newLeaseInfo();
    this.holder = { ...info };
    return { lease: this.heldLease(info) };
  }

  async readLease(): Promise<LeaseInfo | null> {
    return this.currentHolder();
  }

  private currentHolder(): LeaseInfo | null {
    return this.holder && { ...this.holder, abandoned: leaseLapsed(this.holder) };
  }

  async removeLeftovers(): Promise<number> {
    return 0; // nothing is ever half-written here
  }

  async putStaging(name: string, bytes: Buffer, lease: RefreshLease): Promise<void> {
    assertStagingName(name);
    await lease.check();
    this.staging.set(name, Buffer.from(bytes));
  }

  async getStaging(name: string): Promise<Buffer | null> {
    assertStagingName(name);
    const bytes = this.staging.get(name);
    return bytes === undefined ? null : Buffer.from(bytes);
  }

  async listStaging(): Promise<string[]> {
    return [...this.staging.keys()].sort();
  }

  async deleteStaging(names: readonly string[], lease: RefreshLease): Promise<void> {
    names.forEach(assertStagingName);
    await lease.check();
    for (const name of names) this.staging.delete(name);
  }

  async close(): Promise<void> {}

  private heldLease(info: LeaseInfo): HeldLease {
    return {
      info,
      renew: async () => {
        info.expiresAt = renewedExpiry(info, this.holder);
        this.holder = { ...info };
      },
      release: async () => {
        if (this.holder?.id === info.id) this.holder = null;
      },
    };
  }

  /** The stored objects, by name (diagnostics and tests). */
  listObjects(): MemoryObjectInfo[] {
    return [...this.objects].map(([name, o]) => ({ name, bytes: o.bytes.length, version: o.version }));
  }

  /** Number of stored readings (diagnostics and tests). */
  get readingCount(): number {
    return this.readings.size;
  }

  /** Raw bytes under a store name ("manifest.json", "gen/..."), or null (tests). */
  readRaw(name: string): Buffer | null {
    if (name === MANIFEST_NAME) return this.manifestText === null ? null : Buffer.from(this.manifestText);
    const stored = this.objects.get(name);
    return stored ? Buffer.from(stored.bytes) : null;
  }

  /** Replaces (null: deletes) what is stored under a name behind the store's back, as damage would (tests). */
  writeRaw(name: string, bytes: Buffer | null): void {
    if (name === MANIFEST_NAME) this.manifestText = bytes === null ? null : bytes.toString('utf8');
    else if (bytes === null) this.objects.delete(name);
    else this.objects.set(name, { bytes: Buffer.from(bytes), version: ++this.writes, at: Date.now() });
  }

  /** Makes the lease lapse, as when its holder stops renewing it (tests). */
  expireLease(): void {
    if (this.holder) this.holder = { ...this.holder, expiresAt: new Date(Date.now() - 1).toISOString() };
  }
}
