/**
 * `iwm-signals`: the engine from the command line. Loads a data set, computes the
 * history once, and prints a slice of it as a readable table or as JSON with the field
 * names of docs/SIGNALS.md. Errors go to stderr with a non-zero exit code.
 */
import { readFile } from 'node:fs/promises';
import { DataFileError, formatIssues } from '../data/csv-bars';
import { DatasetError, loadDataset, type Dataset } from '../data/dataset';
import { backtest } from '../engine/backtest';
import { formatDay } from '../engine/dates';
import { debriefsBetween } from '../engine/debrief';
import { computeHistory, type History } from '../engine/engine';
import { DEFAULT_HISTORY_FIELDS, fieldDef } from '../engine/fields';
import { ProfileError, profileHash, resolveProfile, type Profile } from '../engine/profile';
import { historyObjects, historyTable, levelsReport, readingAt } from '../engine/reading';
import { SessionError, sessionIndex, sessionRange } from '../engine/sessions';
import { backfillReporter, formatBacktest, formatDebriefs, formatLevels, formatReading, formatTable } from './format';
import { USAGE, UsageError, parseCli, type CliOptions } from './options';
import { ConfigError } from '../service/config';
import { createRuntime } from '../service/runtime';
import { outcomeText } from '../service/refresh';
import { toProblem } from '../http/errors';
import { ProblemError } from '../contracts/problem';
import { SourceError } from '../service/snapshot-source';
import { ProviderError } from '../data/providers/types';
import { CorruptObjectError, StoreUnavailableError } from '../storage/types';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

async function loadProfile(spec: string | undefined): Promise<Profile> {
  if (spec === undefined) return resolveProfile('iwm');
  if (!spec.toLowerCase().endsWith('.json')) return resolveProfile(spec);
  let text: string;
  try {
    text = await readFile(spec, 'utf8');
  } catch (err) {
    throw new UsageError(`--profile: cannot read ${spec} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--profile: ${spec} is not valid JSON (${(err as Error).message})`);
  }
  return resolveProfile(json);
}

function meta(ds: Dataset, h: History) {
  return {
    source: ds.source,
    symbol: ds.symbol,
    benchmark: ds.benchmark,
    profile: h.profile.name,
    profileHash: profileHash(h.profile),
    firstDate: formatDay(h.dates[0]),
    lastBarDate: formatDay(h.dates[h.length - 1]),
    breadthSource: ds.breadthSource,
    dataQuality: ds.quality,
  };
}

function lastOr(h: History, date: string | undefined, what: string): number {
  return date === undefined ? h.length - 1 : sessionIndex(h, date, what);
}

/** The API's settings (IWM_* variables) with the command line's options laid over them. */
function runtimeEnv(opts: CliOptions, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env, IWM_DATA_SOURCE: opts.source };
  const set = (name: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) out[name] = String(value);
  };
  set('IWM_DATA_DIR', opts.dataDir);
  set('IWM_UNIVERSE_DIR', opts.universeDir);
  set('IWM_BREADTH_FILE', opts.breadthFile);
  set('IWM_CALENDAR_FILE', opts.calendar);
  set('IWM_SYMBOL', opts.symbol);
  set('IWM_BENCHMARK', opts.benchmark);
  set('IWM_SEED', opts.seed);
  set('IWM_STORE', opts.store);
  set('IWM_STORE_DIR', opts.storeDir);
  if (opts.allowBadRows) out.IWM_ALLOW_BAD_ROWS = 'true';
  return out;
}

/**
 * The history to print. The offline sources read their files directly (nothing is
 * written); the network sources, or any source with --store, go through the store and
 * the same service as the API, refreshing first when the store has nothing.
 */
async function historyFor(opts: CliOptions, io: CliIo, profile: Profile): Promise<{ h: History; meta: unknown }> {
  if (opts.source === 'sample' || (opts.source === 'csv' && opts.store === undefined)) {
    const ds = await loadDataset({
      source: opts.source,
      dataDir: opts.dataDir,
      symbol: opts.symbol,
      benchmark: opts.benchmark,
      universeDir: opts.universeDir,
      breadthFile: opts.breadthFile,
      calendarFile: opts.calendar,
      allowBadRows: opts.allowBadRows,
      seed: opts.seed,
      otherSymbols: [profile.credit.highYield, profile.credit.treasury],
    });
    for (const f of ds.files)
      if (f.issues.length) io.err(`skipped ${f.issues.length} bad row(s):\n${formatIssues(f.file, f.issues, 20)}`);
    for (const w of ds.warnings) io.err(`warning: ${w}`);
    const h = computeHistory(ds.input, profile);
    return { h, meta: meta(ds, h) };
  }
  const rt = await createRuntime(runtimeEnv(opts, io.env), { log: (m) => io.err(m) });
  try {
    // Nothing stored at all: refresh first (a network source would only start one in the background).
    if ((await rt.store.listGenerations()).length === 0) await rt.refresh();
    const e = await rt.service.entry({ symbol: opts.symbol, benchmark: opts.benchmark, profile });
    return { h: e.history, meta: rt.service.baseMeta(e) };
  } finally {
    await rt.close();
  }
}

async function storeCommand(opts: CliOptions, io: CliIo): Promise<void> {
  const tty = process.stderr.isTTY === true;
  const rt = await createRuntime(runtimeEnv(opts, io.env), {
    log: opts.json ? () => {} : (m) => io.err(m),
    // A bar redrawn in place needs the raw terminal; a log gets whole lines through io.
    ...(opts.json
      ? {}
      : { onProgress: backfillReporter(tty ? (t) => process.stderr.write(t) : (t) => io.err(t), tty) }),
  });
  try {
    if (opts.command === 'refresh') {
      const r = await rt.refresh();
      if (opts.json) io.out(JSON.stringify(r, null, 2));
      else
        io.out(
          `refreshed ${r.source} into ${rt.store.location}: generation ${r.generation} (${outcomeText(r)})\n` +
            `last bars: ${Object.entries(r.lastBarDates)
              .map(([s, d]) => `${s} ${d}`)
              .join(', ')}\nuniverse members: ${r.universeMembers}; readings precomputed: ${r.readings}; ${r.ms} ms`,
        );
      return;
    }
    const st = await rt.service.statusReport();
    if (opts.json) io.out(JSON.stringify(st, null, 2));
    else
      io.out(
        [
          `source        ${st.source}${st.sample ? ' (SAMPLE DATA: synthetic, not market prices)' : ''}`,
          // The API's status names the store's kind only; the local operator also sees where it is.
          `store         ${st.store} (${rt.store.location})`,
          `generation    ${st.generation ?? 'none (run iwm-signals refresh)'}`,
          `last bar      ${st.lastBarDate ?? 'none'} (expected ${st.expectedLastSession})`,
          `stale         ${st.stale ? `YES: ${st.staleReason}` : 'no'}`,
          `last refresh  ${st.lastRefreshAt ?? 'never'}${st.lastError ? `; last attempt failed: ${st.lastError}` : ''}`,
          `refresh now   ${st.refresh.state === 'idle' ? 'none running' : `${st.refresh.state.toUpperCase()}: ${st.refresh.note}`}`,
          `universe      ${st.universeMembers} members; series: ${st.series.join(', ') || 'none'}`,
          ...(st.backfill ? [`backfill      ${st.backfill.text}`] : []),
          `version       ${st.version}`,
        ].join('\n'),
      );
    if (st.lastError && !st.generation) throw new DatasetError(st.lastError);
  } finally {
    await rt.close();
  }
}

async function execute(opts: CliOptions, io: CliIo): Promise<void> {
  if (opts.command === 'status' || opts.command === 'refresh') return storeCommand(opts, io);
  const profile = await loadProfile(opts.profile);
  const { h, meta: info } = await historyFor(opts, io, profile);
  const print = (value: unknown) => io.out(JSON.stringify(value, null, 2));

  switch (opts.command) {
    case 'signal': {
      const t = lastOr(h, opts.asOf, '--as-of');
      const reading = readingAt(h, t);
      if (opts.json) print({ meta: info, ...reading });
      else io.out(formatReading(reading, info as Parameters<typeof formatReading>[1]));
      return;
    }
    case 'history': {
      const fields = opts.fields ?? [...DEFAULT_HISTORY_FIELDS];
      fields.forEach((f) => {
        try {
          fieldDef(f);
        } catch (err) {
          throw new UsageError(`--fields: ${(err as Error).message}`);
        }
      });
      const [a, b] = sessionRange(h, opts.from, opts.to, '--from/--to');
      if (opts.json) print(historyObjects(h, a, b, fields));
      else io.out(formatTable(historyTable(h, a, b, fields)));
      return;
    }
    case 'levels': {
      const t = lastOr(h, opts.asOf, '--as-of');
      const lv = levelsReport(h, t, opts.count ?? 5);
      if (opts.json) print(lv);
      else io.out(formatLevels(lv));
      return;
    }
    case 'debrief': {
      let a: number;
      let b: number;
      if (opts.from !== undefined || opts.to !== undefined) [a, b] = sessionRange(h, opts.from, opts.to, '--from/--to');
      else a = b = lastOr(h, opts.date, '--date');
      const list = debriefsBetween(h, a, b);
      if (opts.json)
        print(opts.date !== undefined || (opts.from === undefined && opts.to === undefined) ? list[0] : list);
      else io.out(formatDebriefs(list));
      return;
    }
    case 'backtest': {
      const [a, b] = sessionRange(h, opts.from, opts.to, '--from/--to');
      const bt = backtest(h, a, b, opts.horizon);
      if (opts.json) print(bt);
      else io.out(formatBacktest(bt));
      return;
    }
  }
}

/** Runs the CLI; returns the exit code (0 ok, 1 data/engine error, 2 usage error). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const opts = parseCli(argv, io.env);
    if (opts === null) {
      io.out(USAGE);
      return 0;
    }
    await execute(opts, io);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      io.err(`iwm-signals: ${err.message}\nRun "iwm-signals --help" for the options.`);
      return 2;
    }
    if (
      err instanceof ProfileError ||
      err instanceof SessionError ||
      err instanceof DatasetError ||
      err instanceof DataFileError ||
      err instanceof SourceError ||
      err instanceof ProviderError ||
      err instanceof StoreUnavailableError ||
      err instanceof CorruptObjectError
    ) {
      io.err(`iwm-signals: ${err.message}`);
      return err instanceof SessionError && err.kind === 'invalid' ? 2 : 1;
    }
    if (err instanceof ProblemError) {
      io.err(`iwm-signals: ${toProblem(err).detail}`);
      return err.problem.status === 400 ? 2 : 1;
    }
    // Anything else is unexpected: say it plainly; IWM_DEBUG=1 shows the stack.
    const e = err as Error;
    io.err(`iwm-signals: ${io.env.IWM_DEBUG ? (e.stack ?? String(e)) : (e.message ?? String(e))}`);
    return 1;
  }
}
