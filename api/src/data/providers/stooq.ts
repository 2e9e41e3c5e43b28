/**
 * Daily bars from stooq.com's CSV download: `GET /q/d/l/?s=iwm.us&i=d[&d1=YYYYMMDD]`,
 * answered with `Date,Open,High,Low,Close,Volume` rows (ISO dates, oldest first).
 *
 * Since early 2026 stooq serves scripts only with an API key (`&apikey=`, obtained on its
 * site): without one, or with a bad one, it answers HTTP 200 with an HTML proof-of-work
 * page meant for browsers. So the key is required (IWM_STOOQ_KEY), and the HttpClient
 * turns any HTML answer into a ProviderError naming stooq and the key.
 *
 * What stooq sends instead of CSV, each turned into a ProviderError that says so:
 * - the text `No data` for a symbol it does not know (or nothing after d1);
 * - the HTML page above (the client's check, with the hint below);
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

/** The variable the key comes from, named in every message about a missing or refused key. */
export const STOOQ_KEY_VARIABLE = 'IWM_STOOQ_KEY';

export interface StooqOptions {
  /** Default https://stooq.com (tests point it at a local server). */
  baseUrl?: string;
  /** stooq's API key (required), sent as `apikey=` (redacted from every message). */
  key: string | undefined;
}

const HTML_HINT =
  `a browser check (proof of work): stooq serves CSV to scripts only with a valid API key; check ${STOOQ_KEY_VARIABLE}` +
  ' (or use the tiingo or massive source)';

export class StooqProvider implements BarsProvider {
  readonly name = 'stooq';
  private readonly baseUrl: string;
  private readonly key: string;

  constructor(
    private readonly client: HttpClient,
    options: StooqOptions,
  ) {
    const key = options.key?.trim();
    if (!key) {
      throw new ProviderError(
        'stooq',
        `no API key: set ${STOOQ_KEY_VARIABLE} (stooq has served scripts only with a key since 2026; get one on stooq.com)`,
      );
    }
    this.key = key;
    this.baseUrl = (options.baseUrl ?? 'https://stooq.com').replace(/\/+$/, '');
  }

  async fetchBars(symbol: string, options: { from?: string } = {}): Promise<ParsedBars> {
    const ticker = checkSymbol(this.name, symbol);
    const fromDay = checkFrom(this.name, options.from);
    const query = new URLSearchParams({ s: `${ticker.toLowerCase()}.us`, i: 'd' });
    if (options.from !== undefined) query.set('d1', options.from.replaceAll('-', ''));
    query.set('apikey', this.key);
    const url = `${this.baseUrl}/q/d/l/?${query.toString()}`;

    const text = await this.client.getText(url, {
      provider: this.name,
      what: `daily bars of ${ticker}`,
      headers: { accept: 'text/csv, text/plain;q=0.9' },
      secrets: [this.key],
      expects: 'CSV',
      htmlHint: HTML_HINT,
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
