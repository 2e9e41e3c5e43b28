/**
 * The network data providers and a factory for the bars source a configuration names.
 * Every provider shares one HttpClient, so the concurrency bound covers them all.
 */
import type { HttpClient } from '../http-client';
import { MassiveProvider } from './massive';
import { StooqProvider } from './stooq';
import { TiingoProvider } from './tiingo';
import type { BarsProvider } from './types';

export { ProviderError, type BarsProvider, type FredSeries, type Holding, type Holdings } from './types';
export { StooqProvider, STOOQ_KEY_VARIABLE, type StooqOptions } from './stooq';
export {
  MassiveProvider,
  MASSIVE_FREE_PLAN_RPM,
  MASSIVE_KEY_VARIABLE,
  MASSIVE_URL,
  type MassiveOptions,
} from './massive';
export { type DayBar, type GroupedDaily, type TickerRowIssue } from './massive-json';
export { TiingoProvider, TIINGO_KEY_VARIABLE, type TiingoOptions } from './tiingo';
export { fetchFredSeries, parseFredCsv, type FetchedFredSeries } from './fred';
export { fetchIwmHoldings, parseHoldingsCsv, parseLongDate, IWM_HOLDINGS_URL, type ParsedHoldings } from './ishares';

export interface BarsProviderOptions {
  /** The provider's base URL (default: its public one). */
  baseUrl?: string;
  /** API key, required by every one (IWM_STOOQ_KEY, IWM_TIINGO_KEY, IWM_MASSIVE_KEY). */
  key?: string | null;
  /** massive: its requests-per-minute quota (default 5, the free plan; 0 = none). */
  requestsPerMinute?: number;
}

/** The bars provider by name; one without a key throws a ProviderError naming its variable. */
export function createBarsProvider(
  name: BarsProvider['name'],
  client: HttpClient,
  options: BarsProviderOptions = {},
): BarsProvider {
  const key = options.key ?? undefined;
  switch (name) {
    case 'stooq':
      return new StooqProvider(client, { baseUrl: options.baseUrl, key });
    case 'tiingo':
      return new TiingoProvider(client, { baseUrl: options.baseUrl, key });
    case 'massive':
      return new MassiveProvider(client, {
        baseUrl: options.baseUrl,
        key,
        requestsPerMinute: options.requestsPerMinute,
      });
    default:
      // Reached only from untyped callers (a config value cast to the union).
      throw new RangeError(`unknown bars provider: ${JSON.stringify(name satisfies never)}`);
  }
}
