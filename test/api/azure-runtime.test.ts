/**
 * The API on Azure Storage, as deployed (IWM_STORE=azure), against a real Azurite started
 * by this test: the refresh writes bars to Blob and readings to Table, a second instance
 * on the same account serves them.
 */
import { createRuntime, type Runtime } from '../../api/src/service/runtime';
import { startAzurite } from '../support/azurite';
import { SMALL_SAMPLE } from '../support/runtime';

let azurite: Awaited<ReturnType<typeof startAzurite>>;
const runtimes: Runtime[] = [];

beforeAll(async () => {
  azurite = await startAzurite();
}, 30_000);
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
  await azurite?.stop();
});

async function azureRuntime() {
  const rt = await createRuntime({
    ...SMALL_SAMPLE,
    IWM_STORE: 'azure',
    IWM_STORAGE_CONNECTION: azurite.connectionString,
    IWM_BLOB_CONTAINER: 'bench-bars',
    IWM_READINGS_TABLE: 'BenchReadings',
  });
  runtimes.push(rt);
  return rt;
}

test('refresh into Blob/Table, then a second instance serves the same reading', async () => {
  const writer = await azureRuntime();
  const r = await writer.refresh();
  expect(r.readings).toBe(10);
  const again = await writer.refresh();
  expect(again.unchanged).toBe(true);

  const reader = await azureRuntime();
  const status = await reader.service.statusReport();
  // The anonymous status names the kind only: no account, container or key.
  expect(status.store).toBe('azure');
  expect(JSON.stringify(status)).not.toMatch(/devstoreaccount1|bench-bars|AccountKey/i);
  expect(status.generation).toBe(r.generation);
  const a = (await writer.service.call('signal', {})) as Record<string, unknown>;
  const b = (await reader.service.call('signal', {})) as Record<string, unknown>;
  expect(b).toEqual(a);
}, 60_000);

test('an unreachable account is a clear error, without the key', async () => {
  const rt = await createRuntime({
    ...SMALL_SAMPLE,
    IWM_STORE: 'azure',
    IWM_STORAGE_CONNECTION: 'UseDevelopmentStorage=true',
    IWM_BLOB_CONTAINER: 'x',
  }).catch((e) => e);
  // Either creation (init) or the first call fails; both must name the store, not a secret.
  const err = rt instanceof Error ? rt : await (rt as Runtime).service.call('signal', {}).catch((e: unknown) => e);
  if (!(rt instanceof Error)) await (rt as Runtime).close();
  expect(String((err as Error).message)).toMatch(/azure/i);
  expect(String((err as Error).message)).not.toMatch(/Eby8vdM02x/);
}, 60_000);
