/**
 * `npm start` / `npm run start:api`: the API on http://127.0.0.1:7071/api/v1 without Azure
 * Functions Core Tools, and the Excel add-in's built files for sideloading on
 * https://localhost:3000 (with the same API under /api/v1 there, same-origin for the
 * add-in). Same configuration variables as in Azure (IWM_DATA_SOURCE, IWM_DATA_DIR,
 * IWM_STORE, ...), plus IWM_API_PORT, IWM_API_HOST, IWM_FUNCTION_KEYS, IWM_CORS_ORIGINS,
 * IWM_ADDIN_PORT, IWM_ADDIN_HOST, IWM_ADDIN_DIR and IWM_TLS_CERT/IWM_TLS_KEY.
 * The data is loaded (and, for sample/csv, refreshed into the store) before it listens,
 * so the first request is as fast as the others.
 */
import { promises as fs } from 'node:fs';
import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ConfigError } from '../service/config';
import { createRuntime, type Runtime } from '../service/runtime';
import { createAddinHost, INDEX_FILE } from './addin-host';
import { REPO_ROOT, resolveDevCertificate, tlsFiles, type CertificateOptions, type DevCertificate } from './dev-certs';
import { createHttpServer } from './http-server';
import { createRequestHandler } from './local-host';

export interface HostSettings {
  port: number;
  host: string;
  functionKeys: string[];
  corsOrigins: string[];
}

function parsePort(name: string, raw: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535)
    throw new ConfigError(`${name}=${JSON.stringify(raw)} must be a port number (0-65535)`);
  return port;
}

export function hostSettings(env: Record<string, string | undefined>): HostSettings {
  const port = parsePort('IWM_API_PORT', env.IWM_API_PORT?.trim() || '7071');
  const split = (v: string | undefined) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const corsOrigins = env.IWM_CORS_ORIGINS === undefined ? ['https://localhost:3000'] : split(env.IWM_CORS_ORIGINS);
  for (const o of corsOrigins)
    if (!/^https?:\/\/[^/\s]+$/.test(o))
      throw new ConfigError(`IWM_CORS_ORIGINS: ${JSON.stringify(o)} is not an origin (scheme://host[:port], no path)`);
  return {
    port,
    host: env.IWM_API_HOST?.trim() || '127.0.0.1',
    functionKeys: split(env.IWM_FUNCTION_KEYS),
    corsOrigins,
  };
}

export interface AddinSettings {
  port: number;
  host: string;
  /** The add-in build folder (absolute). */
  dir: string;
}

/** The add-in's web host (`null` when IWM_ADDIN_PORT=off). */
export function addinSettings(env: Record<string, string | undefined>): AddinSettings | null {
  const raw = env.IWM_ADDIN_PORT?.trim() || '3000';
  if (raw.toLowerCase() === 'off') return null;
  const port = parsePort('IWM_ADDIN_PORT', raw);
  return {
    port,
    host: env.IWM_ADDIN_HOST?.trim() || '127.0.0.1',
    dir: path.resolve(env.IWM_ADDIN_DIR?.trim() || path.join(REPO_ROOT, 'dist')),
  };
}

export interface StartOptions {
  /** Use this runtime instead of one from `env` (tests); the caller closes it. */
  runtime?: Runtime;
  /** Where certificates are looked for and generated (tests point these at a temp folder). */
  certificates?: Omit<CertificateOptions, 'log'>;
}

export interface StartedHost {
  server: Server;
  runtime: Runtime;
  url: string;
  addin: { server: HttpsServer; url: string; dir: string; certificate: DevCertificate } | null;
  /** Closes both listeners, and the runtime when startApi created it. */
  close(): Promise<void>;
}

function listen(server: Server | HttpsServer, port: number, host: string, variable: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES'
          ? new Error(`cannot listen on ${host}:${port} (${err.code}); choose another ${variable}`, { cause: err })
          : err,
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** The host name the add-in is reached by: manifest.xml says localhost, and the certificate is for it. */
function browserHost(host: string): string {
  return ['127.0.0.1', '::1', '0.0.0.0', '::', 'localhost'].includes(host) ? 'localhost' : host;
}

export async function startApi(
  env: Record<string, string | undefined> = process.env,
  log = (m: string) => console.log(m),
  options: StartOptions = {},
): Promise<StartedHost> {
  // Every setting is checked before anything slow (data, certificates) starts.
  const settings = hostSettings(env);
  const addin = addinSettings(env);
  tlsFiles(env);
  if (addin) {
    const stat = await fs.stat(addin.dir).catch(() => null);
    if (stat && !stat.isDirectory())
      throw new ConfigError(`IWM_ADDIN_DIR: ${addin.dir} is not a folder (the add-in build output)`);
  }
  const certificate = addin ? await resolveDevCertificate(env, { ...options.certificates, log }) : null;

  const ownRuntime = !options.runtime;
  const runtime = options.runtime ?? (await createRuntime(env, { log }));
  const servers: (Server | HttpsServer)[] = [];
  const close = async () => {
    await Promise.all(servers.map(closeServer));
    if (ownRuntime) await runtime.close();
  };
  try {
    const t0 = Date.now();
    // CSV files may have changed since the last run: re-read them (a no-op when they did not).
    // A failed refresh (a bad file) is recorded; the store's last good data is served, stale.
    let refreshError: unknown = null;
    if (runtime.config.source === 'csv') await runtime.refresh().catch((err) => (refreshError = err));
    const status = await runtime.service.statusReport();
    if (refreshError && !status.generation) throw refreshError;
    if (status.generation) await runtime.service.entry({}).catch(() => undefined);
    log(
      `data: ${status.source}${status.sample ? ' (SAMPLE DATA, synthetic)' : ''}, last bar ${status.lastBarDate ?? 'none'}, store ${status.store}` +
        `${status.stale ? `, STALE: ${status.staleReason}` : ''} (${Date.now() - t0} ms)`,
    );
    const handler = createRequestHandler({
      runtime,
      functionKeys: settings.functionKeys,
      corsOrigins: settings.corsOrigins,
      log,
    });
    const server = createHttpServer(handler);
    servers.push(server);
    const port = await listen(server, settings.port, settings.host, 'IWM_API_PORT');
    const base = `http://${settings.host}:${port}/api/v1`;
    log(`IWM Signal API listening on ${base} (try ${base}/signal or ${base}/status)`);
    log(
      settings.functionKeys.length
        ? `function keys: required on data routes (${settings.functionKeys.length} configured)`
        : 'function keys: none configured (IWM_FUNCTION_KEYS); data routes are open, as with func start',
    );
    log(`CORS origins: ${settings.corsOrigins.join(', ') || 'none'}`);

    let addinHost: StartedHost['addin'] = null;
    if (addin && certificate) {
      const https = createAddinHost({ dir: addin.dir, api: handler, tls: certificate, log });
      servers.push(https);
      const addinPort = await listen(https, addin.port, addin.host, 'IWM_ADDIN_PORT');
      const origin = `https://${browserHost(addin.host)}:${addinPort}`;
      const page = `${origin}/${INDEX_FILE}`;
      const built = await fs
        .stat(path.join(addin.dir, INDEX_FILE))
        .then((s) => s.isFile())
        .catch(() => false);
      log(
        built
          ? `Add-in files: ${page} (${addinPort === 3000 ? 'manifest.xml points here' : 'manifest.xml points to port 3000, not this one'})`
          : `Add-in files: none yet (no ${INDEX_FILE} in ${addin.dir}): run \`npm run build:addin\`, then they are served at ${page}`,
      );
      log(`TLS certificate: ${certificate.description}`);
      if (!certificate.trusted)
        log(
          'TLS: Excel will not load the add-in from an untrusted certificate: run `npx office-addin-dev-certs install` once (it asks for admin rights) and restart',
        );
      addinHost = { server: https, url: origin, dir: addin.dir, certificate };
    } else {
      log('Add-in files: not served (IWM_ADDIN_PORT=off)');
    }
    return { server, runtime, url: base, addin: addinHost, close };
  } catch (err) {
    await close();
    throw err;
  }
}

if (require.main === module) {
  // `npm run start:api` passes --api-only: the API alone, without the add-in's web host.
  const env = process.argv.includes('--api-only') ? { ...process.env, IWM_ADDIN_PORT: 'off' } : process.env;
  startApi(env).catch((err) => {
    console.error(`iwm api: ${(err as Error).message}`);
    process.exit(1);
  });
}
