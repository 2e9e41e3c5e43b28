/**
 * A stand-in for the `CustomFunctions` global that Excel's runtime provides: the error
 * class and codes the functions throw, and a no-op associate (webpack's metadata plugin
 * adds the associate calls to the bundle, not to the source under test).
 */
export class CustomFunctionError extends Error {
  constructor(
    readonly code: string,
    message?: string,
  ) {
    super(message);
    this.name = 'CustomFunctions.Error';
  }
}

export const ErrorCode = {
  invalidValue: '#VALUE!',
  notAvailable: '#N/A',
  divisionByZero: '#DIV/0!',
  invalidNumber: '#NUM!',
  nullReference: '#NULL!',
  invalidName: '#NAME?',
  invalidReference: '#REF!',
} as const;

export function installCustomFunctions(): void {
  (globalThis as Record<string, unknown>).CustomFunctions = {
    Error: CustomFunctionError,
    ErrorCode,
    associate: () => undefined,
  };
}

/** The Excel error a custom function's promise rejects with (fails the test when it resolves). */
export async function excelError(promise: Promise<unknown>): Promise<CustomFunctionError> {
  return promise.then(
    (value) => {
      throw new Error(`expected an Excel error, got ${JSON.stringify(value)}`);
    },
    (err: unknown) => {
      expect(err).toBeInstanceOf(CustomFunctionError);
      return err as CustomFunctionError;
    },
  );
}

/**
 * The `Office` global as far as the functions ask it: whether the host has
 * CustomFunctionsRuntime 1.4 (data types from custom functions). Returns a remover.
 */
export function installOfficeHost(runtime14: boolean): () => void {
  (globalThis as { Office?: unknown }).Office = {
    context: {
      requirements: {
        isSetSupported: (name: string, version: string) =>
          name === 'CustomFunctionsRuntime' && Number(version) <= (runtime14 ? 1.4 : 1.3),
      },
    },
  };
  return () => delete (globalThis as { Office?: unknown }).Office;
}
