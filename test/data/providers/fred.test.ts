import { DataFileError } from '../../../api/src/data/csv-bars';
import { HttpClient } from '../../../api/src/data/http-client';
import { fetchFredSeries, parseFredCsv } from '../../../api/src/data/providers/fred';
import { ProviderError } from '../../../api/src/data/providers/types';
import { parseIsoDay } from '../../../api/src/engine/dates';
import { useHttpFixture } from '../../support/http-fixture';

const server = useHttpFixture();

const PATH = '/graph/fredgraph.csv';
const days = (...iso: string[]) => iso.map((d) => parseIsoDay(d) as number);
const client = () => new HttpClient({ timeoutMs: 1_000, retries: 1, backoffMs: 1, sleep: async () => undefined });

/** The download as FRED sends it: Thanksgiving is "." (no observation). */
const T10Y2Y = [
  'observation_date,T10Y2Y',
  '2024-11-25,0.06',
  '2024-11-26,0.07',
  '2024-11-27,0.05',
  '2024-11-28,.',
  '2024-11-29,0.05',
  '2024-12-02,-0.02',
  '',
].join('\n');

describe('fetchFredSeries', () => {
  it('reads dated values, leaving "." days out and counting them', async () => {
    server.queue(PATH, { body: T10Y2Y, headers: { 'content-type': 'text/csv' } });
    const series = await fetchFredSeries(client(), 'T10Y2Y', { baseUrl: server.baseUrl });
    expect(series.id).toBe('T10Y2Y');
    expect(series.dates).toBeInstanceOf(Int32Array);
    expect(Array.from(series.dates)).toEqual(
      days('2024-11-25', '2024-11-26', '2024-11-27', '2024-11-29', '2024-12-02'),
    );
    expect(Array.from(series.values)).toEqual([0.06, 0.07, 0.05, 0.05, -0.02]);
    expect(series.missing).toBe(1);
    expect(server.requestsTo(PATH)[0].query.get('id')).toBe('T10Y2Y');
  });

  it('asks from a start date (cosd) and drops older observations', async () => {
    server.queue(PATH, { body: T10Y2Y });
    const series = await fetchFredSeries(client(), 'T10Y2Y', { baseUrl: server.baseUrl, from: '2024-11-29' });
    expect(server.requestsTo(PATH)[0].query.get('cosd')).toBe('2024-11-29');
    expect(Array.from(series.dates)).toEqual(days('2024-11-29', '2024-12-02'));
    expect(Array.from(series.values)).toEqual([0.05, -0.02]);
  });

  it('retries a 500', async () => {
    server.queue(PATH, { status: 500 }, { body: T10Y2Y });
    const series = await fetchFredSeries(client(), 'T10Y2Y', { baseUrl: server.baseUrl });
    expect(series.values).toHaveLength(5);
    expect(server.requestsTo(PATH)).toHaveLength(2);
  });

  it('refuses an id that is not a FRED id, without a request', async () => {
    for (const id of ['t10y2y', 'T10Y2Y&cosd=1', '', 'X'.repeat(33)]) {
      await expect(fetchFredSeries(client(), id, { baseUrl: server.baseUrl })).rejects.toThrow(ProviderError);
    }
    expect(server.requests).toHaveLength(0);
  });

  it('explains an HTML page, without retrying it', async () => {
    server.always(PATH, { body: '<!DOCTYPE html><html><title>Error</title></html>' });
    await expect(fetchFredSeries(client(), 'NOSUCH', { baseUrl: server.baseUrl })).rejects.toThrow(
      'fred: series NOSUCH failed after 1 attempt: answered an HTML page, not CSV (title "Error"): unknown series id?',
    );
    expect(server.requestsTo(PATH)).toHaveLength(1);
  });
});

describe('parseFredCsv', () => {
  it('accepts the older DATE header and an empty value as no observation', () => {
    const series = parseFredCsv('DATE,BAMLH0A0HYM2\r\n2024-11-28,\r\n2024-11-29,2.71\r\n', 'BAMLH0A0HYM2', 'f');
    expect(Array.from(series.dates)).toEqual(days('2024-11-29'));
    expect(Array.from(series.values)).toEqual([2.71]);
    expect(series.missing).toBe(1);
  });

  it('fails with every bad line listed, by line number', () => {
    const text = [
      'observation_date,T10Y2Y',
      '2024-11-25,0.06',
      '2024-11-26,n/a', // 3
      '2024-11-27,0x10', // 4
      '2024-11-31,0.05', // 5
      '2024-11-29,0.05,extra', // 6
      '2024-11-29,0.05',
      '2024-11-29,.', // 8: repeated date, even without a value
    ].join('\n');
    let error: unknown;
    try {
      parseFredCsv(text, 'T10Y2Y', 'fred:T10Y2Y');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DataFileError);
    const dataError = error as DataFileError;
    expect(dataError.message.split('\n')[0]).toBe('fred:T10Y2Y: 5 bad lines');
    expect(dataError.issues).toEqual([
      { line: 3, reason: 'value is not a number: "n/a"' },
      { line: 4, reason: 'value is not a number: "0x10"' },
      { line: 5, reason: 'bad date "2024-11-31" (expected a real YYYY-MM-DD date)' },
      { line: 6, reason: 'expected 2 fields, found 3' },
      { line: 8, reason: 'date 2024-11-29 is repeated (after 2024-11-29 on line 7)' },
    ]);
  });

  it('rejects a file for another series or without a header', () => {
    expect(() => parseFredCsv('observation_date,DGS10\n2024-11-29,4.18\n', 'T10Y2Y', 'f')).toThrow(
      'f: not a FRED series file for T10Y2Y',
    );
    expect(() => parseFredCsv('', 'T10Y2Y', 'f')).toThrow(DataFileError);
  });

  it('returns an empty series for a header-only file', () => {
    const series = parseFredCsv('observation_date,T10Y2Y\n', 'T10Y2Y', 'f');
    expect(series.dates).toHaveLength(0);
    expect(series.missing).toBe(0);
  });
});
