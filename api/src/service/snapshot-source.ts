/**
 * Builds a Snapshot (every symbol's bars, the breadth universe, context series) from the
 * configured source. This is the I/O edge of a refresh: files or the network in,
 * validated columns out. Nothing is zero-filled: a bad row fails the refresh (or, with
 * IWM_ALLOW_BAD_ROWS, is skipped and listed in the snapshot's notes).
 */
import { readFile, readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { BREADTH_SERIES, parseBreadthCsv } from '../data/breadth-file';
import { DataFileError, parseBarsCsv, type ParsedBars, type RowIssue } from '../data/csv-bars';
import { generateSample, type SampleData } from '../data/sample';
import { lowerBound } from '../engine/dates';
import { TICKER_PATTERN, tickerOf } from '../contracts/params';
import { HttpClient } from '../data/http-client';
import { createBarsProvider, fetchFredSeries, fetchIwmHoldings, type BarsProvider } from '../data/providers';
import { ProviderError } from '../data/providers/types';
import type { BarColumns } from '../engine/types';
import type { MemberCloses, Snapshot, ValueSeries } from '../storage/types';
import type { ServiceConfig } from './config';

/** The fund whose members make up the breadth universe: breadth applies to this primary only. */
export const UNIVERSE_OWNER = 'IWM';

/** A source problem (missing folder, bad file, provider failure); the message says what and where. */
export class SourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceError';
  }
}

interface Skipped {
  file: string;
  issues: RowIssue[];
}

/** Lists a file's bad rows, or refuses the file when bad rows are not allowed. */
function checkRows(file: { source: string; issues: RowIssue[] }, allowBadRows: boolean, skipped: Skipped[]): void {
  if (file.issues.length === 0) return;
  if (!allowBadRows)
    throw new DataFileError(
      file.source,
      `${file.issues.length} bad row(s); fix them or set IWM_ALLOW_BAD_ROWS=true to skip them`,
      file.issues,
    );
  skipped.push({ file: file.source, issues: file.issues.slice(0, 20) });
}

/** Keeps a parsed file, or refuses it when rows were bad and bad rows are not allowed. */
function accept(parsed: ParsedBars, allowBadRows: boolean, skipped: Skipped[]): BarColumns {
  checkRows(parsed, allowBadRows, skipped);
  return parsed.bars;
}

/** Packs members' (dates, close) into the stored CSR layout. */
export function packMembers(members: readonly { symbol: string; bars: Pick<BarColumns, 'dates' | 'close'> }[]) {
  let total = 0;
  for (const m of members) total += m.bars.dates.length;
  const out: MemberCloses = {
    symbols: [],
    offsets: new Int32Array(members.length + 1),
    dates: new Int32Array(total),
    close: new Float64Array(total),
  };
  let n = 0;
  members.forEach((m, i) => {
    out.symbols.push(m.symbol);
    out.dates.set(m.bars.dates, n);
    out.close.set(m.bars.close, n);
    n += m.bars.dates.length;
    out.offsets[i + 1] = n;
  });
  return out;
}

export function sampleSnapshot(config: ServiceConfig, createdAt: string): Snapshot {
  const sample = generateSample({
    ...(config.seed === null ? {} : { seed: config.seed }),
    ...(config.sampleSessions === null ? {} : { sessions: config.sampleSessions }),
    ...(config.sampleMembers === null ? {} : { members: config.sampleMembers }),
  });
  return snapshotOfSample(sample, createdAt);
}

/** The generated sample as a snapshot: members on their own dates, IWM owning the universe. */
export function snapshotOfSample(sample: SampleData, createdAt: string): Snapshot {
  const u = sample.universe;
  const dates = new Int32Array(u.dayIndex.length);
  for (let k = 0; k < dates.length; k++) dates[k] = sample.primary.dates[u.dayIndex[k]];
  return {
    source: 'sample',
    createdAt,
    bars: {
      IWM: sample.primary,
      SPY: sample.benchmark,
      [sample.highYieldSymbol]: sample.highYield,
      [sample.treasurySymbol]: sample.treasury,
    },
    universe: { symbols: u.symbols, offsets: u.offsets, dates, close: u.close },
    series: {},
    notes: {
      seed: sample.seed,
      sessions: sample.primary.dates.length,
      universeOwner: UNIVERSE_OWNER,
      universeSource: 'sample',
    },
  };
}

/**
 * The snapshot as it stood on `lastDay`: every bar, member bar and series value after it
 * left out (copies). What a refresh on that day would have stored; tests and the bench use
 * it to play a nightly refresh.
 */
export function snapshotThrough(snapshot: Snapshot, lastDay: number): Snapshot {
  const upTo = (dates: Int32Array, a = 0, b = dates.length) => lowerBound(dates, lastDay + 1, a, b);
  const cut = <T extends object>(cols: T & { dates: Int32Array }): T => {
    const n = upTo(cols.dates);
    return Object.fromEntries(
      Object.entries(cols).map(([k, v]) => [k, (v as Int32Array | Float64Array).slice(0, n)]),
    ) as T;
  };
  const u = snapshot.universe;
  return {
    ...snapshot,
    bars: Object.fromEntries(Object.entries(snapshot.bars).map(([s, b]) => [s, cut(b)])),
    universe: u
      ? packMembers(
          u.symbols.map((symbol, m) => {
            const a = u.offsets[m];
            const b = upTo(u.dates, a, u.offsets[m + 1]);
            return { symbol, bars: { dates: u.dates.slice(a, b), close: u.close.slice(a, b) } };
          }),
        )
      : null,
    series: Object.fromEntries(Object.entries(snapshot.series).map(([id, v]) => [id, cut(v)])),
    notes: { ...snapshot.notes },
  };
}

/*
 * Messages name files relative to their folder (`SPY.csv`, `IWM_UNIVERSE_DIR/ABCD.csv`)
 * and folders by their setting, never by absolute path: they reach the API's anonymous
 * status route (lastError, staleReason) and 503 details, which must not describe the
 * server's file system. The operator knows where IWM_DATA_DIR points.
 */

/** Reads `path`, which messages call `shown`. */
async function readText(path: string, shown: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new SourceError(`${shown}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
}

/** The `.csv` files of the folder a setting names (`setting` is how messages name the folder). */
async function csvFiles(dir: string, setting: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.csv')).sort();
  } catch (err) {
    throw new SourceError(`${setting}: cannot read the folder (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
}

const stemOf = (file: string) => basename(file, file.slice(file.lastIndexOf('.')));
/** The ticker a file name gives (`spy.csv` -> SPY), or null when the name is not an ASCII ticker. */
const symbolOf = (file: string) => tickerOf(stemOf(file));

/**
 * A folder of `<SYMBOL>.csv` files. The configured symbol and benchmark must be there;
 * the other symbols (QQQ, ...) come along so `symbol=` can name them. Files that are not
 * bar files (another header) or not named as a ticker are left out and listed, not
 * fatal, unless they are the configured pair.
 */
export async function csvSnapshot(config: ServiceConfig, createdAt: string): Promise<Snapshot> {
  const dir = config.dataDir;
  if (!dir) throw new SourceError('the csv source needs IWM_DATA_DIR');
  const names = await csvFiles(dir, 'IWM_DATA_DIR');
  const bars: Record<string, BarColumns> = {};
  const skipped: Skipped[] = [];
  const notBars: string[] = [];
  const required = new Set([config.symbol, config.benchmark]);
  for (const name of names) {
    const symbol = symbolOf(name);
    if (symbol === null || !TICKER_PATTERN.test(symbol)) {
      notBars.push(`${name}: the name is not a ticker (ASCII letters, digits, . ^ _ -)`);
      continue;
    }
    try {
      const text = await readText(join(dir, name), name);
      bars[symbol] = accept(parseBarsCsv(text, name), config.allowBadRows, skipped);
    } catch (err) {
      if (required.has(symbol) || !(err instanceof DataFileError)) throw err;
      notBars.push(err.message.split('\n')[0]);
    }
  }
  for (const s of required) if (!bars[s]) throw new SourceError(`IWM_DATA_DIR: ${s}.csv is missing (needed for ${s})`);
  let universe: MemberCloses | null = null;
  if (config.universeDir) {
    const files = await csvFiles(config.universeDir, 'IWM_UNIVERSE_DIR');
    if (files.length === 0) throw new SourceError('IWM_UNIVERSE_DIR: the folder has no .csv files');
    const members = [];
    for (const name of files) {
      const shown = `IWM_UNIVERSE_DIR/${name}`;
      const text = await readText(join(config.universeDir, name), shown);
      const b = accept(parseBarsCsv(text, shown), config.allowBadRows, skipped);
      members.push({ symbol: symbolOf(name) ?? stemOf(name), bars: b });
    }
    universe = packMembers(members);
  }
  return {
    source: 'csv',
    createdAt,
    bars,
    universe,
    series: {},
    notes: {
      dataDir: dir,
      universeOwner: UNIVERSE_OWNER,
      universeSource: universe ? 'files' : null,
      skippedRows: skipped,
      notBarFiles: notBars,
    },
  };
}

/** The bars provider a network configuration names, with its address, key and quota. */
function barsProviderOf(config: ServiceConfig, client: HttpClient) {
  const name = config.source as BarsProvider['name'];
  const settings = {
    stooq: { baseUrl: config.urls.stooq, key: config.stooqKey },
    tiingo: { baseUrl: config.urls.tiingo, key: config.tiingoKey },
    massive: { baseUrl: config.urls.massive, key: config.massiveKey, requestsPerMinute: config.massiveRpm },
  }[name];
  return createBarsProvider(name, client, settings);
}

/** The FRED context series the configuration names (curve, credit), each whole. */
export async function fetchContextSeries(
  config: ServiceConfig,
  client: HttpClient,
): Promise<Record<string, ValueSeries>> {
  const series: Record<string, ValueSeries> = {};
  await Promise.all(
    config.fredSeries.map(async (id) => {
      const s = await fetchFredSeries(client, id, { baseUrl: config.urls.fred });
      series[id] = { dates: s.dates, values: s.values };
    }),
  );
  return series;
}

/** The HttpClient a network refresh uses, bounded as configured. */
export function httpClientOf(config: ServiceConfig): HttpClient {
  return new HttpClient({
    timeoutMs: config.http.timeoutMs,
    retries: config.http.retries,
    backoffMs: config.http.backoffMs,
    maxConcurrency: config.http.concurrency,
  });
}

/** stooq, tiingo or massive: the configured symbols, optionally the iShares universe, and FRED context. */
export async function networkSnapshot(
  config: ServiceConfig,
  createdAt: string,
  client: HttpClient,
  log: (msg: string) => void = () => {},
): Promise<Snapshot> {
  const provider = barsProviderOf(config, client);
  const name = provider.name;
  const skipped: Skipped[] = [];
  const bars: Record<string, BarColumns> = {};
  await Promise.all(
    config.symbols.map(async (s) => {
      bars[s] = accept(await provider.fetchBars(s), config.allowBadRows, skipped);
    }),
  );
  // The credit symbols are optional: a failed one leaves the overlay unavailable, named in the notes.
  const creditFailed: string[] = [];
  await Promise.all(
    config.creditSymbols.map(async (s) => {
      try {
        bars[s] = accept(await provider.fetchBars(s), config.allowBadRows, skipped);
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        creditFailed.push(`${s}: ${err.message}`);
      }
    }),
  );
  const series = await fetchContextSeries(config, client);
  let universe: MemberCloses | null = null;
  const notes: Record<string, unknown> = { universeOwner: UNIVERSE_OWNER, universeSource: null, creditFailed };
  if (config.universe === 'ishares') {
    const holdings = await fetchIwmHoldings(client, { url: config.urls.holdings });
    log(`holdings as of ${holdings.asOf}: ${holdings.members.length} equity members`);
    // A member that cannot be fetched is left out and named; breadth over the rest is
    // still breadth, and the count says how many were missing.
    const failed: string[] = [];
    const members: { symbol: string; bars: BarColumns }[] = [];
    await Promise.all(
      holdings.members.map(async (h) => {
        try {
          const parsed = await provider.fetchBars(h.ticker);
          members.push({ symbol: h.ticker, bars: parsed.bars });
          if (parsed.issues.length) skipped.push({ file: parsed.source, issues: parsed.issues.slice(0, 5) });
        } catch (err) {
          if (!(err instanceof ProviderError)) throw err;
          failed.push(`${h.ticker}: ${err.message}`);
        }
      }),
    );
    members.sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
    if (members.length === 0)
      throw new SourceError(`universe: none of the ${holdings.members.length} members could be fetched`);
    universe = packMembers(members);
    Object.assign(notes, {
      universeSource: 'ishares',
      holdingsAsOf: holdings.asOf,
      membersListed: holdings.members.length,
      membersFailed: failed.length,
      membersFailedFirst: failed.slice(0, 20),
    });
  }
  notes.skippedRows = skipped;
  return { source: name, createdAt, bars, universe, series, notes };
}

/**
 * Adds the breadth file (IWM_BREADTH_FILE) to a snapshot as the series BREADTH50 and
 * BREADTH200, so the store keeps and serves it with the bars it goes with. Bad rows fail
 * the refresh unless IWM_ALLOW_BAD_ROWS, like a bar file's.
 */
export async function addBreadthFile(snapshot: Snapshot, path: string, allowBadRows: boolean): Promise<void> {
  const parsed = parseBreadthCsv(await readText(path, 'IWM_BREADTH_FILE'), path);
  checkRows(parsed, allowBadRows, (snapshot.notes.skippedRows ??= []) as Skipped[]);
  snapshot.series[BREADTH_SERIES.pct50] = parsed.pct50;
  snapshot.series[BREADTH_SERIES.pct200] = parsed.pct200;
  // The name only: meta repeats it in every response, and a server path is nobody's business.
  snapshot.notes.breadthFile = basename(path);
}

/**
 * What identifies the data a configuration asks for. A stored snapshot made under another
 * key (another source, folder, seed, symbol list or breadth file) is not served; it is replaced.
 */
export function sourceKey(config: ServiceConfig): string {
  const base = sourceKeyOf(config);
  return config.breadthFile ? `${base}:breadth=${resolve(config.breadthFile)}` : base;
}

function sourceKeyOf(config: ServiceConfig): string {
  switch (config.source) {
    case 'sample':
      // v2: the sample gained HYG and IEF (a store made before holds neither).
      return `sample-v2:${config.seed ?? 'default'}:${config.sampleSessions ?? 'default'}:${config.sampleMembers ?? 'default'}`;
    case 'csv':
      return `csv:${resolve(config.dataDir ?? '')}:${config.universeDir ? resolve(config.universeDir) : ''}`;
    default:
      return `${config.source}:${config.symbols.join(',')}:${config.universe}:${config.fredSeries.join(',')}:${config.creditSymbols.join(',')}`;
  }
}

/** The snapshot the configuration asks for. */
export async function buildSnapshot(
  config: ServiceConfig,
  createdAt: string,
  log?: (msg: string) => void,
): Promise<Snapshot> {
  const snapshot = await buildFor(config, createdAt, log);
  if (config.breadthFile) await addBreadthFile(snapshot, config.breadthFile, config.allowBadRows);
  snapshot.notes.sourceKey = sourceKey(config);
  return snapshot;
}

async function buildFor(config: ServiceConfig, createdAt: string, log?: (msg: string) => void): Promise<Snapshot> {
  switch (config.source) {
    case 'sample':
      return sampleSnapshot(config, createdAt);
    case 'csv':
      return csvSnapshot(config, createdAt);
    case 'stooq':
    case 'tiingo':
    case 'massive':
      return networkSnapshot(config, createdAt, httpClientOf(config), log);
  }
}
