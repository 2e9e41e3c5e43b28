/**
 * Massive (formerly Polygon.io; https://api.massive.com, the old api.polygon.io host
 * answers too), two endpoints:
 *
 * - grouped daily, `GET /v2/aggs/grouped/locale/us/market/stocks/{date}?adjusted=true`:
 *   every US stock's bar for one session in one request. On the free plan (5 requests a
 *   minute) that is what makes a breadth universe affordable: one request per session
 *   rather than one per member.
 * - aggregates, `GET /v2/aggs/ticker/{T}/range/1/day/{from}/{to}?adjusted=true&sort=asc&limit=50000`:
 *   one ticker's daily history, in pages linked by `next_url`.
 *
 * The key goes in `Authorization: Bearer` (Massive also takes `?apiKey=`), so it never
 * sits in a URL, a log or a message. Prices are split-adjusted (`adjusted=true`): a
 * split would otherwise read as a crash. Every request takes a token from the
 * provider's rate limiter first (IWM_MASSIVE_RPM, default 5 = the free plan).
 * The answers are read in massive-json.ts.
 */
import type { ParsedBars } from '../csv-bars';
import type { HttpClient, RequestOptions } from '../http-client';
import { TokenBucket, type RateLimiter } from '../rate-limit';
import { formatDay } from '../../engine/dates';
import { newYorkTime } from '../../service/freshness';
import { BarRows, checkFrom, checkSymbol, dropBefore } from './bar-rows';
import { MASSIVE_KEY_VARIABLE, readAggregatesPage, readGroupedDaily, type GroupedDaily } from './massive-json';
import { keyRefusal, ProviderError, type BarsProvider } from './types';

export { MASSIVE_KEY_VARIABLE };
export const MASSIVE_URL = 'https://api.massive.com';
/** The free plan's quota; paid plans have none. */
export const MASSIVE_FREE_PLAN_RPM = 5;

export interface MassiveOptions {
  /** The API key (required). */
  key: string | undefined;
  /** Default https://api.massive.com. */
  baseUrl?: string;
  /** Requests per minute over both endpoints (default 5, the free plan; 0 = no limit, for paid plans). */
  requestsPerMinute?: number;
  /** A limiter to use instead of one built from requestsPerMinute (tests give it a clock). */
  limiter?: RateLimiter | null;
  /** The clock that says what "today" is for an open-ended history (default Date.now). */
  now?: () => number;
}

/** The start of "the full history": Massive sends what the plan reaches (2 years on the free one). */
const FULL_HISTORY_FROM = '1970-01-01';
/** Pages of one history we follow before calling it a loop (a page holds up to 50,000 bars). */
const MAX_PAGES = 100;
const HTML_HINT = 'is IWM_MASSIVE_URL the API host (https://api.massive.com)?';

export class MassiveProvider implements BarsProvider {
  readonly name = 'massive';
  private readonly key: string;
  private readonly baseUrl: string;
  private readonly limiter: RateLimiter | null;
  private readonly now: () => number;

  constructor(
    private readonly client: HttpClient,
    options: MassiveOptions,
  ) {
    const key = options.key?.trim();
    if (!key) throw new ProviderError('massive', `no API key: set ${MASSIVE_KEY_VARIABLE} to your Massive API key`);
    this.key = key;
    this.baseUrl = (options.baseUrl ?? MASSIVE_URL).replace(/\/+$/, '');
    const rpm = options.requestsPerMinute ?? MASSIVE_FREE_PLAN_RPM;
    if (!(rpm >= 0) || !Number.isFinite(rpm)) {
      throw new RangeError(`MassiveProvider: requestsPerMinute must be >= 0, got ${rpm}`);
    }
    this.limiter =
      options.limiter !== undefined ? options.limiter : rpm > 0 ? new TokenBucket({ perMinute: rpm }) : null;
    this.now = options.now ?? Date.now;
  }

  /**
   * Every US stock's bar of `date` (ISO). A date without bars (weekend, holiday, not yet
   * published) is `{ kind: 'no-session' }`; bad elements are listed with line and ticker.
   */
  async fetchGroupedDaily(date: string): Promise<GroupedDaily> {
    const day = checkFrom(this.name, date, 'date');
    const what = `grouped daily bars of ${date}`;
    const url = `${this.baseUrl}/v2/aggs/grouped/locale/us/market/stocks/${date}?adjusted=true`;
    return readGroupedDaily(await this.getJson(url, what), date, day, what);
  }

  /**
   * One ticker's daily bars from `from` to `to` (ISO, inclusive; default: all the plan
   * reaches, up to today in New York), every page of them.
   */
  async fetchBars(symbol: string, options: { from?: string; to?: string } = {}): Promise<ParsedBars> {
    const ticker = checkSymbol(this.name, symbol);
    const fromDay = checkFrom(this.name, options.from);
    const from = options.from ?? FULL_HISTORY_FROM;
    const to = options.to ?? formatDay(newYorkTime(new Date(this.now())).day);
    if (checkFrom(this.name, to, 'to') < (fromDay ?? 0)) {
      throw new ProviderError(this.name, `daily bars of ${ticker}: from ${from} is after to ${to}`);
    }
    const rows = new BarRows();
    const seen = new Set<string>();
    let url: string | null =
      `${this.baseUrl}/v2/aggs/ticker/${encodeURIComponent(ticker)}/range/1/day/${from}/${to}` +
      '?adjusted=true&sort=asc&limit=50000';
    let elements = 0;
    for (let page = 1; url !== null; page++) {
      const what = `daily bars of ${ticker}${page > 1 ? ` (page ${page})` : ''}`;
      if (page > MAX_PAGES) throw new ProviderError(this.name, `${what}: more than ${MAX_PAGES} pages; stopped`);
      seen.add(url);
      const { nextUrl, count } = readAggregatesPage(await this.getJson(url, what), ticker, rows, elements + 1, what);
      elements += count;
      url = nextUrl === null ? null : this.nextPage(nextUrl, what);
      if (url !== null && seen.has(url)) {
        throw new ProviderError(this.name, `${what}: next_url repeats an earlier page: ${nextUrl}`);
      }
    }
    if (elements === 0) {
      // Massive answers an unknown ticker with no results, not a 404.
      throw new ProviderError(
        this.name,
        `no data for ${ticker} from ${from} to ${to}: Massive does not know ${ticker}, or has no bars in that range`,
      );
    }
    const parsed = rows.finish(`massive:${ticker}`);
    return fromDay === null ? parsed : dropBefore(parsed, fromDay);
  }

  /**
   * The next page on our host: next_url's path and query under the configured base URL.
   * Following its host as written would send the key wherever an answer points.
   */
  private nextPage(nextUrl: string, what: string): string {
    const parsed = URL.canParse(nextUrl) ? new URL(nextUrl) : null;
    if (parsed === null || !parsed.pathname.startsWith('/v2/aggs/ticker/')) {
      throw new ProviderError(this.name, `${what}: next_url is not an aggregates URL: ${JSON.stringify(nextUrl)}`);
    }
    return `${this.baseUrl}${parsed.pathname}${parsed.search}`;
  }

  private async getJson(url: string, what: string): Promise<unknown> {
    const request: RequestOptions = {
      provider: this.name,
      what,
      headers: { authorization: `Bearer ${this.key}`, accept: 'application/json' },
      secrets: [this.key],
      htmlHint: HTML_HINT,
      ...(this.limiter === null ? {} : { limiter: this.limiter }),
    };
    try {
      return await this.client.getJson(url, request);
    } catch (error) {
      // 403 is also what a plan without this data (or without today's bars yet) gets.
      throw keyRefusal(error, MASSIVE_KEY_VARIABLE, ' and its plan');
    }
  }
}
