/**
 * The local API host on the small sample runtime, over real HTTP on loopback, for add-in
 * tests: the base URL, the sample's session dates and a count of batch requests received.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatDay } from '../../api/src/engine/dates';
import { createLocalHost } from '../../api/src/host/local-host';
import type { Runtime } from '../../api/src/service/runtime';
import { sampleRuntime } from './runtime';

export interface LocalApi {
  rt: Runtime;
  server: Server;
  /** http://127.0.0.1:<port>/api/v1 */
  base: string;
  /** Every session of the sample as ISO dates. */
  sessions: string[];
  /** POST /batch requests received since the last reset. */
  batchRequests: number;
  close(): Promise<void>;
}

/** Listens on a free loopback port; resolves to the API root under it. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
}

/** `env` adds settings to the small sample's (e.g. a larger IWM_SAMPLE_SESSIONS, IWM_HEAVY_QUEUE). */
export async function startLocalApi(env: Record<string, string> = {}): Promise<LocalApi> {
  const rt = await sampleRuntime(env);
  const server = createLocalHost({ runtime: rt, functionKeys: [], corsOrigins: [] });
  const api: LocalApi = {
    rt,
    server,
    base: await listen(server),
    sessions: Array.from((await rt.service.entry({})).history.dates, (d) => formatDay(d)),
    batchRequests: 0,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await rt.close();
    },
  };
  server.on('request', (req) => {
    if (req.url?.includes('/batch')) api.batchRequests++;
  });
  return api;
}
