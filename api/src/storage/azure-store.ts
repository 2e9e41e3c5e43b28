/**
 * BarStore on Azure Storage: snapshot objects, manifest.json and status.json are block
 * blobs in one container; readings are entities of one table (PartitionKey = reading key,
 * RowKey = ISO date), so the nightly timer's upserts overwrite rather than duplicate.
 *
 * A blob upload is atomic (a single Put Blob, or a block-list commit for large objects):
 * a reader downloads the old manifest or the new one, never a mix. The refresh lease is a
 * blob lease on `refresh.lock` (azure-lease.ts). Objects are named by
 * generation (content-addressed) and never rewritten with other content, so downloading
 * one in several ranges cannot mix two versions either.
 *
 * Table string properties hold at most 64 KiB (32K UTF-16 units), so a reading's JSON
 * longer than that is split over json0..jsonN (with jsonParts = N + 1) and joined on read.
 * An entity holds at most 1 MiB in all, which bounds a reading to MAX_READING_CHARS.
 *
 * Nothing secret leaves this module: `location` names account and container only, and
 * error messages name the operation, container or table and the status, with the account
 * key and any SAS signature scrubbed from the service's text.
 */
import type { TokenCredential } from '@azure/core-auth';
import { TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { BlobLock, LOCK_BLOB } from './azure-lease';
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
  StoreUnavailableError,
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

/** Where staged objects live in the container (BarStore.putStaging). */
const STAGING_PREFIX = 'staging/';

/**
 * Where the store is and how it signs in: a connection string (Azurite locally, or an
 * account key), or an account name plus a token credential (the app's managed identity on
 * Azure; no key exists to leak).
 */
export type AzureStoreOptions = AzureStoreTarget & {
  /** Blob container; default "iwm-bars". */
  container?: string;
  /** Table; default "IwmReadings". */
  table?: string;
};

export type AzureStoreTarget =
  | { connectionString: string; account?: undefined }
  | {
      /** Storage account name: blobs at https://<account>.blob.core.windows.net, tables likewise. */
      account: string;
      credential: TokenCredential;
      connectionString?: undefined;
    };

/** Azure's rule for account names. */
export const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;

export const DEFAULT_CONTAINER = 'iwm-bars';
export const DEFAULT_TABLE = 'IwmReadings';

/** UTF-16 units per json part: under the 32,768 a 64 KiB string property holds. */
export const JSON_PART_CHARS = 32_000;
/** The 1 MiB entity limit counts strings as UTF-16 (2 bytes a unit); keep room for keys and names. */
export const MAX_READING_CHARS = 500_000;
/** A transaction holds at most 100 operations and 4 MiB; stay well under the latter. */
const TRANSACTION_OPERATIONS = 100;
const TRANSACTION_BYTES = 3 * 1024 * 1024;

const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

const statusOf = (err: unknown): number | undefined => (err as { statusCode?: number } | null)?.statusCode;

/** Splits text into parts of at most JSON_PART_CHARS units, never between the two halves of a surrogate pair. */
export function splitJson(json: string): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < json.length) {
    let end = Math.min(start + JSON_PART_CHARS, json.length);
    const last = json.charCodeAt(end - 1);
    if (end < json.length && last >= 0xd800 && last <= 0xdbff) end--;
    parts.push(json.slice(start, end));
    start = end;
  }
  return parts;
}

export class AzureStore implements BarStore {
  readonly kind = 'azure';
  readonly location: string;
  private readonly containerName: string;
  private readonly tableName: string;
  private readonly container: ContainerClient;
  private readonly table: TableClient;
  private readonly secrets: string[];
  private readonly lock: BlobLock;

  private readonly target: SnapshotTarget = {
    readManifest: () => this.readManifest(),
    getObject: (name) => this.download(name),
    putObject: async (name, bytes) => {
      try {
        // uploadData makes one Put Blob up to 256 MiB and a block-list commit above: atomic either way.
        await this.container.getBlockBlobClient(name).uploadData(bytes, {
          blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
        });
      } catch (err) {
        throw this.blobError(`upload ${name}`, err);
      }
    },
    putManifest: (manifest) => this.uploadText(MANIFEST_NAME, JSON.stringify(manifest)),
    listGenerations: () => this.listGenerations(),
    deleteGeneration: async (generation) => {
      try {
        for await (const blob of this.container.listBlobsFlat({ prefix: `gen/${generation}/` })) {
          await this.container.deleteBlob(blob.name, { deleteSnapshots: 'include' }).catch((err) => {
            if (statusOf(err) !== 404) throw err;
          });
        }
      } catch (err) {
        throw this.blobError(`delete generation ${generation}`, err);
      }
    },
  };

  constructor(options: AzureStoreOptions) {
    this.containerName = options.container ?? DEFAULT_CONTAINER;
    this.tableName = options.table ?? DEFAULT_TABLE;
    if (!CONTAINER_NAME.test(this.containerName)) {
      throw new RangeError(`azure store: container name ${JSON.stringify(this.containerName)} is not valid`);
    }
    if (!TABLE_NAME.test(this.tableName)) {
      throw new RangeError(`azure store: table name ${JSON.stringify(this.tableName)} is not valid`);
    }
    if (options.account !== undefined) {
      if (!ACCOUNT_NAME.test(options.account))
        throw new RangeError(
          `azure store: account name ${JSON.stringify(options.account)} is not valid (3-24 lower-case letters and digits)`,
        );
      this.secrets = [];
      const service = new BlobServiceClient(`https://${options.account}.blob.core.windows.net`, options.credential);
      this.container = service.getContainerClient(this.containerName);
      this.table = new TableClient(
        `https://${options.account}.table.core.windows.net`,
        this.tableName,
        options.credential,
      );
      this.location = `azure:${options.account}/${this.containerName}`;
      this.lock = new BlobLock(this.container.getBlockBlobClient(LOCK_BLOB), (op, err) => this.blobError(op, err));
      return;
    }
    this.secrets = secretsOf(options.connectionString);
    try {
      const service = BlobServiceClient.fromConnectionString(options.connectionString);
      this.container = service.getContainerClient(this.containerName);
      let table = TableClient.fromConnectionString(options.connectionString, this.tableName);
      // Azurite serves plain http; the SDK refuses it unless told. Real accounts stay on https.
      if (new URL(table.url).protocol === 'http:') {
        table = TableClient.fromConnectionString(options.connectionString, this.tableName, {
          allowInsecureConnection: true,
        });
      }
      this.table = table;
      this.location = `azure:${service.accountName}/${this.containerName}`;
      this.lock = new BlobLock(this.container.getBlockBlobClient(LOCK_BLOB), (op, err) => this.blobError(op, err));
    } catch (err) {
      throw new StoreUnavailableError(
        `azure store: the connection string was not accepted (${this.redact((err as Error).message)})`,
      );
    }
  }

  async init(): Promise<void> {
    try {
      await this.container.createIfNotExists();
    } catch (err) {
      throw this.blobError('create container', err);
    }
    try {
      await this.table.createTable(); // does nothing when the table exists
    } catch (err) {
      throw this.tableError('create table', err);
    }
  }

  writeSnapshot(snapshot: Snapshot, options: WriteOptions = {}): Promise<WriteOutcome> {
    return withLease(this, options.lease, (lease) =>
      publishSnapshot(this.target, snapshot, { lease, graceMs: options.graceMs }),
    );
  }

  async readManifest(): Promise<SnapshotManifest | null> {
    const bytes = await this.download(MANIFEST_NAME);
    return bytes === null ? null : parseManifest(bytes.toString('utf8'));
  }

  /** One listing of gen/: generations, when each manifest copy and each newest blob were written. */
  async listGenerations(): Promise<GenerationInfo[]> {
    const byGeneration = new Map<string, GenerationInfo>();
    try {
      for await (const blob of this.container.listBlobsFlat({ prefix: 'gen/' })) {
        const generation = objectGeneration(blob.name);
        if (!generation) continue;
        const at = blob.properties.lastModified.getTime();
        const info = byGeneration.get(generation) ?? { generation, committedAt: null, lastWriteAt: 0 };
        info.lastWriteAt = Math.max(info.lastWriteAt, at);
        if (blob.name === generationManifestName(generation)) info.committedAt = at;
        byGeneration.set(generation, info);
      }
    } catch (err) {
      throw this.blobError('list generations', err);
    }
    return [...byGeneration.values()];
  }

  async readGenerationManifest(generation: string): Promise<SnapshotManifest | null> {
    if (!GENERATION.test(generation)) return null;
    const bytes = await this.download(generationManifestName(generation));
    return bytes === null ? null : parseGenerationManifest(bytes.toString('utf8'), generation);
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
    const bytes = await this.download(name);
    if (bytes === null) {
      throw new CorruptObjectError(
        name,
        `is missing from container ${this.containerName} (its generation was removed or never written)`,
      );
    }
    return bytes;
  }

  async readStatus(): Promise<RefreshStatus> {
    const bytes = await this.download(STATUS_NAME);
    return bytes === null ? { ...EMPTY_STATUS } : parseStatus(bytes.toString('utf8'));
  }

  writeStatus(status: RefreshStatus): Promise<void> {
    return this.uploadText(STATUS_NAME, serializeStatus(status));
  }

  async putReadings(readings: readonly StoredReading[]): Promise<void> {
    const byKey = new Map<string, StoredReading[]>();
    for (const r of latestReadings(readings)) {
      if (r.json.length > MAX_READING_CHARS) {
        throw new StoreUnavailableError(
          `azure store: reading ${r.key}/${r.date} is ${r.json.length} characters; table ${this.tableName} ` +
            `holds at most ${MAX_READING_CHARS} per reading`,
        );
      }
      const list = byKey.get(r.key) ?? [];
      list.push(r);
      byKey.set(r.key, list);
    }
    // A transaction is limited to one partition, 100 operations and 4 MiB; batching cuts
    // a backfill of thousands of sessions to a few dozen requests.
    for (const [key, list] of byKey) {
      let batch: TransactionAction[] = [];
      let bytes = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        try {
          await this.table.submitTransaction(batch);
        } catch (err) {
          throw this.tableError(`upsert ${batch.length} readings of ${key}`, err);
        }
        batch = [];
        bytes = 0;
      };
      for (const r of list) {
        // JSON escaping can double the text inside the request body; 1 KiB covers the envelope.
        const size = 2 * Buffer.byteLength(r.json) + 1024;
        if (batch.length === TRANSACTION_OPERATIONS || (batch.length > 0 && bytes + size > TRANSACTION_BYTES)) {
          await flush();
        }
        batch.push(['upsert', toEntity(r), 'Replace']);
        bytes += size;
      }
      await flush();
    }
  }

  async getReading(key: string, date: string, generation: string): Promise<StoredReading | null> {
    assertReadingId(key, date);
    let entity: Record<string, unknown>;
    try {
      entity = await this.table.getEntity<Record<string, unknown>>(key, date);
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw this.tableError(`read reading ${key}/${date}`, err);
    }
    if (entity.generation !== generation) return null;
    return { key, date, generation, json: fromEntity(entity, `${this.tableName}/${key}/${date}`) };
  }

  tryLease(): Promise<LeaseAttempt> {
    return this.lock.tryAcquire();
  }

  readLease(): Promise<LeaseInfo | null> {
    return this.lock.read();
  }

  async removeLeftovers(): Promise<number> {
    // Uploads are atomic: a crash leaves no partial blob (uncommitted blocks expire by themselves).
    return 0;
  }

  async putStaging(name: string, bytes: Buffer, lease: RefreshLease): Promise<void> {
    assertStagingName(name);
    await lease.check();
    await this.target.putObject(`${STAGING_PREFIX}${name}`, bytes);
  }

  async getStaging(name: string): Promise<Buffer | null> {
    assertStagingName(name);
    return this.download(`${STAGING_PREFIX}${name}`);
  }

  async listStaging(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const blob of this.container.listBlobsFlat({ prefix: STAGING_PREFIX })) {
        names.push(blob.name.slice(STAGING_PREFIX.length));
      }
    } catch (err) {
      if (statusOf(err) === 404) return [];
      throw this.blobError('list staging', err);
    }
    return names.sort();
  }

  async deleteStaging(names: readonly string[], lease: RefreshLease): Promise<void> {
    names.forEach(assertStagingName);
    await lease.check();
    for (const name of names) {
      await this.container.deleteBlob(`${STAGING_PREFIX}${name}`).catch((err) => {
        if (statusOf(err) !== 404) throw this.blobError(`delete staging ${name}`, err);
      });
    }
  }

  async close(): Promise<void> {
    // The SDK clients hold no handles beyond pooled sockets, which close with the process.
  }

  private async uploadText(name: string, text: string): Promise<void> {
    try {
      await this.container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), {
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
    } catch (err) {
      throw this.blobError(`upload ${name}`, err);
    }
  }

  /**
   * The blob's bytes, or null when it (or the container) does not exist. Objects are
   * immutable, so downloadToBuffer may fetch them in parallel ranges; manifests (and their
   * copies) and status are replaced in place, so they come from one GET, which returns one version whole (ranges
   * could straddle a replacement).
   */
  private async download(name: string): Promise<Buffer | null> {
    const blob = this.container.getBlockBlobClient(name);
    try {
      if (name.startsWith('gen/') && name.endsWith('.bin')) return await blob.downloadToBuffer();
      const response = await blob.download();
      const chunks: Buffer[] = [];
      for await (const chunk of response.readableStreamBody ?? []) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks);
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw this.blobError(`download ${name}`, err);
    }
  }

  private blobError(operation: string, err: unknown): StoreUnavailableError {
    return this.error(operation, `container ${this.containerName}`, err);
  }

  private tableError(operation: string, err: unknown): StoreUnavailableError {
    return this.error(operation, `table ${this.tableName}`, err);
  }

  private error(operation: string, where: string, err: unknown): StoreUnavailableError {
    if (err instanceof StoreUnavailableError) return err;
    const e = err as {
      statusCode?: number;
      code?: string;
      message?: string;
      response?: { headers?: { get(name: string): string | undefined } };
    } | null;
    const status = e?.statusCode !== undefined ? `HTTP ${e.statusCode}` : 'no response';
    // A HEAD request (the first step of a download) has no body: the code is only in a header.
    const code = e?.code ?? e?.response?.headers?.get('x-ms-error-code');
    // The service's text runs over several lines (RequestId, Time); the first says what happened.
    const detail = this.redact(String(e?.message ?? err).split('\n')[0]).trim();
    return new StoreUnavailableError(
      `azure store ${this.location}: ${operation} (${where}) failed: ${status}${code ? ` ${code}` : ''}` +
        (detail ? `: ${detail}` : ''),
      { cause: err },
    );
  }

  private redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    return out
      .replace(/(AccountKey=|SharedAccessSignature=)[^;]*/gi, '$1[redacted]')
      .replace(/sig=[^&\s;]+/gi, 'sig=[redacted]');
  }
}

/** The connection string's secret values (account key, SAS), to scrub from any text. */
function secretsOf(connectionString: string): string[] {
  const secrets = [connectionString];
  for (const part of connectionString.split(';')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if ((name === 'accountkey' || name === 'sharedaccesssignature') && value.length >= 8) secrets.push(value);
  }
  return secrets.filter((s) => s.length > 0);
}

function toEntity(r: StoredReading): TableEntity<Record<string, unknown>> {
  const entity: TableEntity<Record<string, unknown>> = {
    partitionKey: r.key,
    rowKey: r.date,
    generation: r.generation,
  };
  if (r.json.length <= JSON_PART_CHARS) {
    entity.json = r.json;
  } else {
    const parts = splitJson(r.json);
    parts.forEach((part, i) => (entity[`json${i}`] = part));
    entity.jsonParts = parts.length;
  }
  return entity;
}

function fromEntity(entity: Record<string, unknown>, name: string): string {
  if (typeof entity.json === 'string') return entity.json;
  const count = entity.jsonParts;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw new CorruptObjectError(name, 'has neither "json" nor a valid "jsonParts"');
  }
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const part = entity[`json${i}`];
    if (typeof part !== 'string') throw new CorruptObjectError(name, `json part ${i} of ${count} is missing`);
    parts.push(part);
  }
  return parts.join('');
}
