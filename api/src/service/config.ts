/**
 * The API's configuration, read once from environment variables (Azure app settings
 * in production, the shell locally). Every value is checked: a typo in a setting is an
 * error that names the variable, never a silent fallback to the sample data.
 */
import { z } from 'zod';
import { TICKER_PATTERN } from '../contracts/params';

export const SOURCES = ['sample', 'csv', 'stooq', 'tiingo'] as const;
export type SourceName = (typeof SOURCES)[number];
export const NETWORK_SOURCES: readonly SourceName[] = ['stooq', 'tiingo'];
export const STORES = ['fs', 'azure', 'memory'] as const;
export type StoreKind = (typeof STORES)[number];

export interface ServiceConfig {
  source: SourceName;
  /** csv: folder of <SYMBOL>.csv files. */
  dataDir: string | null;
  /** csv: folder of member files for breadth. */
  universeDir: string | null;
  /** Network sources: where the breadth universe comes from. */
  universe: 'none' | 'ishares';
  /** Default pair of the routes. */
  symbol: string;
  benchmark: string;
  /** Network sources: every symbol a refresh fetches (always includes symbol and benchmark). */
  symbols: string[];
  /**
   * Network sources: the credit overlay's symbols (HYG, IEF), fetched too; one that cannot
   * be fetched is left out and named in the snapshot's notes (the overlay is then
   * unavailable) instead of failing the refresh.
   */
  creditSymbols: string[];
  /** FRED series a refresh fetches (curve and credit context). */
  fredSeries: string[];
  calendarFile: string | null;
  allowBadRows: boolean;
  seed: number | null;
  /** Sample size (sessions, members); null = the generator's defaults (6,300 x 2,000). */
  sampleSessions: number | null;
  sampleMembers: number | null;
  tiingoKey: string | null;
  /** stooq asks scripts for an API key since 2026 (apikey=); optional, passed when set. */
  stooqKey: string | null;
  urls: { stooq: string; tiingo: string; fred: string; holdings: string };
  http: { timeoutMs: number; retries: number; concurrency: number; backoffMs: number };
  store: StoreKind;
  storeDir: string;
  storageConnection: string | null;
  blobContainer: string;
  readingsTable: string;
  /** Sessions behind the expected last session before data counts as stale. */
  staleAfterSessions: number;
  /** Minutes after the 16:00 New York close before a session's bar is expected. */
  closeLagMinutes: number;
  /** Sessions of readings the refresh precomputes per preset. */
  precomputeSessions: number;
  /** How long a loaded manifest is trusted before checking for a newer generation. */
  manifestTtlMs: number;
}

/** A bad setting; the message names the variable and what it accepts. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const TICKER = TICKER_PATTERN;

function pick<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!(allowed as readonly string[]).includes(raw))
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not one of ${allowed.join(', ')}`);
  return raw as T;
}

function int(env: Env, name: string, min: number, max: number, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const v = Number(raw);
  if (!/^\d+$/.test(raw) || v < min || v > max)
    throw new ConfigError(`${name}=${JSON.stringify(raw)} must be an integer from ${min} to ${max}`);
  return v;
}

function bool(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return false;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name}=${JSON.stringify(raw)} must be true or false`);
}

function list(env: Env, name: string, pattern: RegExp, fallback: string[]): string[] {
  const raw = env[name];
  if (raw === undefined) return fallback;
  const items = raw
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  for (const item of items)
    if (!pattern.test(item)) throw new ConfigError(`${name}: ${JSON.stringify(item)} is not a valid entry`);
  return [...new Set(items)];
}

function ticker(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim().toUpperCase();
  if (!raw) return fallback;
  if (!TICKER.test(raw)) throw new ConfigError(`${name}=${JSON.stringify(raw)} is not a ticker`);
  return raw;
}

const Url = z.url({ protocol: /^https?$/ });
function url(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!Url.safeParse(raw).success) throw new ConfigError(`${name}=${JSON.stringify(raw)} is not an http(s) URL`);
  return raw.replace(/\/+$/, '');
}

/** Reads and checks the configuration; throws ConfigError naming the first bad variable. */
export function readConfig(env: Env = process.env): ServiceConfig {
  const source = pick(env, 'IWM_DATA_SOURCE', SOURCES, 'sample');
  const dataDir = env.IWM_DATA_DIR?.trim() || null;
  if (source === 'csv' && !dataDir)
    throw new ConfigError('IWM_DATA_SOURCE=csv needs IWM_DATA_DIR (a folder of <SYMBOL>.csv files)');
  const tiingoKey = env.IWM_TIINGO_KEY?.trim() || null;
  if (source === 'tiingo' && !tiingoKey)
    throw new ConfigError('IWM_DATA_SOURCE=tiingo needs IWM_TIINGO_KEY (a Tiingo API token)');
  const symbol = ticker(env, 'IWM_SYMBOL', 'IWM');
  const benchmark = ticker(env, 'IWM_BENCHMARK', 'SPY');
  if (symbol === benchmark) throw new ConfigError(`IWM_SYMBOL and IWM_BENCHMARK are both ${symbol}`);
  const network = NETWORK_SOURCES.includes(source);
  const symbols = [...new Set([symbol, benchmark, ...list(env, 'IWM_SYMBOLS', TICKER, [])])];
  const store = pick(env, 'IWM_STORE', STORES, 'fs');
  const storageConnection = env.IWM_STORAGE_CONNECTION?.trim() || env.AzureWebJobsStorage?.trim() || null;
  if (store === 'azure' && !storageConnection)
    throw new ConfigError('IWM_STORE=azure needs IWM_STORAGE_CONNECTION (or AzureWebJobsStorage)');
  const seedRaw = env.IWM_SEED?.trim();
  return {
    source,
    dataDir,
    universeDir: env.IWM_UNIVERSE_DIR?.trim() || null,
    universe: pick(env, 'IWM_UNIVERSE', ['none', 'ishares'] as const, 'none'),
    symbol,
    benchmark,
    symbols,
    creditSymbols: list(env, 'IWM_CREDIT_SYMBOLS', TICKER, network ? ['HYG', 'IEF'] : []).filter(
      (s) => !symbols.includes(s),
    ),
    fredSeries: list(env, 'IWM_FRED_SERIES', /^[A-Z0-9_]{1,32}$/, network ? ['T10Y2Y', 'BAMLH0A0HYM2'] : []),
    calendarFile: env.IWM_CALENDAR_FILE?.trim() || null,
    allowBadRows: bool(env, 'IWM_ALLOW_BAD_ROWS'),
    seed: seedRaw ? int(env, 'IWM_SEED', 0, 0xffffffff, 0) : null,
    sampleSessions: env.IWM_SAMPLE_SESSIONS?.trim() ? int(env, 'IWM_SAMPLE_SESSIONS', 300, 50_000, 0) : null,
    sampleMembers: env.IWM_SAMPLE_MEMBERS?.trim() ? int(env, 'IWM_SAMPLE_MEMBERS', 0, 20_000, 0) : null,
    tiingoKey,
    stooqKey: env.IWM_STOOQ_KEY?.trim() || null,
    urls: {
      stooq: url(env, 'IWM_STOOQ_URL', 'https://stooq.com'),
      tiingo: url(env, 'IWM_TIINGO_URL', 'https://api.tiingo.com'),
      fred: url(env, 'IWM_FRED_URL', 'https://fred.stlouisfed.org'),
      holdings: url(
        env,
        'IWM_HOLDINGS_URL',
        'https://www.ishares.com/us/products/239710/ishares-russell-2000-etf/1467271812596.ajax?fileType=csv&fileName=IWM_holdings&dataType=fund',
      ),
    },
    http: {
      timeoutMs: int(env, 'IWM_HTTP_TIMEOUT_MS', 100, 300_000, 15_000),
      retries: int(env, 'IWM_HTTP_RETRIES', 0, 10, 3),
      concurrency: int(env, 'IWM_HTTP_CONCURRENCY', 1, 64, 4),
      backoffMs: int(env, 'IWM_HTTP_BACKOFF_MS', 0, 60_000, 500),
    },
    store,
    storeDir: env.IWM_STORE_DIR?.trim() || '.iwm-store',
    storageConnection,
    blobContainer: env.IWM_BLOB_CONTAINER?.trim() || 'iwm-bars',
    readingsTable: env.IWM_READINGS_TABLE?.trim() || 'IwmReadings',
    staleAfterSessions: int(env, 'IWM_STALE_AFTER_SESSIONS', 0, 30, 1),
    closeLagMinutes: int(env, 'IWM_CLOSE_LAG_MINUTES', 0, 24 * 60, 120),
    precomputeSessions: int(env, 'IWM_PRECOMPUTE_SESSIONS', 1, 260, 5),
    manifestTtlMs: int(env, 'IWM_MANIFEST_TTL_MS', 0, 3_600_000, 60_000),
  };
}
