/** Workbook operations against office-addin-mock's Excel (Excel itself cannot run here). */
import { OfficeMockObject } from 'office-addin-mock';
import { callsIwm, refreshIwmFormulas } from '../../src/common/workbook';

test('callsIwm finds IWM.* calls only', () => {
  expect(callsIwm('=IWM.COMPOSITE(A2)')).toBe(true);
  expect(callsIwm('=IF(B2>0, iwm.score(-1), 0)')).toBe(true);
  expect(callsIwm('=SUM(A1:A3)')).toBe(false);
  expect(callsIwm('IWM.COMPOSITE(A2)')).toBe(false); // text, not a formula
  expect(callsIwm(42)).toBe(false);
});

test('refreshIwmFormulas re-enters exactly the IWM formulas, at their addresses', async () => {
  const written: { sheet: string; row: number; col: number; formulas?: unknown }[] = [];
  // office-addin-mock wraps the seed's properties (so they can be loaded), not what its
  // functions return: the used range is a property that getUsedRangeOrNullObject hands back.
  const sheet = (name: string, rowIndex: number, columnIndex: number, formulas: unknown[][] | null) => ({
    name,
    usedRange: { formulas: formulas ?? [], rowIndex, columnIndex, isNullObject: formulas === null },
    getUsedRangeOrNullObject: function () {
      return this.usedRange;
    },
    getCell(row: number, col: number) {
      const cell: { sheet: string; row: number; col: number; formulas?: unknown } = { sheet: name, row, col };
      written.push(cell);
      return cell;
    },
  });
  // Arrays in a seed stay plain values, so each sheet is a mock of its own, and the
  // context's sync syncs them too (as Excel's one request would).
  const sheets = [
    new OfficeMockObject(
      sheet('Signals', 1, 2, [
        ['=IWM.COMPOSITE(A2)', 'note', 5],
        ['=SUM(C2:C3)', '=IWM.HISTORY(-20)', ''],
      ]),
    ),
    new OfficeMockObject(sheet('Empty', 0, 0, null)),
  ];
  const mock = new OfficeMockObject({
    workbook: { worksheets: { items: sheets } },
  });
  const syncAll = mock.sync.bind(mock);
  mock.sync = async () => {
    await syncAll();
    for (const s of sheets) await s.sync();
  };
  const touched = await refreshIwmFormulas(mock as unknown as Excel.RequestContext);
  expect(touched).toBe(2);
  expect(written).toEqual([
    { sheet: 'Signals', row: 1, col: 2, formulas: [['=IWM.COMPOSITE(A2)']] },
    { sheet: 'Signals', row: 2, col: 3, formulas: [['=IWM.HISTORY(-20)']] },
  ]);
});
