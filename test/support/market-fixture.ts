/**
 * A deterministic synthetic US market served in the recorded formats of Massive (grouped
 * daily, aggregates) and iShares (the IWM holdings CSV with its preamble and BOM), by one
 * local HTTP server. Closes are a formula of (ticker, day), so a test recomputes any of them
 * independently; a split divides every close before its day, as an adjusted feed would.
 * Faults are queued per path (429 with Retry-After, 5xx, truncated bodies, HTML pages), and
 * `failAfter` makes every grouped request fail from the n-th on (a run that dies mid-way).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatDay, parseIsoDay } from '../../api/src/engine/dates';
import { isNyseSession } from '../../api/src/engine/nyse-calendar';
import { HOLIDAY_ANSWER, aggregatesAnswer, groupedAnswer, newYorkMs } from './massive-fixture';

export interface Fault {
  status: number;
  headers?: Record<string, string>;
  body: string;
  /** Send this many bytes of the body, declaring all of it, then cut the connection. */
  truncateAfter?: number;
}

export class SyntheticMarket {
  /** Member tickers: M0000, M0001, ... */
  readonly members: string[];
  /** Days after which `ticker` split by `ratio` (adjusted history divides earlier closes). */
  readonly splits: { ticker: string; day: number; ratio: number }[] = [];
  /** Latest session with published bars (moves as a test's nights pass). */
  lastDay: number;
  /** Sessions Massive says had no bars though the calendar lists them (an unscheduled closure). */
  readonly closed = new Set<number>();
  holdingsAsOf: string;
  readonly requests: string[] = [];
  readonly faults = new Map<string, Fault[]>();
  /** Grouped requests from this count on answer 500 (null: never). */
  failAfter: number | null = null;
  private server: Server | null = null;

  constructor(
    members: number,
    lastDay: string,
    readonly extras: string[] = ['IWM', 'SPY'],
  ) {
    this.members = Array.from({ length: members }, (_, i) => `M${String(i).padStart(4, '0')}`);
    this.lastDay = parseIsoDay(lastDay) as number;
    this.holdingsAsOf = lastDay;
  }

  /** The adjusted close of `ticker` on `day` as seen now. */
  closeOf(ticker: string, day: number): number {
    let h = 0;
    for (const ch of ticker) h = (h * 31 + ch.charCodeAt(0)) % 1000;
    const raw = 20 + (h % 80) + 8 * Math.sin(day / 9 + h) + ((day * 7 + h) % 13) / 10;
    let factor = 1;
    for (const s of this.splits) if (s.ticker === ticker && day < s.day) factor *= s.ratio;
    return Math.round((raw / factor) * 10_000) / 10_000;
  }

  private bar(ticker: string, day: number, hour: number) {
    const c = this.closeOf(ticker, day);
    return {
      T: ticker,
      o: c,
      h: c * 1.01,
      l: c * 0.99,
      c,
      v: 1000 + (day % 97),
      vw: c,
      n: 10,
      t: newYorkMs(formatDay(day), hour),
    };
  }

  groupedCount(): number {
    return this.requests.filter((p) => p.includes('/grouped/')).length;
  }

  holdingsCsv(): string {
    const header =
      'Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Quantity,Price,Location,Exchange,Currency,FX Rate,Market Currency,Accrual Date';
    const [y, m, d] = this.holdingsAsOf.split('-').map(Number);
    const month = new Date(Date.UTC(y, m - 1, d)).toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
    const lines = [
      '\uFEFFiShares Russell 2000 ETF',
      `Fund Holdings as of,"${month} ${String(d).padStart(2, '0')}, ${y}"`,
      'Inception Date,"May 22, 2000"',
      ' ',
      header,
      ...this.members.map(
        (t) =>
          `"${t}","${t} INC","Industrials","Equity","1,000.00","0.05","1,000.00","10.00","100.00","United States","NASDAQ","USD","1.00","USD","-"`,
      ),
      '"USD","USD CASH","Cash and/or Derivatives","Cash","12,345.00","0.02","12,345.00","12,345.00","100.00","United States","-","USD","1.00","USD","-"',
    ];
    return lines.join('\n') + '\n';
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      try {
        this.handle(req, res);
      } catch (err) {
        res.writeHead(599, { 'content-type': 'text/plain' });
        res.end(`fixture error: ${(err as Error).stack}`);
      }
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    {
      const url = new URL(req.url ?? '/', 'http://x');
      this.requests.push(url.pathname);
      const fault = this.faults.get(url.pathname)?.shift();
      const send = (status: number, body: string, type = 'application/json', headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': type, ...headers });
        res.end(body);
      };
      if (fault) {
        if (fault.truncateAfter === undefined) return send(fault.status, fault.body, 'text/html', fault.headers);
        res.writeHead(fault.status, {
          'content-type': 'application/json',
          'content-length': String(fault.body.length),
        });
        res.write(fault.body.slice(0, fault.truncateAfter), () => res.socket?.destroy());
        return;
      }
      if (url.pathname === '/holdings') return send(200, this.holdingsCsv(), 'text/csv');
      const grouped = /^\/v2\/aggs\/grouped\/locale\/us\/market\/stocks\/(\d{4}-\d{2}-\d{2})$/.exec(url.pathname);
      if (grouped) {
        if (this.failAfter !== null && this.groupedCount() > this.failAfter) return send(500, '{"status":"ERROR"}');
        const day = parseIsoDay(grouped[1]) as number;
        if (!isNyseSession(day) || day > this.lastDay || this.closed.has(day)) return send(200, HOLIDAY_ANSWER);
        const tickers = [...this.members, ...this.extras, 'ZZZZ'];
        return send(200, groupedAnswer(tickers.map((t) => this.bar(t, day, 16))));
      }
      const aggs = /^\/v2\/aggs\/ticker\/([A-Z0-9]+)\/range\/1\/day\/(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})$/.exec(
        url.pathname,
      );
      if (aggs) {
        const [, ticker, from, to] = aggs;
        if (!this.members.includes(ticker) && !this.extras.includes(ticker))
          return send(200, aggregatesAnswer(ticker, []));
        const results = [];
        const last = Math.min(parseIsoDay(to) as number, this.lastDay);
        for (let d = Math.max(parseIsoDay(from) as number, this.lastDay - 700); d <= last; d++) {
          if (isNyseSession(d) && !this.closed.has(d)) {
            const { T: _t, ...bar } = this.bar(ticker, d, 0);
            results.push(bar);
          }
        }
        return send(200, aggregatesAnswer(ticker, results));
      }
      send(404, '{"status":"NOT_FOUND"}');
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
