/**
 * The BarStore contract, run against every backend (memory, fs, azure): each backend's
 * test file calls describeStoreContract with a factory that gives a fresh, empty store and
 * a way to look at and damage its raw objects.
 */
import { hostname } from 'node:os';
import {
  CorruptObjectError,
  LEASE_TTL_MS,
  LeaseBusyError,
  LeaseLostError,
  holdLease,
  type BarStore,
  type HeldLease,
  type SnapshotManifest,
  type StoredReading,
} from '../../api/src/storage';
import { expectSameSnapshot, makeSnapshot } from './fixtures';

export interface StoreHarness {
  store: BarStore;
  /** Another handle on the same storage (another FsStore on the folder, another client of the container). */
  sibling(): BarStore;
  /** Every stored snapshot object: name -> a stamp that changes whenever the object is (re)written. */
  objectStamps(): Promise<Map<string, string>>;
  /** How many readings are stored under `key` (rows, files, entries). */
  readingCount(key: string): Promise<number>;
  /** A stored object's raw bytes by store-relative name ("manifest.json", "gen/..."), null when absent. */
  readRaw(name: string): Promise<Buffer | null>;
  /** Replaces a stored object's bytes behind the store's back; null deletes it. */
  writeRaw(name: string, bytes: Buffer | null): Promise<void>;
  /** Makes the current refresh lease lapse, as when its holder stops renewing it. */
  expireLease(): Promise<void>;
  dispose(): Promise<void>;
}

const refNames = (m: SnapshotManifest): string[] =>
  [...Object.values(m.bars), ...Object.values(m.series), ...(m.universe ? [m.universe] : [])].map((r) => r.name).sort();
/** Everything a generation stores: its objects and the copy of its manifest. */
const storedNames = (m: SnapshotManifest): string[] => [...refNames(m), `gen/${m.generation}/manifest.json`].sort();
const GRACE_NONE = { graceMs: 0 };

const reading = (over: Partial<StoredReading> = {}): StoredReading => ({
  key: 'IWM-SPY-0123456789abcdef',
  date: '2024-01-05',
  generation: 'g1',
  json: '{"state":"risk-on"}',
  ...over,
});

/**
 * JSON of about 70 KB whose characters include astral ones (two UTF-16 units each) all
 * the way through, so any split of it lands on or next to a surrogate pair somewhere.
 */
export function longJson(): string {
  const rows = Array.from({ length: 1400 }, (_, i) => ({
    i,
    note: `session ${i} 📈 ünïcødé "q" \\ ${'x'.repeat(i % 7)}`,
  }));
  return JSON.stringify({ rows });
}

export function describeStoreContract(label: string, make: () => Promise<StoreHarness>): void {
  describe(`${label} store: BarStore contract`, () => {
    let h: StoreHarness;
    let store: BarStore;
    beforeEach(async () => {
      h = await make();
      store = h.store;
      await store.init();
    });
    afterEach(async () => {
      await store.close();
      await h.dispose();
    });

    it('starts empty: no manifest, no snapshot, an all-null status, no readings', async () => {
      await store.init(); // a second init is harmless
      expect(await store.readManifest()).toBeNull();
      expect(await store.readSnapshot()).toBeNull();
      expect(await store.listGenerations()).toEqual([]);
      expect(await store.readLease()).toBeNull();
      expect(await store.readStatus()).toEqual({
        lastAttemptAt: null,
        runningSince: null,
        lastSuccessAt: null,
        generation: null,
        lastError: null,
        lastErrorAt: null,
      });
      expect(await store.getReading('IWM-SPY-x', '2024-01-05', 'g1')).toBeNull();
      expect((await h.objectStamps()).size).toBe(0);
    });

    it('writes a snapshot and reads it back column by column, with a manifest naming exactly its objects', async () => {
      const a = makeSnapshot(1);
      const outcome = await store.writeSnapshot(a);
      expect(outcome).toMatchObject({ unchanged: false, repaired: [], removed: [] });
      const written = outcome.manifest;
      expect(written.generation).toMatch(/^[0-9a-f]{16}$/);
      expect(written).toMatchObject({ formatVersion: 1, source: 'sample', createdAt: a.createdAt, notes: a.notes });
      expect(written.lastBarDates).toEqual({ IWM: '2023-06-16', SPY: '2023-06-16' });

      const manifest = await store.readManifest();
      expect(manifest).toEqual(written);
      expect(refNames(written)).toEqual(
        ['bars/IWM.bin', 'bars/SPY.bin', 'series/BAMLH0A0HYM2.bin', 'series/T10Y2Y.bin', 'universe.bin'].map(
          (n) => `gen/${written.generation}/${n}`,
        ),
      );
      expect([...(await h.objectStamps()).keys()].sort()).toEqual(storedNames(written));
      expect(await store.readGenerationManifest(written.generation)).toEqual(written);
      expect(await store.readLease()).toBeNull(); // the write took the lease and released it

      const back = await store.readSnapshot();
      expectSameSnapshot(back, a);
      expect(back?.createdAt).toBe(a.createdAt);
      expect(Number.isNaN(back?.series.T10Y2Y.values[3])).toBe(true);
      expectSameSnapshot(await store.readSnapshot(written), a);
    });

    it('treats the same data written again as verified and unchanged: no object or manifest rewritten', async () => {
      const first = (await store.writeSnapshot(makeSnapshot(1))).manifest;
      const stamps = await h.objectStamps();
      // Same data, fetched at another time with other notes.
      const again = await store.writeSnapshot({ ...makeSnapshot(1), createdAt: '2024-02-01T22:30:00.000Z', notes: {} });
      expect(again).toMatchObject({ unchanged: true, repaired: [], verified: 5 });
      expect(again.manifest.generation).toBe(first.generation);
      expect(again.manifest.createdAt).toBe(first.createdAt);
      expect(await h.objectStamps()).toEqual(stamps);
      expect((await store.readManifest())?.createdAt).toBe(first.createdAt);
    });

    it('verifies the same data against the store and rewrites exactly what is missing, truncated or bit-flipped', async () => {
      const a = makeSnapshot(1);
      const m = (await store.writeSnapshot(a)).manifest;
      const flipped = (await h.readRaw(m.bars.SPY.name)) as Buffer;
      flipped[flipped.length >> 1] ^= 0x10;
      await h.writeRaw(m.bars.SPY.name, flipped);
      const universe = (await h.readRaw(m.universe!.name)) as Buffer;
      await h.writeRaw(m.universe!.name, universe.subarray(0, universe.length - 100));
      await h.writeRaw(m.series.T10Y2Y.name, null);
      await h.writeRaw(`gen/${m.generation}/manifest.json`, Buffer.from('{"formatVersion":1,'));
      await expect(store.readSnapshot()).rejects.toBeInstanceOf(CorruptObjectError);
      const stamps = await h.objectStamps();

      const repair = await store.writeSnapshot(a);
      expect(repair.unchanged).toBe(false);
      expect(repair.verified).toBe(5);
      expect([...repair.repaired].sort()).toEqual(
        [m.bars.SPY.name, m.universe!.name, m.series.T10Y2Y.name, `gen/${m.generation}/manifest.json`].sort(),
      );
      expectSameSnapshot(await store.readSnapshot(), a);
      expect(await store.readGenerationManifest(m.generation)).toEqual(m);
      // The intact objects were left alone.
      const after = await h.objectStamps();
      for (const name of [m.bars.IWM.name, m.series.BAMLH0A0HYM2.name]) expect(after.get(name)).toBe(stamps.get(name));
      // Now verified whole.
      expect(await store.writeSnapshot(a)).toMatchObject({ unchanged: true, repaired: [] });
    });

    it('keeps the current and the previous generation, and removes older ones once replaced for the grace period', async () => {
      const [a, b, c] = [makeSnapshot(1), makeSnapshot(2), makeSnapshot(3)];
      const ma = (await store.writeSnapshot(a, GRACE_NONE)).manifest;
      const mb = (await store.writeSnapshot(b, GRACE_NONE)).manifest;
      const afterB = [...(await h.objectStamps()).keys()].sort();
      expect(afterB).toEqual([...storedNames(ma), ...storedNames(mb)].sort());
      const wrote = await store.writeSnapshot(c, GRACE_NONE);
      const mc = wrote.manifest;
      expect(new Set([ma.generation, mb.generation, mc.generation]).size).toBe(3);
      expect(wrote.removed).toEqual([ma.generation]);

      expect([...(await h.objectStamps()).keys()].sort()).toEqual([...storedNames(mb), ...storedNames(mc)].sort());
      expect((await store.readManifest())?.generation).toBe(mc.generation);
      expectSameSnapshot(await store.readSnapshot(), c);
      expectSameSnapshot(await store.readSnapshot(mb), b);
      const gone = store.readSnapshot(ma);
      await expect(gone).rejects.toBeInstanceOf(CorruptObjectError);
      await expect(gone).rejects.toThrow(/is missing/);
    });

    it('keeps a generation replaced less than the grace period (10 min) ago for readers still on it', async () => {
      const ma = (await store.writeSnapshot(makeSnapshot(1))).manifest;
      await store.writeSnapshot(makeSnapshot(2));
      const c = await store.writeSnapshot(makeSnapshot(3));
      expect(c.removed).toEqual([]);
      expectSameSnapshot(await store.readSnapshot(ma), makeSnapshot(1));
      expect((await store.listGenerations()).length).toBe(3);
    });

    it('removes a generation whose write never reached its commit (no manifest copy), after the grace period', async () => {
      const m = (await store.writeSnapshot(makeSnapshot(1))).manifest;
      const orphan = 'gen/00000000deadbeef/bars/IWM.bin';
      await h.writeRaw(orphan, (await h.readRaw(m.bars.IWM.name)) as Buffer);
      expect((await store.listGenerations()).find((g) => g.generation === '00000000deadbeef')).toMatchObject({
        committedAt: null,
      });
      expect((await store.writeSnapshot(makeSnapshot(1))).removed).toEqual([]); // maybe still being written
      expect((await store.writeSnapshot(makeSnapshot(1), GRACE_NONE)).removed).toEqual(['00000000deadbeef']);
      expect(await h.readRaw(orphan)).toBeNull();
      expect(await store.readGenerationManifest('00000000deadbeef')).toBeNull();
    });

    it('finds every generation from its manifest copy when manifest.json is damaged, and a write replaces it', async () => {
      const mb = (await store.writeSnapshot(makeSnapshot(2))).manifest;
      const ma = (await store.writeSnapshot(makeSnapshot(1))).manifest;
      await h.writeRaw('manifest.json', Buffer.from('{"formatVersion":1,"generation":'));
      await expect(store.readManifest()).rejects.toBeInstanceOf(CorruptObjectError);
      const listed = await store.listGenerations();
      expect(listed.map((g) => g.generation).sort()).toEqual([ma.generation, mb.generation].sort());
      for (const g of listed) expect(g.committedAt).toEqual(expect.any(Number));
      expect(await store.readGenerationManifest(ma.generation)).toEqual(ma);
      expectSameSnapshot(
        await store.readSnapshot((await store.readGenerationManifest(mb.generation))!),
        makeSnapshot(2),
      );

      // Same data as the last generation: not "unchanged", since the manifest had to be rewritten.
      const again = await store.writeSnapshot(makeSnapshot(1), GRACE_NONE);
      expect(again).toMatchObject({ unchanged: false, removed: [] });
      expect(await store.readManifest()).toEqual(ma);
      // A new generation then keeps the one it replaced, and drops the oldest.
      const mc = (await store.writeSnapshot(makeSnapshot(3), GRACE_NONE)).manifest;
      expect((await store.listGenerations()).map((g) => g.generation).sort()).toEqual(
        [ma.generation, mc.generation].sort(),
      );
    });

    it('keeps dated membership lists as a checksummed object of the generation, and reads them back', async () => {
      const lists = [
        { asOf: '2024-01-04', symbols: ['AAA', 'BBB', 'CCC'] },
        { asOf: '2024-01-05', symbols: ['AAA', 'CCC', 'DDD'] },
      ];
      const withLists = { ...makeSnapshot(1), membership: lists };
      const m = (await store.writeSnapshot(withLists)).manifest;
      expect(m.membership?.name).toBe(`gen/${m.generation}/membership.bin`);
      // Lists are part of the content: the same bars without them are another generation.
      const bare = (await store.writeSnapshot(makeSnapshot(1), { graceMs: 60_000 })).manifest;
      expect(bare.generation).not.toBe(m.generation);
      expect(bare.membership ?? null).toBeNull();
      expect((await store.readSnapshot(m))?.membership).toEqual(lists);
      expect((await store.readSnapshot(bare))?.membership).toBeUndefined();
      // Damage is caught by the object's CRC, like any other object's.
      const raw = (await h.readRaw(m.membership?.name as string)) as Buffer;
      raw[20] ^= 0x01;
      await h.writeRaw(m.membership?.name as string, raw);
      await expect(store.readSnapshot(m)).rejects.toBeInstanceOf(CorruptObjectError);
    });

    it('stages work in progress under the lease: put, list, get, delete; refuses bad names and a lost lease', async () => {
      expect(await store.listStaging()).toEqual([]);
      expect(await store.getStaging('grouped-2024-01-05')).toBeNull();
      const lease = await holdLease(store, { waitMs: 0 });
      await store.putStaging('grouped-2024-01-05', Buffer.from('one'), lease);
      await store.putStaging('grouped-2024-01-04', Buffer.from('two'), lease);
      await store.putStaging('grouped-2024-01-05', Buffer.from('three'), lease); // replaces
      expect(await store.listStaging()).toEqual(['grouped-2024-01-04', 'grouped-2024-01-05']);
      expect((await h.sibling().getStaging('grouped-2024-01-05'))?.toString()).toBe('three');
      for (const bad of ['../manifest.json', 'gen/x', '', 'A'.repeat(3), '.hidden']) {
        await expect(store.putStaging(bad, Buffer.from('x'), lease)).rejects.toThrow(RangeError);
      }
      // Staged objects are not generations and survive a snapshot write.
      await store.writeSnapshot(makeSnapshot(1), { lease });
      expect(await store.listStaging()).toHaveLength(2);
      await store.deleteStaging(['grouped-2024-01-04', 'grouped-1999-01-01'], lease);
      expect(await store.listStaging()).toEqual(['grouped-2024-01-05']);

      await h.expireLease();
      const thief = (await h.sibling().tryLease()).lease as HeldLease;
      await expect(store.putStaging('grouped-2024-01-08', Buffer.from('x'), lease)).rejects.toBeInstanceOf(
        LeaseLostError,
      );
      await expect(store.deleteStaging(['grouped-2024-01-05'], lease)).rejects.toBeInstanceOf(LeaseLostError);
      expect(await store.listStaging()).toEqual(['grouped-2024-01-05']);
      await lease.release();
      await thief.release();
    });

    it('gives the refresh lease to one holder at a time and tells the others who holds it until when', async () => {
      const other = h.sibling();
      const first = await store.tryLease();
      expect(first.lease).not.toBeNull();
      const held = first.lease as HeldLease;
      expect(held.info).toMatchObject({ pid: process.pid, host: hostname(), abandoned: false });
      expect(Date.parse(held.info.expiresAt) - Date.parse(held.info.since)).toBe(LEASE_TTL_MS);

      const second = await other.tryLease();
      expect(second.lease).toBeNull();
      expect(second.holder).toEqual(held.info);
      expect(await other.readLease()).toEqual(held.info);
      expect((await store.tryLease()).lease).toBeNull(); // not re-entrant either

      await held.release();
      expect(await other.readLease()).toBeNull();
      const third = await other.tryLease();
      expect(third.lease?.info.id).not.toBe(held.info.id);
      await third.lease?.release();
    });

    it('renews a lease; a lapsed one is taken over and its old holder learns it lost it', async () => {
      const other = h.sibling();
      const held = (await store.tryLease()).lease as HeldLease;
      const before = Date.parse(held.info.expiresAt);
      await new Promise((r) => setTimeout(r, 20));
      await held.renew();
      expect(Date.parse(held.info.expiresAt)).toBeGreaterThan(before);
      expect((await other.readLease())?.expiresAt).toBe(held.info.expiresAt);

      await h.expireLease();
      const taken = (await other.tryLease()).lease as HeldLease;
      expect(taken).not.toBeNull();
      await expect(held.renew()).rejects.toBeInstanceOf(LeaseLostError);
      await held.release(); // must not free the new holder's lease
      expect((await store.readLease())?.id).toBe(taken.info.id);
      await taken.release();
    });

    it('writes only under the lease: refuses while another holds it, and a holder that lost it commits nothing', async () => {
      const other = h.sibling();
      const foreign = (await other.tryLease()).lease as HeldLease;
      const refused = store.writeSnapshot(makeSnapshot(1));
      await expect(refused).rejects.toBeInstanceOf(LeaseBusyError);
      await expect(refused).rejects.toThrow(
        `another refresh (pid ${process.pid} on host ${hostname()}, since ${foreign.info.since.replace(/\.\d{3}Z$/, 'Z')}) holds the refresh lease until`,
      );
      expect(await store.readManifest()).toBeNull();
      await foreign.release();

      const ma = (await store.writeSnapshot(makeSnapshot(1))).manifest;
      const lease = await holdLease(store, { waitMs: 0 });
      await h.expireLease();
      const thief = (await other.tryLease()).lease as HeldLease;
      await expect(store.writeSnapshot(makeSnapshot(2), { lease })).rejects.toBeInstanceOf(LeaseLostError);
      expect((await store.readManifest())?.generation).toBe(ma.generation);
      await lease.release();
      await thief.release();
    });

    it('two writers at once: the second waits for the lease, and the manifest names objects that are all there', async () => {
      const write = async (s: BarStore, seed: number) => {
        const lease = await holdLease(s, { waitMs: 60_000, pollMs: 20 });
        try {
          return (await s.writeSnapshot(makeSnapshot(seed), { lease, graceMs: 0 })).manifest;
        } finally {
          await lease.release();
        }
      };
      const [x, y] = await Promise.all([write(store, 1), write(h.sibling(), 2)]);
      const current = (await store.readManifest()) as SnapshotManifest;
      expect([x.generation, y.generation]).toContain(current.generation);
      expectSameSnapshot(await store.readSnapshot(), makeSnapshot(current.generation === x.generation ? 1 : 2));
      // The other one, replaced, stays as the previous generation.
      const previous = current.generation === x.generation ? y : x;
      expectSameSnapshot(await store.readSnapshot(previous), makeSnapshot(previous === x ? 1 : 2));
    });

    it('lets a reader that fetched manifest A read A after B was committed', async () => {
      const a = makeSnapshot(1);
      await store.writeSnapshot(a, GRACE_NONE);
      const held = (await store.readManifest()) as SnapshotManifest;
      await store.writeSnapshot(makeSnapshot(2), GRACE_NONE);
      expect((await store.readManifest())?.generation).not.toBe(held.generation);
      expectSameSnapshot(await store.readSnapshot(held), a);
    });

    it('refuses a symbol that cannot be an object name before writing anything', async () => {
      const bad = makeSnapshot(1);
      bad.bars = { ...bad.bars, '../ETC': bad.bars.IWM };
      await expect(store.writeSnapshot(bad)).rejects.toThrow(/cannot name a stored object/);
      expect((await h.objectStamps()).size).toBe(0);
      expect(await store.readManifest()).toBeNull();
    });

    it('round-trips the refresh status, each write replacing the last', async () => {
      const failed = {
        lastAttemptAt: '2024-01-05T22:30:00.000Z',
        runningSince: null,
        lastSuccessAt: '2024-01-04T22:30:00.000Z',
        generation: '0123456789abcdef',
        lastError: 'stooq: HTTP 503 "busy"',
        lastErrorAt: '2024-01-05T22:30:01.000Z',
      };
      await store.writeStatus(failed);
      expect(await store.readStatus()).toEqual(failed);
      const ok = { ...failed, lastSuccessAt: '2024-01-06T22:30:00.000Z', lastError: null, lastErrorAt: null };
      await store.writeStatus(ok);
      expect(await store.readStatus()).toEqual(ok);
      const running = { ...ok, lastAttemptAt: '2024-01-07T22:30:00.000Z', runningSince: '2024-01-07T22:30:00.000Z' };
      await store.writeStatus(running);
      expect(await store.readStatus()).toEqual(running);
    });

    it('upserts readings: the same key and date twice is one reading, the last written', async () => {
      await store.putReadings([reading({ json: '{"v":1}' }), reading({ date: '2024-01-08', json: '{"v":8}' })]);
      await store.putReadings([reading({ json: '{"v":2}' })]);
      expect(await h.readingCount('IWM-SPY-0123456789abcdef')).toBe(2);
      expect(await store.getReading('IWM-SPY-0123456789abcdef', '2024-01-05', 'g1')).toEqual(
        reading({ json: '{"v":2}' }),
      );
      expect((await store.getReading('IWM-SPY-0123456789abcdef', '2024-01-08', 'g1'))?.json).toBe('{"v":8}');
      // Within one call, the later of two entries for the same session wins.
      await store.putReadings([reading({ json: '{"v":3}' }), reading({ json: '{"v":4}' })]);
      expect((await store.getReading('IWM-SPY-0123456789abcdef', '2024-01-05', 'g1'))?.json).toBe('{"v":4}');
      expect(await h.readingCount('IWM-SPY-0123456789abcdef')).toBe(2);
    });

    it('returns a reading only for the generation it was computed on, and keeps keys apart', async () => {
      await store.putReadings([reading(), reading({ key: 'IWM-QQQ-0123456789abcdef', json: '{"other":true}' })]);
      expect(await store.getReading('IWM-SPY-0123456789abcdef', '2024-01-05', 'g2')).toBeNull();
      expect(await store.getReading('IWM-SPY-0123456789abcdef', '2024-01-06', 'g1')).toBeNull();
      expect((await store.getReading('IWM-QQQ-0123456789abcdef', '2024-01-05', 'g1'))?.json).toBe('{"other":true}');
      // A newer generation's reading replaces the old one for that session.
      await store.putReadings([reading({ generation: 'g2', json: '{"v":"g2"}' })]);
      expect(await store.getReading('IWM-SPY-0123456789abcdef', '2024-01-05', 'g1')).toBeNull();
      expect((await store.getReading('IWM-SPY-0123456789abcdef', '2024-01-05', 'g2'))?.json).toBe('{"v":"g2"}');
    });

    it('round-trips a reading longer than 70 KB unchanged', async () => {
      const json = longJson();
      expect(json.length).toBeGreaterThan(70_000);
      await store.putReadings([reading({ json })]);
      expect((await store.getReading('IWM-SPY-0123456789abcdef', '2024-01-05', 'g1'))?.json).toBe(json);
    });

    it('rejects reading keys and dates that cannot be stored everywhere', async () => {
      await expect(store.putReadings([reading({ key: 'IWM/SPY' })])).rejects.toThrow(/reading key/);
      await expect(store.putReadings([reading({ date: '2024-02-30' })])).rejects.toThrow(/reading date/);
      await expect(store.getReading('../x', '2024-01-05', 'g1')).rejects.toThrow(/reading key/);
    });
  });
}
