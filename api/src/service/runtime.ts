/**
 * Wires configuration, store and service together: one Runtime per process. The Azure
 * Functions entry points and the local host both get theirs here, so they cannot be
 * configured differently.
 */
import { readFile } from 'node:fs/promises';
import { DEFAULT_EVENTS, parseEventsCsv } from '../data/calendar';
import type { MacroEvent } from '../engine/types';
import type { TokenCredential } from '@azure/core-auth';
import { createStore } from '../storage';
import type { BarStore } from '../storage/types';
import { readConfig, type ServiceConfig } from './config';
import { runRefresh, type RefreshDeps, type RefreshResult } from './refresh';
import { SignalService } from './signal-service';

// api/package.json: beside host.json in the deployed app, two folders up from here
// in both api/src/service and api/dist/service.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VERSION: string = require('../../package.json').version;

export interface Runtime {
  config: ServiceConfig;
  store: BarStore;
  service: SignalService;
  /** Builds and stores a new snapshot (the nightly job); serialised: one refresh at a time per process. */
  refresh(): Promise<RefreshResult>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  clock?: () => Date;
  log?: (msg: string) => void;
  /** IWM_UNIVERSE=grouped: the backfill's progress as each session arrives (the CLI's progress bar). */
  onProgress?: RefreshDeps['onProgress'];
  /** Use this store instead of the configured one (tests). */
  store?: BarStore;
}

/**
 * The app's identity on Azure: the user-assigned managed identity named by AZURE_CLIENT_ID
 * (set by infra/), else whatever DefaultAzureCredential finds (az login on a laptop).
 * Loaded only when asked for, so runs on a connection string never load the identity SDK.
 */
function appCredential(): TokenCredential {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
  const clientId = process.env.AZURE_CLIENT_ID?.trim();
  return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
}

export function storeFor(config: ServiceConfig): BarStore {
  switch (config.store) {
    case 'fs':
      return createStore({ kind: 'fs', dir: config.storeDir });
    case 'memory':
      return createStore({ kind: 'memory' });
    case 'azure': {
      const where = { container: config.blobContainer, table: config.readingsTable };
      if (config.storageAccount)
        return createStore({ kind: 'azure', account: config.storageAccount, credential: appCredential(), ...where });
      return createStore({ kind: 'azure', connectionString: config.storageConnection as string, ...where });
    }
  }
}

export async function loadEvents(config: ServiceConfig): Promise<readonly MacroEvent[]> {
  if (!config.calendarFile) return DEFAULT_EVENTS;
  let text: string;
  try {
    text = await readFile(config.calendarFile, 'utf8');
  } catch (err) {
    throw new Error(
      `IWM_CALENDAR_FILE: cannot read ${config.calendarFile} (${(err as NodeJS.ErrnoException).code ?? err})`,
      { cause: err },
    );
  }
  return parseEventsCsv(text, config.calendarFile);
}

export async function createRuntime(
  env: Record<string, string | undefined> = process.env,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const config = readConfig(env);
  const store = options.store ?? storeFor(config);
  await store.init();
  const events = await loadEvents(config);
  let running: Promise<RefreshResult> | null = null;
  const refresh = (): Promise<RefreshResult> => {
    running ??= runRefresh({
      config,
      store,
      events,
      clock: options.clock,
      log: options.log,
      onProgress: options.onProgress,
    }).finally(() => {
      running = null;
      service.invalidate();
    });
    return running;
  };
  const service = new SignalService({
    config,
    store,
    events,
    refresh,
    clock: options.clock,
    log: options.log,
    version: VERSION,
  });
  return { config, store, service, refresh, close: () => store.close() };
}

let shared: Promise<Runtime> | null = null;

/** The process's runtime, created on first use from process.env (Azure Functions entry points). */
export function sharedRuntime(): Promise<Runtime> {
  shared ??= createRuntime(process.env, { log: (m) => console.log(`[iwm] ${m}`) }).catch((err) => {
    // Do not cache a failed start: the next request tries again (e.g. after a setting is fixed).
    shared = null;
    throw err;
  });
  return shared;
}

/** Replaces the shared runtime (tests, the local host). */
export function setSharedRuntime(runtime: Runtime | null): void {
  shared = runtime ? Promise.resolve(runtime) : null;
}
