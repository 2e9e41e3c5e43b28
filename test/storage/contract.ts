/**
 * The BarStore contract, run against every backend (memory, fs, azure): each backend's
 * test file calls describeStoreContract with a factory that gives a fresh, empty store and
 * a way to look at its raw objects.
 */
import { CorruptObjectError, type BarStore, type SnapshotManifest, type StoredReading } from '../../api/src/storage';
import { expectSameSnapshot, makeSnapshot } from './fixtures';

export interface StoreHarness {
  store: BarStore;
  /** Every stored snapshot object: name -> a stamp that changes whenever the object is (re)written. */
  objectStamps(): Promise<Map<string, string>>;
  /** How many readings are stored under `key` (rows, files, entries). */
  readingCount(key: string): Promise<number>;
  dispose(): Promise<void>;
}

const refNames = (m: SnapshotManifest): string[] =>
  [...Object.values(m.bars), ...Object.values(m.series), ...(m.universe ? [m.universe] : [])].map((r) => r.name).sort();

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
      expect(await store.readStatus()).toEqual({
        lastAttemptAt: null,
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
      const written = await store.writeSnapshot(a);
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
      expect([...(await h.objectStamps()).keys()].sort()).toEqual(refNames(written));

      const back = await store.readSnapshot();
      expectSameSnapshot(back, a);
      expect(back?.createdAt).toBe(a.createdAt);
      expect(Number.isNaN(back?.series.T10Y2Y.values[3])).toBe(true);
      expectSameSnapshot(await store.readSnapshot(written), a);
    });

    it('treats the same data written again as a no-op: same generation, no object or manifest rewritten', async () => {
      const first = await store.writeSnapshot(makeSnapshot(1));
      const stamps = await h.objectStamps();
      // Same data, fetched at another time with other notes.
      const again = await store.writeSnapshot({ ...makeSnapshot(1), createdAt: '2024-02-01T22:30:00.000Z', notes: {} });
      expect(again.generation).toBe(first.generation);
      expect(again.createdAt).toBe(first.createdAt);
      expect(await h.objectStamps()).toEqual(stamps);
      expect((await store.readManifest())?.createdAt).toBe(first.createdAt);
    });

    it('keeps the current and the previous generation only: after A, B, C the objects of A are gone', async () => {
      const [a, b, c] = [makeSnapshot(1), makeSnapshot(2), makeSnapshot(3)];
      const ma = await store.writeSnapshot(a);
      const mb = await store.writeSnapshot(b);
      const afterB = [...(await h.objectStamps()).keys()].sort();
      expect(afterB).toEqual([...refNames(ma), ...refNames(mb)].sort());
      const mc = await store.writeSnapshot(c);
      expect(new Set([ma.generation, mb.generation, mc.generation]).size).toBe(3);

      expect([...(await h.objectStamps()).keys()].sort()).toEqual([...refNames(mb), ...refNames(mc)].sort());
      expect((await store.readManifest())?.generation).toBe(mc.generation);
      expectSameSnapshot(await store.readSnapshot(), c);
      expectSameSnapshot(await store.readSnapshot(mb), b);
      const gone = store.readSnapshot(ma);
      await expect(gone).rejects.toBeInstanceOf(CorruptObjectError);
      await expect(gone).rejects.toThrow(/is missing/);
    });

    it('lets a reader that fetched manifest A read A after B was committed', async () => {
      const a = makeSnapshot(1);
      await store.writeSnapshot(a);
      const held = (await store.readManifest()) as SnapshotManifest;
      await store.writeSnapshot(makeSnapshot(2));
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
