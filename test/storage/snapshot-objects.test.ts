import { decodeBars, objectCrc32Hex } from '../../api/src/storage/codec';
import {
  decodeSnapshot,
  encodeSnapshot,
  generationsToRemove,
  parseManifest,
  parseStatus,
  publishSnapshot,
  validateManifest,
  type SnapshotTarget,
} from '../../api/src/storage/snapshot-objects';
import {
  CorruptObjectError,
  LeaseLostError,
  type RefreshLease,
  type SnapshotManifest,
} from '../../api/src/storage/types';
import { expectSameSnapshot, makeSnapshot } from './fixtures';

const fetchFrom = (objects: { name: string; bytes: Buffer }[]) => {
  const byName = new Map(objects.map((o) => [o.name, o.bytes]));
  return async (name: string) => {
    const bytes = byName.get(name);
    if (!bytes) throw new CorruptObjectError(name, 'is missing');
    return bytes;
  };
};

describe('encodeSnapshot: generation', () => {
  it('depends on the data and source only, not on createdAt, notes or key order', () => {
    const a = encodeSnapshot(makeSnapshot(1)).manifest.generation;
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    const same = makeSnapshot(1);
    same.createdAt = '2030-01-01T00:00:00.000Z';
    same.notes = { other: true };
    same.bars = { SPY: same.bars.SPY, IWM: same.bars.IWM };
    same.series = { BAMLH0A0HYM2: same.series.BAMLH0A0HYM2, T10Y2Y: same.series.T10Y2Y };
    expect(encodeSnapshot(same).manifest.generation).toBe(a);
  });

  it('changes with any value, the source, or which symbol holds which bars', () => {
    const a = encodeSnapshot(makeSnapshot(1)).manifest.generation;
    const oneValue = makeSnapshot(1);
    oneValue.universe!.close[5] += 0.01;
    const source = { ...makeSnapshot(1), source: 'csv' };
    const swapped = makeSnapshot(1);
    swapped.bars = { IWM: swapped.bars.SPY, SPY: swapped.bars.IWM };
    const renamedSeries = makeSnapshot(1);
    renamedSeries.series = { T10Y2Y: renamedSeries.series.T10Y2Y, OTHER: renamedSeries.series.BAMLH0A0HYM2 };
    const noUniverse = { ...makeSnapshot(1), universe: null };
    const generations = [oneValue, source, swapped, renamedSeries, noUniverse].map(
      (s) => encodeSnapshot(s).manifest.generation,
    );
    expect(new Set([a, ...generations]).size).toBe(6);
  });

  it("tells the same bytes from two configured sources apart by the notes' sourceKey", () => {
    const keyed = (key: string) => {
      const s = makeSnapshot(1);
      s.notes = { ...s.notes, sourceKey: key };
      return encodeSnapshot(s).manifest.generation;
    };
    expect(keyed('csv:/a:')).toBe(keyed('csv:/a:'));
    expect(keyed('csv:/a:')).not.toBe(keyed('csv:/b:'));
    expect(keyed('csv:/a:')).not.toBe(encodeSnapshot(makeSnapshot(1)).manifest.generation);
  });
});

describe('encodeSnapshot: objects and manifest', () => {
  it('names objects by generation and role, with refs that match their bytes', () => {
    const snapshot = makeSnapshot(1);
    const { manifest, objects } = encodeSnapshot(snapshot);
    const g = manifest.generation;
    expect(objects.map((o) => o.name)).toEqual([
      `gen/${g}/bars/IWM.bin`,
      `gen/${g}/bars/SPY.bin`,
      `gen/${g}/universe.bin`,
      `gen/${g}/series/BAMLH0A0HYM2.bin`,
      `gen/${g}/series/T10Y2Y.bin`,
    ]);
    for (const o of objects) {
      const ref = [...Object.values(manifest.bars), manifest.universe, ...Object.values(manifest.series)].find(
        (r) => r?.name === o.name,
      );
      expect(ref).toEqual({ name: o.name, bytes: o.bytes.length, crc32: objectCrc32Hex(o.bytes) });
      // The checksum of the content, which is what the object's trailer holds.
      expect(ref?.crc32).toBe(
        o.bytes
          .readUInt32LE(o.bytes.length - 4)
          .toString(16)
          .padStart(8, '0'),
      );
    }
    expect(Array.from(decodeBars(objects[1].bytes, objects[1].name).close)).toEqual(
      Array.from(snapshot.bars.SPY.close),
    );
    expect(manifest).toMatchObject({ formatVersion: 1, source: 'sample', createdAt: snapshot.createdAt });
    expect(manifest.notes).toEqual(snapshot.notes);
    expect(validateManifest(JSON.parse(JSON.stringify(manifest)))).toEqual(manifest);
  });

  it('leaves symbols without bars out of lastBarDates and has no universe ref without a universe', () => {
    const snapshot = { ...makeSnapshot(1), universe: null, series: {} };
    snapshot.bars = { ...snapshot.bars, VIX: { ...snapshot.bars.IWM, dates: new Int32Array(0) } };
    for (const k of ['open', 'high', 'low', 'close', 'volume'] as const) snapshot.bars.VIX[k] = new Float64Array(0);
    const { manifest, objects } = encodeSnapshot(snapshot);
    expect(manifest.lastBarDates).toEqual({ IWM: '2023-06-16', SPY: '2023-06-16' });
    expect(manifest.universe).toBeNull();
    expect(objects).toHaveLength(3);
  });

  it('accepts a FRED id longer than a ticker (IWM_FRED_SERIES allows 32 characters)', () => {
    const snapshot = makeSnapshot(1);
    snapshot.series = { BAMLC0A4CBBBEY_LONGER_ID: snapshot.series.T10Y2Y };
    expect(encodeSnapshot(snapshot).manifest.series).toHaveProperty('BAMLC0A4CBBBEY_LONGER_ID');
  });

  it.each(['iwm', '../ETC', 'A/B', 'A'.repeat(33), '', '^GSPC', 'BRK B'])(
    'refuses %j as a symbol or series id',
    (id) => {
      const bars = makeSnapshot(1);
      bars.bars = { [id]: bars.bars.IWM };
      expect(() => encodeSnapshot(bars)).toThrow(/symbol .* cannot name a stored object/);
      const series = makeSnapshot(1);
      series.series = { [id]: series.series.T10Y2Y };
      expect(() => encodeSnapshot(series)).toThrow(/series id .* cannot name a stored object/);
    },
  );

  it('accepts the symbol shapes providers use', () => {
    const snapshot = makeSnapshot(1);
    snapshot.bars = { 'BRK.B': snapshot.bars.IWM, 'X^Y': snapshot.bars.SPY, '5_A-B': snapshot.bars.IWM };
    expect(Object.keys(encodeSnapshot(snapshot).manifest.bars).sort()).toEqual(['5_A-B', 'BRK.B', 'X^Y']);
  });
});

describe('decodeSnapshot', () => {
  it('rebuilds the snapshot from the manifest and the fetched objects', async () => {
    const snapshot = makeSnapshot(4);
    const { manifest, objects } = encodeSnapshot(snapshot);
    const back = await decodeSnapshot(manifest, fetchFrom(objects));
    expectSameSnapshot(back, snapshot);
    expect(back.createdAt).toBe(snapshot.createdAt);
  });

  it('checks each object against its ref: length, then CRC', async () => {
    const { manifest, objects } = encodeSnapshot(makeSnapshot(4));
    const universe = objects.find((o) => o.name.endsWith('universe.bin'))!;
    const longer = objects.map((o) =>
      o === universe ? { ...o, bytes: Buffer.concat([o.bytes, Buffer.alloc(1)]) } : o,
    );
    await expect(decodeSnapshot(manifest, fetchFrom(longer))).rejects.toMatchObject({
      object: universe.name,
      message: expect.stringMatching(/: \d+ bytes, the manifest says \d+$/),
    });
    // A valid object that is not the one the manifest named (stale, swapped, resealed after
    // damage) passes its own checks; the manifest's CRC catches it.
    const other = encodeSnapshot(makeSnapshot(5)).objects.find((o) => o.name.endsWith('universe.bin'))!;
    const swapped = objects.map((o) => (o === universe ? { ...o, bytes: other.bytes } : o));
    manifest.universe!.bytes = other.bytes.length;
    await expect(decodeSnapshot(manifest, fetchFrom(swapped))).rejects.toMatchObject({
      object: universe.name,
      message: expect.stringMatching(/CRC-32 [0-9a-f]{8}, the manifest says [0-9a-f]{8}/),
    });
  });
});

describe('manifest and status parsing', () => {
  const manifest = () => JSON.parse(JSON.stringify(encodeSnapshot(makeSnapshot(1)).manifest)) as SnapshotManifest;

  it.each<[string, (m: Record<string, unknown> & SnapshotManifest) => void, RegExp]>([
    ['a format version', (m) => ((m as { formatVersion: number }).formatVersion = 2), /formatVersion 2/],
    ['a generation', (m) => (m.generation = 'zz'), /generation "zz" is not 16 hex digits/],
    ['an object name', (m) => (m.bars.IWM.name = 'gen/other/bars/IWM.bin'), /bars\.IWM names "gen\/other/],
    ['a ref under another id', (m) => (m.series.X = m.series.T10Y2Y), /series\.X names/],
    ['a crc', (m) => (m.bars.SPY.crc32 = 'XYZ'), /bars\.SPY has a bad crc32/],
    ['a byte count', (m) => (m.universe!.bytes = -1), /universe has a bad byte count/],
    ['notes', (m) => ((m as { notes: unknown }).notes = null), /notes is not an object/],
  ])('rejects a manifest with a bad %s', (_what, edit, reason) => {
    const m = manifest() as Record<string, unknown> & SnapshotManifest;
    edit(m);
    expect(() => parseManifest(JSON.stringify(m))).toThrow(CorruptObjectError);
    expect(() => parseManifest(JSON.stringify(m))).toThrow(reason);
  });

  it('rejects status text that is not a status', () => {
    expect(() => parseStatus('[1]')).toThrow('status.json: is not a JSON object');
    expect(() => parseStatus('{"lastError":5}')).toThrow('status.json: lastError is not a string or null');
    expect(parseStatus('{"generation":"abc"}')).toMatchObject({ generation: 'abc', lastError: null });
  });
});

describe('publishSnapshot', () => {
  const OLD = 'aaaaaaaaaaaaaaaa';
  const OLDER = 'bbbbbbbbbbbbbbbb';
  const HOUR = 3600_000;

  /** A target that records every step, with `existing` generations committed an hour ago and earlier. */
  function recordingTarget(existing: string[] = [], failDelete = false) {
    const calls: string[] = [];
    const objects = new Map<string, Buffer>();
    let current: SnapshotManifest | null = null;
    const committed = new Map(existing.map((g, i) => [g, Date.now() - (i + 1) * HOUR]));
    const target: SnapshotTarget = {
      readManifest: async () => current,
      getObject: async (name) => objects.get(name) ?? null,
      putObject: async (name, bytes) => {
        calls.push(`object ${name.split('/').slice(2).join('/')}`);
        objects.set(name, bytes);
        if (name.endsWith('/manifest.json')) committed.set(name.split('/')[1], Date.now());
      },
      putManifest: async (m) => {
        calls.push('manifest');
        current = m;
      },
      listGenerations: async () =>
        [...committed].map(([generation, at]) => ({ generation, committedAt: at, lastWriteAt: at })),
      deleteGeneration: async (g) => {
        calls.push(`delete ${g}`);
        if (failDelete) throw new Error('busy');
      },
    };
    return { target, calls, objects };
  }

  /** A lease whose checks are recorded in `calls`; `lose()` makes the next check fail as a lost lease does. */
  function fakeLease(calls: string[]) {
    let lost = false;
    const lease: RefreshLease = {
      info: { id: 'x', pid: 1, host: 'h', since: '', expiresAt: '', abandoned: false },
      check: async () => {
        calls.push('check');
        if (lost) throw new LeaseLostError('lost');
      },
      release: async () => undefined,
    };
    return { lease, lose: () => (lost = true) };
  }

  it('writes every object, then (the lease checked) the manifest copy and the manifest, then removes old generations', async () => {
    const { target, calls } = recordingTarget([OLD, OLDER]);
    const { lease } = fakeLease(calls);
    const { manifest: m, removed } = await publishSnapshot(target, makeSnapshot(1), { lease });
    expect(calls.slice(0, 5).sort()).toEqual(
      [
        'object bars/IWM.bin',
        'object bars/SPY.bin',
        'object series/BAMLH0A0HYM2.bin',
        'object series/T10Y2Y.bin',
        'object universe.bin',
      ].sort(),
    );
    // OLD is kept as the newest other committed generation (the manifest named nothing).
    expect(calls.slice(5)).toEqual(['check', 'object manifest.json', 'manifest', 'check', `delete ${OLDER}`]);
    expect(removed).toEqual([OLDER]);
    expect(calls).not.toContain(`delete ${m.generation}`);
  });

  it('commits nothing and deletes nothing when the lease was lost', async () => {
    const { target, calls } = recordingTarget([OLD, OLDER]);
    const { lease, lose } = fakeLease(calls);
    lose();
    await expect(publishSnapshot(target, makeSnapshot(1), { lease })).rejects.toBeInstanceOf(LeaseLostError);
    expect(calls.filter((c) => !c.startsWith('object ') || c === 'object manifest.json')).toEqual(['check']);
    expect(await target.readManifest()).toBeNull();
  });

  it('verifies instead of writing when the manifest already names the data, and rewrites a damaged object', async () => {
    const { target, calls, objects } = recordingTarget();
    const { lease } = fakeLease(calls);
    const first = await publishSnapshot(target, makeSnapshot(1), { lease });
    calls.length = 0;
    const same = await publishSnapshot(target, makeSnapshot(1), { lease });
    expect(same).toEqual({ manifest: first.manifest, unchanged: true, repaired: [], verified: 5, removed: [] });
    expect(calls).toEqual([]);

    const spy = first.manifest.bars.SPY.name;
    const damaged = Buffer.from(objects.get(spy) as Buffer);
    damaged[10] ^= 1;
    objects.set(spy, damaged);
    const fixed = await publishSnapshot(target, makeSnapshot(1), { lease });
    expect(fixed).toMatchObject({ unchanged: false, repaired: [spy], verified: 5 });
    expect(calls).toEqual(['check', 'object bars/SPY.bin']);
  });

  it('still reports success when clean-up fails: the new manifest is already committed', async () => {
    const { target, calls } = recordingTarget([OLD, OLDER, 'cccccccccccccccc'], true);
    const { lease } = fakeLease(calls);
    const { manifest: m } = await publishSnapshot(target, makeSnapshot(1), { lease });
    expect(await target.readManifest()).toBe(m);
    // One failure does not stop the others from being tried.
    expect(calls.filter((c) => c.startsWith('delete'))).toEqual([`delete ${OLDER}`, 'delete cccccccccccccccc']);
  });
});

describe('generationsToRemove', () => {
  const MIN = 60_000;
  const now = 1_000 * MIN;
  const gen = (generation: string, committedMinAgo: number | null, lastWriteMinAgo = committedMinAgo ?? 0) => ({
    generation,
    committedAt: committedMinAgo === null ? null : now - committedMinAgo * MIN,
    lastWriteAt: now - lastWriteMinAgo * MIN,
  });

  it('keeps the kept ones and anything replaced less than the grace period ago', () => {
    // a replaced by b 30 min ago, b by c 5 min ago; c current, b previous.
    const gens = [gen('a', 60), gen('b', 30), gen('c', 5)];
    expect(generationsToRemove(gens, new Set(['c', 'b']), now, 10 * MIN)).toEqual(['a']);
    // a was replaced 30 min ago: inside a 45-minute grace it stays.
    expect(generationsToRemove(gens, new Set(['c', 'b']), now, 45 * MIN)).toEqual([]);
    // Measured from its replacement, not from its own age: x is old but was replaced 5 min ago.
    expect(generationsToRemove([gen('x', 600), gen('c', 5)], new Set(['c']), now, 10 * MIN)).toEqual([]);
  });

  it('never removes the newest committed generation, and removes an uncommitted one once idle for the grace', () => {
    expect(generationsToRemove([gen('n', 100), gen('c', 200)], new Set(['c']), now, 10 * MIN)).toEqual([]);
    const partial = [gen('p', null, 3), gen('q', null, 30), gen('c', 1)];
    expect(generationsToRemove(partial, new Set(['c']), now, 10 * MIN)).toEqual(['q']);
  });

  it('treats generations committed in the same instant as replacing each other (coarse store clocks)', () => {
    const tied = [gen('a', 20), gen('b', 20), gen('c', 20)];
    expect(generationsToRemove(tied, new Set(['c', 'b']), now, 0)).toEqual(['a']);
  });
});
