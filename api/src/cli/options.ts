/**
 * Command-line options of `iwm-signals`, parsed with Node's own util.parseArgs and
 * checked so that a bad option is an error that names it, never a silent default.
 */
import { parseArgs } from 'node:util';
import { SOURCES, STORES, type SourceName, type StoreKind } from '../service/config';

export const COMMANDS = ['signal', 'history', 'levels', 'debrief', 'backtest', 'status', 'refresh'] as const;
export type Command = (typeof COMMANDS)[number];

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CliOptions {
  command: Command;
  source: SourceName;
  /** Set when --store was given (the offline sources otherwise read files directly). */
  store?: StoreKind;
  storeDir?: string;
  dataDir?: string;
  symbol: string;
  benchmark: string;
  universeDir?: string;
  breadthFile?: string;
  calendar?: string;
  asOf?: string;
  date?: string;
  from?: string;
  to?: string;
  fields?: string[];
  profile?: string;
  count?: number;
  horizon?: number;
  seed?: number;
  json: boolean;
  allowBadRows: boolean;
}

export const USAGE = `Usage: iwm-signals <command> [options]

Commands:
  signal     the full reading for one session (default: the last one)
  history    one row per session over a date range
  levels     support and resistance levels as of a session
  debrief    end-of-day debrief for a session or a range
  backtest   failure rates with 95 % intervals, the seed claims checked, the sizing strategy
  status     data source, last bar date, staleness and the latest refresh of the store
  refresh    fetch/read the source into the store and precompute readings (the nightly job)

Data:
  --source S              sample (default; embedded synthetic data), csv (a folder of files),
                          or daily bars from massive (IWM_MASSIVE_KEY), tiingo (IWM_TIINGO_KEY)
                          or stooq (IWM_STOOQ_KEY)
  --data-dir DIR          folder of <SYMBOL>.csv files (date,open,high,low,close,volume)
  --symbol SYM            primary symbol (default IWM)
  --benchmark SYM         benchmark symbol (default SPY)
  --universe-dir DIR      folder of member CSV files for breadth (csv source)
  --breadth-file FILE     breadth series CSV (date,pct50,pct200, percent 0..100) instead of a universe
  --calendar FILE         macro calendar CSV (date,kind,label[,end]); default: shipped FOMC/CPI/Russell 2000-2027
  --allow-bad-rows        skip bad CSV rows (reported on stderr) instead of failing
  --seed N                sample generator seed
  --store fs|azure|memory where refresh/status keep data (default fs; network sources always use it)
  --store-dir DIR         folder of the fs store (default .iwm-store)

Selection:
  --as-of DATE            session for signal/levels (YYYY-MM-DD; default: last session)
  --date DATE             session for debrief (default: last session)
  --from DATE --to DATE   range for history/debrief/backtest
                          a DATE may also be -N, the N-th last session: --as-of=-1 is the last close
  --fields a,b,...        history columns (field names as in docs; default: a summary set)
  --count N               levels per side (default 5)
  --horizon N             backtest horizon in sessions (default: profile's)
  --profile P             preset (iwm, standard) or a JSON file (partial profiles lay over "preset")
  --json                  JSON output with the field names of SIGNALS.md
  -h, --help              this help

Environment: every IWM_* setting of the API applies (IWM_DATA_SOURCE, IWM_DATA_DIR, IWM_STORE,
IWM_STORE_DIR, IWM_MASSIVE_KEY, IWM_MASSIVE_RPM, IWM_TIINGO_KEY, IWM_STOOQ_KEY, IWM_UNIVERSE,
IWM_FRED_SERIES, ...; see the README); options win.`;

function positiveInt(raw: string | undefined, name: string, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1 || v > max)
    throw new UsageError(`--${name}: must be an integer from 1 to ${max} (got ${JSON.stringify(raw)})`);
  return v;
}

/** Parses argv (without node and script); returns null for --help. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = {}): CliOptions | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        source: { type: 'string' },
        'data-dir': { type: 'string' },
        symbol: { type: 'string' },
        benchmark: { type: 'string' },
        'universe-dir': { type: 'string' },
        'breadth-file': { type: 'string' },
        calendar: { type: 'string' },
        'as-of': { type: 'string' },
        date: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        fields: { type: 'string' },
        profile: { type: 'string' },
        count: { type: 'string' },
        horizon: { type: 'string' },
        seed: { type: 'string' },
        store: { type: 'string' },
        'store-dir': { type: 'string' },
        json: { type: 'boolean' },
        'allow-bad-rows': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return null;
  const [command, ...extra] = parsed.positionals;
  if (!command) throw new UsageError(`a command is required: ${COMMANDS.join(', ')}`);
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command ${JSON.stringify(command)}; expected one of ${COMMANDS.join(', ')}`);
  }
  if (extra.length) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
  const source = v.source ?? env.IWM_DATA_SOURCE ?? 'sample';
  if (!(SOURCES as readonly string[]).includes(source)) {
    throw new UsageError(`--source: ${JSON.stringify(source)} is not one of ${SOURCES.join(', ')}`);
  }
  const dataDir = v['data-dir'] ?? env.IWM_DATA_DIR;
  if (source === 'csv' && !dataDir) throw new UsageError('--source csv needs --data-dir DIR (or IWM_DATA_DIR)');
  const only = (option: string, commands: Command[]) => {
    if (v[option as keyof typeof v] !== undefined && !commands.includes(command as Command)) {
      throw new UsageError(`--${option} applies to ${commands.join(', ')}, not ${command}`);
    }
  };
  only('as-of', ['signal', 'levels']);
  only('date', ['debrief']);
  only('from', ['history', 'debrief', 'backtest']);
  only('to', ['history', 'debrief', 'backtest']);
  only('fields', ['history']);
  only('count', ['levels']);
  only('horizon', ['backtest']);
  const store = v.store;
  if (store !== undefined && !(STORES as readonly string[]).includes(store))
    throw new UsageError(`--store: ${JSON.stringify(store)} is not one of ${STORES.join(', ')}`);
  if (v.date !== undefined && (v.from !== undefined || v.to !== undefined)) {
    throw new UsageError('--date and --from/--to exclude each other');
  }
  const seedRaw = v.seed;
  let seed: number | undefined;
  if (seedRaw !== undefined) {
    seed = Number(seedRaw);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
      throw new UsageError(`--seed: must be an integer from 0 to 4294967295 (got ${JSON.stringify(seedRaw)})`);
    if (source !== 'sample') throw new UsageError('--seed applies to --source sample only');
  }
  const fields = v.fields?.split(',').map((f) => f.trim());
  if (fields && fields.some((f) => f === ''))
    throw new UsageError(`--fields: empty field name in ${JSON.stringify(v.fields)}`);
  return {
    command: command as Command,
    source: source as SourceName,
    store: store as StoreKind | undefined,
    storeDir: v['store-dir'],
    dataDir,
    symbol: v.symbol ?? 'IWM',
    benchmark: v.benchmark ?? 'SPY',
    universeDir: v['universe-dir'],
    breadthFile: v['breadth-file'],
    calendar: v.calendar,
    asOf: v['as-of'],
    date: v.date,
    from: v.from,
    to: v.to,
    fields,
    profile: v.profile,
    count: positiveInt(v.count, 'count', 100),
    horizon: positiveInt(v.horizon, 'horizon', 250),
    seed,
    json: v.json ?? false,
    allowBadRows: v['allow-bad-rows'] ?? false,
  };
}
