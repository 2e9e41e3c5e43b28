/**
 * Daily bars from Tiingo's end-of-day API:
 * `GET /tiingo/daily/<ticker>/prices?startDate=YYYY-MM-DD` with `Authorization: Token <key>`
 * (a header rather than `?token=`, so the key never sits in a URL, a log or a message).
 * The answer is a JSON array, oldest first, of
 * `{ date: "2024-11-29T00:00:00.000Z", open, high, low, close, volume,
 *    adjOpen, adjHigh, adjLow, adjClose, adjVolume, divCash, splitFactor }`.
 * Without startDate Tiingo returns only the latest bar, so a full history asks from 1970.
 *
 * Errors come as `{ "detail": "..." }`: with HTTP 404 for an unknown ticker, 401/403 for
 * a bad key, and sometimes with HTTP 200 (an exhausted hourly allocation); each becomes
 * a ProviderError carrying the detail. Elements are checked one by one (zod for the shape,
 * then the same value rules as the CSV files); a bad element is a row issue whose `line`
 * is its index + 1.
 */
import { z } from 'zod';
import type { ParsedBars } from '../csv-bars';
import type { HttpClient } from '../http-client';
import { parseIsoDay } from '../../engine/dates';
import { BarRows, checkFrom, checkSymbol, dropBefore, shapeProblem } from './bar-rows';
import { keyRefusal, ProviderError, type BarsProvider } from './types';

/** The variable the key comes from, named in every message about a missing or refused key. */
export const TIINGO_KEY_VARIABLE = 'IWM_TIINGO_KEY';

export interface TiingoOptions {
  /** The API token (required). */
  key: string | undefined;
  /** Default https://api.tiingo.com. */
  baseUrl?: string;
  /**
   * Use Tiingo's split- and dividend-adjusted adjOpen..adjVolume instead of the traded
   * prices (default false: the raw prices match quotes and the CSV files).
   */
  adjusted?: boolean;
}

const FULL_HISTORY_FROM = '1970-01-01';
/** "2024-11-29", optionally followed by a time (Tiingo sends midnight UTC). */
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

const Raw = z.object({
  date: z.string(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
});
const Adjusted = z.object({
  date: z.string(),
  adjOpen: z.number(),
  adjHigh: z.number(),
  adjLow: z.number(),
  adjClose: z.number(),
  adjVolume: z.number(),
});
const ErrorBody = z.object({ detail: z.string() });

export class TiingoProvider implements BarsProvider {
  readonly name = 'tiingo';
  private readonly key: string;
  private readonly baseUrl: string;
  private readonly adjusted: boolean;

  constructor(
    private readonly client: HttpClient,
    options: TiingoOptions,
  ) {
    const key = options.key?.trim();
    if (!key) {
      throw new ProviderError('tiingo', `no API key: set ${TIINGO_KEY_VARIABLE} to your Tiingo token`);
    }
    this.key = key;
    this.baseUrl = (options.baseUrl ?? 'https://api.tiingo.com').replace(/\/+$/, '');
    this.adjusted = options.adjusted ?? false;
  }

  async fetchBars(symbol: string, options: { from?: string } = {}): Promise<ParsedBars> {
    const ticker = checkSymbol(this.name, symbol);
    const fromDay = checkFrom(this.name, options.from);
    const startDate = options.from ?? FULL_HISTORY_FROM;
    const url = `${this.baseUrl}/tiingo/daily/${encodeURIComponent(ticker)}/prices?startDate=${startDate}`;
    let json: unknown;
    try {
      json = await this.client.getJson(url, {
        provider: this.name,
        what: `daily bars of ${ticker}`,
        headers: { authorization: `Token ${this.key}`, accept: 'application/json' },
        secrets: [this.key],
      });
    } catch (error) {
      // The client's message says the request was refused; say which setting to check.
      throw keyRefusal(error, TIINGO_KEY_VARIABLE);
    }
    const parsed = this.parse(json, `tiingo:${ticker}`);
    return fromDay === null ? parsed : dropBefore(parsed, fromDay);
  }

  private parse(json: unknown, source: string): ParsedBars {
    if (!Array.isArray(json)) {
      const error = ErrorBody.safeParse(json);
      const why = error.success ? error.data.detail.split(this.key).join('***') : 'expected an array of daily prices';
      throw new ProviderError('tiingo', `${source}: ${why}`);
    }
    const rows = new BarRows();
    for (let i = 0; i < json.length; i++) this.addElement(rows, json[i], i + 1);
    return rows.finish(source);
  }

  private addElement(rows: BarRows, element: unknown, line: number): void {
    const result = this.adjusted ? Adjusted.safeParse(element) : Raw.safeParse(element);
    if (!result.success) {
      rows.reject(line, shapeProblem(element, result.error.issues));
      return;
    }
    const bar = result.data;
    const match = DATE_TIME.exec(bar.date);
    const day = match === null ? null : parseIsoDay(match[1]);
    if (day === null) {
      rows.reject(line, `bad date ${JSON.stringify(bar.date)} (expected a real YYYY-MM-DD date)`);
      return;
    }
    if ('adjOpen' in bar) rows.add(line, day, bar.adjOpen, bar.adjHigh, bar.adjLow, bar.adjClose, bar.adjVolume);
    else rows.add(line, day, bar.open, bar.high, bar.low, bar.close, bar.volume);
  }
}
