/**
 * BarStore in process memory, for tests and sample-only runs. It keeps the stored form
 * (encoded objects, manifest and status as JSON text) rather than the caller's objects, so
 * it goes through the same encode/check/decode path as the durable stores and a caller that
 * mutates what it wrote or read cannot change what the store holds.
 */
import {
  EMPTY_STATUS,
  assertReadingId,
  decodeSnapshot,
  latestReadings,
  objectGeneration,
  parseManifest,
  parseStatus,
  publishSnapshot,
  serializeStatus,
  type SnapshotTarget,
} from './snapshot-objects';
import {
  CorruptObjectError,
  type BarStore,
  type RefreshStatus,
  type Snapshot,
  type SnapshotManifest,
  type StoredReading,
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
  private readonly objects = new Map<string, { bytes: Buffer; version: number }>();
  private manifestText: string | null = null;
  private statusText: string | null = null;
  private readonly readings = new Map<string, string>();
  private writes = 0;

  private readonly target: SnapshotTarget = {
    readManifest: () => this.readManifest(),
    // No copy: encodeSnapshot made these buffers for this write and nothing else holds them.
    putObject: async (name, bytes) => {
      this.objects.set(name, { bytes, version: ++this.writes });
    },
    putManifest: async (manifest) => {
      this.manifestText = JSON.stringify(manifest);
    },
    listGenerations: async () => [
      ...new Set([...this.objects.keys()].map(objectGeneration).filter((g): g is string => g !== null)),
    ],
    deleteGeneration: async (generation) => {
      for (const name of [...this.objects.keys()]) {
        if (objectGeneration(name) === generation) this.objects.delete(name);
      }
    },
  };

  async init(): Promise<void> {}

  writeSnapshot(snapshot: Snapshot): Promise<SnapshotManifest> {
    return publishSnapshot(this.target, snapshot);
  }

  async readManifest(): Promise<SnapshotManifest | null> {
    return this.manifestText === null ? null : parseManifest(this.manifestText);
  }

  async readSnapshot(manifest?: SnapshotManifest): Promise<Snapshot | null> {
    const m = manifest ?? (await this.readManifest());
    if (!m) return null;
    return decodeSnapshot(m, async (name) => {
      const stored = this.objects.get(name);
      if (!stored) throw new CorruptObjectError(name, 'is missing (its generation was removed or never written)');
      // A copy, so the returned arrays are the caller's own, as with the other stores.
      return Buffer.from(stored.bytes);
    });
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

  async close(): Promise<void> {}

  /** The stored objects, by name (diagnostics and tests). */
  listObjects(): MemoryObjectInfo[] {
    return [...this.objects].map(([name, o]) => ({ name, bytes: o.bytes.length, version: o.version }));
  }

  /** Number of stored readings (diagnostics and tests). */
  get readingCount(): number {
    return this.readings.size;
  }
}
