/**
 * Daily bars from stooq.com's CSV download: `GET /q/d/l/?s=iwm.us&i=d[&d1=YYYYMMDD]`,
 * answered with `Date,Open,High,Low,Close,Volume` rows (ISO dates, oldest first).
 *
 * What stooq sends instead of CSV, each turned into a ProviderError that says so:
 * - the text `No data` for a symbol it does not know (or nothing after d1);
 * - an HTML page (with HTTP 200): since 2026 stooq asks scripts for an API key
 *   (`&apikey=`, obtained on its site) and may show a bot check; pass `key` when you have one;
 * - a one-line notice such as a daily hits limit.
 *
 * The rows go through parseBarsCsv, so bad rows come back with their line numbers and a
 * file without any usable row is a DataFileError. parseBarsCsv requires a Volume column
 * and nothing may be zero-filled: stooq leaves Volume out for indices, but this provider
 * only asks for `.us` listings (stocks and ETFs), which have it, so a missing Volume is
 * reported as an unexpected answer rather than patched.
 */
import { parseBarsCsv, type ParsedBars } from '../csv-bars';
import type { HttpClient } from '../http-client';
import { checkFrom, checkSymbol, dropBefore } from './bar-rows';
import { ProviderError, type BarsProvider } from './types';

export interface StooqOptions {
  /** Default https://stooq.com (tests point it at a local server). */
  baseUrl?: string;
  /** stooq's API key, sent as `apikey=` (redacted from every message). */
  key?: string;
}

export class StooqProvider implements BarsProvider {
  readonly name = 'stooq';
  private readonly baseUrl: string;
  private readonly key: string | undefined;

  constructor(
    private readonly client: HttpClient,
    options: StooqOptions = {},
  ) {
    this.baseUrl = (options.baseUrl ?? 'https://stooq.com').replace(/\/+$/, '');
    this.key = options.key?.trim() || undefined;
  }

  async fetchBars(symbol: string, options: { from?: string } = {}): Promise<ParsedBars> {
    const ticker = checkSymbol(this.name, symbol);
    const fromDay = checkFrom(this.name, options.from);
    const query = new URLSearchParams({ s: `${ticker.toLowerCase()}.us`, i: 'd' });
    if (options.from !== undefined) query.set('d1', options.from.replaceAll('-', ''));
    if (this.key !== undefined) query.set('apikey', this.key);
    const url = `${this.baseUrl}/q/d/l/?${query.toString()}`;

    const secrets = this.key === undefined ? [] : [this.key];
    const text = await this.client.getText(url, {
      provider: this.name,
      what: `daily bars of ${ticker}`,
      headers: { accept: 'text/csv, text/plain;q=0.9' },
      secrets,
    });
    checkAnswer(ticker, text, options.from);
    const parsed = parseBarsCsv(text, `stooq:${ticker}`);
    return fromDay === null ? parsed : dropBefore(parsed, fromDay);
  }
}

/** Throws a ProviderError unless `text` starts like stooq's CSV with the columns parseBarsCsv needs. */
function checkAnswer(ticker: string, text: string, from: string | undefined): void {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  const firstLine = body.slice(0, body.search(/\r?\n|$/)).trim();
  if (body.trim() === '' || /^no data\b/i.test(firstLine)) {
    const since = from === undefined ? '' : `, or it has no bars from ${from}`;
    throw new ProviderError('stooq', `no data for ${ticker}: stooq does not know ${ticker.toLowerCase()}.us${since}`);
  }
  if (firstLine.startsWith('<')) {
    throw new ProviderError(
      'stooq',
      `answered with an HTML page instead of CSV for ${ticker}: stooq now asks scripts for an API key ` +
        '(configure one) or showed a bot check; the tiingo provider is the alternative',
    );
  }
  const columns = firstLine.toLowerCase().split(',');
  if (columns[0].trim() !== 'date') {
    throw new ProviderError('stooq', `unexpected answer for ${ticker} (not CSV): ${firstLine.slice(0, 120)}`);
  }
  if (!columns.some((name) => name.trim() === 'volume')) {
    throw new ProviderError(
      'stooq',
      `no Volume column for ${ticker} (header: ${firstLine}); bars need volume and are never zero-filled`,
    );
  }
}
