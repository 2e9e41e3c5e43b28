/**
 * `npm run start:api`: the API on http://127.0.0.1:7071/api/v1 without Azure Functions
 * Core Tools. Same configuration variables as in Azure (IWM_DATA_SOURCE, IWM_DATA_DIR,
 * IWM_STORE, ...), plus IWM_API_PORT, IWM_API_HOST, IWM_FUNCTION_KEYS and IWM_CORS_ORIGINS.
 * The data is loaded (and, for sample/csv, refreshed into the store) before it listens,
 * so the first request is as fast as the others.
 */
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../service/config';
import { createRuntime } from '../service/runtime';
import { createLocalHost } from './local-host';

export interface HostSettings {
  port: number;
  host: string;
  functionKeys: string[];
  corsOrigins: string[];
}

export function hostSettings(env: Record<string, string | undefined>): HostSettings {
  const portRaw = env.IWM_API_PORT?.trim() || '7071';
  const port = Number(portRaw);
  if (!/^\d+$/.test(portRaw) || port > 65535)
    throw new ConfigError(`IWM_API_PORT=${JSON.stringify(portRaw)} must be a port number (0-65535)`);
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

export async function startApi(
  env: Record<string, string | undefined> = process.env,
  log = (m: string) => console.log(m),
) {
  const settings = hostSettings(env);
  const runtime = await createRuntime(env, { log });
  const t0 = Date.now();
  // CSV files may have changed since the last run: re-read them (a no-op when they did not).
  if (runtime.config.source === 'csv') await runtime.refresh();
  const status = await runtime.service.statusReport();
  if (status.generation) await runtime.service.entry({}).catch(() => undefined);
  log(
    `data: ${status.source}${status.sample ? ' (SAMPLE DATA, synthetic)' : ''}, last bar ${status.lastBarDate ?? 'none'}, store ${status.store}` +
      `${status.stale ? `, STALE: ${status.staleReason}` : ''} (${Date.now() - t0} ms)`,
  );
  const server = createLocalHost({
    runtime,
    functionKeys: settings.functionKeys,
    corsOrigins: settings.corsOrigins,
    log,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://${settings.host}:${port}/api/v1`;
  log(`IWM Signal API listening on ${base} (try ${base}/signal or ${base}/status)`);
  log(
    settings.functionKeys.length
      ? `function keys: required on data routes (${settings.functionKeys.length} configured)`
      : 'function keys: none configured (IWM_FUNCTION_KEYS); data routes are open, as with func start',
  );
  log(`CORS origins: ${settings.corsOrigins.join(', ') || 'none'}`);
  return { server, runtime, url: base };
}

if (require.main === module) {
  startApi().catch((err) => {
    console.error(`iwm api: ${(err as Error).message}`);
    process.exit(1);
  });
}
