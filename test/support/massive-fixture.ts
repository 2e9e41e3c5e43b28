/**
 * Answers in Massive's (Polygon's) recorded JSON format, built by code: grouped daily
 * sessions, a holiday, a ticker's aggregates pages. Times are placed in New York by the
 * US daylight-saving rule written out here (second Sunday of March to first Sunday of
 * November, since 2007), independently of the Intl-based code under test.
 */

/**
 * Hours New York is behind UTC on an ISO date: 4 in daylight-saving time, else 5. Clocks
 * change at 02:00 on a Sunday, never a trading day, so the date alone decides.
 */
export function easternOffsetHours(iso: string): number {
  const [year, month, day] = iso.split('-').map(Number);
  const nthSunday = (m: number, n: number) => {
    const firstWeekday = new Date(Date.UTC(year, m - 1, 1)).getUTCDay();
    return 1 + ((7 - firstWeekday) % 7) + 7 * (n - 1);
  };
  const dst =
    (month > 3 && month < 11) || (month === 3 && day >= nthSunday(3, 2)) || (month === 11 && day < nthSunday(11, 1));
  return dst ? 4 : 5;
}

/** Unix ms of `hour`:00 New York time on an ISO date (0 = midnight, Massive's `t` for a daily bar; 16 = the close). */
export function newYorkMs(iso: string, hour: number): number {
  return Date.parse(`${iso}T00:00:00Z`) + (hour + easternOffsetHours(iso)) * 3_600_000;
}

export interface FixtureBar {
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  t: number;
  vw?: number;
  n?: number;
}

/** The grouped daily answer: `results` as given (elements may be deliberately bad). */
export function groupedAnswer(results: unknown[]): string {
  return JSON.stringify({
    queryCount: results.length,
    resultsCount: results.length,
    adjusted: true,
    results,
    status: 'OK',
    request_id: 'a1b2c3d4e5f6',
  });
}

/** What Massive answers for a date without a session: no `results` at all. */
export const HOLIDAY_ANSWER = JSON.stringify({
  queryCount: 0,
  resultsCount: 0,
  adjusted: true,
  status: 'OK',
  request_id: 'f6e5d4c3b2a1',
});

/** One page of a ticker's aggregates. */
export function aggregatesAnswer(ticker: string, results: unknown[], nextUrl?: string): string {
  return JSON.stringify({
    ticker,
    queryCount: results.length,
    resultsCount: results.length,
    adjusted: true,
    results,
    status: 'OK',
    request_id: '0f1e2d3c4b5a',
    ...(nextUrl === undefined ? {} : { next_url: nextUrl }),
  });
}

export const groupedPath = (date: string) => `/v2/aggs/grouped/locale/us/market/stocks/${date}`;
export const aggregatesPath = (ticker: string, from: string, to: string) =>
  `/v2/aggs/ticker/${ticker}/range/1/day/${from}/${to}`;
