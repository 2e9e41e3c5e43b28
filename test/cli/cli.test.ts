/**
 * The CLI end to end: options, data loading from real CSV files written by the test,
 * output shapes, and errors that name what is wrong. Fixtures are generated here
 * (from the sample generator), never copied from ../shared.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../api/src/cli/main';
import { formatDay } from '../../api/src/engine/dates';
import { generateSample } from '../../api/src/data/sample';
import { breadthCsvOf, csvOf, fixtureBreadth } from '../support/csv-fixture';

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env: {} });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let dir: string;
let dataDir: string;
let universeDir: string;
const sample = generateSample({ seed: 7, sessions: 400, members: 12 });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iwm-cli-'));
  dataDir = join(dir, 'market');
  universeDir = join(dir, 'universe');
  mkdirSync(dataDir);
  mkdirSync(universeDir);
  writeFileSync(join(dataDir, 'IWM.csv'), csvOf(sample.primary));
  writeFileSync(join(dataDir, 'SPY.csv'), csvOf(sample.benchmark));
  // The credit overlay's symbols (the profile's credit.highYield and credit.treasury).
  writeFileSync(join(dataDir, 'HYG.csv'), csvOf(sample.highYield));
  writeFileSync(join(dataDir, 'IEF.csv'), csvOf(sample.treasury));
  // Members get closes only from the generator; a flat bar around each close is a valid file.
  const u = sample.universe;
  for (let m = 0; m < u.symbols.length; m++) {
    const lines = ['date,open,high,low,close,volume'];
    for (let j = u.offsets[m]; j < u.offsets[m + 1]; j++) {
      const c = u.close[j];
      lines.push(`${formatDay(sample.primary.dates[u.dayIndex[j]])},${c},${c},${c},${c},1000`);
    }
    writeFileSync(join(universeDir, `${u.symbols[m]}.csv`), lines.join('\n'));
  }
  // A file with bad rows: line 3 has high < low, line 4 repeats line 2's date.
  writeFileSync(
    join(dataDir, 'BAD.csv'),
    'date,open,high,low,close,volume\n2024-01-02,10,11,9,10,100\n2024-01-03,10,9,11,10,100\n2024-01-02,10,11,9,10,100\n',
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const csvArgs = () => ['--source', 'csv', '--data-dir', dataDir];
const lastDate = () => formatDay(sample.primary.dates[sample.primary.dates.length - 1]);

describe('signal', () => {
  test('--json gives the reading with SIGNALS.md field names and the data source', async () => {
    const r = await run('signal', ...csvArgs(), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.meta.source).toBe('csv');
    expect(j.date).toBe(lastDate());
    expect(j.close).toBe(sample.primary.close[sample.primary.close.length - 1]);
    expect(j.breadth.state).toBe('unavailable');
    expect(j.breadth.pct50).toBeNull();
    expect(['bullish', 'neutral', 'bearish']).toContain(j.composite.rating);
    // Without breadth the threshold is taken over three layers: 0.5 x 3.
    expect(j.composite.thresholdBase).toBe(1.5);
  });

  test('a universe folder makes breadth available and counts its members', async () => {
    const r = await run('signal', ...csvArgs(), '--universe-dir', universeDir, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.meta.dataQuality.universeMembers).toBe(12);
    expect(j.breadth.state).not.toBe('unavailable');
    expect(j.breadth.pct50).toBeGreaterThanOrEqual(0);
    expect(j.composite.thresholdBase).toBe(2);
  });

  test('--as-of picks that session; a holiday or a date outside the data is an error naming it', async () => {
    const d = formatDay(sample.primary.dates[300]);
    const ok = JSON.parse((await run('signal', ...csvArgs(), '--as-of', d, '--json')).out);
    expect(ok.date).toBe(d);
    const weekend = formatDay(sample.primary.dates[300] + (6 - ((sample.primary.dates[300] + 4) % 7)));
    const r = await run('signal', ...csvArgs(), '--as-of', weekend);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${weekend} is not a trading session`);
    const before = await run('signal', ...csvArgs(), '--as-of', '1990-01-02');
    expect(before.err).toContain('before the history starts');
    const bad = await run('signal', ...csvArgs(), '--as-of', '2024-02-30');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('"2024-02-30" is not a valid YYYY-MM-DD date');
  });

  test('--as-of=-N and --from=-N name the N-th last session', async () => {
    const dates = sample.primary.dates;
    const last = JSON.parse((await run('signal', ...csvArgs(), '--as-of=-1', '--json')).out);
    expect(last.date).toBe(formatDay(dates[dates.length - 1]));
    const rows = JSON.parse((await run('history', ...csvArgs(), '--from=-3', '--to=-2', '--json')).out);
    expect(rows.map((r: { date: string }) => r.date)).toEqual([3, 2].map((k) => formatDay(dates[dates.length - k])));
    const early = await run('signal', ...csvArgs(), '--as-of=-100000');
    expect(early.code).toBe(1);
    expect(early.err).toContain('-100000 is before the history starts');
  });

  test('the readable table says when the data is sample data', async () => {
    const r = await run('signal', '--source', 'sample', '--seed', '3');
    expect(r.code).toBe(0);
    expect(r.out).toContain('SAMPLE DATA');
    expect(r.out).toMatch(/Composite {2}(BULLISH|NEUTRAL|BEARISH)/);
  });
});

describe('an external breadth file', () => {
  const dates = sample.primary.dates;
  const n = dates.length;
  /** Every 7th session is missing from the file, and so are the last two. */
  const missing = (i: number) => i % 7 === 3 || i >= n - 2;
  const file = () => join(dir, 'breadth.csv');
  beforeAll(() => writeFileSync(file(), breadthCsvOf(dates, missing)));
  const withFile = () => [...csvArgs(), '--breadth-file', file()];

  test("gives the breadth layer the file's values; the composite counts four layers", async () => {
    const t = n - 3; // the file's last session
    const r = await run('signal', ...withFile(), '--as-of', formatDay(dates[t]), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.breadth.pct50).toBe(fixtureBreadth(t).pct50);
    expect(j.breadth.pct200).toBe(fixtureBreadth(t).pct200);
    // d5 from the file too: pct50 now minus pct50 five sessions back (both in the file).
    expect(j.breadth.d5).toBeCloseTo(fixtureBreadth(t).pct50 - fixtureBreadth(t - 5).pct50, 9);
    expect(j.breadth.state).not.toBe('unavailable');
    expect(j.composite.thresholdBase).toBe(2); // 0.5 x 4 layers
    expect(j.meta.breadthSource).toBe(`file: breadth.csv (${formatDay(dates[0])} to ${formatDay(dates[n - 3])})`);
  });

  test('sessions the file lacks have no breadth (null), never 0, and the CLI says the file ends early', async () => {
    const from = n - 10;
    const r = await run(
      'history',
      ...withFile(),
      '--from',
      formatDay(dates[from]),
      '--fields',
      'date,breadth.pct50,breadth.pct200',
      '--json',
    );
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as {
      date: string;
      'breadth.pct50': number | null;
      'breadth.pct200': number | null;
    }[];
    expect(rows).toHaveLength(10);
    rows.forEach((row, k) => {
      const i = from + k;
      const want = missing(i) ? { pct50: null, pct200: null } : fixtureBreadth(i);
      expect([row.date, row['breadth.pct50'], row['breadth.pct200']]).toEqual([
        formatDay(dates[i]),
        want.pct50,
        want.pct200,
      ]);
    });
    expect(rows.some((row) => row['breadth.pct50'] === null)).toBe(true);
    expect(r.err).toContain('breadth file breadth.csv has pct50 to ' + formatDay(dates[n - 3]));
    expect(r.err).toContain('undefined on the last 2 session(s)');
  });

  test('through a store (as the API serves it) the numbers are the same', async () => {
    const store = ['--store', 'fs', '--store-dir', join(dir, 'breadth-store')];
    const t = n - 10;
    const r = await run('signal', ...withFile(), ...store, '--as-of', formatDay(dates[t]), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect([j.breadth.pct50, j.breadth.pct200]).toEqual([fixtureBreadth(t).pct50, fixtureBreadth(t).pct200]);
    expect(j.meta.breadthSource).toMatch(/^file: breadth\.csv /);
    expect(j.composite.thresholdBase).toBe(2);
  });

  test('a bad row is named with its line; a file with a universe or the sample is refused', async () => {
    const bad = join(dir, 'bad-breadth.csv');
    writeFileSync(bad, `date,pct50,pct200\n${formatDay(dates[0])},50,60\n${formatDay(dates[1])},150,60\n`);
    const r = await run('signal', ...csvArgs(), '--breadth-file', bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`bad-breadth.csv:3: pct50 150 is outside 0..100`);
    const both = await run('signal', ...withFile(), '--universe-dir', universeDir);
    expect(both.err).toContain('--universe-dir and --breadth-file both give breadth');
    const sampleToo = await run('signal', '--breadth-file', file());
    expect(sampleToo.err).toContain('--breadth-file needs --source csv');
  });
});

describe('history', () => {
  test('--json prints one object per trading day with the requested fields', async () => {
    const from = formatDay(sample.primary.dates[100]);
    const to = formatDay(sample.primary.dates[109]);
    const r = await run(
      'history',
      ...csvArgs(),
      '--from',
      from,
      '--to',
      to,
      '--fields',
      'date,close,trend.gapAtr,composite.rating',
      '--json',
    );
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out);
    expect(rows).toHaveLength(10);
    expect(Object.keys(rows[0])).toEqual(['date', 'close', 'trend.gapAtr', 'composite.rating']);
    expect(rows[0].date).toBe(from);
    expect(rows[9].close).toBe(sample.primary.close[109]);
  });

  test('look-back values are null, not 0', async () => {
    const r = await run(
      'history',
      ...csvArgs(),
      '--to',
      formatDay(sample.primary.dates[5]),
      '--fields',
      'date,trend.slow,atr',
      '--json',
    );
    const rows = JSON.parse(r.out);
    expect(rows[0]['trend.slow']).toBeNull();
    expect(rows[5].atr).toBeNull();
  });

  test('an unknown field is a usage error that suggests the right names', async () => {
    const r = await run('history', ...csvArgs(), '--fields', 'date,trend.gapATR');
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown field "trend.gapATR"');
    expect(r.err).toContain('trend.gapAtr');
  });

  test('from after to is an error', async () => {
    const r = await run('history', ...csvArgs(), '--from', '2001-06-01', '--to', '2001-01-01');
    expect(r.code).toBe(2);
    expect(r.err).toContain('is after to');
  });
});

describe('levels, debrief, backtest', () => {
  test('levels split at the close, nearest first', async () => {
    const j = JSON.parse((await run('levels', ...csvArgs(), '--count', '3', '--json')).out);
    expect(j.supports.length).toBeLessThanOrEqual(3);
    for (const s of j.supports) expect(s.price).toBeLessThanOrEqual(j.close);
    for (const s of j.resistances) expect(s.price).toBeGreaterThan(j.close);
    const prices = j.supports.map((s: { price: number }) => s.price);
    expect(prices).toEqual([...prices].sort((a: number, b: number) => b - a));
    expect(j.allTimeHigh.price).toBe(Math.max(...sample.primary.high));
  });

  test('debrief for a range gives one entry per session and a single date gives one object', async () => {
    const from = formatDay(sample.primary.dates[200]);
    const to = formatDay(sample.primary.dates[204]);
    const list = JSON.parse((await run('debrief', ...csvArgs(), '--from', from, '--to', to, '--json')).out);
    expect(list.map((d: { date: string }) => d.date)).toEqual(
      [200, 201, 202, 203, 204].map((i) => formatDay(sample.primary.dates[i])),
    );
    const one = JSON.parse((await run('debrief', ...csvArgs(), '--date', to, '--json')).out);
    expect(one.date).toBe(to);
    expect(one.openingDate).toBe(formatDay(sample.primary.dates[203]));
    expect(one.move).toBeCloseTo(sample.primary.close[204] - sample.primary.open[204], 10);
  });

  test('backtest counts add up', async () => {
    const j = JSON.parse((await run('backtest', ...csvArgs(), '--horizon', '5', '--json')).out);
    const by = j.byRotation;
    expect(by.leadership.setups + by.parity.setups + by.flight.setups + by.undefined.setups).toBe(j.total.setups);
    expect(j.setups).toHaveLength(j.total.setups);
    expect(j.horizon).toBe(5);
    const credit = j.byCredit;
    expect(credit.calm.setups + credit.stress.setups + credit.undefined.setups).toBe(j.total.setups);
    expect(j.creditAvailable).toBe(true);
    expect(j.strategy.equity.date).toHaveLength(400);
  });

  test('backtest text: rates with intervals, the seed claims with verdicts, the strategy, the calendar', async () => {
    const r = await run('backtest', ...csvArgs());
    expect(r.code).toBe(0);
    const j = JSON.parse((await run('backtest', ...csvArgs(), '--json')).out);
    const lines = r.out.split('\n');
    const row = (name: string) => lines.find((l) => l.startsWith(`${name} `)) ?? '';
    const all = j.total;
    expect(row('all')).toContain(`${(all.interval.low * 100).toFixed(1)} to ${(all.interval.high * 100).toFixed(1)}`);
    expect(r.out).toContain('By credit state at the setup');
    expect(row('stress')).toMatch(/^stress\s+\d+/);
    expect(r.out).toContain("The seed's claims (supported only when the 95 % interval of the ratio excludes 1)");
    for (const c of j.claims) {
      expect(r.out).toContain(c.claim);
      expect(r.out).toContain(c.summary);
    }
    expect(j.claims[0].summary).toMatch(/^(Supported|Not supported|Contradicted|Not enough data)/);
    expect(r.out).toMatch(/Sizing strategy against buy-and-hold, .* \(399 sessions held, cost 0 bps/);
    expect(row('strategy')).toContain((j.strategy.strategy.totalReturn * 100).toFixed(2).replace(/\.?0+$/, ''));
    expect(row('buy-and-hold')).toMatch(/\s1\s+1$/); // exposure 1, one change
    expect(r.out).toContain('Macro calendar: The macro calendar covers fomc 2000-2027 (235)');
  });

  test("the credit overlay reads the profile's symbols from the data folder; a missing one is unavailable", async () => {
    const on = JSON.parse((await run('signal', ...csvArgs(), '--json')).out);
    const t = 399;
    expect(on.credit.ratio).toBe(sample.highYield.close[t] / sample.treasury.close[t]);
    const file = join(dir, 'credit.json');
    writeFileSync(file, JSON.stringify({ credit: { highYield: 'JNK' } }));
    const off = JSON.parse((await run('signal', ...csvArgs(), '--profile', file, '--json')).out);
    expect(off.credit).toMatchObject({ state: 'unavailable', ratio: null });
    expect(off.composite.rationale).toContain('Credit unavailable: the data has no JNK or IEF series.');
  });
});

describe('errors', () => {
  test('a bad data file fails with every bad row and its line number', async () => {
    const r = await run('signal', ...csvArgs(), '--symbol', 'BAD');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/BAD\.csv:3: .*high/);
    expect(r.err).toMatch(/BAD\.csv:4: .*2024-01-02/);
  });

  test('a missing file names the file', async () => {
    const r = await run('signal', ...csvArgs(), '--symbol', 'QQQ');
    expect(r.code).toBe(1);
    expect(r.err).toContain('QQQ.csv');
  });

  test('bad options name the option', async () => {
    expect((await run('signal', '--source', 'ftp')).err).toContain('--source: "ftp"');
    expect((await run('signal', '--source', 'csv')).err).toContain('--data-dir');
    expect((await run('levels', '--count', '0')).err).toContain('--count');
    expect((await run('signal', '--frobnicate')).code).toBe(2);
    expect((await run('explode')).err).toContain('unknown command "explode"');
    expect((await run('signal', '--fields', 'close')).err).toContain('--fields applies to history');
  });

  test('a bad profile names the field and the range', async () => {
    const file = join(dir, 'profile.json');
    writeFileSync(file, JSON.stringify({ momentum: { atrMultiplier: 99 } }));
    const r = await run('signal', ...csvArgs(), '--profile', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain('momentum.atrMultiplier');
    expect(r.err).toContain('between 0 and 20');
    expect((await run('signal', ...csvArgs(), '--profile', 'smallcap')).err).toContain('iwm, standard');
  });

  test('the sample source refuses symbols it does not have', async () => {
    const r = await run('signal', '--symbol', 'QQQ');
    expect(r.code).toBe(1);
    expect(r.err).toContain('sample source has only IWM');
  });
});

describe('the installed command', () => {
  test('bin/iwm-signals.js runs the compiled CLI and exits non-zero on errors', () => {
    const bin = join(__dirname, '..', '..', 'bin', 'iwm-signals.js');
    const out = execFileSync(process.execPath, [bin, 'history', ...csvArgs(), '--from', lastDate(), '--json'], {
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toHaveLength(1);
    const bad = spawnSync(process.execPath, [bin, 'signal', '--as-of', 'yesterday'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('"yesterday" is not a valid YYYY-MM-DD date');
  });
});
