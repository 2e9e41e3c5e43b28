/**
 * IWM_BREADTH_FILE through the API over real HTTP: a csv folder plus a breadth file, an
 * fs store, the local host. The file's numbers are the breadth layer's, sessions it lacks
 * are null, `meta` names the file, and the stored snapshot serves it to a cold instance
 * after the file is gone (it is part of the data, not read per request).
 */
import type { Server } from 'node:http';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSample } from '../../api/src/data/sample';
import { formatDay } from '../../api/src/engine/dates';
import { createLocalHost } from '../../api/src/host/local-host';
import { ConfigError } from '../../api/src/service/config';
import { createRuntime, type Runtime } from '../../api/src/service/runtime';
import { breadthCsvOf, csvOf, fixtureBreadth } from '../support/csv-fixture';
import { listen } from '../support/local-api';

jest.setTimeout(60_000);

const sample = generateSample({ sessions: 400, members: 0 });
const dates = sample.primary.dates;
const n = dates.length;
const missing = (i: number) => i % 5 === 2;

let dir: string;
let env: Record<string, string>;
const open: { rt: Runtime; server: Server }[] = [];

async function serve(extra: Record<string, string> = {}): Promise<string> {
  const rt = await createRuntime({ ...env, ...extra });
  const server = createLocalHost({ runtime: rt, functionKeys: [], corsOrigins: [] });
  open.push({ rt, server });
  return listen(server);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function get(base: string, path: string): Promise<any> {
  const res = await fetch(`${base}/${path}`);
  expect([path, res.status]).toEqual([path, 200]);
  return res.json();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iwm-breadth-file-'));
  writeFileSync(join(dir, 'IWM.csv'), csvOf(sample.primary));
  writeFileSync(join(dir, 'SPY.csv'), csvOf(sample.benchmark));
  writeFileSync(join(dir, 'QQQ.csv'), csvOf(sample.benchmark));
  writeFileSync(join(dir, 'breadth.csv'), breadthCsvOf(dates, missing));
  env = {
    IWM_DATA_SOURCE: 'csv',
    IWM_DATA_DIR: dir,
    IWM_BREADTH_FILE: join(dir, 'breadth.csv'),
    IWM_STORE: 'fs',
    IWM_STORE_DIR: join(dir, 'store'),
  };
}, 60_000);

afterAll(async () => {
  for (const { rt, server } of open.splice(0)) {
    await new Promise((resolve) => server.close(resolve));
    await rt.close();
  }
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

test('signal and history read breadth from the file; meta says so; the composite has four layers', async () => {
  const base = await serve();
  const t = n - 1;
  const s = await get(base, `signal?asOf=${formatDay(dates[t])}`);
  expect([s.breadth.pct50, s.breadth.pct200]).toEqual([fixtureBreadth(t).pct50, fixtureBreadth(t).pct200]);
  expect(s.composite.thresholdBase).toBe(2);
  expect(s.meta.breadthSource).toBe(`file: breadth.csv (${formatDay(dates[0])} to ${formatDay(dates[t])})`);
  expect(s.meta.warnings.join(' ')).not.toMatch(/breadth/);

  const from = n - 6;
  const h = await get(base, `history?from=${formatDay(dates[from])}&fields=date,breadth.pct50,breadth.pct200`);
  expect(h.rows).toEqual(
    Array.from({ length: 6 }, (_, k) => {
      const i = from + k;
      return [
        formatDay(dates[i]),
        ...(missing(i) ? [null, null] : [fixtureBreadth(i).pct50, fixtureBreadth(i).pct200]),
      ];
    }),
  );
  const status = await get(base, 'status');
  expect(status.series).toEqual(['BREADTH200', 'BREADTH50']);
});

test('another primary gets no breadth from the file, with a warning saying whose it is', async () => {
  const base = await serve();
  const s = await get(base, 'signal?symbol=QQQ');
  expect(s.breadth.state).toBe('unavailable');
  expect(s.meta.breadthSource).toBeNull();
  expect(s.meta.warnings).toContain('breadth unavailable: the stored breadth file belongs to IWM, not QQQ');
});

test('the store serves the file to a cold instance after the file is gone', async () => {
  const writer = await createRuntime(env);
  await writer.refresh(); // the store holds the snapshot (unchanged if an earlier test wrote it)
  await writer.close();
  unlinkSync(join(dir, 'breadth.csv'));
  const base = await serve();
  const t = n - 2;
  const s = await get(base, `signal?asOf=${formatDay(dates[t])}`);
  expect([s.breadth.pct50, s.breadth.pct200]).toEqual([fixtureBreadth(t).pct50, fixtureBreadth(t).pct200]);
});

test('a breadth file with a universe or with the sample is a configuration error naming both', async () => {
  await expect(createRuntime({ ...env, IWM_UNIVERSE_DIR: dir })).rejects.toThrow(ConfigError);
  await expect(createRuntime({ ...env, IWM_UNIVERSE_DIR: dir })).rejects.toThrow(
    'IWM_BREADTH_FILE cannot be combined with IWM_UNIVERSE_DIR',
  );
  await expect(createRuntime({ ...env, IWM_DATA_SOURCE: 'sample' })).rejects.toThrow(
    'IWM_BREADTH_FILE cannot be combined with IWM_DATA_SOURCE=sample',
  );
  await expect(createRuntime({ ...env, IWM_FRED_SERIES: 'BREADTH50' })).rejects.toThrow(
    'IWM_FRED_SERIES: BREADTH50 is reserved for the breadth file',
  );
});
