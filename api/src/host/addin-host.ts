/**
 * The add-in's local web host for sideloading: HTTPS on localhost:3000 (where manifest.xml
 * points), serving the built add-in files (webpack's dist/) and, under /api/v1, the same
 * API request handler as the http listener, so the add-in calls the API same-origin
 * (no CORS preflight, no mixed content).
 *
 * Static files: GET and HEAD only; `/` is taskpane.html; no directory listings; a path with
 * `..`, a backslash, a drive or NUL (raw or percent-encoded) is refused before it reaches
 * the file system, and the resolved file must still be inside the folder (symlinks
 * included). `cache-control: no-cache` with an ETag, so a rebuilt add-in is picked up at
 * the next load without re-downloading unchanged files.
 *
 * Text files of 1 KB or more (js, css, html, json, xml, svg, map, txt) are sent with brotli
 * or gzip when the request's Accept-Encoding accepts one (compression.ts), with
 * `vary: accept-encoding` and an ETag of their own per encoding; compressed once per build
 * and kept in memory.
 */
import { promises as fs } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import path from 'node:path';
import { makeProblem } from '../contracts/problem';
import { chooseEncoding, CompressedCache, encodedEtag, etagMatches, isCompressible } from './compression';
import { createHttpsServer, sendProblem, type ServerTimeouts } from './http-server';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.xml': 'application/xml; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export const INDEX_FILE = 'taskpane.html';

export interface AddinHostOptions {
  /** The add-in build folder (webpack's output, default <repo>/dist). */
  dir: string;
  /** The API request handler (createRequestHandler), mounted at /api/. */
  api: RequestListener;
  tls: { cert: Buffer | string; key: Buffer | string };
  log?: (msg: string) => void;
  /** Server timeouts (http-server.ts); tests shorten them. */
  timeouts?: Partial<ServerTimeouts>;
  /** Compress text files the client accepts compressed (default true; the benchmark turns it off for its baseline). */
  compress?: boolean;
}

export interface StaticOptions {
  log?: (msg: string) => void;
  /** Default true. */
  compress?: boolean;
  /** Compressed bodies (tests pass their own to look inside). */
  cache?: CompressedCache;
}

/**
 * The request path as a relative file path, or null when it is not a plain path inside
 * the folder. Works on the raw request target: WHATWG URL parsing would quietly resolve
 * `/../x` and `/%2e%2e/x` to `/x`, hiding the attempt.
 */
export function safeRelativePath(rawUrl: string): string | null {
  const rawPath = rawUrl.split(/[?#]/, 1)[0];
  // Origin-form only: an absolute-form target (http://...) or `*` is not a file.
  if (!rawPath.startsWith('/') || rawPath.startsWith('//')) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (/[\\\0:]/.test(decoded)) return null;
  const segments = decoded.split('/').slice(1);
  // `..`/`.` segments, and empty ones before the last (`/a//b`, which could start an absolute path).
  if (segments.some((s, i) => s === '..' || s === '.' || (s === '' && i < segments.length - 1))) return null;
  const rel = segments.join('/');
  return rel === '' ? INDEX_FILE : rel;
}

/** Serves the files under `dir` (see the module comment). */
export function createStaticHandler(dir: string, options: StaticOptions = {}): RequestListener {
  const root = path.resolve(dir);
  const log = options.log ?? (() => {});
  const compression = options.compress ?? true;
  const cache = options.cache ?? new CompressedCache();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      sendProblem(res, makeProblem('method-not-allowed', `${method} is not allowed on the add-in's files`), {
        allow: 'GET, HEAD',
      });
      req.resume();
      return;
    }
    const rel = safeRelativePath(req.url ?? '/');
    if (rel === null) {
      sendProblem(
        res,
        makeProblem('invalid-parameter', 'the path must stay inside the add-in folder (no "..", "\\", drive or NUL)'),
      );
      return;
    }
    const notFound = () =>
      sendProblem(
        res,
        makeProblem(
          'not-found',
          rel === INDEX_FILE
            ? `no ${INDEX_FILE} in the add-in folder yet: run \`npm run build:addin\``
            : `no file /${rel} in the add-in folder`,
        ),
      );
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep)) return notFound();
    let real: string;
    let realRoot: string;
    let stat;
    try {
      [real, realRoot] = await Promise.all([fs.realpath(file), fs.realpath(root)]);
      stat = await fs.stat(real);
    } catch {
      return notFound();
    }
    // A symlink may not lead outside the folder; a directory is not a file (no listings).
    if (!real.startsWith(realRoot + path.sep) || !stat.isFile()) return notFound();

    const fileEtag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    const compressible = compression && isCompressible(path.extname(real), stat.size);
    const encoding = compressible ? chooseEncoding(req.headers['accept-encoding']) : 'identity';
    const etag = encodedEtag(fileEtag, encoding);
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      etag,
      'last-modified': stat.mtime.toUTCString(),
    };
    if (compressible) headers.vary = 'accept-encoding';
    if (encoding !== 'identity') headers['content-encoding'] = encoding;
    if (etagMatches(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    if (encoding === 'identity' && method === 'HEAD') {
      res.writeHead(200, { ...headers, 'content-length': String(stat.size) });
      res.end();
      return;
    }
    const body =
      encoding === 'identity'
        ? await fs.readFile(real)
        : await cache.get(real, fileEtag, encoding, () => fs.readFile(real));
    res.writeHead(200, { ...headers, 'content-length': String(body.length) });
    if (method === 'HEAD') res.end();
    else res.end(body);
  };
  return (req, res) => {
    handle(req, res).catch((err) => {
      log(`add-in host: ${(err as Error).stack ?? err}`);
      if (!res.headersSent) sendProblem(res, makeProblem('internal', 'unexpected error in the add-in host'));
      else res.destroy();
    });
  };
}

/** /api/... goes to the API handler, everything else to the add-in's files. */
export function createAddinHandler(options: Omit<AddinHostOptions, 'tls'>): RequestListener {
  const files = createStaticHandler(options.dir, { log: options.log, compress: options.compress });
  return (req, res) => {
    const url = req.url ?? '/';
    if (url === '/api' || url.startsWith('/api/') || url.startsWith('/api?')) options.api(req, res);
    else files(req, res);
  };
}

/** The HTTPS server of the add-in host (listen on it as on any server), with the API host's protocol checks. */
export function createAddinHost(options: AddinHostOptions): Server {
  return createHttpsServer(options.tls, createAddinHandler(options), options.timeouts);
}
