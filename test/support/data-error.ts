import { DataFileError } from '../../api/src/data/csv-bars';

/** The DataFileError `fn` throws (fails the test when it throws nothing or something else). */
export function dataError(fn: () => unknown): DataFileError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DataFileError);
    return error as DataFileError;
  }
  throw new Error('expected a DataFileError');
}
