/**
 * functions.json is generated from the functions' JSDoc (the same generator webpack's
 * CustomFunctionsMetadataPlugin runs); this checks what Excel will show users.
 */
import { generateCustomFunctionsMetadata } from 'custom-functions-metadata';
import * as path from 'node:path';

interface Param {
  name: string;
  description?: string;
  type: string;
  optional?: boolean;
  dimensionality?: string;
}
interface Fn {
  id: string;
  name: string;
  description?: string;
  parameters: Param[];
  result: { dimensionality?: string };
  options?: { stream?: boolean; cancelable?: boolean };
}

let functions: Fn[];

beforeAll(async () => {
  const result = await generateCustomFunctionsMetadata(
    [path.resolve(__dirname, '../../src/functions/functions.ts')],
    true,
  );
  expect(result.errors).toEqual([]);
  functions = (JSON.parse(result.metadataJson) as { functions: Fn[] }).functions;
}, 60_000);

const SCALAR = [
  'COMPOSITE',
  'SCORE',
  'ROTATION',
  'SIZE',
  'CREDIT',
  'TREND',
  'MOMENTUM',
  'BREADTH',
  'RELSTRENGTH',
  'SIGNAL',
  'READING',
];
const SPILLED = ['HISTORY', 'LEVELS', 'DEBRIEF', 'BACKTEST', 'STRATEGY', 'CALENDAR', 'STATUS'];

test('every function of the IWM namespace is declared, with a description and help on every parameter', () => {
  expect(functions.map((f) => f.id).sort()).toEqual([...SCALAR, ...SPILLED, 'LIVE'].sort());
  for (const f of functions) {
    expect(f.name).toBe(f.id);
    expect(f.description?.length).toBeGreaterThan(20);
    for (const p of f.parameters) expect(p.description?.length).toBeGreaterThan(5);
  }
});

test('tables spill; LIVE streams; scalars do not', () => {
  for (const id of SPILLED) expect(functions.find((f) => f.id === id)?.result.dimensionality).toBe('matrix');
  for (const id of SCALAR) expect(functions.find((f) => f.id === id)?.result.dimensionality).toBeUndefined();
  expect(functions.find((f) => f.id === 'LIVE')?.options?.stream).toBe(true);
});

test('optional arguments are optional; dates accept any cell value; fields accept a range', () => {
  const composite = functions.find((f) => f.id === 'COMPOSITE') as Fn;
  expect(composite.parameters.map((p) => [p.name, p.type, p.optional])).toEqual([
    ['asOf', 'any', true],
    ['symbol', 'string', true],
    ['profile', 'string', true],
  ]);
  const signal = functions.find((f) => f.id === 'SIGNAL') as Fn;
  expect(signal.parameters[0].name).toBe('field');
  expect(signal.parameters[0].optional).toBeFalsy();
  const history = functions.find((f) => f.id === 'HISTORY') as Fn;
  expect(history.parameters[0].name).toBe('start');
  expect(history.parameters[0].optional).toBeFalsy();
  expect(history.parameters.find((p) => p.name === 'fields')).toMatchObject({
    dimensionality: 'matrix',
    optional: true,
  });
});
