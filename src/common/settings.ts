/**
 * The add-in's settings in the shared runtime: where the API is, the function key, and the
 * workbook's profile and symbol. The custom functions read them at every call; the
 * taskpane edits them (and saves the workbook's part in the workbook, so a shared template
 * carries its profile). Listeners hear every change, so the functions can recalculate.
 */

/** Set by webpack from IWM_API_URL at build time; absent in tests. */
declare const IWM_API_URL: string | undefined;

export interface AddinSettings {
  /** API root, e.g. `https://localhost:3000/api/v1` or `https://<app>.azurewebsites.net/api/v1`. */
  apiUrl: string;
  /** Azure Functions key (`x-functions-key`); empty when the API needs none. */
  apiKey: string;
  /** The workbook's profile: a preset name or a profile object laid over its preset. */
  profile: string | Record<string, unknown> | undefined;
  /** The workbook's primary symbol (default: the API's, IWM). */
  symbol: string | undefined;
  /** Seconds between IWM.LIVE updates. */
  liveIntervalSeconds: number;
}

/**
 * The API next to the add-in's own files (`npm start` serves both on one origin), unless
 * the build named another one.
 */
export function defaultApiUrl(): string {
  if (typeof IWM_API_URL === 'string' && IWM_API_URL) return IWM_API_URL;
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
  return origin && /^https?:/.test(origin) ? `${origin}/api/v1` : 'http://127.0.0.1:7071/api/v1';
}

export function defaultSettings(): AddinSettings {
  return { apiUrl: defaultApiUrl(), apiKey: '', profile: undefined, symbol: undefined, liveIntervalSeconds: 60 };
}

export class SettingsStore {
  private value: AddinSettings = defaultSettings();
  private loading: { done: Promise<void>; release: () => void } | null = null;
  private readonly listeners = new Set<(s: AddinSettings, changed: (keyof AddinSettings)[]) => void>();

  get(): AddinSettings {
    return this.value;
  }

  update(patch: Partial<AddinSettings>): void {
    const changed = (Object.keys(patch) as (keyof AddinSettings)[]).filter(
      (k) => JSON.stringify(patch[k]) !== JSON.stringify(this.value[k]),
    );
    if (!changed.length) return;
    this.value = { ...this.value, ...patch };
    for (const listener of this.listeners) listener(this.value, changed);
  }

  reset(): void {
    this.value = defaultSettings();
  }

  /**
   * The page is about to load the workbook's saved settings: until endLoad, calls wait
   * (ready()), so a cell calculated while the workbook opens does not use the default
   * profile and keep a wrong value.
   */
  beginLoad(): void {
    if (this.loading) return;
    let release = () => {};
    const done = new Promise<void>((resolve) => (release = resolve));
    this.loading = { done, release };
  }

  endLoad(): void {
    this.loading?.release();
    this.loading = null;
  }

  /** Resolves once the saved settings are loaded, or after `maxWaitMs` (a load that hangs must not hang cells). */
  ready(maxWaitMs = 5000): Promise<void> {
    if (!this.loading) return Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)));
    return Promise.race([this.loading.done, timeout]).finally(() => clearTimeout(timer));
  }

  onChange(listener: (s: AddinSettings, changed: (keyof AddinSettings)[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
