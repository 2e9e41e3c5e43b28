/**
 * Compression for the add-in host's static files: which encoding a request accepts
 * (Accept-Encoding with its q-values), which files are worth compressing, and a bounded
 * in-memory cache of compressed bodies so a file is compressed once per build, not once
 * per request. Compression runs on zlib's thread pool (the callback API), so a large
 * bundle does not block the event loop.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';

export type Encoding = 'br' | 'gzip' | 'identity';

/** Text formats: they shrink several times over. Images (png, ico) are compressed already. */
export const COMPRESSIBLE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.js',
  '.css',
  '.html',
  '.json',
  '.xml',
  '.svg',
  '.map',
  '.txt',
]);

/** Below this, the encoding's header and framing cost about what it saves. */
export const MIN_COMPRESS_BYTES = 1024;

/**
 * Brotli quality: 9 is within a few per cent of the maximum (11) for the bundles, and
 * takes tens of milliseconds where 11 takes seconds on an unminified bundle.
 */
export const BROTLI_QUALITY = 9;

/** Whether a file of this extension and size is served compressed when the client accepts it. */
export function isCompressible(extension: string, size: number): boolean {
  return COMPRESSIBLE_EXTENSIONS.has(extension.toLowerCase()) && size >= MIN_COMPRESS_BYTES;
}

/** The q-value of each coding named in an Accept-Encoding header (a malformed q counts as 0). */
function weights(header: string): Map<string, number> {
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';');
    const coding = name.trim().toLowerCase();
    if (!coding) continue;
    let weight = 1;
    for (const p of params) {
      const [key, value = ''] = p.split('=');
      if (key.trim().toLowerCase() !== 'q') continue;
      weight = /^\s*(0(\.\d{0,3})?|1(\.0{0,3})?)\s*$/.test(value) ? Number(value) : 0;
    }
    q.set(coding === 'x-gzip' ? 'gzip' : coding, weight);
  }
  return q;
}

/**
 * The encoding to send for an Accept-Encoding header: br or gzip, whichever the client
 * weighs higher (br on a tie), unless it refuses both (q=0, or names neither and no `*`)
 * or weighs identity higher. No header means the plain file.
 * (As the `negotiator` package does, which Express's compression uses.)
 */
export function chooseEncoding(header: string | string[] | undefined): Encoding {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  if (!text.trim()) return 'identity';
  const q = weights(text);
  const of = (coding: string) => q.get(coding) ?? q.get('*') ?? 0;
  const best: Encoding = of('br') >= of('gzip') ? 'br' : 'gzip';
  // Identity, when not named, is acceptable but not preferred: it weighs as the lowest listed coding.
  const identity = q.get('identity') ?? q.get('*') ?? Math.min(...q.values());
  return of(best) > 0 && of(best) >= identity ? best : 'identity';
}

/** The ETag of one encoding of a file: the file's own for identity, suffixed otherwise. */
export function encodedEtag(etag: string, encoding: Encoding): string {
  return encoding === 'identity' ? etag : etag.replace(/"$/, `-${encoding}"`);
}

/** Whether an If-None-Match header matches `etag` (weak comparison, `*` matches any). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || opaque(t) === opaque(etag));
}

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

/** Compresses off the event loop (zlib's thread pool). */
export function compress(body: Buffer, encoding: Exclude<Encoding, 'identity'>): Promise<Buffer> {
  if (encoding === 'gzip') return gzip(body);
  return brotli(body, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
}

interface Entry {
  etag: string;
  body: Promise<Buffer>;
  bytes: number;
}

/**
 * Compressed bodies by file and encoding, for the file's current ETag: a rebuilt file (new
 * ETag) replaces its old entry. Bounded by the bytes held; the least recently used go first.
 * Requests for a body still being compressed share the one compression.
 */
export class CompressedCache {
  private readonly entries = new Map<string, Entry>();
  private total = 0;

  constructor(readonly maxBytes = 32 * 1024 * 1024) {}

  /** Bytes of compressed bodies held, and how many. */
  get size(): { bytes: number; entries: number } {
    return { bytes: this.total, entries: this.entries.size };
  }

  /** The body of `file` in `encoding` at `etag`; `load` reads the plain file on a miss. */
  get(
    file: string,
    etag: string,
    encoding: Exclude<Encoding, 'identity'>,
    load: () => Promise<Buffer>,
  ): Promise<Buffer> {
    const key = `${encoding}\0${file}`;
    const hit = this.entries.get(key);
    if (hit && hit.etag === etag) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.body;
    }
    if (hit) this.remove(key, hit);
    const entry: Entry = { etag, bytes: 0, body: load().then((plain) => compress(plain, encoding)) };
    this.entries.set(key, entry);
    entry.body.then(
      (body) => {
        if (this.entries.get(key) !== entry) return;
        entry.bytes = body.length;
        this.total += body.length;
        for (const [k, e] of this.entries) {
          if (this.total <= this.maxBytes) break;
          this.remove(k, e);
        }
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.body;
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.total -= entry.bytes;
  }
}
