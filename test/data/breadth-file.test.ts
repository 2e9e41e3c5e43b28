/**
 * The external breadth file `date,pct50,pct200`: values in 0..100, bad rows with their line
 * numbers, any row order, duplicates refused, and sessions the file lacks undefined (NaN),
 * never 0. Expected values are written by hand next to each file.
 */
import {
  breadthFileLagWarning,
  breadthSeriesOn,
  describeBreadthFile,
  parseBreadthCsv,
} from '../../api/src/data/breadth-file';
import { formatDay, isoDay } from '../../api/src/engine/dates';
import { dataError } from '../support/data-error';

const days = (...iso: string[]) => Int32Array.from(iso, (d) => isoDay(d));
const dates = (a: Int32Array) => Array.from(a, formatDay);

test('a good file: columns in any order and case, CRLF, values as written', () => {
  const p = parseBreadthCsv('PCT200,Date,pct50\r\n61.5,2024-01-02,55\r\n60,2024-01-03,57.25\r\n', 'b.csv');
  expect(p.issues).toEqual([]);
  expect(p.rows).toBe(2);
  expect(dates(p.pct50.dates)).toEqual(['2024-01-02', '2024-01-03']);
  expect(Array.from(p.pct50.values)).toEqual([55, 57.25]);
  expect(Array.from(p.pct200.values)).toEqual([61.5, 60]);
});

test('bad rows are reported with their line numbers and reasons; the good rows are kept', () => {
  const text = [
    'date,pct50,pct200', // line 1
    '2024-01-02,55,60', // 2 ok
    '2024-01-03,100.5,60', // 3 above 100
    '2024-01-04,-1,60', // 4 below 0
    '2024-02-30,50,50', // 5 impossible date
    '2024-01-05,55%,60', // 6 not a number
    '2024-01-08,50', // 7 a field short
    '2024-01-09,,', // 8 no value at all
    '2024-01-10,0,100', // 9 ok: both bounds are allowed
  ].join('\n');
  const p = parseBreadthCsv(text, 'b.csv');
  expect(p.issues).toEqual([
    { line: 3, reason: 'pct50 100.5 is outside 0..100 (percent of members)' },
    { line: 4, reason: 'pct50 -1 is outside 0..100 (percent of members)' },
    { line: 5, reason: 'bad date "2024-02-30" (expected a real YYYY-MM-DD date)' },
    { line: 6, reason: 'pct50 is not a number: "55%"' },
    { line: 7, reason: 'expected 3 fields, found 2' },
    { line: 8, reason: 'missing pct50 and pct200 (a row needs at least one value)' },
  ]);
  expect(dates(p.pct50.dates)).toEqual(['2024-01-02', '2024-01-10']);
  expect(Array.from(p.pct50.values)).toEqual([55, 0]);
  expect(Array.from(p.pct200.values)).toEqual([60, 100]);
});

test('rows in any order are sorted; a repeated date is a bad row naming the first one', () => {
  const text = 'date,pct50,pct200\n2024-01-04,40,41\n2024-01-02,20,21\n2024-01-03,30,31\n2024-01-02,25,26\n';
  const p = parseBreadthCsv(text, 'b.csv');
  expect(p.issues).toEqual([{ line: 5, reason: 'duplicate date 2024-01-02 (also line 3)' }]);
  expect(dates(p.pct50.dates)).toEqual(['2024-01-02', '2024-01-03', '2024-01-04']);
  expect(Array.from(p.pct50.values)).toEqual([20, 30, 40]);
  expect(Array.from(p.pct200.values)).toEqual([21, 31, 41]);
});

test('an empty value is unknown for that date only: it is left out of its column, not stored as 0', () => {
  const p = parseBreadthCsv('date,pct50,pct200\n2024-01-02,50,\n2024-01-03,52,70\n', 'b.csv');
  expect(p.issues).toEqual([]);
  expect(dates(p.pct50.dates)).toEqual(['2024-01-02', '2024-01-03']);
  expect(dates(p.pct200.dates)).toEqual(['2024-01-03']);
});

test('on a calendar, sessions the file lacks are NaN, never 0; dates off the calendar are ignored', () => {
  const p = parseBreadthCsv('date,pct50,pct200\n2024-01-02,50,\n2024-01-04,0,70\n2024-01-06,99,99\n', 'b.csv');
  const calendar = days('2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05');
  const s = breadthSeriesOn(calendar, p.pct50, p.pct200);
  expect(s.kind).toBe('series');
  expect(Array.from(s.pct50)).toEqual([50, NaN, 0, NaN]);
  expect(Array.from(s.pct200)).toEqual([NaN, NaN, 70, NaN]);
  expect(describeBreadthFile('b.csv', p.pct50, p.pct200)).toBe('file: b.csv (2024-01-02 to 2024-01-06)');
});

test('a file that stops before the last session says how many sessions lack breadth', () => {
  const p = parseBreadthCsv('date,pct50,pct200\n2024-01-02,50,60\n2024-01-03,51,60\n', 'b.csv');
  const calendar = days('2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05');
  expect(breadthFileLagWarning('b.csv', p.pct50, calendar)).toBe(
    'breadth file b.csv has pct50 to 2024-01-03: breadth is undefined on the last 2 session(s) to 2024-01-05',
  );
  expect(breadthFileLagWarning('b.csv', p.pct50, calendar.subarray(0, 2))).toBeNull();
});

test('a file without a column, without rows or without a single good row is an error', () => {
  expect(dataError(() => parseBreadthCsv('date,pct50\n2024-01-02,50\n', 'b.csv')).message).toContain(
    'b.csv:1: missing required column: pct200',
  );
  expect(dataError(() => parseBreadthCsv('date,pct50,pct200\n', 'b.csv')).message).toContain(
    'no valid rows (the file has a header but no data)',
  );
  const e = dataError(() => parseBreadthCsv('date,pct50,pct200\n2024-01-02,500,1\n', 'b.csv'));
  expect(e.message).toContain('no valid rows (1 bad rows)');
  expect(e.issues).toEqual([{ line: 2, reason: 'pct50 500 is outside 0..100 (percent of members)' }]);
});

test('fractions where percentages belong are refused (breadth would read near 0)', () => {
  const rows = Array.from({ length: 6 }, (_, i) => `2024-01-${String(i + 2).padStart(2, '0')},0.55,0.6`);
  const e = dataError(() => parseBreadthCsv(['date,pct50,pct200', ...rows].join('\n'), 'b.csv'));
  expect(e.message).toContain('every value is at most 1: breadth is a percentage from 0 to 100');
  // A short file of small values could be real: two rows are accepted.
  expect(parseBreadthCsv(['date,pct50,pct200', ...rows.slice(0, 2)].join('\n'), 'b.csv').rows).toBe(2);
});
