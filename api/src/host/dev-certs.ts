/**
 * The TLS certificate for the add-in's local web host (https://localhost:3000): Excel only
 * loads add-in pages over HTTPS from a certificate the machine trusts. In order:
 *   1. IWM_TLS_CERT + IWM_TLS_KEY (PEM files; both or neither);
 *   2. the Office dev certificate in ~/.office-addin-dev-certs (localhost.crt, localhost.key),
 *      which `npx office-addin-dev-certs install` creates and trusts (Microsoft's standard step);
 *   3. a localhost certificate generated into <repo>/.cache/dev-certs/ (reused while valid).
 *      Nothing trusts it, so the host works (curl -k, tests) but Excel will not load the add-in
 *      until step 2 is done once.
 * Generation uses office-addin-dev-certs' `generateCertificates`, which only creates files
 * (mkcert/node-forge): no network, no usage data, no trust-store change. It is a dev
 * dependency, loaded lazily, because api/ is deployed to Azure without dev dependencies.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../service/config';

export type CertificateSource = 'env' | 'office' | 'generated';

export interface DevCertificate {
  cert: Buffer;
  key: Buffer;
  /** The issuing CA of a generated certificate (clients can verify against it). */
  ca?: Buffer;
  source: CertificateSource;
  certPath: string;
  keyPath: string;
  caPath?: string;
  validTo: Date;
  /** False for a generated certificate: nothing trusts it until Office's dev CA is installed. */
  trusted: boolean;
  /** A generated certificate found in the cache and used again. */
  reused: boolean;
  /** One line for the start log. */
  description: string;
}

export interface CertificateOptions {
  /** Where `office-addin-dev-certs install` keeps its files; default ~/.office-addin-dev-certs. */
  officeDir?: string;
  /** Where a generated certificate is kept; default <repo>/.cache/dev-certs. */
  cacheDir?: string;
  /** Validity of a generated certificate; default 365 days. */
  days?: number;
  now?: () => Date;
  log?: (msg: string) => void;
}

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const DEFAULT_OFFICE_CERT_DIR = path.join(os.homedir(), '.office-addin-dev-certs');
export const DEFAULT_CERT_CACHE_DIR = path.join(REPO_ROOT, '.cache', 'dev-certs');
/** A certificate that expires within this margin is treated as expired (it would lapse mid-session). */
const MIN_REMAINING_MS = 24 * 3600 * 1000;

/** IWM_TLS_CERT and IWM_TLS_KEY: both (resolved paths) or neither (null). */
export function tlsFiles(env: Record<string, string | undefined>): { cert: string; key: string } | null {
  const cert = env.IWM_TLS_CERT?.trim();
  const key = env.IWM_TLS_KEY?.trim();
  if (!cert && !key) return null;
  if (!cert || !key)
    throw new ConfigError(
      `${cert ? 'IWM_TLS_KEY' : 'IWM_TLS_CERT'} is not set: IWM_TLS_CERT and IWM_TLS_KEY go together (PEM certificate and its private key)`,
    );
  return { cert: path.resolve(cert), key: path.resolve(key) };
}

interface Loaded {
  cert: Buffer;
  key: Buffer;
  x509: X509Certificate;
}

/** Reads and checks a certificate/key pair; throws an Error naming what is wrong. */
async function loadPair(
  certPath: string,
  keyPath: string,
  names = { cert: 'certificate', key: 'key' },
): Promise<Loaded> {
  const read = async (file: string, name: string) => {
    try {
      return await fs.readFile(file);
    } catch (err) {
      throw new Error(
        `${name}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        { cause: err },
      );
    }
  };
  const cert = await read(certPath, names.cert);
  const key = await read(keyPath, names.key);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new Error(`${names.cert}: ${certPath} is not a PEM certificate (${(err as Error).message})`, {
      cause: err,
    });
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new Error(`${names.key}: ${keyPath} is not a PEM private key (${(err as Error).message})`, {
      cause: err,
    });
  }
  if (!x509.checkPrivateKey(privateKey)) throw new Error(`${names.key}: ${keyPath} is not the key of ${certPath}`);
  return { cert, key, x509 };
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const home = (p: string) => {
  const h = os.homedir();
  return p.startsWith(h + path.sep) ? `~${p.slice(h.length)}` : p;
};

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** The certificate the add-in host serves with; see the module comment for the order. */
export async function resolveDevCertificate(
  env: Record<string, string | undefined>,
  options: CertificateOptions = {},
): Promise<DevCertificate> {
  const log = options.log ?? (() => {});
  const now = (options.now ?? (() => new Date()))();
  const fresh = (x: X509Certificate) => new Date(x.validTo).getTime() - now.getTime() > MIN_REMAINING_MS;

  // 1. Explicit files: any problem is a configuration error, never a silent fallback.
  const files = tlsFiles(env);
  if (files) {
    let pair: Loaded;
    try {
      pair = await loadPair(files.cert, files.key, { cert: 'IWM_TLS_CERT', key: 'IWM_TLS_KEY' });
    } catch (err) {
      throw new ConfigError((err as Error).message);
    }
    const validTo = new Date(pair.x509.validTo);
    if (validTo.getTime() <= now.getTime())
      log(`TLS: the IWM_TLS_CERT certificate expired on ${day(validTo)}; browsers and Excel will refuse it`);
    return {
      cert: pair.cert,
      key: pair.key,
      source: 'env',
      certPath: files.cert,
      keyPath: files.key,
      validTo,
      trusted: true,
      reused: false,
      description: `IWM_TLS_CERT ${files.cert} (valid until ${day(validTo)})`,
    };
  }

  // 2. Office's dev certificate, when installed and not expired.
  const officeDir = options.officeDir ?? DEFAULT_OFFICE_CERT_DIR;
  const office = { cert: path.join(officeDir, 'localhost.crt'), key: path.join(officeDir, 'localhost.key') };
  if ((await exists(office.cert)) && (await exists(office.key))) {
    try {
      const pair = await loadPair(office.cert, office.key);
      const validTo = new Date(pair.x509.validTo);
      if (!fresh(pair.x509))
        log(
          `TLS: the Office dev certificate in ${home(officeDir)} expired on ${day(validTo)}; ` +
            'run `npx office-addin-dev-certs install` to renew it (using a generated certificate meanwhile)',
        );
      else
        return {
          cert: pair.cert,
          key: pair.key,
          source: 'office',
          certPath: office.cert,
          keyPath: office.key,
          validTo,
          trusted: true,
          reused: false,
          description: `Office dev certificate ${home(office.cert)} (valid until ${day(validTo)})`,
        };
    } catch (err) {
      log(`TLS: ignoring the Office dev certificate: ${(err as Error).message}`);
    }
  }

  // 3. A generated certificate in the cache folder, reused while valid.
  const cacheDir = options.cacheDir ?? DEFAULT_CERT_CACHE_DIR;
  const gen = {
    ca: path.join(cacheDir, 'ca.crt'),
    cert: path.join(cacheDir, 'localhost.crt'),
    key: path.join(cacheDir, 'localhost.key'),
  };
  let pair: Loaded | null = null;
  let reused = false;
  try {
    const cached = await loadPair(gen.cert, gen.key);
    if (fresh(cached.x509) && cached.x509.checkHost('localhost') && (await exists(gen.ca))) {
      pair = cached;
      reused = true;
    }
  } catch {
    // missing or damaged: generate below
  }
  if (!pair) {
    // generateCertificates writes nothing when ca.crt exists, so clear the old set first.
    await Promise.all(Object.values(gen).map((f) => fs.rm(f, { force: true })));
    await generateInto(gen.ca, gen.cert, gen.key, options.days ?? 365);
    await fs.chmod(gen.key, 0o600).catch(() => undefined);
    pair = await loadPair(gen.cert, gen.key);
  }
  const validTo = new Date(pair.x509.validTo);
  return {
    cert: pair.cert,
    key: pair.key,
    ca: await fs.readFile(gen.ca),
    source: 'generated',
    certPath: gen.cert,
    keyPath: gen.key,
    caPath: gen.ca,
    validTo,
    trusted: false,
    reused,
    description: `${reused ? 'generated earlier' : 'generated'}, NOT trusted: ${home(gen.cert)} (valid until ${day(validTo)})`,
  };
}

/** office-addin-dev-certs' generator, required only here (a dev dependency; absent in Azure). */
async function generateInto(caPath: string, certPath: string, keyPath: string, days: number): Promise<void> {
  let devCerts: typeof import('office-addin-dev-certs');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    devCerts = require('office-addin-dev-certs') as typeof import('office-addin-dev-certs');
  } catch (err) {
    throw new Error(
      `cannot generate a localhost certificate: office-addin-dev-certs is not installed (${(err as Error).message}). ` +
        'Run `npm install`, set IWM_TLS_CERT/IWM_TLS_KEY, or IWM_ADDIN_PORT=off',
      { cause: err },
    );
  }
  await devCerts.generateCertificates(caPath, certPath, keyPath, days);
}
