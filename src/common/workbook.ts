/**
 * Workbook operations shared by the taskpane's buttons.
 *
 * Recalculating only the IWM.* formulas: Excel has no "recalculate these functions"
 * call, and a full recalculation re-runs every volatile formula in the workbook. Writing a
 * formula back into its cell makes Excel recalculate that cell alone, so the refresh finds
 * the cells whose formula calls IWM.* and re-enters just those.
 */

/** True when a formula calls one of the add-in's functions (IWM.X( or, in some hosts, _xldudf_IWM_X(). */
export function callsIwm(formula: unknown): boolean {
  return typeof formula === 'string' && formula.startsWith('=') && /\bIWM\.[A-Z]+\s*\(/i.test(formula);
}

/** Re-enters every IWM.* formula of the workbook; returns how many cells it touched. */
export async function refreshIwmFormulas(context: Excel.RequestContext): Promise<number> {
  const sheets = context.workbook.worksheets;
  // 'items' (all of each sheet's scalar properties: few) rather than 'items/name', which
  // office-addin-mock cannot navigate.
  sheets.load('items');
  await context.sync();
  const used = sheets.items.map((sheet) => {
    const range = sheet.getUsedRangeOrNullObject(true);
    range.load(['formulas', 'rowIndex', 'columnIndex', 'isNullObject']);
    return { sheet, range };
  });
  await context.sync();
  let touched = 0;
  for (const { sheet, range } of used) {
    if (range.isNullObject) continue;
    range.formulas.forEach((row, r) =>
      row.forEach((formula, c) => {
        if (!callsIwm(formula)) return;
        sheet.getCell(range.rowIndex + r, range.columnIndex + c).formulas = [[formula]];
        touched++;
      }),
    );
  }
  await context.sync();
  return touched;
}
