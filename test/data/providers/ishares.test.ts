import { HttpClient } from '../../../api/src/data/http-client';
import { fetchIwmHoldings, parseHoldingsCsv, parseLongDate } from '../../../api/src/data/providers/ishares';
import { ProviderError } from '../../../api/src/data/providers/types';
import { rejectionOf, useHttpFixture } from '../../support/http-fixture';
import { dataError } from '../../support/data-error';

const HEADER =
  'Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Quantity,Price,Location,Exchange,Currency,FX Rate,Market Currency,Accrual Date';

/** An equity line the way iShares writes it: every field quoted, thousands separated. */
const equity = (ticker: string, name: string, sector: string, weight: string) =>
  `"${ticker}","${name}","${sector}","Equity","450,473,091.60","${weight}","450,473,091.60","2,943,218.00","153.05","United States","NASDAQ","USD","1.00","USD","-"`;

/** An IWM holdings download: preamble, table (with quoted thousands), cash and futures lines, footer. */
const FILE = [
  'iShares Russell 2000 ETF', // 1
  'Fund Holdings as of,"Nov 29, 2024"', // 2
  'Inception Date,"May 22, 2000"', // 3
  'Shares Outstanding,"273,050,000.00"', // 4
  'Stock,"-"', // 5
  'Bond,"-"', // 6
  'Cash,"-"', // 7
  'Other,"-"', // 8
  ' ', // 9
  HEADER, // 10
  equity('SFM', 'SPROUTS FARMERS MARKET INC', 'Consumer Staples', '0.59'), // 11
  equity('FTAI', 'FTAI AVIATION LTD', 'Industrials', '0.51'), // 12
  equity('insm', 'INSMED INC', 'Health Care', '0.45'), // 13: lower case
  equity('PCVX', 'VAXCYTE INC', 'Health Care', 'n/a'), // 14: bad weight
  equity('-', 'CONTRA ABC CVR', 'Health Care', '0.00'), // 15: placeholder ticker
  'ACME,ACME, INC,Industrials,Equity,"1.00",0.01,"1.00","1.00","1.00",United States,NYSE,USD,1.00,USD,-', // 16: unquoted comma
  equity('SFM', 'SPROUTS FARMERS MARKET INC', 'Consumer Staples', '0.01'), // 17: duplicate
  '"XTSLA","BLK CSH FND TREASURY SL AGENCY","Cash and/or Derivatives","Money Market","330,912,115.12","0.43","330,912,115.12","330,912,115.12","1.00","United States","-","USD","1.00","USD","-"', // 18
  '"RTYZ4","RUSSELL 2000 EMINI CME DEC 24","Cash and/or Derivatives","Futures","0.00","0.00","290,017,600.00","1,180.00","2,434.40","United States","Chicago Mercantile Exchange","USD","1.00","USD","Dec 20, 2024"', // 19
  '"USD","USD CASH","Cash and/or Derivatives","Cash","12,345,678.90","0.02","12,345,678.90","12,345,678.90","100.00","United States","-","USD","1.00","USD","-"', // 20
  ' ', // 21: end of the table
  '"The content contained herein is owned or licensed by BlackRock and/or its third-party information providers and is protected by applicable copyrights, trademarks, service marks, and/or other intellectual property rights."',
  equity('NOTME', 'AFTER THE FOOTER', 'Industrials', '99.00'),
  '"-"',
].join('\r\n');

describe('parseHoldingsCsv', () => {
  const holdings = parseHoldingsCsv(FILE, 'IWM_holdings.csv');

  it('reads the as-of date from the preamble', () => {
    expect(holdings.asOf).toBe('2024-11-29');
  });

  it('keeps equity lines, upper-cases tickers and reads weights past quoted thousands', () => {
    expect(holdings.members).toEqual([
      { ticker: 'SFM', name: 'SPROUTS FARMERS MARKET INC', sector: 'Consumer Staples', weight: 0.59 },
      { ticker: 'FTAI', name: 'FTAI AVIATION LTD', sector: 'Industrials', weight: 0.51 },
      { ticker: 'INSM', name: 'INSMED INC', sector: 'Health Care', weight: 0.45 },
    ]);
  });

  it('counts cash, money-market, futures and placeholder-ticker lines as skipped', () => {
    expect(holdings.skipped).toBe(4);
  });

  it('reports bad lines with their file line numbers and stops at the footer', () => {
    expect(holdings.issues).toEqual([
      { line: 14, reason: 'PCVX: weight is not a number: "n/a"' },
      { line: 16, reason: 'expected 15 fields, found 16' },
      { line: 17, reason: 'duplicate ticker SFM (also line 11)' },
    ]);
    expect(holdings.rowsRead).toBe(10); // lines 11-20
    expect(holdings.members.map((m) => m.ticker)).not.toContain('NOTME');
  });

  it('ends the table at a disclaimer line even without a blank line before it', () => {
    const text = [
      'Fund Holdings as of,"Nov 29, 2024"',
      HEADER,
      equity('SFM', 'S', 'X', '1'),
      '"-"',
      equity('Z', 'Z', 'X', '1'),
    ];
    expect(parseHoldingsCsv(text.join('\n'), 'f').members.map((m) => m.ticker)).toEqual(['SFM']);
  });

  it('reads unquoted rows and a BOM', () => {
    const text =
      '\uFEFFFund Holdings as of,"Jun 28, 2019"\n\nTicker,Name,Sector,Asset Class,Weight (%)\nABC,Alpha Beta Corp,Industrials,Equity,0.10\n';
    const parsed = parseHoldingsCsv(text, 'f');
    expect(parsed.asOf).toBe('2019-06-28');
    expect(parsed.members).toEqual([{ ticker: 'ABC', name: 'Alpha Beta Corp', sector: 'Industrials', weight: 0.1 }]);
  });

  it('is an error without the as-of line', () => {
    const error = dataError(() => parseHoldingsCsv(FILE.replace('Fund Holdings as of', 'Fund Holdings at'), 'f'));
    expect(error.message).toContain('no "Fund Holdings as of" line');
  });

  it('is an error when the as-of value is "-" (no holdings that day), naming the line', () => {
    const error = dataError(() => parseHoldingsCsv(FILE.replace('"Nov 29, 2024"', '"-"'), 'f'));
    expect(error.issues).toEqual([{ line: 2, reason: '"Fund Holdings as of" is "-", not a date like "Nov 29, 2024"' }]);
  });

  it('is an error without the holdings header', () => {
    const error = dataError(() => parseHoldingsCsv(FILE.replace(HEADER, 'Symbol,Name'), 'f'));
    expect(error.message).toContain('no holdings table');
  });

  it('is an error when the header lacks a needed column, on the header line', () => {
    const error = dataError(() => parseHoldingsCsv(FILE.replace('Weight (%)', 'Weight'), 'f'));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0].line).toBe(10);
    expect(error.issues[0].reason).toMatch(/^missing column: weight \(%\)/);
  });

  it('is an error when no line is a usable equity', () => {
    const cash =
      '"USD","USD CASH","Cash and/or Derivatives","Cash","1.00","100.00","1.00","1.00","1.00","US","-","USD","1.00","USD","-"';
    const text = ['Fund Holdings as of,"Nov 29, 2024"', HEADER, cash].join('\n');
    const error = dataError(() => parseHoldingsCsv(text, 'f'));
    expect(error.message).toContain('no equity holdings (1 table lines, 1 non-equity)');
  });
});

describe('parseLongDate', () => {
  it.each([
    ['Nov 29, 2024', '2024-11-29'],
    ['Jun 28, 2019', '2019-06-28'],
    ['Sep 3, 2024', '2024-09-03'],
    ['September 03, 2024', '2024-09-03'],
    ['Feb 29, 2024', '2024-02-29'],
  ])('%s -> %s', (text, iso) => {
    expect(parseLongDate(text)).toBe(iso);
  });

  it.each(['Feb 30, 2024', 'Feb 29, 2023', 'Foo 1, 2024', '-', '2024-11-29', ''])('rejects %p', (text) => {
    expect(parseLongDate(text)).toBeNull();
  });
});

describe('fetchIwmHoldings', () => {
  const server = useHttpFixture();
  const PATH = '/us/products/239710/ishares-russell-2000-etf/1467271812596.ajax';
  const url = () => `${server.baseUrl}${PATH}?fileType=csv&fileName=IWM_holdings&dataType=fund`;
  const client = () => new HttpClient({ timeoutMs: 1_000, retries: 1, backoffMs: 1, sleep: async () => undefined });

  it('downloads and parses the holdings file', async () => {
    server.queue(PATH, { body: FILE, headers: { 'content-type': 'text/csv' } });
    const holdings = await fetchIwmHoldings(client(), { url: url() });
    expect(holdings.source).toBe('ishares:IWM');
    expect(holdings.asOf).toBe('2024-11-29');
    expect(holdings.members).toHaveLength(3);
    expect(server.requestsTo(PATH)[0].query.get('fileName')).toBe('IWM_holdings');
  });

  it('explains an HTML page served in place of the CSV', async () => {
    server.queue(PATH, { body: '<!DOCTYPE html>\n<html lang="en-US"><head><title>IWM</title></head></html>' });
    const error = await rejectionOf(fetchIwmHoldings(client(), { url: url() }));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toContain(
      'IWM holdings failed after 1 attempt: answered an HTML page, not the holdings CSV (title "IWM"): ' +
        'has the download URL moved? (IWM_HOLDINGS_URL)',
    );
  });
});
