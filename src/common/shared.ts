/**
 * The one settings store and API client of the shared runtime: the custom functions and
 * the taskpane run in the same JavaScript context and import these same objects, so a
 * profile saved in the taskpane is what the next `IWM.COMPOSITE` call sends.
 */
import { BatchingClient } from './api-client';
import { SettingsStore } from './settings';

export const settings = new SettingsStore();

export const client = new BatchingClient({
  baseUrl: () => settings.get().apiUrl,
  apiKey: () => settings.get().apiKey || undefined,
});

// A new profile or symbol changes the cache key anyway; a new key or API address may change
// which data answers, so start over.
settings.onChange((_s, changed) => {
  if (changed.includes('apiUrl') || changed.includes('apiKey')) client.clearCache();
});
