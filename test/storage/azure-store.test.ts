import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { AzureStore, MAX_READING_CHARS, StoreUnavailableError, createStore, splitJson } from '../../api/src/storage';
import { DEV_KEY, startAzurite, type Azurite } from '../support/azurite';
import { describeStoreContract, longJson } from './contract';
import { makeSnapshot } from './fixtures';

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
}, 30_000);
afterAll(async () => {
  await azurite?.stop();
});

/** Container and table names unique per store, so tests never see each other's data. */
let counter = 0;
const names = () => {
  counter++;
  return { container: `bars-${counter}`, table: `Readings${counter}` };
};

const tableClient = (table: string) =>
  TableClient.fromConnectionString(azurite.connectionString, table, { allowInsecureConnection: true });

describeStoreContract('azure', async () => {
  const { container, table } = names();
  const store = new AzureStore({ connectionString: azurite.connectionString, container, table });
  const containerClient = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
    container,
  );
  return {
    store,
    sibling: () => new AzureStore({ connectionString: azurite.connectionString, container, table }),
    readRaw: async (name) =>
      containerClient
        .getBlockBlobClient(name)
        .downloadToBuffer()
        .catch(() => null),
    writeRaw: async (name, bytes) => {
      const blob = containerClient.getBlockBlobClient(name);
      if (bytes === null) await blob.deleteIfExists();
      else await blob.uploadData(bytes);
    },
    expireLease: async () => {
      await containerClient.getBlobClient('refresh.lock').getBlobLeaseClient().breakLease(0);
    },
    objectStamps: async () => {
      const stamps = new Map<string, string>();
      for await (const blob of containerClient.listBlobsFlat({ prefix: 'gen/' })) {
        stamps.set(blob.name, String(blob.properties.etag));
      }
      return stamps;
    },
    readingCount: async (key) => {
      let n = 0;
      for await (const _ of tableClient(table).listEntities({ queryOptions: { filter: `PartitionKey eq '${key}'` } }))
        n++;
      return n;
    },
    dispose: async () => undefined,
  };
});

describe('azure store', () => {
  it('names account and container in its location, never the key', () => {
    const store = createStore({ kind: 'azure', connectionString: azurite.connectionString, container: 'my-bars' });
    expect(store.kind).toBe('azure');
    expect(store.location).toBe('azure:devstoreaccount1/my-bars');
    expect(new AzureStore({ connectionString: azurite.connectionString }).location).toBe(
      'azure:devstoreaccount1/iwm-bars',
    );
  });

  it('splits a long reading over json0..jsonN, each part within the 64 KiB property limit', async () => {
    const { container, table } = names();
    const store = new AzureStore({ connectionString: azurite.connectionString, container, table });
    await store.init();
    const json = longJson();
    await store.putReadings([{ key: 'IWM-SPY-long', date: '2024-01-05', generation: 'g', json }]);
    const entity = await tableClient(table).getEntity<Record<string, unknown>>('IWM-SPY-long', '2024-01-05');
    const parts = Object.keys(entity).filter((k) => /^json\d+$/.test(k));
    expect(parts.length).toBe(Math.ceil(json.length / 32_000));
    expect(entity.jsonParts).toBe(parts.length);
    expect(entity.json).toBeUndefined();
    for (const p of parts) expect((entity[p] as string).length).toBeLessThanOrEqual(32_000);
    expect(parts.map((_, i) => entity[`json${i}`]).join('')).toBe(json);

    // Rewriting it short drops the parts (Replace, not Merge).
    await store.putReadings([{ key: 'IWM-SPY-long', date: '2024-01-05', generation: 'g', json: '{}' }]);
    const short = await tableClient(table).getEntity<Record<string, unknown>>('IWM-SPY-long', '2024-01-05');
    expect(Object.keys(short).filter((k) => k.startsWith('json'))).toEqual(['json']);
    expect((await store.getReading('IWM-SPY-long', '2024-01-05', 'g'))?.json).toBe('{}');
  });

  it('refuses a reading too large for one table entity, naming it, before sending anything', async () => {
    const { container, table } = names();
    const store = new AzureStore({ connectionString: azurite.connectionString, container, table });
    await store.init();
    const huge = { key: 'IWM-SPY-huge', date: '2024-01-05', generation: 'g', json: 'x'.repeat(MAX_READING_CHARS + 1) };
    const ok = { key: 'IWM-SPY-huge', date: '2024-01-08', generation: 'g', json: '{}' };
    const put = store.putReadings([ok, huge]);
    await expect(put).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(put).rejects.toThrow(/reading IWM-SPY-huge\/2024-01-05 is 500001 characters/);
    expect(await store.getReading('IWM-SPY-huge', '2024-01-08', 'g')).toBeNull();
  });

  it('never splits a surrogate pair', () => {
    const json = 'a'.repeat(31_999) + '📈' + 'b'.repeat(10);
    const parts = splitJson(json);
    expect(parts.join('')).toBe(json);
    expect(parts[0].length).toBe(31_999);
    expect(parts[1].startsWith('📈')).toBe(true);
  });

  it('writes more readings than one transaction holds, over several keys', async () => {
    const { container, table } = names();
    const store = new AzureStore({ connectionString: azurite.connectionString, container, table });
    await store.init();
    const day = (i: number) => new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const readings = [
      ...Array.from({ length: 230 }, (_, i) => ({ key: 'K-A', date: day(i), generation: 'g', json: `{"i":${i}}` })),
      ...Array.from({ length: 3 }, (_, i) => ({ key: 'K-B', date: day(i), generation: 'g', json: `{"b":${i}}` })),
    ];
    await store.putReadings(readings);
    expect((await store.getReading('K-A', day(0), 'g'))?.json).toBe('{"i":0}');
    expect((await store.getReading('K-A', day(229), 'g'))?.json).toBe('{"i":229}');
    expect((await store.getReading('K-B', day(2), 'g'))?.json).toBe('{"b":2}');
    let rows = 0;
    for await (const _ of tableClient(table).listEntities()) rows++;
    expect(rows).toBe(233);
  });

  it('reports a refused request as StoreUnavailableError with operation, container and status, without the key', async () => {
    const wrongKey = Buffer.alloc(64, 7).toString('base64');
    const connectionString = azurite.connectionString.replace(DEV_KEY, wrongKey);
    const store = new AzureStore({ connectionString, container: 'locked', table: 'Locked' });
    const read = store.readManifest();
    await expect(read).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(read).rejects.toThrow(
      /^azure store azure:devstoreaccount1\/locked: download manifest\.json \(container locked\) failed: HTTP 403/,
    );
    const put = store.putReadings([{ key: 'K', date: '2024-01-05', generation: 'g', json: '{}' }]);
    await expect(put).rejects.toThrow(/: upsert 1 readings of K \(table Locked\) failed: HTTP 403/);
    const write = store.writeSnapshot(makeSnapshot(1));
    await expect(write).rejects.toBeInstanceOf(StoreUnavailableError);
    const init = store.init();
    await expect(init).rejects.toThrow(/create container \(container locked\) failed: HTTP 403 AuthorizationFailure/);
    for (const p of [read, put, write, init]) {
      const message = String(((await p.catch((e) => e)) as Error).message);
      expect(message).not.toContain(wrongKey);
      expect(message).not.toContain('AccountKey');
    }
  });

  it('refuses a malformed connection string without echoing it', () => {
    const secret = 'AccountName=x;AccountKey=c2VjcmV0c2VjcmV0;Nonsense';
    let error: unknown;
    try {
      new AzureStore({ connectionString: secret });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).not.toContain('c2VjcmV0c2VjcmV0');
  });
});
