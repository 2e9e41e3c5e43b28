/**
 * A binary layout for typed-array columns, so a snapshot's largest object (2,000 members x
 * 6,300 days of closes, about 150 MB) loads as typed-array views over the bytes just read:
 * no parsing and no per-element copy. Every object carries its own checks (magic, version,
 * bounds, CRC-32), so a damaged file or blob is reported by name instead of feeding garbage
 * to the engine.
 *
 * Layout, little-endian:
 *
 *     0       "IWMC"                    magic
 *     4       u32 format version        FORMAT_VERSION
 *     8       u32 header length H
 *     12      H bytes of UTF-8 JSON     { meta, columns: [{ name, dtype, length, offset }] }
 *             zero padding up to the next multiple of 8: the data section starts there
 *             column data; `offset` counts from the data section's start and is a
 *             multiple of 8, so every column is aligned for a Float64Array view
 *     end-4   u32 CRC-32 of every byte before it
 *
 * Offsets count from the data section rather than the object's start so the header does not
 * depend on its own length. Typed arrays use the platform's byte order; every platform Node
 * ships on today is little-endian, and the codec refuses to run elsewhere rather than write
 * bytes another machine would misread.
 */
import { endianness } from 'node:os';
import * as zlib from 'node:zlib';
import type { BarColumns } from '../engine/types';
import { CorruptObjectError, type MemberCloses, type MembershipList, type ValueSeries } from './types';

export const MAGIC = 'IWMC';
export const FORMAT_VERSION = 1;

export type Column = Int32Array | Float64Array;
export type ColumnDtype = 'i32' | 'f64';

/** How the header describes one column. */
export interface ColumnDescriptor {
  name: string;
  dtype: ColumnDtype;
  /** Elements, not bytes. */
  length: number;
  /** Bytes from the start of the data section; a multiple of 8. */
  offset: number;
}

export interface DecodedColumns {
  meta: Record<string, unknown>;
  /** Views over the decoded buffer (or over one aligned copy of it): writing to them writes to it. */
  columns: Record<string, Column>;
}

const PREFIX_BYTES = 12;
const TRAILER_BYTES = 4;
const DTYPE_BYTES: Record<ColumnDtype, number> = { i32: 4, f64: 8 };

// --- CRC-32 -----------------------------------------------------------------------------

type Crc32Fn = (data: Uint8Array, value?: number) => number;
// zlib.crc32 exists from Node 20.15 / 22.2; the table below keeps older 20.x working.
const nativeCrc32 = (zlib as { crc32?: Crc32Fn }).crc32;

let crcTable: Uint32Array | null = null;
function tableCrc32(data: Uint8Array, value = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = ~value >>> 0;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** CRC-32 (the zlib/PNG polynomial) of `data`, continuing from `value` when given. */
export function crc32(data: Uint8Array, value = 0): number {
  return typeof nativeCrc32 === 'function' ? nativeCrc32(data, value) >>> 0 : tableCrc32(data, value);
}

/** CRC-32 as 8 lower-case hex digits, the form manifests store. */
export function crc32Hex(data: Uint8Array): string {
  return crc32(data).toString(16).padStart(8, '0');
}

/**
 * The checksum a manifest records for an encoded object: the CRC-32 of its bytes before the
 * trailer, i.e. the trailer's own value. Not the CRC of all its bytes: a CRC followed by its
 * own little-endian value always hashes to the same residue (0x2144df1c), so that would be
 * one constant for every valid object and could not tell two objects apart.
 */
export function objectCrc32Hex(object: Uint8Array): string {
  return crc32Hex(object.subarray(0, Math.max(0, object.length - TRAILER_BYTES)));
}

// --- Generic columns --------------------------------------------------------------------

function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('the IWMC column codec needs a little-endian platform');
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Encodes `meta` (JSON) and the columns, in their key order, into one self-checking object. */
export function encodeColumns(meta: Record<string, unknown>, columns: Record<string, Column>): Buffer {
  assertLittleEndian();
  const descriptors: ColumnDescriptor[] = [];
  const data: Column[] = [];
  let offset = 0;
  for (const [name, column] of Object.entries(columns)) {
    if (name === '') throw new RangeError('encodeColumns: a column name is empty');
    let dtype: ColumnDtype;
    if (column instanceof Int32Array) dtype = 'i32';
    else if (column instanceof Float64Array) dtype = 'f64';
    else throw new TypeError(`encodeColumns: column ${name} is neither an Int32Array nor a Float64Array`);
    descriptors.push({ name, dtype, length: column.length, offset });
    data.push(column);
    offset += align8(column.byteLength);
  }
  const header = Buffer.from(JSON.stringify({ meta, columns: descriptors }), 'utf8');
  const dataStart = align8(PREFIX_BYTES + header.length);
  const dataBytes = descriptors.length
    ? descriptors[descriptors.length - 1].offset + data[data.length - 1].byteLength
    : 0;
  // Buffer.alloc zero-fills, so the padding is deterministic: equal data gives equal bytes
  // (and so the same generation hash).
  const out = Buffer.alloc(dataStart + dataBytes + TRAILER_BYTES);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(FORMAT_VERSION, 4);
  out.writeUInt32LE(header.length, 8);
  header.copy(out, PREFIX_BYTES);
  descriptors.forEach((d, i) => {
    const column = data[i];
    out.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), dataStart + d.offset);
  });
  const end = out.length - TRAILER_BYTES;
  out.writeUInt32LE(crc32(out.subarray(0, end)), end);
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

/**
 * Decodes an object written by encodeColumns; `name` (the object's store name) goes into
 * every error. Checks run from the cheapest up: magic, version, header bounds, CRC, header
 * JSON, then each column's bounds, so the reason names the first thing wrong.
 */
export function decodeColumns(input: Buffer | Uint8Array, name: string): DecodedColumns {
  assertLittleEndian();
  const fail = (reason: string): never => {
    throw new CorruptObjectError(name, reason);
  };
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const size = buf.length;
  if (size < PREFIX_BYTES + TRAILER_BYTES) {
    fail(`${size} bytes is shorter than the smallest possible object (${PREFIX_BYTES + TRAILER_BYTES} bytes)`);
  }
  const magic = buf.subarray(0, 4);
  if (magic.toString('latin1') !== MAGIC) fail(`bad magic 0x${magic.toString('hex')} (expected "${MAGIC}")`);
  const version = buf.readUInt32LE(4);
  if (version !== FORMAT_VERSION) fail(`format version ${version} is not supported (expected ${FORMAT_VERSION})`);
  const headerLength = buf.readUInt32LE(8);
  const end = size - TRAILER_BYTES;
  if (PREFIX_BYTES + headerLength > end) {
    fail(`header length ${headerLength} runs past the data (object is ${size} bytes)`);
  }
  const stored = buf.readUInt32LE(end);
  const actual = crc32(buf.subarray(0, end));
  if (stored !== actual) {
    fail(`CRC-32 mismatch: trailer says ${hex8(stored)}, content hashes to ${hex8(actual)} (damaged or truncated)`);
  }

  let header: unknown;
  try {
    header = JSON.parse(utf8.decode(buf.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength)));
  } catch (err) {
    fail(`header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (!isRecord(header) || !isRecord(header.meta) || !Array.isArray(header.columns)) {
    fail('header must be an object with a "meta" object and a "columns" array');
  }
  const { meta, columns: rawColumns } = header as { meta: Record<string, unknown>; columns: unknown[] };

  const dataStart = align8(PREFIX_BYTES + headerLength);
  const dataBytes = end - dataStart;
  if (dataBytes < 0) fail(`header length ${headerLength} leaves no room for the data section's alignment`);
  const descriptors: ColumnDescriptor[] = [];
  const seen = new Set<string>();
  rawColumns.forEach((raw, i) => {
    if (!isRecord(raw)) fail(`column descriptor ${i} is not an object`);
    const d = raw as Record<string, unknown>;
    const label = typeof d.name === 'string' ? `column ${JSON.stringify(d.name)}` : `column descriptor ${i}`;
    if (typeof d.name !== 'string' || d.name === '') fail(`${label} has no name`);
    if (seen.has(d.name as string)) fail(`${label} is listed twice`);
    seen.add(d.name as string);
    if (d.dtype !== 'i32' && d.dtype !== 'f64')
      fail(`${label} has dtype ${JSON.stringify(d.dtype)} (expected i32 or f64)`);
    if (!Number.isSafeInteger(d.length) || (d.length as number) < 0) {
      fail(`${label} has length ${JSON.stringify(d.length)} (expected a non-negative integer)`);
    }
    if (!Number.isSafeInteger(d.offset) || (d.offset as number) < 0 || (d.offset as number) % 8 !== 0) {
      fail(`${label} has offset ${JSON.stringify(d.offset)} (expected a non-negative multiple of 8)`);
    }
    const descriptor = d as unknown as ColumnDescriptor;
    const bytes = descriptor.length * DTYPE_BYTES[descriptor.dtype];
    if (descriptor.offset + bytes > dataBytes) {
      fail(`${label} (${bytes} bytes at offset ${descriptor.offset}) runs past the data section (${dataBytes} bytes)`);
    }
    descriptors.push(descriptor);
  });
  const byOffset = [...descriptors].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1];
    if (byOffset[i].offset < prev.offset + prev.length * DTYPE_BYTES[prev.dtype]) {
      fail(`column ${JSON.stringify(byOffset[i].name)} overlaps column ${JSON.stringify(prev.name)}`);
    }
  }

  // Columns sit at multiples of 8 from the object's start; views need the same alignment in
  // the underlying ArrayBuffer. A Buffer sliced from Node's pool or a network frame may not
  // have it: then copy the object once (still no per-element work).
  let bytes: Uint8Array = buf;
  if (buf.byteOffset % 8 !== 0) {
    bytes = new Uint8Array(size);
    bytes.set(buf);
  }
  const columns: Record<string, Column> = {};
  const base = bytes.byteOffset + dataStart;
  for (const d of descriptors) {
    columns[d.name] =
      d.dtype === 'i32'
        ? new Int32Array(bytes.buffer, base + d.offset, d.length)
        : new Float64Array(bytes.buffer, base + d.offset, d.length);
  }
  return { meta, columns };
}

// --- Typed objects ----------------------------------------------------------------------

function column<T extends Column>(
  decoded: DecodedColumns,
  name: string,
  columnName: string,
  type: new (length: number) => T,
): T {
  const c = decoded.columns[columnName];
  if (c === undefined) throw new CorruptObjectError(name, `column "${columnName}" is missing`);
  if (!(c instanceof type)) {
    throw new CorruptObjectError(name, `column "${columnName}" has the wrong dtype (expected ${type.name})`);
  }
  return c;
}

function expectKind(decoded: DecodedColumns, name: string, kind: string): void {
  if (decoded.meta.kind !== kind) {
    throw new CorruptObjectError(name, `holds ${JSON.stringify(decoded.meta.kind)} data, expected "${kind}"`);
  }
}

function sameLengths(name: string, columns: Record<string, Column>, error: (reason: string) => Error): void {
  const entries = Object.entries(columns);
  const [firstName, first] = entries[0];
  for (const [other, c] of entries) {
    if (c.length !== first.length) {
      throw error(`column "${other}" has ${c.length} values but "${firstName}" has ${first.length}`);
    }
  }
}

/** Throws unless `dates[from..to)` rises strictly (the contract of every dated column). */
function assertRising(dates: Int32Array, from: number, to: number, what: string): void {
  for (let i = from + 1; i < to; i++) {
    if (dates[i] <= dates[i - 1]) {
      throw new RangeError(
        `${what}: dates must rise strictly, but entry ${i - from} (${dates[i]}) follows ${dates[i - 1]}`,
      );
    }
  }
}

const encodeError = (what: string) => (reason: string) => new RangeError(`${what}: ${reason}`);

/**
 * Encodes one symbol's bars. Dates must rise strictly: the check runs here, on the writer's
 * side, so a store never holds data that breaks the contract readers rely on.
 */
export function encodeBars(bars: BarColumns): Buffer {
  const columns = {
    dates: bars.dates,
    open: bars.open,
    high: bars.high,
    low: bars.low,
    close: bars.close,
    volume: bars.volume,
  };
  sameLengths('bars', columns, encodeError('encodeBars'));
  assertRising(bars.dates, 0, bars.dates.length, 'encodeBars');
  return encodeColumns({ kind: 'bars' }, columns);
}

export function decodeBars(buf: Buffer | Uint8Array, name: string): BarColumns {
  const decoded = decodeColumns(buf, name);
  expectKind(decoded, name, 'bars');
  const bars: BarColumns = {
    dates: column(decoded, name, 'dates', Int32Array),
    open: column(decoded, name, 'open', Float64Array),
    high: column(decoded, name, 'high', Float64Array),
    low: column(decoded, name, 'low', Float64Array),
    close: column(decoded, name, 'close', Float64Array),
    volume: column(decoded, name, 'volume', Float64Array),
  };
  sameLengths(name, { ...bars }, (reason) => new CorruptObjectError(name, reason));
  return bars;
}

/** Checks the CSR shape of a universe: O(members), the per-entry data is left to the CRC. */
function memberShapeError(symbols: unknown, offsets: Int32Array, entries: number): string | null {
  if (!Array.isArray(symbols) || symbols.some((s) => typeof s !== 'string'))
    return 'symbols must be an array of strings';
  if (offsets.length !== symbols.length + 1) {
    return `offsets has ${offsets.length} entries, expected symbols + 1 = ${symbols.length + 1}`;
  }
  if (offsets[0] !== 0) return `offsets must start at 0, not ${offsets[0]}`;
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i] < offsets[i - 1]) {
      return `offsets fall at member ${i - 1} (${symbols[i - 1]}): ${offsets[i - 1]} then ${offsets[i]}`;
    }
  }
  if (offsets[offsets.length - 1] !== entries) {
    return `offsets end at ${offsets[offsets.length - 1]} but there are ${entries} dates`;
  }
  return null;
}

/** Encodes the breadth universe; the symbols travel in the header, the CSR arrays as columns. */
export function encodeMembers(members: MemberCloses): Buffer {
  const fail = encodeError('encodeMembers');
  sameLengths('members', { dates: members.dates, close: members.close }, fail);
  const shape = memberShapeError(members.symbols, members.offsets, members.dates.length);
  if (shape) throw fail(shape);
  for (let m = 0; m < members.symbols.length; m++) {
    assertRising(members.dates, members.offsets[m], members.offsets[m + 1], `encodeMembers (${members.symbols[m]})`);
  }
  return encodeColumns(
    { kind: 'members', symbols: members.symbols },
    { offsets: members.offsets, dates: members.dates, close: members.close },
  );
}

export function decodeMembers(buf: Buffer | Uint8Array, name: string): MemberCloses {
  const decoded = decodeColumns(buf, name);
  expectKind(decoded, name, 'members');
  const members: MemberCloses = {
    symbols: decoded.meta.symbols as string[],
    offsets: column(decoded, name, 'offsets', Int32Array),
    dates: column(decoded, name, 'dates', Int32Array),
    close: column(decoded, name, 'close', Float64Array),
  };
  sameLengths(name, { dates: members.dates, close: members.close }, (reason) => new CorruptObjectError(name, reason));
  const shape = memberShapeError(members.symbols, members.offsets, members.dates.length);
  if (shape) throw new CorruptObjectError(name, shape);
  return members;
}

export function encodeSeries(series: ValueSeries): Buffer {
  sameLengths('series', { dates: series.dates, values: series.values }, encodeError('encodeSeries'));
  assertRising(series.dates, 0, series.dates.length, 'encodeSeries');
  return encodeColumns({ kind: 'series' }, { dates: series.dates, values: series.values });
}

export function decodeSeries(buf: Buffer | Uint8Array, name: string): ValueSeries {
  const decoded = decodeColumns(buf, name);
  expectKind(decoded, name, 'series');
  const series: ValueSeries = {
    dates: column(decoded, name, 'dates', Int32Array),
    values: column(decoded, name, 'values', Float64Array),
  };
  sameLengths(name, { ...series }, (reason) => new CorruptObjectError(name, reason));
  return series;
}

/**
 * The dated membership lists (Snapshot.membership): JSON in the header, no columns, so the
 * container's magic, length and CRC-32 guard it like every other object. 2,000 tickers
 * take about 14 KB a list.
 */
export function encodeMembership(lists: readonly MembershipList[]): Buffer {
  const problem = membershipError(lists);
  if (problem) throw encodeError('encodeMembership')(problem);
  return encodeColumns({ kind: 'membership', lists: lists.map((l) => ({ asOf: l.asOf, symbols: l.symbols })) }, {});
}

export function decodeMembership(buf: Buffer | Uint8Array, name: string): MembershipList[] {
  const decoded = decodeColumns(buf, name);
  expectKind(decoded, name, 'membership');
  const lists = decoded.meta.lists as MembershipList[];
  const problem = membershipError(lists);
  if (problem) throw new CorruptObjectError(name, problem);
  return lists;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** What is wrong with membership lists (null when nothing): dates rising, symbols strings, sorted, unique. */
function membershipError(lists: unknown): string | null {
  if (!Array.isArray(lists)) return 'lists is not an array';
  let last = '';
  for (let i = 0; i < lists.length; i++) {
    const list = lists[i] as Partial<MembershipList> | null;
    if (!isRecord(list) || typeof list.asOf !== 'string' || !ISO_DATE.test(list.asOf)) {
      return `list ${i} has no ISO asOf date`;
    }
    if (list.asOf <= last) return `list ${i} (${list.asOf}) is not after the list before it (${last})`;
    last = list.asOf;
    const symbols = list.symbols;
    if (!Array.isArray(symbols)) return `list ${list.asOf}: symbols is not an array`;
    for (let k = 0; k < symbols.length; k++) {
      if (typeof symbols[k] !== 'string') return `list ${list.asOf}: symbol ${k} is not a string`;
      if (k > 0 && !(symbols[k - 1] < symbols[k]))
        return `list ${list.asOf}: symbols are not sorted and unique at ${k}`;
    }
  }
  return null;
}
