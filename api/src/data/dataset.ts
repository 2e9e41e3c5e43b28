/**
 * Loads a data set for the engine from a configured source: the embedded sample
 * (default, no files, no network) or a folder of `<SYMBOL>.csv` files. This is the I/O
 * edge: it reads files, then hands typed arrays to the pure engine.
 */
import { access, readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { EngineInput, MacroEvent } from '../engine/types';
import { alignInputs, type DataQuality, type MemberBars, type SymbolBars } from './align';
import {
  breadthFileLagWarning,
  breadthSeriesOn,
  describeBreadthFile,
  parseBreadthCsv,
  universeSource,
} from './breadth-file';
import { DEFAULT_EVENTS, parseEventsCsv } from './calendar';
import { DataFileError, parseBarsCsv, type RowIssue } from './csv-bars';
import { generateSample } from './sample';
import { tickerOf } from '../contracts/params';

export const DATA_SOURCES = ['sample', 'csv'] as const;
export type DataSourceName = (typeof DATA_SOURCES)[number];

export interface DatasetOptions {
  source: DataSourceName;
  /** Folder of `<SYMBOL>.csv` files (csv source). */
  dataDir?: string;
  symbol: string;
  benchmark: string;
  /** Folder of member files for breadth (csv source); every `*.csv` in it is a member. */
  universeDir?: string;
  /** An external breadth series `date,pct50,pct200` (csv source, instead of a universe). */
  breadthFile?: string;
  /** A user calendar (`date,kind,label[,end]`); the shipped default when absent. */
  calendarFile?: string;
  /** Keep going when some rows are bad (they are still reported); otherwise a bad row is an error. */
  allowBadRows?: boolean;
  /** Sample generator seed (sample source). */
  seed?: number;
  /**
   * Symbols whose closes the engine may read besides the pair (the profile's credit
   * symbols, HYG and IEF). csv: `<SYMBOL>.csv` when the folder has it; a symbol without a
   * file is left out, and the overlay that needs it reports itself unavailable.
   */
  otherSymbols?: readonly string[];
}

export interface FileReport {
  file: string;
  rows: number;
  issues: RowIssue[];
}

export interface Dataset {
  source: DataSourceName;
  symbol: string;
  benchmark: string;
  input: EngineInput;
  quality: DataQuality;
  /** Per file: rows read and rows skipped (only with allowBadRows can issues be non-empty). */
  files: FileReport[];
  /** What breadth was computed from (as the API's `meta.breadthSource`), null when unavailable. */
  breadthSource: string | null;
  /** Things the user should know about the data (a breadth file that ends early). */
  warnings: string[];
}

/** A configuration or data problem the user must fix; the message says what and where. */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

/** Checks (ASCII first) and upper-cases a ticker so it can name a file without escaping the folder. */
export function normaliseSymbol(raw: string, what: string): string {
  const s = tickerOf(raw);
  if (s === null)
    throw new DatasetError(`${what}: ${JSON.stringify(raw)} is not a ticker (ASCII letters, digits, . ^ _ -)`);
  return s;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(`${what}: cannot read ${path} (${code ?? String(err)})`);
  }
}

/** Refuses a file with bad rows unless they are allowed; reports it either way. */
function report(path: string, rows: number, issues: RowIssue[], allowBadRows: boolean, files: FileReport[]): void {
  if (issues.length > 0 && !allowBadRows) {
    throw new DataFileError(
      path,
      `${issues.length} bad row(s); fix them or pass --allow-bad-rows to skip them`,
      issues,
    );
  }
  files.push({ file: path, rows, issues });
}

async function loadBars(path: string, symbol: string, allowBadRows: boolean, files: FileReport[]): Promise<SymbolBars> {
  const parsed = parseBarsCsv(await readText(path, symbol), path);
  report(path, parsed.bars.dates.length, parsed.issues, allowBadRows, files);
  return { symbol, bars: parsed.bars };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function loadCalendar(file: string | undefined): Promise<readonly MacroEvent[]> {
  if (!file) return DEFAULT_EVENTS;
  return parseEventsCsv(await readText(file, 'calendar'), file);
}

/** Loads and aligns the data set the options describe. */
export async function loadDataset(options: DatasetOptions): Promise<Dataset> {
  const symbol = normaliseSymbol(options.symbol, 'symbol');
  const benchmark = normaliseSymbol(options.benchmark, 'benchmark');
  if (symbol === benchmark)
    throw new DatasetError(`symbol and benchmark are both ${symbol}: relative strength needs two symbols`);
  const events = await loadCalendar(options.calendarFile);
  const files: FileReport[] = [];
  const others = [...new Set((options.otherSymbols ?? []).map((s) => normaliseSymbol(s, 'symbol')))];

  if (options.source === 'sample') {
    if (symbol !== 'IWM' || benchmark !== 'SPY') {
      throw new DatasetError(
        `the sample source has only IWM (symbol) and SPY (benchmark); got ${symbol}/${benchmark}. Use --source csv for other symbols`,
      );
    }
    if (options.universeDir || options.breadthFile)
      throw new DatasetError(
        `${options.universeDir ? '--universe-dir' : '--breadth-file'} needs --source csv (the sample source embeds its own universe)`,
      );
    const sample = generateSample(options.seed === undefined ? {} : { seed: options.seed });
    const sampleBars: Record<string, MemberBars['bars']> = {
      [sample.highYieldSymbol]: sample.highYield,
      [sample.treasurySymbol]: sample.treasury,
    };
    const aligned = alignInputs({
      primary: { symbol, bars: sample.primary },
      benchmark: { symbol: benchmark, bars: sample.benchmark },
      others: others.filter((s) => sampleBars[s]).map((s) => ({ symbol: s, bars: sampleBars[s] })),
    });
    return {
      source: 'sample',
      symbol,
      benchmark,
      input: { ...aligned.input, breadth: sample.universe, events },
      quality: { ...aligned.quality, universeMembers: sample.universe.symbols.length },
      files,
      breadthSource: universeSource(sample.universe.symbols.length, 'sample'),
      warnings: [],
    };
  }

  if (options.source !== 'csv')
    throw new DatasetError(`source: ${JSON.stringify(options.source)} is not one of ${DATA_SOURCES.join(', ')}`);
  if (!options.dataDir) throw new DatasetError('the csv source needs a data folder (--data-dir or IWM_DATA_DIR)');
  if (options.universeDir && options.breadthFile)
    throw new DatasetError('--universe-dir and --breadth-file both give breadth: choose one');
  const allow = options.allowBadRows ?? false;
  const primary = await loadBars(join(options.dataDir, `${symbol}.csv`), symbol, allow, files);
  const bench = await loadBars(join(options.dataDir, `${benchmark}.csv`), benchmark, allow, files);
  let universe: SymbolBars[] | undefined;
  if (options.universeDir) {
    let names: string[];
    try {
      names = (await readdir(options.universeDir)).filter((f) => f.toLowerCase().endsWith('.csv')).sort();
    } catch (err) {
      throw new DatasetError(
        `universe: cannot read folder ${options.universeDir} (${(err as NodeJS.ErrnoException).code ?? err})`,
      );
    }
    if (names.length === 0) throw new DatasetError(`universe: no .csv files in ${options.universeDir}`);
    universe = [];
    for (const name of names) {
      const stem = basename(name, name.slice(name.lastIndexOf('.')));
      const member = tickerOf(stem) ?? stem;
      universe.push(await loadBars(join(options.universeDir, name), member, allow, files));
    }
  }
  const otherBars: SymbolBars[] = [];
  for (const other of others) {
    if (other === symbol || other === benchmark) {
      otherBars.push(other === symbol ? primary : { symbol: other, bars: bench.bars });
      continue;
    }
    const path = join(options.dataDir, `${other}.csv`);
    if (await exists(path)) otherBars.push(await loadBars(path, other, allow, files));
  }
  const aligned = alignInputs({
    primary,
    benchmark: { symbol: benchmark, bars: bench.bars },
    universe,
    others: otherBars,
  });
  const { input, quality } = aligned;
  let breadth: EngineInput['breadth'] = input.breadth;
  let breadthSource = breadth ? universeSource(breadth.symbols.length, 'files') : null;
  const warnings: string[] = [];
  if (options.breadthFile) {
    const path = options.breadthFile;
    const parsed = parseBreadthCsv(await readText(path, 'breadth file'), path);
    report(path, parsed.rows, parsed.issues, allow, files);
    breadth = breadthSeriesOn(input.primary.dates, parsed.pct50, parsed.pct200);
    breadthSource = describeBreadthFile(basename(path), parsed.pct50, parsed.pct200);
    const lag = breadthFileLagWarning(basename(path), parsed.pct50, input.primary.dates);
    if (lag) warnings.push(lag);
  }
  return {
    source: 'csv',
    symbol,
    benchmark,
    input: { ...input, breadth, events },
    quality,
    files,
    breadthSource,
    warnings,
  };
}
