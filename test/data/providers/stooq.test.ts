import { DataFileError } from '../../../api/src/data/csv-bars';
import { HttpClient } from '../../../api/src/data/http-client';
import { StooqProvider } from '../../../api/src/data/providers/stooq';
import { ProviderError } from '../../../api/src/data/providers/types';
import { parseIsoDay } from '../../../api/src/engine/dates';
import { rejectionOf, useHttpFixture } from '../../support/http-fixture';

const server = useHttpFixture();

const PATH = '/q/d/l/';
const days = (...iso: string[]) => iso.map((d) => parseIsoDay(d) as number);
const client = () => new HttpClient({ timeoutMs: 1_000, retries: 1, backoffMs: 1, sleep: async () => undefined });
const KEY = 'stooq-test-key';
const stooq = (key = KEY) => new StooqProvider(client(), { baseUrl: `${server.baseUrl}/`, key });

/** The download as stooq sends it: CRLF line ends, ISO dates, oldest first. */
const IWM_CSV = [
  'Date,Open,High,Low,Close,Volume',
  '2024-11-25,240.05,243.1,239.33,241.79,42713380',
  '2024-11-26,240.2,240.87,237.61,239.6,31120716',
  '2024-11-27,239.5,241.58,238.97,240.18,25260105',
  '2024-11-29,241.57,243.16,240.9,242.11,14934316',
  '',
].join('\r\n');

describe('StooqProvider', () => {
  it('fetches iwm.us daily bars and parses them into columns', async () => {
    server.queue(PATH, { body: IWM_CSV, headers: { 'content-type': 'text/csv' } });
    const parsed = await stooq().fetchBars('iwm');
    expect(parsed.source).toBe('stooq:IWM');
    expect(parsed.issues).toEqual([]);
    expect(parsed.rowsRead).toBe(4);
    expect(Array.from(parsed.bars.dates)).toEqual(days('2024-11-25', '2024-11-26', '2024-11-27', '2024-11-29'));
    expect(Array.from(parsed.bars.close)).toEqual([241.79, 239.6, 240.18, 242.11]);
    expect(parsed.bars.volume[3]).toBe(14934316);
    const [request] = server.requestsTo(PATH);
    expect(Object.fromEntries(request.query)).toEqual({ s: 'iwm.us', i: 'd', apikey: KEY });
  });

  it('asks for d1 = from and drops anything older the answer still holds', async () => {
    server.queue(PATH, { body: IWM_CSV });
    const parsed = await stooq().fetchBars('IWM', { from: '2024-11-27' });
    expect(server.requestsTo(PATH)[0].query.get('d1')).toBe('20241127');
    expect(Array.from(parsed.bars.dates)).toEqual(days('2024-11-27', '2024-11-29'));
    expect(parsed.rowsRead).toBe(2);
  });

  it('reports bad rows with their line numbers and keeps the rest', async () => {
    const body = [
      'Date,Open,High,Low,Close,Volume',
      '2024-11-25,240.05,243.1,239.33,241.79,42713380',
      '2024-11-26,240.2,237,238,239.6,31120716', // line 3: high below low
      '2024-11-27,239.5,241.58,238.97,240.18,', // line 4: no volume
      '2024-11-29,241.57,243.16,240.9,242.11,14934316',
    ].join('\n');
    server.queue(PATH, { body });
    const parsed = await stooq().fetchBars('IWM');
    expect(parsed.issues).toEqual([
      { line: 3, reason: 'high 237 is below low 238' },
      { line: 4, reason: 'missing volume' },
    ]);
    expect(Array.from(parsed.bars.dates)).toEqual(days('2024-11-25', '2024-11-29'));
  });

  it('says the symbol is unknown when stooq answers "No data"', async () => {
    server.queue(PATH, { body: 'No data' });
    const error = await rejectionOf(stooq().fetchBars('ZZZZ'));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toBe('stooq: no data for ZZZZ: stooq does not know zzzz.us');
  });

  it('mentions the start date when "No data" may just mean nothing new', async () => {
    server.queue(PATH, { body: 'No data\n' });
    const error = await rejectionOf(stooq().fetchBars('IWM', { from: '2030-01-02' }));
    expect(error.message).toContain('or it has no bars from 2030-01-02');
  });

  it('names stooq, the browser check and IWM_STOOQ_KEY for its proof-of-work page (HTTP 200), without retrying', async () => {
    // What stooq has answered scripts since early 2026: a page that makes a browser solve a puzzle.
    const page = [
      '<!DOCTYPE html>',
      '<html><head><meta charset="utf-8"><title>Checking your browser</title>',
      '<script>const challenge = "3f9a"; /* find a nonce whose hash starts with 0000 */</script>',
      '</head><body><noscript>Enable JavaScript to continue.</noscript></body></html>',
    ].join('\n');
    server.always(PATH, { body: page, headers: { 'content-type': 'text/html; charset=utf-8' } });
    const error = await rejectionOf(stooq().fetchBars('IWM'));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).provider).toBe('stooq');
    expect(error.message).toMatch(
      /^stooq: daily bars of IWM failed after 1 attempt: answered an HTML page, not CSV \(title "Checking your browser"\): a browser check \(proof of work\): .*check IWM_STOOQ_KEY/,
    );
    expect(error.message).not.toContain(KEY);
    expect(server.requestsTo(PATH)).toHaveLength(1);
  });

  it.each([undefined, '', '  '])('refuses to start without a key (%p), naming IWM_STOOQ_KEY', (key) => {
    expect(() => new StooqProvider(client(), { key })).toThrow(/^stooq: no API key: set IWM_STOOQ_KEY/);
  });

  it('rejects a CSV without a Volume column rather than zero-filling it', async () => {
    server.queue(PATH, { body: 'Date,Open,High,Low,Close\n2024-11-29,1,2,0.5,1.5\n' });
    const error = await rejectionOf(stooq().fetchBars('IWM'));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toContain('no Volume column for IWM');
  });

  it('reports a one-line notice as an unexpected answer', async () => {
    server.queue(PATH, { body: 'Exceeded the daily hits limit' });
    const error = await rejectionOf(stooq().fetchBars('IWM'));
    expect(error.message).toBe('stooq: unexpected answer for IWM (not CSV): Exceeded the daily hits limit');
  });

  it('lets parseBarsCsv reject a CSV without a single usable row', async () => {
    server.queue(PATH, { body: 'Date,Open,High,Low,Close,Volume\n2024-11-29,0,0,0,0,0\n' });
    const error = await rejectionOf(stooq().fetchBars('IWM'));
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as DataFileError).issues).toEqual([{ line: 2, reason: 'non-positive price: open 0' }]);
  });

  it('sends the apikey but never shows it in messages', async () => {
    server.always(PATH, { status: 500, body: 'error' });
    const error = await rejectionOf(stooq('my-stooq-key').fetchBars('IWM'));
    expect(server.requestsTo(PATH)[0].query.get('apikey')).toBe('my-stooq-key');
    expect(error.message).not.toContain('my-stooq-key');
    expect(error.message).toContain('apikey=***');
  });

  it('refuses a symbol that is not a ticker, and a bad from date, without a request', async () => {
    await expect(stooq().fetchBars('../etc')).rejects.toThrow('stooq: not a ticker symbol: "../etc"');
    await expect(stooq().fetchBars('IWM', { from: '2024-13-01' })).rejects.toThrow(/from: "2024-13-01" is not/);
    expect(server.requests).toHaveLength(0);
  });
});
