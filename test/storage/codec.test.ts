import {
  FORMAT_VERSION,
  crc32,
  crc32Hex,
  decodeBars,
  decodeColumns,
  decodeMembers,
  decodeSeries,
  encodeBars,
  encodeColumns,
  encodeMembers,
  encodeSeries,
  objectCrc32Hex,
} from '../../api/src/storage/codec';
import { CorruptObjectError, type MemberCloses } from '../../api/src/storage/types';
import { bytesOf, makeBars, makeUniverse, rng, weekdays } from './fixtures';

const NAME = 'gen/0123456789abcdef/bars/IWM.bin';

/** Recomputes the CRC trailer, so a test can damage the header and still get past the CRC check. */
function reseal(buf: Buffer): Buffer {
  buf.writeUInt32LE(crc32(buf.subarray(0, buf.length - 4)), buf.length - 4);
  return buf;
}

/** A well-sealed object with an arbitrary header text and `dataBytes` bytes of data. */
function craft(header: string, dataBytes: number): Buffer {
  const h = Buffer.from(header, 'utf8');
  const dataStart = Math.ceil((12 + h.length) / 8) * 8;
  const buf = Buffer.alloc(dataStart + dataBytes + 4);
  buf.write('IWMC', 0, 'latin1');
  buf.writeUInt32LE(FORMAT_VERSION, 4);
  buf.writeUInt32LE(h.length, 8);
  h.copy(buf, 12);
  return reseal(buf);
}

function corruptReason(buf: Uint8Array, name = NAME): string {
  try {
    decodeColumns(buf, name);
  } catch (err) {
    expect(err).toBeInstanceOf(CorruptObjectError);
    expect((err as CorruptObjectError).object).toBe(name);
    expect((err as Error).message.startsWith(`${name}: `)).toBe(true);
    return (err as Error).message.slice(name.length + 2);
  }
  throw new Error('decodeColumns accepted a corrupt object');
}

const sample = () => ({
  ids: Int32Array.from([3, -7, 2_147_483_647, -2_147_483_648, 0]),
  values: Float64Array.from([1.5, NaN, -0, Infinity, -Infinity, 1e-310, Number.MAX_VALUE]),
});

describe('crc32', () => {
  it('matches the standard check value and continues across chunks', () => {
    const data = Buffer.from('123456789');
    expect(crc32Hex(data)).toBe('cbf43926');
    expect(crc32(data.subarray(4), crc32(data.subarray(0, 4)))).toBe(0xcbf43926);
    expect(crc32Hex(Buffer.alloc(0))).toBe('00000000');
  });

  it('gives every valid object the same whole-object CRC (the residue), hence objectCrc32Hex for manifests', () => {
    const a = encodeColumns({ a: 1 }, sample());
    const b = encodeColumns({ b: 2 }, { x: Float64Array.of(7) });
    expect(crc32Hex(a)).toBe('2144df1c');
    expect(crc32Hex(b)).toBe('2144df1c');
    expect(objectCrc32Hex(a)).not.toBe(objectCrc32Hex(b));
    expect(objectCrc32Hex(a)).toBe(crc32Hex(a.subarray(0, a.length - 4)));
  });

  it('falls back to a table-driven CRC-32 when zlib has none (Node < 20.15), with the same results', () => {
    jest.isolateModules(() => {
      jest.doMock('node:zlib', () => ({ ...jest.requireActual('node:zlib'), crc32: undefined }));
      // A fresh copy of the module that sees the mocked zlib; import() would bypass jest's registry here.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fallback = require('../../api/src/storage/codec') as typeof import('../../api/src/storage/codec');
      expect(fallback.crc32Hex(Buffer.from('123456789'))).toBe('cbf43926');
      const random = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff));
      expect(fallback.crc32Hex(random)).toBe(crc32Hex(random));
      const { values } = sample();
      expect(bytesOf(fallback.decodeColumns(encodeColumns({}, { values }), NAME).columns.values)).toEqual(
        bytesOf(values),
      );
    });
    jest.dontMock('node:zlib');
  });
});

describe('encodeColumns / decodeColumns', () => {
  it('round-trips meta and columns byte for byte (NaN, -0, infinities, subnormals, int extremes)', () => {
    const { ids, values } = sample();
    const buf = encodeColumns({ kind: 'test', n: 2, nested: { a: [1, 'x'] } }, { ids, values });
    expect(buf.subarray(0, 4).toString('latin1')).toBe('IWMC');
    const out = decodeColumns(buf, NAME);
    expect(out.meta).toEqual({ kind: 'test', n: 2, nested: { a: [1, 'x'] } });
    expect(Object.keys(out.columns)).toEqual(['ids', 'values']);
    expect(out.columns.ids).toBeInstanceOf(Int32Array);
    expect(out.columns.values).toBeInstanceOf(Float64Array);
    expect(bytesOf(out.columns.ids)).toEqual(bytesOf(ids));
    expect(bytesOf(out.columns.values)).toEqual(bytesOf(values));
    expect(Object.is(out.columns.values[2], -0)).toBe(true);
  });

  it('is deterministic: the same input encodes to the same bytes', () => {
    const a = sample();
    expect(encodeColumns({ k: 1 }, a).equals(encodeColumns({ k: 1 }, sample()))).toBe(true);
  });

  it('round-trips empty columns and an object with no columns at all', () => {
    const out = decodeColumns(
      encodeColumns({}, { a: new Int32Array(0), b: new Float64Array(0), c: Float64Array.of(4) }),
      NAME,
    );
    expect(out.columns.a).toHaveLength(0);
    expect(out.columns.b).toHaveLength(0);
    expect(Array.from(out.columns.c)).toEqual([4]);
    expect(decodeColumns(encodeColumns({ only: 'meta' }, {}), NAME)).toEqual({ meta: { only: 'meta' }, columns: {} });
  });

  it('encodes subarray views (non-zero byteOffset) by their own elements only', () => {
    const backing = Float64Array.from([9, 1, 2, 3, 9]);
    const out = decodeColumns(encodeColumns({}, { v: backing.subarray(1, 4) }), NAME);
    expect(Array.from(out.columns.v)).toEqual([1, 2, 3]);
  });

  it('returns views over an aligned buffer, without copying, each 8-byte aligned', () => {
    const { ids, values } = sample();
    const buf = encodeColumns({}, { ids, values });
    const out = decodeColumns(buf, NAME);
    expect(out.columns.ids.buffer).toBe(buf.buffer);
    expect(out.columns.values.buffer).toBe(buf.buffer);
    expect(out.columns.ids.byteOffset % 8).toBe(0);
    expect(out.columns.values.byteOffset % 8).toBe(0);
  });

  it('copies once when the input sits at an unaligned offset, and still decodes it', () => {
    const { ids, values } = sample();
    const encoded = encodeColumns({}, { ids, values });
    const backing = new ArrayBuffer(encoded.length + 3);
    const unaligned = new Uint8Array(backing, 3, encoded.length);
    unaligned.set(encoded);
    const out = decodeColumns(unaligned, NAME);
    expect(out.columns.values.buffer).not.toBe(backing);
    expect(bytesOf(out.columns.ids)).toEqual(bytesOf(ids));
    expect(bytesOf(out.columns.values)).toEqual(bytesOf(values));
    // Also through a Buffer slice of Node's shared pool (odd offsets happen there).
    const pooled = Buffer.concat([Buffer.from([1]), encoded]).subarray(1);
    expect(bytesOf(decodeColumns(pooled, NAME).columns.values)).toEqual(bytesOf(values));
  });

  it('refuses arrays it cannot store', () => {
    expect(() => encodeColumns({}, { x: new Float32Array(2) as unknown as Float64Array })).toThrow(
      /neither an Int32Array nor a Float64Array/,
    );
  });
});

describe('decodeColumns: corrupt objects', () => {
  const good = () => encodeColumns({ kind: 'bars' }, sample());

  it('names the object and the CRC when any byte is flipped', () => {
    const size = good().length;
    // Header, data and trailer bytes alike.
    for (const at of [13, 20, size - 30, size - 9, size - 1]) {
      const buf = good();
      buf[at] ^= 0x01;
      expect(corruptReason(buf)).toMatch(/^CRC-32 mismatch: trailer says [0-9a-f]{8}, content hashes to [0-9a-f]{8}/);
    }
  });

  it('reports truncation', () => {
    const buf = good();
    expect(corruptReason(buf.subarray(0, buf.length - 8))).toMatch(/CRC-32 mismatch/);
    expect(corruptReason(buf.subarray(0, 10))).toBe('10 bytes is shorter than the smallest possible object (16 bytes)');
    expect(corruptReason(buf.subarray(0, 40))).toMatch(/^header length \d+ runs past the data \(object is 40 bytes\)/);
  });

  it('reports a wrong magic and an unknown version before anything else', () => {
    const magic = good();
    magic.write('PK\x03\x04', 0, 'latin1');
    expect(corruptReason(magic)).toBe('bad magic 0x504b0304 (expected "IWMC")');
    const version = good();
    version.writeUInt32LE(2, 4);
    expect(corruptReason(version)).toBe('format version 2 is not supported (expected 1)');
  });

  it('reports a header length out of range', () => {
    const buf = good();
    buf.writeUInt32LE(0xffffffff, 8);
    expect(corruptReason(buf)).toBe(`header length 4294967295 runs past the data (object is ${buf.length} bytes)`);
  });

  it('reports a header that is not JSON, or not the expected shape', () => {
    expect(corruptReason(craft('{"meta":', 0))).toMatch(/^header is not valid UTF-8 JSON/);
    expect(corruptReason(craft('{"meta":{},"columns":{}}', 0))).toBe(
      'header must be an object with a "meta" object and a "columns" array',
    );
    const invalidUtf8 = craft('{"meta":{"x":"ab"},"columns":[]}', 0);
    invalidUtf8[12 + 14] = 0xff;
    expect(corruptReason(reseal(invalidUtf8))).toMatch(/^header is not valid UTF-8 JSON/);
  });

  it('checks every column descriptor against the data actually present', () => {
    const header = (columns: unknown[]) => JSON.stringify({ meta: {}, columns });
    const col = (over: object) => ({ name: 'c', dtype: 'f64', length: 2, offset: 0, ...over });
    expect(corruptReason(craft(header([col({})]), 8))).toBe(
      'column "c" (16 bytes at offset 0) runs past the data section (8 bytes)',
    );
    expect(corruptReason(craft(header([col({ offset: 8 })]), 16))).toBe(
      'column "c" (16 bytes at offset 8) runs past the data section (16 bytes)',
    );
    expect(corruptReason(craft(header([col({ offset: 4 })]), 64))).toBe(
      'column "c" has offset 4 (expected a non-negative multiple of 8)',
    );
    expect(corruptReason(craft(header([col({ offset: -8 })]), 64))).toMatch(/has offset -8/);
    expect(corruptReason(craft(header([col({ length: -1 })]), 64))).toMatch(/has length -1/);
    expect(corruptReason(craft(header([col({ length: 1.5 })]), 64))).toMatch(/has length 1.5/);
    expect(corruptReason(craft(header([col({ dtype: 'u8' })]), 64))).toBe(
      'column "c" has dtype "u8" (expected i32 or f64)',
    );
    expect(corruptReason(craft(header([col({}), col({ offset: 16 })]), 64))).toBe('column "c" is listed twice');
    expect(corruptReason(craft(header([col({}), col({ name: 'd', offset: 8 })]), 64))).toBe(
      'column "d" overlaps column "c"',
    );
    expect(corruptReason(craft(header([col({ name: '' })]), 64))).toMatch(/has no name/);
    expect(corruptReason(craft(header(['c']), 64))).toBe('column descriptor 0 is not an object');
  });
});

describe('bars, members and series', () => {
  const calendar = weekdays(50);

  it('round-trips bars, checking kind and column types', () => {
    const bars = makeBars(calendar, rng(5), 100);
    const back = decodeBars(encodeBars(bars), NAME);
    for (const key of ['dates', 'open', 'high', 'low', 'close', 'volume'] as const) {
      expect(bytesOf(back[key])).toEqual(bytesOf(bars[key]));
    }
    expect(back.dates).toBeInstanceOf(Int32Array);
    const series = encodeSeries({ dates: calendar, values: new Float64Array(50) });
    expect(() => decodeBars(series, NAME)).toThrow(`${NAME}: holds "series" data, expected "bars"`);
  });

  it('refuses to encode bars whose columns differ in length or whose dates do not rise', () => {
    const bars = makeBars(calendar, rng(5), 100);
    expect(() => encodeBars({ ...bars, low: bars.low.subarray(1) })).toThrow(
      'encodeBars: column "low" has 49 values but "dates" has 50',
    );
    const dates = bars.dates.slice();
    dates[10] = dates[9];
    expect(() => encodeBars({ ...bars, dates })).toThrow(/encodeBars: dates must rise strictly, but entry 10/);
  });

  it('reports a bars object missing a column or with unequal columns', () => {
    const bars = makeBars(calendar, rng(5), 100);
    const { volume: _volume, ...rest } = bars;
    expect(() => decodeBars(encodeColumns({ kind: 'bars' }, rest), NAME)).toThrow(
      `${NAME}: column "volume" is missing`,
    );
    const wrongType = encodeColumns({ kind: 'bars' }, { ...bars, dates: Float64Array.from(bars.dates) });
    expect(() => decodeBars(wrongType, NAME)).toThrow(/column "dates" has the wrong dtype \(expected Int32Array\)/);
    const short = encodeColumns({ kind: 'bars' }, { ...bars, close: bars.close.subarray(1) });
    expect(() => decodeBars(short, NAME)).toThrow(/column "close" has 49 values but "dates" has 50/);
  });

  it('round-trips a universe, empty members included', () => {
    const members = makeUniverse(calendar, 6, rng(9));
    expect(members.offsets[3]).toBe(members.offsets[2]); // member 2 is empty
    const back = decodeMembers(encodeMembers(members), 'gen/x/universe.bin');
    expect(back.symbols).toEqual(members.symbols);
    expect(bytesOf(back.offsets)).toEqual(bytesOf(members.offsets));
    expect(bytesOf(back.dates)).toEqual(bytesOf(members.dates));
    expect(bytesOf(back.close)).toEqual(bytesOf(members.close));
  });

  it('validates the universe offsets on both sides: start at 0, never fall, end at dates.length', () => {
    const members = makeUniverse(calendar, 6, rng(9));
    const raw = (m: MemberCloses) =>
      encodeColumns({ kind: 'members', symbols: m.symbols }, { offsets: m.offsets, dates: m.dates, close: m.close });
    const withOffsets = (edit: (o: Int32Array) => void) => {
      const offsets = members.offsets.slice();
      edit(offsets);
      return { ...members, offsets };
    };
    const cases: [MemberCloses, RegExp][] = [
      [withOffsets((o) => (o[0] = 1)), /offsets must start at 0, not 1/],
      [withOffsets((o) => (o[3] = o[2] - 1)), /offsets fall at member 2 \(M2\)/],
      [withOffsets((o) => (o[6] = o[6] - 1)), /offsets end at \d+ but there are \d+ dates/],
      [{ ...members, symbols: members.symbols.slice(1) }, /offsets has 7 entries, expected symbols \+ 1 = 6/],
    ];
    for (const [bad, reason] of cases) {
      expect(() => encodeMembers(bad)).toThrow(reason);
      let error: unknown;
      try {
        decodeMembers(raw(bad), 'gen/x/universe.bin');
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CorruptObjectError);
      expect((error as Error).message).toMatch(reason);
    }
    const notRising = { ...members, dates: members.dates.slice() };
    notRising.dates[members.offsets[1] + 1] = notRising.dates[members.offsets[1]];
    expect(() => encodeMembers(notRising)).toThrow(/encodeMembers \(BRK\.B\): dates must rise strictly/);
  });

  it('round-trips a series with NaN values', () => {
    const values = Float64Array.from([0.5, NaN, -1.25]);
    const back = decodeSeries(encodeSeries({ dates: calendar.subarray(0, 3), values }), 'gen/x/series/T10Y2Y.bin');
    expect(bytesOf(back.values)).toEqual(bytesOf(values));
    expect(Array.from(back.dates)).toEqual(Array.from(calendar.subarray(0, 3)));
  });

  it('decodes 2,000 members x 6,300 days (about 150 MB) as views on the stored bytes, not copies', () => {
    const members = 2000;
    const days = 6300;
    const offsets = new Int32Array(members + 1);
    const dates = new Int32Array(members * days);
    const close = new Float64Array(members * days);
    for (let m = 0; m < members; m++) {
      offsets[m + 1] = (m + 1) * days;
      for (let d = 0; d < days; d++) {
        dates[m * days + d] = 10_000 + d;
        close[m * days + d] = m + d / 1000;
      }
    }
    const symbols = Array.from({ length: members }, (_, m) => `S${m}`);
    const buf = encodeMembers({ symbols, offsets, dates, close });
    expect(buf.length).toBeGreaterThan(150_000_000);
    const back = decodeMembers(buf, 'gen/x/universe.bin');
    // Views, not copies: decoding costs the CRC pass only (speed belongs in bench/, not here).
    expect(back.close.buffer).toBe(buf.buffer);
    expect(back.dates.buffer).toBe(buf.buffer);
    expect(back.close[1999 * days + 6299]).toBe(1999 + 6.299);
  });
});
