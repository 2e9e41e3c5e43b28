/**
 * The network data providers and a factory for the bars source a configuration names.
 * Every provider shares one HttpClient, so the concurrency bound covers them all.
 */
import type { HttpClient } from '../http-client';
import { StooqProvider } from './stooq';
import { TiingoProvider } from './tiingo';
import type { BarsProvider } from './types';

export { ProviderError, type BarsProvider, type FredSeries, type Holding, type Holdings } from './types';
export { StooqProvider, type StooqOptions } from './stooq';
export { TiingoProvider, TIINGO_KEY_VARIABLE, type TiingoOptions } from './tiingo';
export { fetchFredSeries, parseFredCsv, type FetchedFredSeries } from './fred';
export { fetchIwmHoldings, parseHoldingsCsv, parseLongDate, IWM_HOLDINGS_URL, type ParsedHoldings } from './ishares';

export interface BarsProviderOptions {
  /** The provider's base URL (default: its public one). */
  baseUrl?: string;
  /** API key: required for tiingo (IWM_TIINGO_KEY), optional for stooq (its apikey). */
  key?: string | null;
}

/** The bars provider by name; tiingo without a key throws a ProviderError naming IWM_TIINGO_KEY. */
export function createBarsProvider(
  name: 'stooq' | 'tiingo',
  client: HttpClient,
  options: BarsProviderOptions = {},
): BarsProvider {
  const key = options.key ?? undefined;
  switch (name) {
    case 'stooq':
      return new StooqProvider(client, { baseUrl: options.baseUrl, key });
    case 'tiingo':
      return new TiingoProvider(client, { baseUrl: options.baseUrl, key });
    default:
      // Reached only from untyped callers (a config value cast to the union).
      throw new RangeError(`unknown bars provider: ${JSON.stringify(name satisfies never)}`);
  }
}
