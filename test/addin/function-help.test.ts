/**
 * What Excel's function help says about values must be what the engine computes: the help
 * of each state function names every state the engine produces for it (read over HTTP from
 * the sample, not from a list in the code), names no state the engine never produces, and
 * the score's help gives the range the layer scores really have.
 */
import { generateCustomFunctionsMetadata } from 'custom-functions-metadata';
import * as path from 'node:path';
import { startLocalApi, type LocalApi } from '../support/local-api';

interface Fn {
  id: string;
  description?: string;
}

let functions: Fn[];
let api: LocalApi;
let rows: unknown[][];
let columns: string[];

const FIELDS: Record<string, string> = {
  COMPOSITE: 'composite.rating',
  ROTATION: 'rotation.state',
  CREDIT: 'credit.state',
  TREND: 'trend.state',
  MOMENTUM: 'momentum.state',
  RELSTRENGTH: 'rs.state',
  BREADTH: 'breadth.state',
};
/** Words the help once used for states the engine never had. */
const NEVER = ['strong bullish', 'strong bearish', 'very'];

beforeAll(async () => {
  const result = await generateCustomFunctionsMetadata(
    [path.resolve(__dirname, '../../src/functions/functions.ts')],
    true,
  );
  functions = (JSON.parse(result.metadataJson) as { functions: Fn[] }).functions;
  api = await startLocalApi();
  const fields = ['date', ...Object.values(FIELDS), 'composite.score', 'trend.score', 'momentum.score', 'rs.score'];
  const res = await fetch(`${api.base}/history?from=${api.sessions[0]}&fields=${fields.join(',')}`);
  const body = (await res.json()) as { columns: string[]; rows: unknown[][] };
  columns = body.columns;
  rows = body.rows;
});
afterAll(() => api?.close());

const help = (id: string) => (functions.find((f) => f.id === id)?.description ?? '').toLowerCase();
const values = (field: string) => {
  const i = columns.indexOf(field);
  return new Set(rows.map((r) => r[i]).filter((v) => v !== null));
};

test.each(Object.entries(FIELDS))('%s names every state the engine produces, and no other', (id, field) => {
  const seen = [...values(field)] as string[];
  expect(seen.length).toBeGreaterThan(1);
  for (const state of seen) expect(help(id)).toContain(state);
  for (const word of NEVER) expect(help(id)).not.toContain(word);
});

test("SCORE's help gives the layer scores' real range", () => {
  let lo = Infinity;
  let hi = -Infinity;
  for (const f of ['trend.score', 'momentum.score', 'rs.score'])
    for (const v of values(f) as Set<number>) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  expect([lo, hi]).toEqual([-1, 1]);
  expect(help('SCORE')).toContain('-1 to +1');
  expect(help('SCORE')).not.toContain('-2 to +2');
  // Half scores exist (unconfirmed momentum), and the help says so.
  expect([...(values('momentum.score') as Set<number>)]).toContain(0.5);
  expect(help('SCORE')).toContain('half');
});
