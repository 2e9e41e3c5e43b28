/**
 * IWM.READING: the reading as an Excel data-type card, over real HTTP to the local API
 * (sample data). The card is typed as Excel.EntityCellValue (compiled against
 * @types/office-js) and walked the way Excel reads a custom function's entity: only the
 * root may carry referencedValues, every property is a typed cell value with the members
 * its type needs; its values are checked against the API's own reading.
 */
import { client, settings } from '../../src/common/shared';
import { DATE_FORMAT, readableName, readingEntity } from '../../src/functions/entity';
import * as IWM from '../../src/functions/functions';
import { installCustomFunctions, installOfficeHost } from '../support/custom-functions';
import { startLocalApi, type LocalApi } from '../support/local-api';

installCustomFunctions();

let api: LocalApi;
let sessions: string[];

beforeAll(async () => {
  api = await startLocalApi();
  ({ sessions } = api);
}, 120_000);
afterAll(() => api.close());
beforeEach(() => {
  settings.reset();
  settings.update({ apiUrl: api.base });
  client.clearCache();
});
afterEach(() => {
  delete (globalThis as { Office?: unknown }).Office;
});

const host = installOfficeHost;

const EXCEL_EPOCH = Date.UTC(1899, 11, 30); // serial 0 (with the 1900 leap-year bug, valid from 1900-03-01)
const serialOf = (iso: string) => (Date.parse(`${iso}T00:00:00Z`) - EXCEL_EPOCH) / 86_400_000;

/** Every problem Excel would find with a custom function's entity (empty when none). */
function excelProblems(value: Excel.CellValue, path = 'root'): string[] {
  const problems: string[] = [];
  const v = value as unknown as Record<string, unknown>;
  if (path !== 'root' && 'referencedValues' in v) problems.push(`${path}: referencedValues below the root`);
  switch (v.type) {
    case 'Double':
      if (typeof v.basicValue !== 'number' || !Number.isFinite(v.basicValue))
        problems.push(`${path}: Double without a number`);
      if (v.numberFormat !== undefined && typeof v.numberFormat !== 'string') problems.push(`${path}: numberFormat`);
      break;
    case 'String':
      if (typeof v.basicValue !== 'string') problems.push(`${path}: String without text`);
      break;
    case 'Boolean':
      if (typeof v.basicValue !== 'boolean') problems.push(`${path}: Boolean without a boolean`);
      break;
    case 'Error':
      if (typeof v.errorType !== 'string') problems.push(`${path}: Error without errorType`);
      break;
    case 'Entity': {
      if (typeof v.text !== 'string' || v.text === '') problems.push(`${path}: Entity without text`);
      const props = v.properties as Record<string, Excel.CellValue> | undefined;
      if (!props || Object.keys(props).length === 0) problems.push(`${path}: Entity without properties`);
      for (const [k, p] of Object.entries(props ?? {})) problems.push(...excelProblems(p, `${path}.${k}`));
      break;
    }
    default:
      problems.push(`${path}: untyped or unknown type ${String(v.type)}`);
  }
  return problems;
}

const prop = (e: Excel.EntityCellValue, ...names: string[]): Record<string, unknown> => {
  let v = e as unknown as Record<string, unknown>;
  for (const n of names) v = (v.properties as Record<string, Record<string, unknown>>)[n];
  return v;
};

describe('IWM.READING', () => {
  test('a card Excel accepts, whose values are the API reading of that session', async () => {
    host(true);
    const d = sessions[1200];
    const card: Excel.EntityCellValue = await IWM.reading(d);
    const expected = (await api.rt.service.call('signal', { asOf: d })) as {
      close: number;
      composite: { rating: string; score: number };
      trend: { state: string; gapAtr: number };
      sizing: { fraction: number };
    };
    expect(excelProblems(card)).toEqual([]);
    expect(card.text).toBe(expected.composite.rating);
    expect(prop(card, 'Date')).toMatchObject({ type: 'Double', basicValue: serialOf(d), numberFormat: DATE_FORMAT });
    expect(prop(card, 'Close')).toMatchObject({ type: 'Double', basicValue: expected.close });
    expect(prop(card, 'Trend', 'State')).toMatchObject({ type: 'String', basicValue: expected.trend.state });
    expect(prop(card, 'Trend', 'Gap ATR')).toMatchObject({ type: 'Double', basicValue: expected.trend.gapAtr });
    expect(prop(card, 'Composite', 'Score')).toMatchObject({ basicValue: expected.composite.score });
    expect(prop(card, 'Sizing', 'Fraction')).toMatchObject({
      basicValue: expected.sizing.fraction,
      numberFormat: '0%',
    });
    for (const group of [
      'Trend',
      'Momentum',
      'Breadth',
      'Relative strength',
      'Composite',
      'Rotation',
      'Sizing',
      'Macro',
    ]) {
      expect({ group, type: prop(card, group).type }).toEqual({ group, type: 'Entity' });
    }
  });

  test('the walk catches what Excel rejects', () => {
    const reading = { composite: { rating: 'bullish' }, date: '2024-11-29', close: 200 };
    const good = readingEntity(reading);
    expect(excelProblems(good)).toEqual([]);
    const nestedRef = {
      ...good,
      properties: { ...good.properties, Trend: { ...prop(good, 'Trend'), referencedValues: [] } },
    };
    expect(excelProblems(nestedRef as unknown as Excel.EntityCellValue).join()).toMatch(
      /referencedValues below the root/,
    );
    const untyped = { ...good, properties: { ...good.properties, Close: { basicValue: 1 } } };
    expect(excelProblems(untyped as unknown as Excel.EntityCellValue).join()).toMatch(/Close: untyped/);
    // A field with no value is #N/A on the card, never 0.
    expect(prop(good, 'Trend', 'Gap ATR')).toMatchObject({ type: 'Error', errorType: 'NotAvailable' });
  });

  test('without CustomFunctionsRuntime 1.4 (or outside Office) the answer is the rating as text', async () => {
    const d = sessions[1200];
    host(false);
    const text = await IWM.reading(d);
    expect(text).toBe(await IWM.composite(d));
    expect(typeof text).toBe('string');
    delete (globalThis as { Office?: unknown }).Office;
    expect(await IWM.reading(d)).toBe(text);
  });

  test('readable names', () => {
    expect(['gapAtr', 'pct50', 'rocShort', 'lowerThirdVolume'].map(readableName)).toEqual([
      'Gap ATR',
      'PCT 50',
      'ROC short',
      'Lower third volume',
    ]);
  });
});
