import { DataFileError } from '../../../api/src/data/csv-bars';
import { HttpClient } from '../../../api/src/data/http-client';
import { createBarsProvider, MassiveProvider, StooqProvider, TiingoProvider } from '../../../api/src/data/providers';
import { ProviderError } from '../../../api/src/data/providers/types';
import { parseIsoDay } from '../../../api/src/engine/dates';
import { rejectionOf, useHttpFixture } from '../../support/http-fixture';

const server = useHttpFixture();

const KEY = 'a1b2c3d4e5f6-tiingo-token';
const PATH = '/tiingo/daily/IWM/prices';
const days = (...iso: string[]) => iso.map((d) => parseIsoDay(d) as number);
const client = () => new HttpClient({ timeoutMs: 1_000, retries: 2, backoffMs: 1, sleep: async () => undefined });
const tiingo = (options: { adjusted?: boolean } = {}) =>
  new TiingoProvider(client(), { key: KEY, baseUrl: server.baseUrl, ...options });

/** One element as Tiingo sends it. */
function bar(date: string, open: number, high: number, low: number, close: number, volume: number) {
  return {
    date: `${date}T00:00:00.000Z`,
    close,
    high,
    low,
    open,
    volume,
    adjClose: close * 0.98,
    adjHigh: high * 0.98,
    adjLow: low * 0.98,
    adjOpen: open * 0.98,
    adjVolume: volume,
    divCash: 0.0,
    splitFactor: 1.0,
  };
}

const BARS = [
  bar('2024-11-26', 240.2, 240.87, 237.61, 239.6, 31120716),
  bar('2024-11-27', 239.5, 241.58, 238.97, 240.18, 25260105),
  bar('2024-11-29', 241.57, 243.16, 240.9, 242.11, 14934316),
];

describe('TiingoProvider: key', () => {
  it.each([undefined, '', '   '])('refuses to start without a key (%p) and names IWM_TIINGO_KEY', (key) => {
    expect(() => new TiingoProvider(client(), { key })).toThrow(ProviderError);
    expect(() => new TiingoProvider(client(), { key })).toThrow(/set IWM_TIINGO_KEY/);
  });

  it('sends the key in the Authorization header, never in the URL', async () => {
    server.queue(PATH, { body: JSON.stringify(BARS) });
    await tiingo().fetchBars('IWM');
    const [request] = server.requestsTo(PATH);
    expect(request.headers.authorization).toBe(`Token ${KEY}`);
    expect(request.url).not.toContain(KEY);
  });

  it('does not retry a 401, mentions the key setting and never the key value', async () => {
    server.always(PATH, { status: 401, body: JSON.stringify({ detail: `Invalid token ${KEY}.` }) });
    const error = await rejectionOf(tiingo().fetchBars('IWM'));
    expect(error).toBeInstanceOf(ProviderError);
    expect(server.requestsTo(PATH)).toHaveLength(1);
    expect((error as ProviderError).status).toBe(401);
    expect(error.message).toMatch(
      /^tiingo: daily bars of IWM failed after 1 attempt: access refused \(HTTP 401\): key rejected/,
    );
    expect(error.message).toContain('check IWM_TIINGO_KEY');
    expect(error.message).not.toContain(KEY);
  });
});

describe('TiingoProvider: bars', () => {
  it('reads the raw prices of each element into columns', async () => {
    server.queue(PATH, { body: JSON.stringify(BARS), headers: { 'content-type': 'application/json' } });
    const parsed = await tiingo().fetchBars('iwm');
    expect(parsed.source).toBe('tiingo:IWM');
    expect(parsed.issues).toEqual([]);
    expect(parsed.rowsRead).toBe(3);
    expect(Array.from(parsed.bars.dates)).toEqual(days('2024-11-26', '2024-11-27', '2024-11-29'));
    expect(Array.from(parsed.bars.open)).toEqual([240.2, 239.5, 241.57]);
    expect(Array.from(parsed.bars.high)).toEqual([240.87, 241.58, 243.16]);
    expect(Array.from(parsed.bars.low)).toEqual([237.61, 238.97, 240.9]);
    expect(Array.from(parsed.bars.close)).toEqual([239.6, 240.18, 242.11]);
    expect(Array.from(parsed.bars.volume)).toEqual([31120716, 25260105, 14934316]);
  });

  it('asks for the full history when no start is given (Tiingo would send only the last bar)', async () => {
    server.queue(PATH, { body: JSON.stringify(BARS) });
    await tiingo().fetchBars('IWM');
    expect(server.requestsTo(PATH)[0].query.get('startDate')).toBe('1970-01-01');
  });

  it('asks from the given date and drops older elements', async () => {
    server.queue(PATH, { body: JSON.stringify(BARS) });
    const parsed = await tiingo().fetchBars('IWM', { from: '2024-11-27' });
    expect(server.requestsTo(PATH)[0].query.get('startDate')).toBe('2024-11-27');
    expect(Array.from(parsed.bars.dates)).toEqual(days('2024-11-27', '2024-11-29'));
  });

  it('uses the adj* fields when asked for adjusted prices', async () => {
    server.queue(PATH, { body: JSON.stringify(BARS) });
    const parsed = await tiingo({ adjusted: true }).fetchBars('IWM');
    expect(Array.from(parsed.bars.close)).toEqual(BARS.map((b) => b.adjClose));
    expect(Array.from(parsed.bars.open)).toEqual(BARS.map((b) => b.adjOpen));
  });

  it('reports each bad element as a row issue on line index + 1, with the CSV rules', async () => {
    const elements: unknown[] = [
      bar('2024-11-20', 230, 232, 229, 231, 1000), // 1: good
      { ...bar('2024-11-21', 230, 232, 229, 231, 1000), close: null }, // 2
      { ...bar('2024-11-22', 230, 232, 229, 231, 1000), volume: '1000' }, // 3
      bar('2024-11-25', 230, 228, 229, 229, 1000), // 4: high < low
      bar('2024-11-26', 230, 232, 229, 233, 1000), // 5: close above high
      bar('2024-11-26', 230, 232, 229, 231, 1000), // 6: good
      bar('2024-11-26', 230, 232, 229, 231, 1000), // 7: duplicate of 6
      bar('2024-11-25', 230, 232, 229, 231, 1000), // 8: out of order
      { ...bar('2024-11-27', 230, 232, 229, 231, 1000), date: '2024-02-30T00:00:00.000Z' }, // 9
      bar('2024-11-27', -1, 232, 229, 231, 1000), // 10: negative open
      bar('2024-11-27', 230, 232, 229, 231, -5), // 11: negative volume
      'not an object', // 12
      bar('2024-11-29', 230, 232, 229, 231, 1000), // 13: good
    ];
    server.queue(PATH, { body: JSON.stringify(elements) });
    const parsed = await tiingo().fetchBars('IWM');
    expect(parsed.issues).toEqual([
      { line: 2, reason: 'missing close' },
      { line: 3, reason: 'volume is not a number: "1000"' },
      { line: 4, reason: 'high 228 is below low 229' },
      { line: 5, reason: 'close 233 is outside [low 229, high 232]' },
      { line: 7, reason: 'duplicate date 2024-11-26 (also 2024-11-26 on line 6)' },
      { line: 8, reason: 'date 2024-11-25 is out of order (after 2024-11-26 on line 6; rows must rise by date)' },
      { line: 9, reason: 'bad date "2024-02-30T00:00:00.000Z" (expected a real YYYY-MM-DD date)' },
      { line: 10, reason: 'non-positive price: open -1' },
      { line: 11, reason: 'negative volume -5' },
      { line: 12, reason: 'expected an object, found string' },
    ]);
    expect(Array.from(parsed.bars.dates)).toEqual(days('2024-11-20', '2024-11-26', '2024-11-29'));
    expect(parsed.rowsRead).toBe(13);
  });

  it('turns an error object into a ProviderError carrying the detail, even with HTTP 200', async () => {
    const detail = 'Error: You have run over your hourly request allocation. Please upgrade.';
    server.queue(PATH, { body: JSON.stringify({ detail }) });
    const error = await rejectionOf(tiingo().fetchBars('IWM'));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toBe(`tiingo: tiingo:IWM: ${detail}`);
  });

  it('does not retry a 404 and keeps the detail naming the ticker', async () => {
    server.always('/tiingo/daily/ZZZZ/prices', { status: 404, body: '{"detail":"Error: Ticker \'ZZZZ\' not found"}' });
    const error = await rejectionOf(tiingo().fetchBars('ZZZZ'));
    expect(server.requestsTo('/tiingo/daily/ZZZZ/prices')).toHaveLength(1);
    expect(error.message).toContain('not found (HTTP 404): {"detail":"Error: Ticker \'ZZZZ\' not found"}');
  });

  it('retries a 500 then reads the answer', async () => {
    server.queue(PATH, { status: 500, body: 'Internal Server Error' }, { body: JSON.stringify(BARS) });
    const parsed = await tiingo().fetchBars('IWM');
    expect(parsed.bars.dates).toHaveLength(3);
    expect(server.requestsTo(PATH)).toHaveLength(2);
  });

  it('rejects an HTML page in place of JSON, without retrying it', async () => {
    server.always(PATH, { body: '<html><body>Gateway</body></html>' });
    await expect(tiingo().fetchBars('IWM')).rejects.toThrow(
      'tiingo: daily bars of IWM failed after 1 attempt: answered an HTML page, not JSON [',
    );
    expect(server.requestsTo(PATH)).toHaveLength(1);
  });

  it('retries a body that is not valid JSON, then says so', async () => {
    server.always(PATH, { body: JSON.stringify(BARS).slice(0, 40) });
    const error = await rejectionOf(tiingo().fetchBars('IWM'));
    expect(server.requestsTo(PATH)).toHaveLength(3); // retries: 2
    expect(error.message).toMatch(/failed after 3 attempts: answer is not valid JSON \(cut short\?\)/);
  });

  it('rejects JSON of the wrong shape', async () => {
    server.queue(PATH, { body: '{"ticker":"IWM"}' });
    await expect(tiingo().fetchBars('IWM')).rejects.toThrow('expected an array of daily prices');
  });

  it('is a DataFileError when no element is usable', async () => {
    server.queue(PATH, { body: '[]' });
    const error = await rejectionOf(tiingo().fetchBars('IWM'));
    expect(error).toBeInstanceOf(DataFileError);
    expect(error.message).toBe('tiingo:IWM: no valid rows (the answer has no data)');
  });
});

describe('createBarsProvider', () => {
  it('builds the named provider', () => {
    expect(createBarsProvider('stooq', client(), { key: 'stooq-key' })).toBeInstanceOf(StooqProvider);
    expect(createBarsProvider('massive', client(), { key: 'massive-key' })).toBeInstanceOf(MassiveProvider);
    const provider = createBarsProvider('tiingo', client(), { key: KEY });
    expect(provider).toBeInstanceOf(TiingoProvider);
    expect(provider.name).toBe('tiingo');
  });

  it.each([
    ['tiingo', 'IWM_TIINGO_KEY'],
    ['stooq', 'IWM_STOOQ_KEY'],
    ['massive', 'IWM_MASSIVE_KEY'],
  ] as const)('refuses %s without a key, naming %s', (name, variable) => {
    expect(() => createBarsProvider(name, client(), { key: null })).toThrow(
      new RegExp(`^${name}: no API key: set ${variable}`),
    );
  });

  it('passes the base URL through', async () => {
    server.queue(PATH, { body: JSON.stringify(BARS) });
    const provider = createBarsProvider('tiingo', client(), { key: KEY, baseUrl: server.baseUrl });
    expect((await provider.fetchBars('IWM')).bars.dates).toHaveLength(3);
  });
});
