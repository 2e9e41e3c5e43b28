/**
 * Failures as the cell errors Excel users expect: a bad argument is #VALUE! and says which
 * argument and why; data that does not exist (before the history, a holiday, breadth
 * without a universe), a network or key problem is #N/A with a message that says which.
 * Only #VALUE! and #N/A carry a message in Excel, so every failure is one of the two.
 */
import { ApiError } from '../common/api-client';
import { ArgumentError } from '../common/excel-args';

/** Excel shows at most this many characters of an error message. */
const MAX_MESSAGE = 255;

function clip(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 1)}…`;
}

/** The CustomFunctions.Error for any failure (CustomFunctions is the runtime's global). */
export function toExcelError(err: unknown): CustomFunctions.Error {
  const { Error: CfError, ErrorCode } = CustomFunctions;
  if (err instanceof CfError) return err;
  if (err instanceof ArgumentError) return new CfError(ErrorCode.invalidValue, clip(err.message));
  if (err instanceof ApiError) {
    return new CfError(err.kind === 'invalid' ? ErrorCode.invalidValue : ErrorCode.notAvailable, clip(err.message));
  }
  return new CfError(ErrorCode.notAvailable, clip(`IWM add-in error: ${(err as Error)?.message ?? String(err)}`));
}

/** #N/A for a number or state that the API returned as null. */
export function noValue(field: string, date: string): CustomFunctions.Error {
  return new CustomFunctions.Error(
    CustomFunctions.ErrorCode.notAvailable,
    clip(
      `${field} has no value on ${date}: not enough history for its look-back yet, or (breadth) no member universe is loaded; see IWM.STATUS()`,
    ),
  );
}
