/**
 * Storage of snapshots, refresh status and precomputed readings (see types.ts), with
 * three interchangeable backends chosen by configuration.
 */
import { AzureStore, type AzureStoreOptions } from './azure-store';
import { FsStore } from './fs-store';
import { MemoryStore } from './memory-store';
import type { BarStore } from './types';

export * from './types';
export * from './codec';
export * from './snapshot-objects';
export * from './lease';
export * from './recovery';
export * from './memory-store';
export * from './fs-store';
export * from './azure-store';

export type StoreOptions = { kind: 'fs'; dir: string } | ({ kind: 'azure' } & AzureStoreOptions) | { kind: 'memory' };

/** The store the options describe; call init() on it before the first write. */
export function createStore(options: StoreOptions): BarStore {
  switch (options.kind) {
    case 'fs':
      return new FsStore({ dir: options.dir });
    case 'azure':
      return new AzureStore(options);
    case 'memory':
      return new MemoryStore();
    default: {
      const kind: never = options;
      throw new RangeError(`unknown store kind ${JSON.stringify((kind as { kind: unknown }).kind)}`);
    }
  }
}
