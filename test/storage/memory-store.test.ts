import { MemoryStore, createStore } from '../../api/src/storage';
import { describeStoreContract } from './contract';
import { makeSnapshot } from './fixtures';

describeStoreContract('memory', async () => {
  const store = new MemoryStore();
  return {
    store,
    // The lease is an in-process lock on this one store: its other handle is itself.
    sibling: () => store,
    objectStamps: async () => new Map(store.listObjects().map((o) => [o.name, `${o.version}`])),
    readingCount: async () => store.readingCount,
    readRaw: async (name) => store.readRaw(name),
    writeRaw: async (name, bytes) => store.writeRaw(name, bytes),
    expireLease: async () => store.expireLease(),
    dispose: async () => undefined,
  };
});

describe('memory store', () => {
  it('is what createStore gives for kind memory', () => {
    const store = createStore({ kind: 'memory' });
    expect(store).toBeInstanceOf(MemoryStore);
    expect(store.kind).toBe('memory');
  });

  it('hands out copies: changing what was written or read does not change what it holds', async () => {
    const store = new MemoryStore();
    const snapshot = makeSnapshot(1);
    const original = snapshot.bars.IWM.close[0];
    await store.writeSnapshot(snapshot);
    snapshot.bars.IWM.close[0] = -1;
    const first = await store.readSnapshot();
    expect(first?.bars.IWM.close[0]).toBe(original);
    (first as NonNullable<typeof first>).bars.IWM.close[0] = -2;
    const manifest = await store.readManifest();
    (manifest as NonNullable<typeof manifest>).source = 'tampered';
    const second = await store.readSnapshot();
    expect(second?.bars.IWM.close[0]).toBe(original);
    expect(second?.source).toBe('sample');
  });
});
