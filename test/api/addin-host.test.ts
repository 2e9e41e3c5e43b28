/**
 * The add-in's web host over real HTTPS: the built add-in files next to the same API
 * route table under /api/v1, with a certificate generated into a temp folder. Static
 * files must never escape their folder, whatever the encoding of the path.
 */
import { X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { safeRelativePath } from '../../api/src/host/addin-host';
import { chooseEncoding, CompressedCache, etagMatches } from '../../api/src/host/compression';
import { resolveDevCertificate, type DevCertificate } from '../../api/src/host/dev-certs';
import { addinSettings, startApi, type StartedHost } from '../../api/src/host/main';
import { ConfigError } from '../../api/src/service/config';
import type { Runtime } from '../../api/src/service/runtime';
import { sampleRuntime } from '../support/runtime';

// The smallest valid PNG (1x1, transparent).
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
// A bundle-like script of ~40 KB: text that compresses, and is not all one repeated line.
const BUNDLE = Buffer.from(
  Array.from({ length: 800 }, (_, i) => `function f${i}(a){return a*${(i * 7919) % 1009}+"${i.toString(36)}";}\n`).join(
    '',
  ),
);
// Bytes that look like an image: large, but never compressed (png is compressed already).
const BIG_PNG = Buffer.concat([PNG, Buffer.alloc(4096, 7)]);
const SMALL_CSS = 'body{margin:0}';
const NO_OFFICE_CERTS = path.join(os.tmpdir(), 'iwm-no-office-dev-certs-here');

// Generating certificates (RSA keys) takes seconds on a busy machine: hooks and tests get a minute.
jest.setTimeout(60_000);

let tmp: string;
let addinDir: string;
let certDir: string;
let cert: DevCertificate;
let rt: Runtime;
let host: StartedHost;
const logs: string[] = [];
const started: StartedHost[] = [];

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  bytes: Buffer;
}

/** A raw HTTPS request: the path is sent as written (fetch would normalise `..` away). */
function get(
  port: number,
  rawPath: string,
  method = 'GET',
  body?: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path: rawPath, method, headers, ca: cert.ca, servername: 'localhost', agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString('utf8'), bytes });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const addinPort = () => (host.addin!.server.address() as AddressInfo).port;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'iwm-addin-host-'));
  addinDir = path.join(tmp, 'dist');
  certDir = path.join(tmp, 'certs');
  await fs.mkdir(path.join(addinDir, 'assets'), { recursive: true });
  await fs.writeFile(path.join(addinDir, 'taskpane.html'), '<!doctype html><title>IWM</title>');
  await fs.writeFile(path.join(addinDir, 'functions.json'), '{"functions":[]}');
  await fs.writeFile(path.join(addinDir, 'functions.js'), 'console.log("functions");');
  await fs.writeFile(path.join(addinDir, 'assets', 'x.png'), PNG);
  await fs.writeFile(path.join(addinDir, 'bundle.js'), BUNDLE);
  await fs.writeFile(path.join(addinDir, 'assets', 'big.png'), BIG_PNG);
  await fs.writeFile(path.join(addinDir, 'small.css'), SMALL_CSS);
  // A file next to the add-in folder that traversal must not reach.
  await fs.writeFile(path.join(tmp, 'package.json'), '{"secret":true}');
  cert = await resolveDevCertificate({}, { officeDir: NO_OFFICE_CERTS, cacheDir: certDir });
  rt = await sampleRuntime();
  host = await startApi({ IWM_API_PORT: '0', IWM_ADDIN_PORT: '0', IWM_ADDIN_DIR: addinDir }, (m) => logs.push(m), {
    runtime: rt,
    certificates: { officeDir: NO_OFFICE_CERTS, cacheDir: certDir },
  });
  started.push(host);
});

afterAll(async () => {
  for (const h of started) await h.close();
  await rt.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('static add-in files over https', () => {
  test('taskpane.html, / and functions.json with their content types, no-cache', async () => {
    const page = await get(addinPort(), '/taskpane.html');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).toContain('<title>IWM</title>');
    const root = await get(addinPort(), '/');
    expect(root.status).toBe(200);
    expect(root.body).toBe(page.body);
    const json = await get(addinPort(), '/functions.json?v=1');
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(json.body)).toEqual({ functions: [] });
    const js = await get(addinPort(), '/functions.js');
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
  });

  test('a png in a subfolder, byte for byte; HEAD without a body; 304 on a matching ETag', async () => {
    const png = await get(addinPort(), '/assets/x.png');
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.bytes.equals(PNG)).toBe(true);
    const head = await get(addinPort(), '/assets/x.png', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(PNG.length));
    expect(head.body).toBe('');
    const etag = head.headers.etag!;
    const again = await get(addinPort(), '/assets/x.png', 'GET', undefined, { 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  test('a missing file or a folder is 404', async () => {
    const missing = await get(addinPort(), '/nope.js');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);
    expect((await get(addinPort(), '/assets/')).status).toBe(404);
    expect((await get(addinPort(), '/assets')).status).toBe(404);
  });

  test.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/%2E%2E/package.json',
    '/assets/..%2f..%2fpackage.json',
    '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
    '/..%5cpackage.json',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    '/C:/Windows/win.ini',
    '/taskpane.html%00.png',
    '/%E0%A4%A',
  ])('traversal %s never returns a file outside the folder', async (rawPath) => {
    const res = await get(addinPort(), rawPath);
    expect([400, 404]).toContain(res.status);
    expect(res.body).not.toContain('secret');
    expect(res.body).not.toContain('root:');
  });

  test('an absolute path to the file, percent-encoded, is refused', async () => {
    const res = await get(addinPort(), `/${encodeURIComponent(path.join(tmp, 'package.json'))}`);
    expect([400, 404]).toContain(res.status);
    expect(res.body).not.toContain('secret');
  });

  test('the path check on its own', () => {
    expect(safeRelativePath('/')).toBe('taskpane.html');
    expect(safeRelativePath('/assets/x.png?x=1#y')).toBe('assets/x.png');
    expect(safeRelativePath('/a%20b.txt')).toBe('a b.txt');
    for (const bad of [
      '/../x',
      '/a/../../x',
      '/%2e%2e/x',
      '/a/.%2e/x',
      '/./x',
      '//x',
      '/a//b',
      'http://h/x',
      '*',
      '/a\\b',
    ])
      expect(safeRelativePath(bad)).toBeNull();
  });

  test('POST, PUT and DELETE on a static file are 405 with Allow: GET, HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await get(addinPort(), '/taskpane.html', method, '{}');
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
  });
});

describe('compression of the add-in files', () => {
  const accept = (encoding: string | null, method = 'GET', extra: Record<string, string> = {}) =>
    get(
      addinPort(),
      '/bundle.js',
      method,
      undefined,
      encoding === null ? extra : { 'accept-encoding': encoding, ...extra },
    );

  test('gzip and br bodies decompress to exactly the file, with their length, encoding and vary', async () => {
    const gz = await accept('gzip');
    expect(gz.status).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toBe('accept-encoding');
    expect(gz.headers['content-type']).toMatch(/^text\/javascript/);
    expect(gz.headers['content-length']).toBe(String(gz.bytes.length));
    expect(gz.bytes.length).toBeLessThan(BUNDLE.length / 3);
    expect(zlib.gunzipSync(gz.bytes).equals(BUNDLE)).toBe(true);
    const br = await accept('gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('accept-encoding');
    expect(br.headers['content-length']).toBe(String(br.bytes.length));
    expect(zlib.brotliDecompressSync(br.bytes).equals(BUNDLE)).toBe(true);
    // Each encoding has its own ETag, and neither is the plain file's.
    const plain = await accept(null);
    expect(new Set([gz.headers.etag, br.headers.etag, plain.headers.etag]).size).toBe(3);
    // Served again (from the cache), the same bytes.
    expect((await accept('br')).bytes.equals(br.bytes)).toBe(true);
  });

  test('no header, identity, or every compression refused: the plain file, still with vary', async () => {
    for (const header of [
      null,
      'identity',
      'br;q=0, gzip;q=0',
      'gzip;q=0, deflate',
      '*;q=0',
      'gzip;q=0.2, identity;q=0.5',
    ]) {
      const res = await accept(header);
      expect({ header, encoding: res.headers['content-encoding'] }).toEqual({ header, encoding: undefined });
      expect(res.bytes.equals(BUNDLE)).toBe(true);
      expect(res.headers['content-length']).toBe(String(BUNDLE.length));
      expect(res.headers.vary).toBe('accept-encoding');
    }
  });

  test('q-values choose between br and gzip', async () => {
    expect((await accept('br;q=0.5, gzip')).headers['content-encoding']).toBe('gzip');
    expect((await accept('br;q=0, gzip;q=0.1')).headers['content-encoding']).toBe('gzip');
    expect((await accept('gzip;q=0, *')).headers['content-encoding']).toBe('br');
  });

  test("304 with the encoding's ETag; another encoding of the file is not a match", async () => {
    const gz = await accept('gzip');
    const etag = gz.headers.etag!;
    expect(etag).toMatch(/-gzip"$/);
    const again = await accept('gzip', 'GET', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.etag).toBe(etag);
    expect(again.headers.vary).toBe('accept-encoding');
    expect(again.bytes.length).toBe(0);
    const other = await accept('br', 'GET', { 'if-none-match': etag });
    expect(other.status).toBe(200);
    expect(other.headers['content-encoding']).toBe('br');
  });

  test('HEAD has the same headers as GET, without a body', async () => {
    for (const encoding of ['br', 'gzip', 'identity']) {
      const full = await accept(encoding);
      const head = await accept(encoding, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.bytes.length).toBe(0);
      for (const h of ['content-length', 'content-encoding', 'etag', 'vary', 'content-type'])
        expect({ encoding, h, value: head.headers[h] }).toEqual({ encoding, h, value: full.headers[h] });
    }
  });

  test('small files and images are never compressed', async () => {
    const css = await get(addinPort(), '/small.css', 'GET', undefined, { 'accept-encoding': 'br, gzip' });
    expect(css.headers['content-encoding']).toBeUndefined();
    expect(css.body).toBe(SMALL_CSS);
    const png = await get(addinPort(), '/assets/big.png', 'GET', undefined, { 'accept-encoding': 'br, gzip' });
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.headers.vary).toBeUndefined();
    expect(png.bytes.equals(BIG_PNG)).toBe(true);
  });

  test('Accept-Encoding on its own', () => {
    expect(chooseEncoding(undefined)).toBe('identity');
    expect(chooseEncoding('')).toBe('identity');
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('gzip')).toBe('gzip');
    expect(chooseEncoding('x-gzip')).toBe('gzip');
    expect(chooseEncoding('GZIP;Q=0.8, br;q=0.7')).toBe('gzip');
    expect(chooseEncoding('br;q=1.0, gzip;q=1')).toBe('br');
    expect(chooseEncoding('deflate')).toBe('identity');
    expect(chooseEncoding('br;q=2')).toBe('identity');
    expect(chooseEncoding('br;q=abc, gzip')).toBe('gzip');
    expect(chooseEncoding(['gzip;q=0.1', 'br;q=0.9'])).toBe('br');
    expect(etagMatches('W/"a-1-br"', 'W/"a-1-br"')).toBe(true);
    expect(etagMatches('"x", W/"a-1-br"', 'W/"a-1-br"')).toBe(true);
    expect(etagMatches('"a-1-br"', 'W/"a-1-br"')).toBe(true);
    expect(etagMatches('*', 'W/"a-1"')).toBe(true);
    expect(etagMatches('W/"a-1"', 'W/"a-1-gzip"')).toBe(false);
    expect(etagMatches(undefined, 'W/"a-1"')).toBe(false);
  });

  test('the cache compresses a file once per ETag, shares a compression in progress, and stays bounded', async () => {
    const bound = zlib.gzipSync(BUNDLE).length * 3.5;
    const cache = new CompressedCache(bound);
    let loads = 0;
    const load = (bytes: Buffer) => async () => {
      loads++;
      return bytes;
    };
    const [a, b] = await Promise.all([
      cache.get('/x.js', 'W/"1"', 'gzip', load(BUNDLE)),
      cache.get('/x.js', 'W/"1"', 'gzip', load(BUNDLE)),
    ]);
    expect(loads).toBe(1);
    expect(a).toBe(b);
    await cache.get('/x.js', 'W/"1"', 'gzip', load(BUNDLE));
    expect(loads).toBe(1);
    // Another encoding, then a rebuilt file (new ETag): each compressed anew.
    await cache.get('/x.js', 'W/"1"', 'br', load(BUNDLE));
    expect(loads).toBe(2);
    const changed = Buffer.from(BUNDLE.toString('utf8').replace(/f1/g, 'g1'));
    expect(zlib.gunzipSync(await cache.get('/x.js', 'W/"2"', 'gzip', load(changed))).equals(changed)).toBe(true);
    expect(loads).toBe(3);
    // Bounded: more bodies than fit push the oldest out, and the bytes held stay under the bound.
    for (let i = 0; i < 10; i++)
      await cache.get(`/f${i}.js`, 'W/"1"', 'gzip', load(Buffer.concat([BUNDLE, Buffer.from(String(i))])));
    expect(cache.size.bytes).toBeLessThanOrEqual(bound);
    expect(cache.size.entries).toBeLessThan(5);
    // A failed read is not cached.
    await expect(cache.get('/bad.js', 'W/"1"', 'gzip', () => Promise.reject(new Error('gone')))).rejects.toThrow(
      'gone',
    );
    await expect(cache.get('/bad.js', 'W/"1"', 'gzip', load(BUNDLE))).resolves.toBeInstanceOf(Buffer);
  });
});

describe('the API on the https listener', () => {
  test('/api/v1/status answers JSON, same handler as the http listener', async () => {
    const res = await get(addinPort(), '/api/v1/status');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const status = JSON.parse(res.body) as { source: string; sample: boolean };
    expect(status).toMatchObject({ source: 'sample', sample: true });
    const viaHttp = await fetch(`${host.url}/status`);
    expect(Object.keys((await viaHttp.json()) as object).sort()).toEqual(Object.keys(status).sort());
  });

  test('API rules apply there too: unknown route 404 problem+json, wrong method 405', async () => {
    const nf = await get(addinPort(), '/api/v1/nope');
    expect(nf.status).toBe(404);
    expect(nf.headers['content-type']).toMatch(/problem\+json/);
    const wrong = await get(addinPort(), '/api/v1/signal', 'PUT', '{}');
    expect(wrong.status).toBe(405);
  });

  test('the start log names the add-in page and the certificate', () => {
    expect(logs.some((l) => /^Add-in files: https:\/\/localhost:\d+\/taskpane\.html/.test(l))).toBe(true);
    expect(logs.some((l) => l.startsWith('TLS certificate: generated') && l.includes('NOT trusted'))).toBe(true);
    expect(logs.some((l) => l.includes('npx office-addin-dev-certs install'))).toBe(true);
  });
});

describe('starting and settings', () => {
  test('IWM_ADDIN_PORT=off starts no https listener', async () => {
    const h = await startApi({ IWM_API_PORT: '0', IWM_ADDIN_PORT: 'off' }, () => {}, { runtime: rt });
    started.push(h);
    expect(h.addin).toBeNull();
    expect((await fetch(`${h.url}/status`)).status).toBe(200);
  });

  test('without a built add-in the host still starts and says to build it', async () => {
    const log: string[] = [];
    const h = await startApi(
      {
        IWM_API_PORT: '0',
        IWM_ADDIN_PORT: '0',
        IWM_ADDIN_DIR: path.join(tmp, 'not-built'),
        IWM_TLS_CERT: cert.certPath,
        IWM_TLS_KEY: cert.keyPath,
      },
      (m) => log.push(m),
      { runtime: rt },
    );
    started.push(h);
    expect(log.filter((l) => l.includes('npm run build:addin'))).toHaveLength(1);
    expect(log.some((l) => l.startsWith('TLS certificate: IWM_TLS_CERT'))).toBe(true);
    const res = await get((h.addin!.server.address() as AddressInfo).port, '/');
    expect(res.status).toBe(404);
    expect(res.body).toMatch(/build:addin/);
  });

  test('defaults and bad values name the variable', () => {
    expect(addinSettings({})).toMatchObject({ port: 3000, host: '127.0.0.1' });
    expect(addinSettings({})!.dir).toMatch(/[/\\]dist$/);
    expect(addinSettings({ IWM_ADDIN_PORT: 'OFF' })).toBeNull();
    for (const bad of ['30x', '70000', '-1'])
      expect(() => addinSettings({ IWM_ADDIN_PORT: bad })).toThrow(/IWM_ADDIN_PORT/);
    expect(() => addinSettings({ IWM_ADDIN_PORT: 'x' })).toThrow(ConfigError);
  });

  test('a bad IWM_ADDIN_PORT or a lone IWM_TLS_CERT stops the start with a ConfigError', async () => {
    await expect(startApi({ IWM_ADDIN_PORT: 'abc' }, () => {}, { runtime: rt })).rejects.toThrow(/IWM_ADDIN_PORT/);
    const lone = startApi({ IWM_API_PORT: '0', IWM_TLS_CERT: cert.certPath }, () => {}, { runtime: rt });
    await expect(lone).rejects.toBeInstanceOf(ConfigError);
    await expect(
      startApi({ IWM_API_PORT: '0', IWM_TLS_CERT: cert.certPath }, () => {}, { runtime: rt }),
    ).rejects.toThrow(/IWM_TLS_KEY/);
    await expect(startApi({ IWM_API_PORT: '0', IWM_TLS_KEY: cert.keyPath }, () => {}, { runtime: rt })).rejects.toThrow(
      /IWM_TLS_CERT/,
    );
  });

  test('IWM_TLS_CERT/KEY that are not a matching PEM pair are a ConfigError', async () => {
    const wrong = path.join(tmp, 'not-a-key.pem');
    await fs.writeFile(wrong, 'nope');
    await expect(resolveDevCertificate({ IWM_TLS_CERT: cert.certPath, IWM_TLS_KEY: wrong })).rejects.toThrow(
      /IWM_TLS_KEY/,
    );
    await expect(
      resolveDevCertificate({ IWM_TLS_CERT: path.join(tmp, 'missing.crt'), IWM_TLS_KEY: cert.keyPath }),
    ).rejects.toThrow(ConfigError);
  });
});

describe('certificates', () => {
  test('the generated certificate is for localhost and 127.0.0.1, and is reused while valid', async () => {
    expect(cert.source).toBe('generated');
    expect(cert.trusted).toBe(false);
    const x509 = new X509Certificate(cert.cert);
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.verify(new X509Certificate(cert.ca!).publicKey)).toBe(true);
    const again = await resolveDevCertificate({}, { officeDir: NO_OFFICE_CERTS, cacheDir: certDir });
    expect(again.reused).toBe(true);
    expect(again.cert.equals(cert.cert)).toBe(true);
  });

  test('an expired generated certificate is replaced', async () => {
    const dir = path.join(tmp, 'certs-expiring');
    const first = await resolveDevCertificate({}, { officeDir: NO_OFFICE_CERTS, cacheDir: dir, days: 2 });
    const later = new Date(first.validTo.getTime() - 3600 * 1000); // within a day of expiry
    const next = await resolveDevCertificate({}, { officeDir: NO_OFFICE_CERTS, cacheDir: dir, now: () => later });
    expect(next.reused).toBe(false);
    expect(next.cert.equals(first.cert)).toBe(false);
    expect(next.validTo.getTime()).toBeGreaterThan(first.validTo.getTime());
  });

  test("Office's dev certificate comes before a generated one; an expired one is skipped with a note", async () => {
    const office = path.join(tmp, 'office');
    await fs.mkdir(office);
    await fs.copyFile(cert.certPath, path.join(office, 'localhost.crt'));
    await fs.copyFile(cert.keyPath, path.join(office, 'localhost.key'));
    const used = await resolveDevCertificate({}, { officeDir: office, cacheDir: certDir });
    expect(used).toMatchObject({ source: 'office', trusted: true });
    const log: string[] = [];
    const future = new Date(cert.validTo.getTime() + 86_400_000);
    const skipped = await resolveDevCertificate(
      {},
      { officeDir: office, cacheDir: path.join(tmp, 'certs-after'), now: () => future, log: (m) => log.push(m) },
    );
    expect(skipped.source).toBe('generated');
    expect(log.join('\n')).toMatch(/expired .*office-addin-dev-certs install/);
  });
});
