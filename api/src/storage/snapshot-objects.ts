/**
 * What every store shares: how a Snapshot becomes named, checksummed objects plus a
 * manifest, how it comes back, and the write protocol (objects, then manifest, then
 * clean-up). Stores differ only in how they put, get, list and delete bytes, so the
 * semantics (same data = same generation = no write; keep the previous generation for
 * readers still on it) live here once.
 *
 * Object names: gen/<generation>/bars/<SYMBOL>.bin, gen/<generation>/universe.bin,
 * gen/<generation>/series/<ID>.bin, gen/<generation>/membership.bin (the dated holdings
 * lists: JSON in the codec's self-checking container), and gen/<generation>/manifest.json, a copy of the
 * manifest that finds the generation when the top manifest.json is damaged. A generation is
 * content-addressed, so its objects never change once written and a reader holding an old
 * manifest reads exactly what it named.
 */
import { createHash } from 'node:crypto';
import { formatDay, parseIsoDay } from '../engine/dates';
import type { BarColumns } from '../engine/types';
import {
  decodeBars,
  decodeMembers,
  decodeMembership,
  decodeSeries,
  encodeBars,
  encodeMembers,
  encodeMembership,
  encodeSeries,
  objectCrc32Hex,
} from './codec';
import { GC_GRACE_MS } from './lease';
import {
  CorruptObjectError,
  type GenerationInfo,
  type MemberCloses,
  type MembershipList,
  type ObjectRef,
  type ReadOptions,
  type RefreshLease,
  type RefreshStatus,
  type Snapshot,
  type SnapshotManifest,
  type StoredReading,
  type ValueSeries,
  type WriteOutcome,
} from './types';

export const MANIFEST_NAME = 'manifest.json';
export const STATUS_NAME = 'status.json';
/** Names of staged objects (BarStore.putStaging): one path segment, so no store can be led outside its staging area. */
export const STAGING_ID = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export function assertStagingName(name: string): void {
  if (typeof name !== 'string' || !STAGING_ID.test(name) || name.includes('..')) {
    throw new RangeError(
      `staging name ${JSON.stringify(name)} is not 1-100 of a-z 0-9 . _ - (starting with a-z or 0-9)`,
    );
  }
}

/**
 * Symbols and series ids become parts of object names (file names, blob names): nothing
 * else may. Tickers are at most 15 characters, FRED ids (IWM_FRED_SERIES) at most 32.
 */
export const OBJECT_ID = /^[A-Z0-9][A-Z0-9.^_-]{0,31}$/;
/** sha256 hex truncated to 16 digits: 64 bits is plenty to tell a handful of live generations apart. */
export const GENERATION = /^[0-9a-f]{16}$/;
/**
 * Reading keys become a folder name (fs) or a PartitionKey (Table storage, which forbids
 * / \ # ? and control characters), so only a conservative set is accepted.
 */
export const READING_KEY = /^[A-Za-z0-9][A-Za-z0-9._^=-]{0,199}$/;

export const EMPTY_STATUS: RefreshStatus = Object.freeze({
  lastAttemptAt: null,
  runningSince: null,
  lastSuccessAt: null,
  generation: null,
  lastError: null,
  lastErrorAt: null,
});

/** One object to store under `name`. */
export interface SnapshotObject {
  name: string;
  bytes: Buffer;
}

export interface EncodedSnapshot {
  manifest: SnapshotManifest;
  objects: SnapshotObject[];
}

export function assertObjectId(id: string, what: string): void {
  if (!OBJECT_ID.test(id)) {
    throw new RangeError(
      `${what} ${JSON.stringify(id)} cannot name a stored object (expected 1-15 of A-Z 0-9 . ^ _ -, starting with A-Z or 0-9)`,
    );
  }
}

const barsName = (generation: string, symbol: string) => `gen/${generation}/bars/${symbol}.bin`;
const universeName = (generation: string) => `gen/${generation}/universe.bin`;
const seriesName = (generation: string, id: string) => `gen/${generation}/series/${id}.bin`;
const membershipName = (generation: string) => `gen/${generation}/membership.bin`;
/** The copy of a generation's manifest inside the generation. */
export const generationManifestName = (generation: string) => `gen/${generation}/${MANIFEST_NAME}`;

/** The generation a stored object belongs to ("gen/<g>/..."), or null for anything else. */
export function objectGeneration(name: string): string | null {
  const m = /^gen\/([^/]+)\//.exec(name);
  return m && GENERATION.test(m[1]) ? m[1] : null;
}

/**
 * Encodes a snapshot into its objects and manifest. The generation hashes the source (its
 * name and, when the notes carry one, its `sourceKey`) and every object's role ("bars/IWM")
 * and bytes, in sorted order, but not createdAt or the other notes: a refresh that fetched
 * the same data at another time is recognised as a no-op, while the same bytes from another
 * configured source (another csv folder) are another generation, whose manifest and copy
 * name that source.
 */
export function encodeSnapshot(snapshot: Snapshot): EncodedSnapshot {
  const symbols = Object.keys(snapshot.bars).sort();
  const seriesIds = Object.keys(snapshot.series).sort();
  symbols.forEach((s) => assertObjectId(s, 'symbol'));
  seriesIds.forEach((id) => assertObjectId(id, 'series id'));

  // Role names do not contain the generation (it is not known yet); names are built after.
  const parts: { role: string; bytes: Buffer }[] = [];
  for (const s of symbols) parts.push({ role: `bars/${s}`, bytes: encodeBars(snapshot.bars[s]) });
  if (snapshot.universe) parts.push({ role: 'universe', bytes: encodeMembers(snapshot.universe) });
  for (const id of seriesIds) parts.push({ role: `series/${id}`, bytes: encodeSeries(snapshot.series[id]) });
  const membership = snapshot.membership ?? [];
  if (membership.length > 0) parts.push({ role: 'membership', bytes: encodeMembership(membership) });

  const hash = createHash('sha256');
  // Lengths are hashed before each variable part so no two different inputs concatenate alike.
  const field = (text: string) => hash.update(`${Buffer.byteLength(text)}:${text};`);
  field('iwm-snapshot/1');
  field(snapshot.source);
  const key = snapshot.notes.sourceKey;
  if (typeof key === 'string') field(`sourceKey:${key}`);
  for (const p of parts) {
    field(p.role);
    field(String(p.bytes.length));
    hash.update(p.bytes);
  }
  const generation = hash.digest('hex').slice(0, 16);

  const ref = (name: string, bytes: Buffer): ObjectRef => ({ name, bytes: bytes.length, crc32: objectCrc32Hex(bytes) });
  const objects: SnapshotObject[] = [];
  const manifest: SnapshotManifest = {
    formatVersion: 1,
    generation,
    source: snapshot.source,
    createdAt: snapshot.createdAt,
    bars: {},
    universe: null,
    series: {},
    notes: snapshot.notes,
    lastBarDates: {},
  };
  let i = 0;
  for (const s of symbols) {
    const { bytes } = parts[i++];
    const name = barsName(generation, s);
    manifest.bars[s] = ref(name, bytes);
    objects.push({ name, bytes });
    const dates = snapshot.bars[s].dates;
    if (dates.length > 0) manifest.lastBarDates[s] = formatDay(dates[dates.length - 1]);
  }
  if (snapshot.universe) {
    const { bytes } = parts[i++];
    const name = universeName(generation);
    manifest.universe = ref(name, bytes);
    objects.push({ name, bytes });
  }
  for (const id of seriesIds) {
    const { bytes } = parts[i++];
    const name = seriesName(generation, id);
    manifest.series[id] = ref(name, bytes);
    objects.push({ name, bytes });
  }
  if (membership.length > 0) {
    const { bytes } = parts[i];
    const name = membershipName(generation);
    manifest.membership = ref(name, bytes);
    objects.push({ name, bytes });
  }
  return { manifest, objects };
}

/**
 * Throws CorruptObjectError unless `bytes` has the length and CRC-32 the manifest recorded
 * (see objectCrc32Hex for which bytes the CRC covers).
 */
export function checkObject(ref: ObjectRef, bytes: Uint8Array): void {
  if (bytes.length !== ref.bytes) {
    throw new CorruptObjectError(ref.name, `${bytes.length} bytes, the manifest says ${ref.bytes}`);
  }
  const crc = objectCrc32Hex(bytes);
  if (crc !== ref.crc32) {
    throw new CorruptObjectError(ref.name, `CRC-32 ${crc}, the manifest says ${ref.crc32}`);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a manifest's shape, including that every object name is exactly the one its role
 * and generation imply: a manifest can then never point a store outside its own objects
 * (no "../", no other generation).
 */
export function validateManifest(value: unknown, name = MANIFEST_NAME): SnapshotManifest {
  const fail = (reason: string): never => {
    throw new CorruptObjectError(name, reason);
  };
  if (!isRecord(value)) return fail('is not a JSON object');
  if (value.formatVersion !== 1) fail(`formatVersion ${JSON.stringify(value.formatVersion)} is not supported`);
  const generation = value.generation;
  if (typeof generation !== 'string' || !GENERATION.test(generation)) {
    return fail(`generation ${JSON.stringify(generation)} is not 16 hex digits`);
  }
  if (typeof value.source !== 'string') fail('source is not a string');
  if (typeof value.createdAt !== 'string') fail('createdAt is not a string');
  if (!isRecord(value.notes)) fail('notes is not an object');
  if (!isRecord(value.lastBarDates) || Object.values(value.lastBarDates).some((d) => typeof d !== 'string')) {
    fail('lastBarDates is not an object of ISO dates');
  }
  const checkRef = (ref: unknown, expected: string, what: string) => {
    if (!isRecord(ref)) return fail(`${what} is not an object reference`);
    if (ref.name !== expected) fail(`${what} names ${JSON.stringify(ref.name)}, expected ${JSON.stringify(expected)}`);
    if (!Number.isSafeInteger(ref.bytes) || (ref.bytes as number) < 0) fail(`${what} has a bad byte count`);
    if (typeof ref.crc32 !== 'string' || !/^[0-9a-f]{8}$/.test(ref.crc32)) fail(`${what} has a bad crc32`);
  };
  const checkRefs = (refs: unknown, what: string, nameOf: (id: string) => string) => {
    if (!isRecord(refs)) return fail(`${what} is not an object`);
    for (const [id, ref] of Object.entries(refs)) {
      if (!OBJECT_ID.test(id)) fail(`${what} has an invalid id ${JSON.stringify(id)}`);
      checkRef(ref, nameOf(id), `${what}.${id}`);
    }
  };
  checkRefs(value.bars, 'bars', (s) => barsName(generation, s));
  checkRefs(value.series, 'series', (id) => seriesName(generation, id));
  if (value.universe !== null) checkRef(value.universe, universeName(generation), 'universe');
  if (value.membership !== undefined && value.membership !== null) {
    checkRef(value.membership, membershipName(generation), 'membership');
  }
  return value as unknown as SnapshotManifest;
}

/** Parses and validates manifest.json text. */
export function parseManifest(text: string, name = MANIFEST_NAME): SnapshotManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CorruptObjectError(name, `is not valid JSON (${(err as Error).message})`);
  }
  return validateManifest(value, name);
}

/** Parses the manifest copy kept in gen/<generation>/, which must name that generation. */
export function parseGenerationManifest(text: string, generation: string): SnapshotManifest {
  const name = generationManifestName(generation);
  const manifest = parseManifest(text, name);
  if (manifest.generation !== generation)
    throw new CorruptObjectError(name, `names generation ${manifest.generation}, not its folder's`);
  return manifest;
}

/** Parses status.json text; fields must be strings or null. */
export function parseStatus(text: string, name = STATUS_NAME): RefreshStatus {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CorruptObjectError(name, `is not valid JSON (${(err as Error).message})`);
  }
  if (!isRecord(value)) throw new CorruptObjectError(name, 'is not a JSON object');
  const status = { ...EMPTY_STATUS };
  for (const key of Object.keys(EMPTY_STATUS) as (keyof RefreshStatus)[]) {
    const v = value[key] ?? null;
    if (v !== null && typeof v !== 'string') throw new CorruptObjectError(name, `${key} is not a string or null`);
    status[key] = v;
  }
  return status;
}

/** The status as stored: exactly the known fields, so stray properties of the caller's object are not persisted. */
export function serializeStatus(status: RefreshStatus): string {
  const out: Record<string, string | null> = {};
  for (const key of Object.keys(EMPTY_STATUS) as (keyof RefreshStatus)[]) out[key] = status[key] ?? null;
  return JSON.stringify(out);
}

/** Runs `task` over `items` with at most `limit` in flight, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** How many objects a store reads or writes at once: a few, to overlap latency without a burst. */
export const OBJECT_CONCURRENCY = 4;

/**
 * Rebuilds the snapshot a manifest names. `fetch` returns an object's bytes (and throws
 * CorruptObjectError when it is missing); each is checked against its ref, then decoded.
 */
export async function decodeSnapshot(
  manifest: SnapshotManifest,
  fetch: (name: string) => Promise<Uint8Array>,
  options: ReadOptions = {},
): Promise<Snapshot> {
  validateManifest(manifest);
  const load = async (ref: ObjectRef) => {
    const bytes = await fetch(ref.name);
    checkObject(ref, bytes);
    return bytes;
  };
  const barEntries = Object.entries(manifest.bars);
  const seriesEntries = Object.entries(manifest.series);
  const bars = mapLimit(barEntries, OBJECT_CONCURRENCY, async ([s, ref]): Promise<[string, BarColumns]> => [
    s,
    decodeBars(await load(ref), ref.name),
  ]);
  const series = mapLimit(seriesEntries, OBJECT_CONCURRENCY, async ([id, ref]): Promise<[string, ValueSeries]> => [
    id,
    decodeSeries(await load(ref), ref.name),
  ]);
  const universeRef = manifest.universe;
  const universe: Promise<MemberCloses | null> =
    universeRef && options.universe !== false
      ? load(universeRef).then((b) => decodeMembers(b, universeRef.name))
      : Promise.resolve(null);
  const membershipRef = manifest.membership ?? null;
  const membership: Promise<MembershipList[] | null> = membershipRef
    ? load(membershipRef).then((b) => decodeMembership(b, membershipRef.name))
    : Promise.resolve(null);
  const [b, s, u, m] = await Promise.all([bars, series, universe, membership]);
  return {
    source: manifest.source,
    createdAt: manifest.createdAt,
    bars: Object.fromEntries(b),
    universe: u,
    series: Object.fromEntries(s),
    notes: manifest.notes,
    ...(m === null ? {} : { membership: m }),
  };
}

/** The universe (members' closes) a manifest names, checked; null when it has none. */
export async function decodeUniverse(
  manifest: SnapshotManifest,
  fetch: (name: string) => Promise<Uint8Array>,
): Promise<MemberCloses | null> {
  const ref = manifest.universe;
  if (!ref) return null;
  const bytes = await fetch(ref.name);
  checkObject(ref, bytes);
  return decodeMembers(bytes, ref.name);
}

/** The few primitive operations publishSnapshot needs from a store. */
export interface SnapshotTarget {
  readManifest(): Promise<SnapshotManifest | null>;
  /** The stored bytes of an object, or null when it does not exist. */
  getObject(name: string): Promise<Uint8Array | null>;
  /** Must not expose a partial object under `name` (write elsewhere, then rename/commit). */
  putObject(name: string, bytes: Buffer): Promise<void>;
  /** Must replace the manifest atomically: readers see the old one or the new one. */
  putManifest(manifest: SnapshotManifest): Promise<void>;
  /** Generations that have objects in the store. */
  listGenerations(): Promise<GenerationInfo[]>;
  deleteGeneration(generation: string): Promise<void>;
}

export interface PublishOptions {
  /** The refresh lease the writer holds: checked before the commit and before any deletion. */
  lease: RefreshLease;
  graceMs?: number;
}

/** The current manifest, or null when there is none or it is unreadable (the write replaces it). */
async function currentManifest(target: SnapshotTarget): Promise<SnapshotManifest | null> {
  try {
    return await target.readManifest();
  } catch (err) {
    if (err instanceof CorruptObjectError) return null;
    throw err;
  }
}

const manifestBytes = (manifest: SnapshotManifest) => Buffer.from(JSON.stringify(manifest));

/** The generation's manifest copy, or null when it is missing or unreadable. */
async function storedCopy(target: SnapshotTarget, generation: string): Promise<SnapshotManifest | null> {
  const bytes = await target.getObject(generationManifestName(generation));
  if (bytes === null) return null;
  try {
    return parseGenerationManifest(Buffer.from(bytes).toString('utf8'), generation);
  } catch (err) {
    if (err instanceof CorruptObjectError) return null;
    throw err;
  }
}

/** Every object ref a manifest names. */
export function manifestRefs(m: SnapshotManifest): ObjectRef[] {
  return [
    ...Object.values(m.bars),
    ...(m.universe ? [m.universe] : []),
    ...Object.values(m.series),
    ...(m.membership ? [m.membership] : []),
  ];
}

/**
 * Checks the stored objects of `manifest` against their refs and rewrites, from the freshly
 * encoded `objects`, each one that is missing or fails its check; also restores the
 * generation's manifest copy. Returns the names rewritten.
 */
async function repairGeneration(
  target: SnapshotTarget,
  manifest: SnapshotManifest,
  objects: readonly SnapshotObject[],
  lease: RefreshLease,
): Promise<string[]> {
  const fresh = new Map(objects.map((o) => [o.name, o.bytes]));
  const damaged = (
    await mapLimit(manifestRefs(manifest), OBJECT_CONCURRENCY, async (ref) => {
      const stored = await target.getObject(ref.name);
      try {
        if (stored === null) return ref.name;
        checkObject(ref, stored);
        return null;
      } catch (err) {
        if (err instanceof CorruptObjectError) return ref.name;
        throw err;
      }
    })
  ).filter((name): name is string => name !== null);
  const copyName = generationManifestName(manifest.generation);
  const copyIntact = (await storedCopy(target, manifest.generation)) !== null;
  if (damaged.length === 0 && copyIntact) return [];
  await lease.check();
  for (const name of damaged) {
    const bytes = fresh.get(name);
    if (!bytes) throw new CorruptObjectError(name, 'is named by the manifest but not part of the data written');
    await target.putObject(name, bytes);
  }
  if (!copyIntact) await target.putObject(copyName, manifestBytes(manifest));
  return copyIntact ? damaged : [...damaged, copyName];
}

/**
 * The generations a writer may delete. Kept: those in `keep` (the new one and the previous
 * one) and any generation replaced less than
 * `graceMs` ago, since a reader may have fetched its manifest just before. A generation
 * counts as replaced when another was committed at or after it; one never committed (a
 * write cut short) goes once nothing has written to it for `graceMs`. Pure.
 */
export function generationsToRemove(
  generations: readonly GenerationInfo[],
  keep: ReadonlySet<string>,
  now: number,
  graceMs: number,
): string[] {
  const committed = generations.filter((g) => g.committedAt !== null);
  return generations
    .filter((g) => {
      if (keep.has(g.generation)) return false;
      if (g.committedAt === null) return now - g.lastWriteAt >= graceMs;
      const at = g.committedAt;
      const later = committed.filter((c) => c.generation !== g.generation && (c.committedAt as number) >= at);
      if (later.length === 0) return false;
      const replacedAt = Math.min(...later.map((c) => c.committedAt as number));
      return now - replacedAt >= graceMs;
    })
    .map((g) => g.generation)
    .sort();
}

/** The most recently committed generation other than `except`, or null. */
export function newestCommitted(generations: readonly GenerationInfo[], except?: string): string | null {
  let best: GenerationInfo | null = null;
  for (const g of generations) {
    if (g.generation === except || g.committedAt === null) continue;
    if (!best || g.committedAt > (best.committedAt as number)) best = g;
  }
  return best?.generation ?? null;
}

/**
 * Clean-up after a write, under the lease (checked first: a writer that lost it deletes
 * nothing). Best effort: what a failure leaves behind is retried by the next write.
 */
async function removeReplaced(
  target: SnapshotTarget,
  lease: RefreshLease,
  kept: string,
  replaced: string | null,
  graceMs: number,
): Promise<string[]> {
  let generations: GenerationInfo[];
  try {
    generations = await target.listGenerations();
  } catch {
    return [];
  }
  // The previous generation: the one replaced, or when the manifest already named `kept`
  // (or could not be read), the newest other committed one.
  const previous = replaced !== null && replaced !== kept ? replaced : newestCommitted(generations, kept);
  const keep = new Set([kept, previous].filter((g): g is string => g !== null));
  const doomed = generationsToRemove(generations, keep, Date.now(), graceMs);
  if (doomed.length === 0) return [];
  try {
    await lease.check();
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const g of doomed) {
    try {
      await target.deleteGeneration(g);
      removed.push(g);
    } catch {
      // Left for the next write.
    }
  }
  return removed;
}

/**
 * The write protocol of BarStore.writeSnapshot, run under the refresh lease:
 * - same generation as the current manifest: verify every object (length, CRC-32) and
 *   rewrite only what is missing or damaged; "unchanged" means verified, not assumed;
 * - otherwise: objects first, then (the lease checked once more) the generation's manifest
 *   copy and the manifest, the commit point; an unreadable manifest.json is replaced;
 * - then generations no reader can still be using are removed (generationsToRemove).
 */
export async function publishSnapshot(
  target: SnapshotTarget,
  snapshot: Snapshot,
  options: PublishOptions,
): Promise<WriteOutcome> {
  const { manifest, objects } = encodeSnapshot(snapshot);
  const { lease } = options;
  const current = await currentManifest(target);
  let outcome: WriteOutcome;
  if (current?.generation === manifest.generation) {
    const repaired = await repairGeneration(target, current, objects, lease);
    outcome = { manifest: current, unchanged: repaired.length === 0, repaired, verified: objects.length, removed: [] };
  } else {
    await mapLimit(objects, OBJECT_CONCURRENCY, (o) => target.putObject(o.name, o.bytes));
    // The copy marks the generation committed (listGenerations), so it too waits for the check.
    await lease.check();
    await target.putObject(generationManifestName(manifest.generation), manifestBytes(manifest));
    await target.putManifest(manifest);
    outcome = { manifest, unchanged: false, repaired: [], verified: 0, removed: [] };
  }
  outcome.removed = await removeReplaced(
    target,
    lease,
    manifest.generation,
    current?.generation ?? null,
    options.graceMs ?? GC_GRACE_MS,
  );
  return outcome;
}

/** Keeps the last of several readings for the same (key, date), as sequential upserts would. */
export function latestReadings(readings: readonly StoredReading[]): StoredReading[] {
  const byId = new Map<string, StoredReading>();
  for (const r of readings) {
    assertReading(r);
    byId.delete(`${r.key}\n${r.date}`);
    byId.set(`${r.key}\n${r.date}`, r);
  }
  return [...byId.values()];
}

/** Rejects readings whose key or date could not be stored safely everywhere. */
export function assertReading(r: StoredReading): void {
  assertReadingId(r.key, r.date);
  if (typeof r.generation !== 'string' || r.generation === '') throw new RangeError('reading: generation is empty');
  if (typeof r.json !== 'string') throw new TypeError(`reading ${r.key}/${r.date}: json is not a string`);
}

export function assertReadingId(key: string, date: string): void {
  if (typeof key !== 'string' || !READING_KEY.test(key)) {
    throw new RangeError(`reading key ${JSON.stringify(key)} is not 1-200 of A-Z a-z 0-9 . _ ^ = -`);
  }
  if (typeof date !== 'string' || parseIsoDay(date) === null) {
    throw new RangeError(`reading date ${JSON.stringify(date)} is not a YYYY-MM-DD date`);
  }
}
