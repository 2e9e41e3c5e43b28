/**
 * Network data providers: each turns a remote source into validated columns, with the
 * same rules as the CSV files (every bad row named with its line and reason, nothing
 * zero-filled). They share one HttpClient (http-client.ts) that bounds time, retries and
 * concurrency, so a slow or rate-limiting provider cannot hang a refresh.
 */
import type { ParsedBars } from '../csv-bars';
import type { ValueSeries } from '../../storage/types';

/** Daily bars of one symbol from a remote source (stooq, tiingo, massive). */
export interface BarsProvider {
  readonly name: 'stooq' | 'tiingo' | 'massive';
  /** Bars from `from` (ISO date, inclusive; default: the provider's full history). */
  fetchBars(symbol: string, options?: { from?: string }): Promise<ParsedBars>;
}

/** One member of the breadth universe as the fund's holdings file lists it. */
export interface Holding {
  ticker: string;
  name: string;
  sector: string;
  /** Weight in the fund, percent. */
  weight: number;
}

export interface Holdings {
  /** The "as of" date the file states (ISO). */
  asOf: string;
  /** Equity holdings only (cash, futures and money-market lines are left out and counted). */
  members: Holding[];
  /** Non-equity lines left out. */
  skipped: number;
}

/** A FRED series as dated values; "." (no observation) days are absent. */
export interface FredSeries extends ValueSeries {
  id: string;
}

/** A provider request that failed for good (after retries); names provider, what and why, never a key. */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`${provider}: ${message}`, options);
    this.name = 'ProviderError';
  }
}

/**
 * A 401/403 ProviderError with the setting to check appended ("(check IWM_TIINGO_KEY)");
 * anything else as it is. For `throw keyRefusal(error, ...)` in a catch.
 */
export function keyRefusal(error: unknown, variable: string, also = ''): unknown {
  if (!(error instanceof ProviderError) || (error.status !== 401 && error.status !== 403)) return error;
  const message = `${error.message.slice(error.provider.length + 2)} (check ${variable}${also})`;
  return new ProviderError(error.provider, message, error.status, { cause: error });
}
