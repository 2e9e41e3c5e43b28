/**
 * The API's configuration, read once from environment variables (Azure app settings
 * in production, the shell locally). Every value is checked: a typo in a setting is an
 * error that names the variable, never a silent fallback to the sample data.
 */
import { z } from 'zod';
import { tickerOf } from '../contracts/params';
import { BREADTH_SERIES } from '../data/breadth-file';
import { QUEUE } from './budget';

export const SOURCES = ['sample', 'csv', 'stooq', 'tiingo', 'massive'] as const;
export type SourceName = (typeof SOURCES)[number];
export const NETWORK_SOURCES: readonly SourceName[] = ['stooq', 'tiingo', 'massive'];
export const STORES = ['fs', 'azure', 'memory'] as const;
export type StoreKind = (typeof STORES)[number];

export interface ServiceConfig {
  source: SourceName;
  /** csv: folder of <SYMBOL>.csv files. */
  dataDir: string | null;
  /** csv: folder of member files for breadth. */
  universeDir: string | null;
  /**
   * Network sources: where the breadth universe comes from. 'ishares': the IWM holdings,
   * each member's history from the bars provider (one request per member per refresh);
   * 'grouped' (massive only): the IWM holdings, closes from Massive's grouped daily answers
   * (one request per session), incremental and resumable (grouped-refresh.ts).
   */
  universe: 'none' | 'ishares' | 'grouped';
  /** grouped: sessions the first backfill covers (SMA200 needs 200). */
  backfillSessions: number;
  /** grouped: a refresh publishes what it has and stops after this long (one Functions invocation). */
  refreshBudgetMs: number;
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
  /** An external breadth series `date,pct50,pct200` (instead of a universe). */
  breadthFile: string | null;
  allowBadRows: boolean;
  seed: number | null;
  /** Sample size (sessions, members); null = the generator's defaults (6,300 x 2,000). */
  sampleSessions: number | null;
  sampleMembers: number | null;
  tiingoKey: string | null;
  /** stooq serves scripts only with an API key since 2026 (apikey=): required for stooq. */
  stooqKey: string | null;
  massiveKey: string | null;
  /** Massive requests per minute (5 = the free plan; 0 = no limit, for paid plans). */
  massiveRpm: number;
  urls: { stooq: string; tiingo: string; fred: string; holdings: string; massive: string };
  http: { timeoutMs: number; retries: number; concurrency: number; backoffMs: number };
  store: StoreKind;
  storeDir: string;
  storageConnection: string | null;
  /** IWM_STORE=azure signed in with the app's identity (DefaultAzureCredential): the account name. */
  storageAccount: string | null;
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
  /** Heavy requests run at once and waiting per process (see budget.ts, QUEUE). */
  heavy: { maxInFlight: number; maxQueued: number };
  /** How long a refresh waits for the refresh lease while another refresh holds it. */
  refreshWaitMs: number;
}

/** A bad setting; the message names the variable and what it accepts. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

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

/**
 * A comma-separated list; `normalise` returns the upper-cased entry or null when it is not
 * valid. Entries are checked as ASCII before any case mapping (see tickerOf).
 */
function list(env: Env, name: string, normalise: (item: string) => string | null, fallback: string[]): string[] {
  const raw = env[name];
  if (raw === undefined) return fallback;
  const items: string[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (!item) continue;
    const valid = normalise(item);
    if (valid === null) throw new ConfigError(`${name}: ${JSON.stringify(item)} is not a valid entry`);
    items.push(valid);
  }
  return [...new Set(items)];
}

/** A FRED series id (T10Y2Y, BAMLH0A0HYM2) in either case, ASCII only. */
const seriesId = (item: string) => (/^[A-Za-z0-9_]{1,32}$/.test(item) ? item.toUpperCase() : null);

function ticker(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const symbol = tickerOf(raw);
  if (symbol === null) throw new ConfigError(`${name}=${JSON.stringify(raw)} is not a ticker`);
  return symbol;
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
  const stooqKey = env.IWM_STOOQ_KEY?.trim() || null;
  if (source === 'stooq' && !stooqKey)
    throw new ConfigError(
      'IWM_DATA_SOURCE=stooq needs IWM_STOOQ_KEY (stooq has served scripts only with an API key since 2026)',
    );
  const massiveKey = env.IWM_MASSIVE_KEY?.trim() || null;
  if (source === 'massive' && !massiveKey)
    throw new ConfigError('IWM_DATA_SOURCE=massive needs IWM_MASSIVE_KEY (a Massive API key)');
  const symbol = ticker(env, 'IWM_SYMBOL', 'IWM');
  const benchmark = ticker(env, 'IWM_BENCHMARK', 'SPY');
  if (symbol === benchmark) throw new ConfigError(`IWM_SYMBOL and IWM_BENCHMARK are both ${symbol}`);
  const network = NETWORK_SOURCES.includes(source);
  const symbols = [...new Set([symbol, benchmark, ...list(env, 'IWM_SYMBOLS', tickerOf, [])])];
  const store = pick(env, 'IWM_STORE', STORES, 'fs');
  const storageAccount = env.IWM_STORAGE_ACCOUNT?.trim() || null;
  if (storageAccount && !/^[a-z0-9]{3,24}$/.test(storageAccount))
    throw new ConfigError('IWM_STORAGE_ACCOUNT must be a storage account name (3-24 lower-case letters and digits)');
  if (storageAccount && env.IWM_STORAGE_CONNECTION?.trim())
    throw new ConfigError(
      'IWM_STORAGE_ACCOUNT (sign in with the identity) and IWM_STORAGE_CONNECTION (a connection string) are both set; keep one',
    );
  // With an account name the app's identity signs in; AzureWebJobsStorage is then the host's own business.
  const storageConnection = storageAccount
    ? null
    : env.IWM_STORAGE_CONNECTION?.trim() || env.AzureWebJobsStorage?.trim() || null;
  if (store === 'azure' && !storageConnection && !storageAccount)
    throw new ConfigError(
      'IWM_STORE=azure needs IWM_STORAGE_ACCOUNT (the identity signs in) or IWM_STORAGE_CONNECTION (or AzureWebJobsStorage)',
    );
  const seedRaw = env.IWM_SEED?.trim();
  const universe = pick(env, 'IWM_UNIVERSE', ['none', 'ishares', 'grouped'] as const, 'none');
  if (universe === 'grouped' && source !== 'massive')
    throw new ConfigError(
      `IWM_UNIVERSE=grouped needs IWM_DATA_SOURCE=massive (grouped daily bars are Massive's), not ${source}`,
    );
  const breadthFile = env.IWM_BREADTH_FILE?.trim() || null;
  // One breadth input at a time: which would win is not obvious, so neither does.
  if (breadthFile) {
    const other =
      source === 'sample'
        ? 'IWM_DATA_SOURCE=sample (the sample embeds its own universe)'
        : env.IWM_UNIVERSE_DIR?.trim()
          ? 'IWM_UNIVERSE_DIR'
          : universe !== 'none'
            ? `IWM_UNIVERSE=${universe}`
            : null;
    if (other) throw new ConfigError(`IWM_BREADTH_FILE cannot be combined with ${other}: choose one source of breadth`);
  }
  const fredSeries = list(env, 'IWM_FRED_SERIES', seriesId, network ? ['T10Y2Y', 'BAMLH0A0HYM2'] : []);
  const taken = fredSeries.filter((id) => (Object.values(BREADTH_SERIES) as string[]).includes(id));
  if (taken.length) throw new ConfigError(`IWM_FRED_SERIES: ${taken.join(', ')} is reserved for the breadth file`);
  return {
    source,
    dataDir,
    universeDir: env.IWM_UNIVERSE_DIR?.trim() || null,
    universe,
    backfillSessions: int(env, 'IWM_BACKFILL_SESSIONS', 200, 10_000, 260),
    refreshBudgetMs: int(env, 'IWM_REFRESH_BUDGET_MS', 1_000, 86_400_000, 8 * 60_000),
    symbol,
    benchmark,
    symbols,
    creditSymbols: list(env, 'IWM_CREDIT_SYMBOLS', tickerOf, network ? ['HYG', 'IEF'] : []).filter(
      (s) => !symbols.includes(s),
    ),
    fredSeries,
    calendarFile: env.IWM_CALENDAR_FILE?.trim() || null,
    breadthFile,
    allowBadRows: bool(env, 'IWM_ALLOW_BAD_ROWS'),
    seed: seedRaw ? int(env, 'IWM_SEED', 0, 0xffffffff, 0) : null,
    sampleSessions: env.IWM_SAMPLE_SESSIONS?.trim() ? int(env, 'IWM_SAMPLE_SESSIONS', 300, 50_000, 0) : null,
    sampleMembers: env.IWM_SAMPLE_MEMBERS?.trim() ? int(env, 'IWM_SAMPLE_MEMBERS', 0, 20_000, 0) : null,
    tiingoKey,
    stooqKey,
    massiveKey,
    massiveRpm: int(env, 'IWM_MASSIVE_RPM', 0, 100_000, 5),
    urls: {
      stooq: url(env, 'IWM_STOOQ_URL', 'https://stooq.com'),
      tiingo: url(env, 'IWM_TIINGO_URL', 'https://api.tiingo.com'),
      massive: url(env, 'IWM_MASSIVE_URL', 'https://api.massive.com'),
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
    storageAccount,
    blobContainer: env.IWM_BLOB_CONTAINER?.trim() || 'iwm-bars',
    readingsTable: env.IWM_READINGS_TABLE?.trim() || 'IwmReadings',
    staleAfterSessions: int(env, 'IWM_STALE_AFTER_SESSIONS', 0, 30, 1),
    closeLagMinutes: int(env, 'IWM_CLOSE_LAG_MINUTES', 0, 24 * 60, 120),
    precomputeSessions: int(env, 'IWM_PRECOMPUTE_SESSIONS', 1, 260, 5),
    manifestTtlMs: int(env, 'IWM_MANIFEST_TTL_MS', 0, 3_600_000, 60_000),
    heavy: {
      maxInFlight: int(env, 'IWM_HEAVY_CONCURRENCY', 1, 64, QUEUE.maxInFlight),
      maxQueued: int(env, 'IWM_HEAVY_QUEUE', 0, 10_000, QUEUE.maxQueued),
    },
    refreshWaitMs: int(env, 'IWM_REFRESH_WAIT_MS', 0, 3_600_000, 120_000),
  };
}
