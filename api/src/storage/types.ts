/**
 * What the API keeps between requests and between nightly refreshes.
 *
 * A **snapshot** is one consistent set of market data (every symbol's bars, the breadth
 * universe's closes, context series such as FRED's) written by one refresh. Its objects
 * are written first, under a generation-specific name, and the small **manifest** that
 * points at them is replaced last, in one atomic step (a file rename, a single-blob
 * upload). A reader reads the manifest, then the objects it names, so it never sees a
 * half-written snapshot: it sees the previous generation or the new one.
 *
 * The **refresh status** is kept apart from the manifest: a failed refresh records its
 * error there and leaves the last good snapshot in place, so the API keeps serving it
 * and says it is stale.
 *
 * One writer at a time: a refresh holds the store's **refresh lease** (a lock file, a blob
 * lease) while it writes, renews it while it runs, and only the lease holder deletes old
 * generations. A copy of each generation's manifest lives inside the generation
 * (`gen/<g>/manifest.json`), so the generations stay discoverable when `manifest.json` is
 * damaged.
 *
 * **Readings** are precomputed JSON readings (one session, one profile), keyed so the
 * nightly timer can write them twice without duplicates.
 */
import type { BarColumns } from '../engine/types';

/** Closes of the breadth universe, member after member, each on its own dates (not aligned). */
export interface MemberCloses {
  symbols: string[];
  /** Member i owns entries offsets[i] .. offsets[i+1]-1 (length symbols.length + 1). */
  offsets: Int32Array;
  /** Day numbers (see engine/dates.ts), rising strictly within a member. */
  dates: Int32Array;
  close: Float64Array;
}

/** A dated numeric series (e.g. FRED T10Y2Y); days without a value are absent, never 0. */
export interface ValueSeries {
  dates: Int32Array;
  values: Float64Array;
}

/** One consistent data set, as a refresh produced it. */
export interface Snapshot {
  /** The data source that produced it: 'sample', 'csv', 'stooq', 'tiingo'. */
  source: string;
  /** ISO timestamp of the refresh that wrote it (from the caller's clock, never read here). */
  createdAt: string;
  /** Daily bars per upper-case symbol (IWM, SPY, ...), each with strictly rising dates. */
  bars: Record<string, BarColumns>;
  /** Breadth universe, or null when the source has none. */
  universe: MemberCloses | null;
  /** Context series by id (T10Y2Y, BAMLH0A0HYM2), possibly empty. */
  series: Record<string, ValueSeries>;
  /** Free-form JSON facts about the data (holdings date, skipped rows, provider notes). */
  notes: Record<string, unknown>;
  /**
   * The index's membership lists as read over time (the iShares holdings of each refresh,
   * dated), oldest first; absent or empty when the source has none. Breadth on a session
   * counts the members of the latest list dated on or before it, else of the earliest list.
   */
  membership?: MembershipList[];
}

/** One dated membership list of the breadth universe. */
export interface MembershipList {
  /** ISO date the list describes (the holdings file's as-of date). */
  asOf: string;
  /** Upper-case tickers, sorted, unique. */
  symbols: string[];
}

/** One object of a snapshot as the manifest lists it. */
export interface ObjectRef {
  /** Store-relative name, e.g. "gen/<generation>/bars/IWM.bin". */
  name: string;
  bytes: number;
  /** CRC-32 of the object's bytes before its 4-byte trailer (equal to the trailer), as 8 lower-case hex digits. */
  crc32: string;
}

/** Points at the objects of the current snapshot; replaced atomically, last. */
export interface SnapshotManifest {
  formatVersion: 1;
  /**
   * Identifies the content: a hash over the objects' bytes and the snapshot's source,
   * so writing the same data twice yields the same generation (a repeated refresh is a no-op).
   */
  generation: string;
  source: string;
  createdAt: string;
  /** symbol -> object ref of its bars. */
  bars: Record<string, ObjectRef>;
  universe: ObjectRef | null;
  series: Record<string, ObjectRef>;
  /** The dated membership lists (gen/<g>/membership.bin); absent or null when the snapshot has none. */
  membership?: ObjectRef | null;
  notes: Record<string, unknown>;
  /** symbol -> ISO date of its last bar (for status without reading the objects). */
  lastBarDates: Record<string, string>;
}

/** The outcome of the latest refresh attempts (kept apart from the manifest). */
export interface RefreshStatus {
  /** ISO timestamp of the latest attempt, successful or not (recorded when it starts). */
  lastAttemptAt: string | null;
  /**
   * Start of the attempt under way: set before a refresh starts its work, cleared when it
   * ends either way. Still set with no live lease: that refresh was killed.
   */
  runningSince: string | null;
  /** ISO timestamp of the latest successful refresh. */
  lastSuccessAt: string | null;
  /** Generation the latest successful refresh wrote (or found already written). */
  generation: string | null;
  /** Message of the latest attempt's failure; null once an attempt succeeds. */
  lastError: string | null;
  /** ISO timestamp of that failure. */
  lastErrorAt: string | null;
}

/** A precomputed reading: one session of one (symbol, benchmark, profile) on one generation. */
export interface StoredReading {
  /** e.g. "IWM-SPY-<profileHash>"; one partition per series of readings. */
  key: string;
  /** ISO date of the session. */
  date: string;
  generation: string;
  /** The reading as JSON text, exactly as the API serves it. */
  json: string;
}

/** A stored object that fails its checks (bad magic, version, length or checksum). */
export class CorruptObjectError extends Error {
  constructor(
    readonly object: string,
    reason: string,
  ) {
    super(`${object}: ${reason}`);
    this.name = 'CorruptObjectError';
  }
}

/** A storage backend could not be reached or refused an operation; the message says which and why. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** Who holds (or last held) a store's refresh lease. Times are wall-clock ISO timestamps. */
export interface LeaseInfo {
  /** Random id of the holder (not the blob lease id, which would let its reader release it). */
  id: string;
  /** Process id and host name of the holder; null when unknown (a lock file still being written). */
  pid: number | null;
  host: string | null;
  /** When the holder took the lease. */
  since: string;
  /** When it lapses unless renewed. */
  expiresAt: string;
  /** The holder is gone: its time ran out, or it was a process on this host that no longer runs. */
  abandoned: boolean;
}

/** The refresh lease as its holder has it (see BarStore.tryLease). */
export interface HeldLease {
  /** The holder's record; renew() moves expiresAt. */
  readonly info: LeaseInfo;
  /** Extends the lease by LEASE_TTL_MS; throws LeaseLostError when it is no longer this holder's. */
  renew(): Promise<void>;
  /** Gives it up; does nothing when it was lost. A lease never released lapses by itself. */
  release(): Promise<void>;
}

/** The outcome of BarStore.tryLease: the lease, or who holds it (null: it was freed meanwhile). */
export type LeaseAttempt = { lease: HeldLease; holder?: undefined } | { lease: null; holder: LeaseInfo | null };

/** A lease kept alive in the background while its holder works (lease.ts holdLease). */
export interface RefreshLease {
  readonly info: LeaseInfo;
  /** Renews now; throws LeaseLostError when another writer took over, so nothing is committed. */
  check(): Promise<void>;
  release(): Promise<void>;
}

/** Another refresh holds the lease; the message names it (pid, host, since, until). */
export class LeaseBusyError extends StoreUnavailableError {
  constructor(
    message: string,
    readonly holder: LeaseInfo | null,
  ) {
    super(message);
    this.name = 'LeaseBusyError';
  }
}

/** The lease lapsed and another writer took it: the holder must stop before committing anything. */
export class LeaseLostError extends StoreUnavailableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LeaseLostError';
  }
}

/** One generation as the store lists it (times in ms since the epoch, from the store's clock). */
export interface GenerationInfo {
  generation: string;
  /**
   * When its manifest copy was last written, i.e. when it was last committed as the current
   * generation; null when it has none (a write that never reached its commit).
   */
  committedAt: number | null;
  /** The newest write of anything in it. */
  lastWriteAt: number;
}

export interface ReadOptions {
  /**
   * false: leave the universe out (snapshot.universe is null; readUniverse reads it later),
   * for a cold start that has its breadth precomputed. Default true.
   */
  universe?: boolean;
}

export interface WriteOptions {
  /**
   * The refresh lease the caller holds. Without one, writeSnapshot takes the lease for the
   * write itself and fails with LeaseBusyError when another writer holds it.
   */
  lease?: RefreshLease;
  /** Generations replaced less than this long ago are kept (default GC_GRACE_MS). */
  graceMs?: number;
}

/** What writeSnapshot did. */
export interface WriteOutcome {
  /** The current manifest after the write. */
  manifest: SnapshotManifest;
  /** The manifest already named this generation and every object verified: nothing was written. */
  unchanged: boolean;
  /** Objects of an already stored generation that were missing or damaged and were rewritten. */
  repaired: string[];
  /** Objects of an already stored generation checked against their length and CRC-32. */
  verified: number;
  /** Generations deleted after the commit. */
  removed: string[];
}

export interface BarStore {
  /** 'fs' (a folder, the default), 'azure' (Blob + Table) or 'memory' (tests, sample-only runs). */
  readonly kind: 'fs' | 'azure' | 'memory';
  /** Human-readable location for status and messages (a folder, an account/container); never a secret. */
  readonly location: string;
  /** Creates folders / containers / tables if missing; safe to call many times. */
  init(): Promise<void>;
  /**
   * Under the refresh lease: writes the snapshot's objects, a copy of its manifest inside
   * the generation, then the manifest. When the current manifest already has the same
   * generation, checks every object instead and rewrites only those missing or damaged.
   * Then removes generations no reader can still be using (see generationsToRemove).
   */
  writeSnapshot(snapshot: Snapshot, options?: WriteOptions): Promise<WriteOutcome>;
  /** The current manifest, or null when nothing was ever written. Throws CorruptObjectError. */
  readManifest(): Promise<SnapshotManifest | null>;
  /** Every generation with objects in the store, in no particular order. */
  listGenerations(): Promise<GenerationInfo[]>;
  /** The copy of a generation's manifest kept inside it; null when it has none. Throws CorruptObjectError. */
  readGenerationManifest(generation: string): Promise<SnapshotManifest | null>;
  /**
   * The snapshot the manifest (default: the current one) names, every object checked
   * (length and CRC); null when nothing was ever written. Throws CorruptObjectError.
   */
  readSnapshot(manifest?: SnapshotManifest, options?: ReadOptions): Promise<Snapshot | null>;
  /** The universe (members' closes) of a manifest alone, checked; null when it has none. Throws CorruptObjectError. */
  readUniverse(manifest: SnapshotManifest): Promise<MemberCloses | null>;
  readStatus(): Promise<RefreshStatus>;
  writeStatus(status: RefreshStatus): Promise<void>;
  /** Upserts readings (same key and date overwrite: running the timer twice is harmless). */
  putReadings(readings: readonly StoredReading[]): Promise<void>;
  /** The stored reading for (key, date) if it was computed on `generation`, else null. */
  getReading(key: string, date: string, generation: string): Promise<StoredReading | null>;
  /**
   * Takes the refresh lease (LEASE_TTL_MS) when it is free, expired or abandoned by a dead
   * process; otherwise says who holds it. Never waits (lease.ts holdLease does).
   */
  tryLease(): Promise<LeaseAttempt>;
  /** The lease's holder, live or abandoned; null when it is free. */
  readLease(): Promise<LeaseInfo | null>;
  /**
   * Under the lease only: removes what crashed writers left behind (temp files anywhere in
   * the store); returns how many. Nothing else writes without the lease, so they are all stale.
   */
  removeLeftovers(): Promise<number>;
  /**
   * Staging: a refresh's work in progress, kept apart from the generations so that a refresh
   * cut short (its time budget, a crash) resumes where it stopped: e.g. each grouped daily
   * session fetched during a backfill. Names match STAGING_ID. Writes and deletes happen
   * under the refresh lease (checked before each one); reads need none.
   */
  putStaging(name: string, bytes: Buffer, lease: RefreshLease): Promise<void>;
  /** A staged object's bytes, or null when there is none. */
  getStaging(name: string): Promise<Buffer | null>;
  /** Names of the staged objects, sorted. */
  listStaging(): Promise<string[]>;
  /** Removes staged objects (consumed by a published generation, or no longer wanted); missing ones are fine. */
  deleteStaging(names: readonly string[], lease: RefreshLease): Promise<void>;
  /** Releases clients and handles (no-op where there are none). */
  close(): Promise<void>;
}
