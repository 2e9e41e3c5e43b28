/**
 * Tables with real Excel dates and a headers switch (STOCKHISTORY's 0/1): the shaping
 * alone, then IWM.HISTORY / IWM.CALENDAR over real HTTP to the local API (sample data), on a
 * host with data types (dates as serials with a yyyy-mm-dd format) and one without (ISO text).
 */
import { client, settings } from '../../src/common/shared';
import { shapeTable } from '../../src/functions/excel-dates';
import * as IWM from '../../src/functions/functions';
import { excelError, installCustomFunctions, installOfficeHost } from '../support/custom-functions';
import { startLocalApi, type LocalApi } from '../support/local-api';

installCustomFunctions();

let api: LocalApi;
let removeHost: (() => void) | undefined;

beforeAll(async () => {
  api = await startLocalApi();
}, 120_000);
afterAll(() => api.close());
beforeEach(() => {
  settings.reset();
  settings.update({ apiUrl: api.base });
  client.clearCache();
});
afterEach(() => removeHost?.());

// Serial by hand: days since 1899-12-30 (Excel's day 0 once its phantom 1900-02-29 is counted).
const serialOf = (iso: string) => (Date.parse(`${iso}T00:00:00Z`) - Date.UTC(1899, 11, 30)) / 86_400_000;
const dateValue = (iso: string) => ({ type: 'Double', basicValue: serialOf(iso), numberFormat: 'yyyy-mm-dd' });

describe('shapeTable', () => {
  const table = [
    ['date', 'label', 'windowEnd'],
    ['2024-11-29', 'FOMC', ''],
    ['2025-01-02', '2025-01-03 is text here', '2025-01-06'],
  ];

  test('date columns become Excel dates when typed; other columns and empty cells are kept', () => {
    expect(serialOf('2024-11-29')).toBe(45625); // Excel: =DATE(2024,11,29) is 45625
    expect(shapeTable(table, ['date', 'windowEnd'], 1, true)).toEqual([
      ['date', 'label', 'windowEnd'],
      [dateValue('2024-11-29'), 'FOMC', ''],
      [dateValue('2025-01-02'), '2025-01-03 is text here', dateValue('2025-01-06')],
    ]);
  });

  test('untyped: ISO text unchanged; headers 0 drops the header row only', () => {
    expect(shapeTable(table, ['date'], 1, false)).toEqual(table);
    expect(shapeTable(table, ['date'], 0, false)).toEqual(table.slice(1));
    // An empty table keeps its header row: Excel cannot spill an empty array.
    expect(shapeTable([table[0]], ['date'], 0, true)).toEqual([table[0]]);
  });
});

describe('tables over the API', () => {
  test('IWM.HISTORY on a host with data types: dates are serials with a date format', async () => {
    removeHost = installOfficeHost(true);
    const rows = await IWM.history(-5, undefined, [['date', 'close']]);
    removeHost();
    const plain = await IWM.history(-5, undefined, [['date', 'close']]);
    expect(rows).toHaveLength(6);
    expect(rows[0]).toEqual(['date', 'close']);
    for (let i = 1; i < 6; i++) {
      expect(rows[i][0]).toEqual(dateValue(plain[i][0] as string));
      expect(rows[i][1]).toBe(plain[i][1]);
    }
    expect(plain[1][0]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test('headers: 0 drops the header row, 1 keeps it, anything else is #VALUE! before any request', async () => {
    const [from, to] = [api.sessions[1000], api.sessions[1004]];
    const withHeaders = await IWM.debrief(from, to, undefined, undefined, 1);
    const without = await IWM.debrief(from, to, undefined, undefined, 0);
    expect(withHeaders[0].slice(0, 2)).toEqual(['date', 'openingDate']);
    expect(withHeaders).toHaveLength(6);
    expect(without).toEqual(withHeaders.slice(1));
    api.batchRequests = 0;
    const err = await excelError(IWM.levels(5, undefined, undefined, undefined, 2));
    expect(err.code).toBe('#VALUE!');
    expect(err.message).toMatch(/headers must be a whole number from 0 to 1/);
    expect(api.batchRequests).toBe(0);
  });
});
