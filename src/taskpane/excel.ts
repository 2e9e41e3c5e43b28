/** The taskpane's calls into Excel, when it runs in Excel. */
import { refreshIwmFormulas } from '../common/workbook';

export function isExcelHost(host: Office.HostType | null | undefined): boolean {
  return typeof Excel !== 'undefined' && typeof Office !== 'undefined' && host === Office.HostType.Excel;
}

/** Re-enters every IWM.* formula so Excel recalculates them with the current settings; returns how many. */
export function reenterIwmFormulas(): Promise<number> {
  return Excel.run((context) => refreshIwmFormulas(context));
}
