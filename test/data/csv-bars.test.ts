import { formatIssues, parseBarsCsv, type RowIssue } from '../../api/src/data/csv-bars';
import { parseIsoDay } from '../../api/src/engine/dates';
import { dataError } from '../support/data-error';

const HEADER = 'date,open,high,low,close,volume';
const days = (...iso: string[]) => Array.from(iso, (d) => parseIsoDay(d) as number);

describe('parseBarsCsv: good files', () => {
  it('reads every column into typed arrays of the exact length', () => {
    const text = [HEADER, '2024-01-02,10.5,11.25,9.75,11,1500', '2024-01-03,11,12,10.5,11.5,2500'].join('\n');
    const { source, bars, issues, rowsRead } = parseBarsCsv(text, 'IWM.csv');
    expect(source).toBe('IWM.csv');
    expect(issues).toEqual([]);
    expect(rowsRead).toBe(2);
    expect(bars.dates).toBeInstanceOf(Int32Array);
    expect(bars.close).toBeInstanceOf(Float64Array);
    expect(Array.from(bars.dates)).toEqual(days('2024-01-02', '2024-01-03'));
    expect(Array.from(bars.open)).toEqual([10.5, 11]);
    expect(Array.from(bars.high)).toEqual([11.25, 12]);
    expect(Array.from(bars.low)).toEqual([9.75, 10.5]);
    expect(Array.from(bars.close)).toEqual([11, 11.5]);
    expect(Array.from(bars.volume)).toEqual([1500, 2500]);
  });

  it('finds columns by name in any order', () => {
    const text = ['volume,close,low,high,open,date', '700,20,19,21,19.5,2024-03-01'].join('\n');
    const { bars } = parseBarsCsv(text, 'x.csv');
    expect(Array.from(bars.dates)).toEqual(days('2024-03-01'));
    expect([bars.open[0], bars.high[0], bars.low[0], bars.close[0], bars.volume[0]]).toEqual([19.5, 21, 19, 20, 700]);
  });

  it('ignores extra columns such as adj_close', () => {
    const text = ['date,open,high,low,close,adj_close,volume,symbol', '2024-03-01,19.5,21,19,20,18.37,700,IWM'].join(
      '\n',
    );
    const { bars, issues } = parseBarsCsv(text, 'x.csv');
    expect(issues).toEqual([]);
    expect(bars.close[0]).toBe(20); // not the adjusted 18.37
    expect(bars.volume[0]).toBe(700); // not the column after adj_close
  });

  it('matches header names case-insensitively and ignores blanks around them', () => {
    const text = [' Date ,OPEN,High,Low, Close,Volume', '2024-03-01,19.5,21,19,20,700'].join('\n');
    expect(parseBarsCsv(text, 'x.csv').bars.close[0]).toBe(20);
  });

  it('strips a UTF-8 BOM before the header', () => {
    const text = '\uFEFF' + [HEADER, '2024-03-01,19.5,21,19,20,700'].join('\n');
    const { bars } = parseBarsCsv(text, 'x.csv');
    expect(Array.from(bars.dates)).toEqual(days('2024-03-01'));
  });

  it('handles CRLF line ends, keeping line numbers exact', () => {
    // The date last: a stray \r would make it an invalid date.
    const text = [
      'open,high,low,close,volume,date',
      '19.5,21,19,20,700,2024-03-01',
      '1,1,1,1,1,2024-02-30',
      '20,22,19,21,800,2024-03-04',
      '',
    ].join('\r\n');
    const { bars, issues } = parseBarsCsv(text, 'x.csv');
    expect(Array.from(bars.dates)).toEqual(days('2024-03-01', '2024-03-04'));
    expect(Array.from(bars.volume)).toEqual([700, 800]);
    expect(issues).toEqual([{ line: 3, reason: expect.stringContaining('bad date "2024-02-30"') }]);
  });

  it('ignores blank trailing lines and does not count them as rows', () => {
    const text = [HEADER, '2024-03-01,19.5,21,19,20,700', '', '   ', '\r', ''].join('\n');
    const { bars, issues, rowsRead } = parseBarsCsv(text, 'x.csv');
    expect(bars.dates.length).toBe(1);
    expect(issues).toEqual([]);
    expect(rowsRead).toBe(1);
  });

  it('reports a blank line in the middle of the data', () => {
    const text = [HEADER, '2024-03-01,19.5,21,19,20,700', '', '2024-03-04,19.5,21,19,20,700'].join('\n');
    const { bars, issues, rowsRead } = parseBarsCsv(text, 'x.csv');
    expect(bars.dates.length).toBe(2);
    expect(issues).toEqual([{ line: 3, reason: 'empty line' }]);
    expect(rowsRead).toBe(3);
  });

  it('parses numbers exactly as Number() does, exponents included', () => {
    const values = ['123.456789', '0.1', '99.99999999999999', '1.0000000000000002', '1234567890.12345', '1e3'];
    const rows = values.map((v, i) => `2024-01-${String(i + 2).padStart(2, '0')},${v},1e12,0.01,${v},${v}`);
    const { bars, issues } = parseBarsCsv([HEADER, ...rows].join('\n'), 'x.csv');
    expect(issues).toEqual([]);
    expect(Array.from(bars.open)).toEqual(values.map(Number));
    expect(Array.from(bars.volume)).toEqual(values.map(Number));
  });

  it('accepts real calendar dates across month ends and leap days', () => {
    const good = ['2023-02-27', '2023-02-28', '2023-03-01', '2024-02-28', '2024-02-29', '2024-04-30', '2024-05-01'];
    const bad = ['2023-02-29', '2024-04-31', '2024-04-00', '2024-05-1', '2024-05-01T00:00'];
    // Bad dates sit right after a good date of the same month, where a per-month shortcut would be tempted.
    const lines = [
      HEADER,
      ...[...good.slice(0, 3), bad[0], ...good.slice(3, 6), bad[1], bad[2], good[6], bad[3], bad[4]].map(
        (d) => `${d},10,11,9,10,5`,
      ),
    ];
    const { bars, issues } = parseBarsCsv(lines.join('\n'), 'x.csv');
    expect(Array.from(bars.dates)).toEqual(days(...good));
    expect(issues.map((i) => i.line)).toEqual([5, 9, 10, 12, 13]);
    issues.forEach((issue, k) => expect(issue.reason).toContain(`bad date ${JSON.stringify(bad[k])}`));
  });
});

describe('parseBarsCsv: files as people export them (RFC 4180)', () => {
  it('reads a spreadsheet export: BOM, every field quoted, CRLF', () => {
    const text =
      '\uFEFF"Date","Open","High","Low","Close","Volume"\r\n' +
      '"2024-11-27","240.1","242.5","239.8","241.2","21000000"\r\n' +
      '"2024-11-29","241.5","243","240.9","241.87","18000000"\r\n';
    const { bars, issues } = parseBarsCsv(text, 'IWM.csv');
    expect(issues).toEqual([]);
    expect(Array.from(bars.dates)).toEqual(days('2024-11-27', '2024-11-29'));
    expect(Array.from(bars.close)).toEqual([241.2, 241.87]);
    expect(Array.from(bars.volume)).toEqual([21000000, 18000000]);
  });

  it('reads quoted extra columns holding commas, doubled quotes and line breaks, keeping line numbers exact', () => {
    const text = [
      'date,open,high,low,close,volume,"note, free text"', // 1
      '2024-11-27,240.1,242.5,239.8,241.2,100,"gap up, ""strong"" close"', // 2
      '2024-11-29,241.5,243,240.9,241.87,200,"half day', // 3
      'before the holiday"', // 4 (the note goes on)
      '2024-12-02,241,242,239,250,300,', // 5: close above high
    ].join('\n');
    const { bars, issues } = parseBarsCsv(text, 'IWM.csv');
    expect(Array.from(bars.dates)).toEqual(days('2024-11-27', '2024-11-29'));
    expect(issues).toEqual([{ line: 5, reason: 'close 250 is outside [low 239, high 242]' }]);
  });

  it('reports a quote that never closes on its line and keeps the rows before it', () => {
    const text = [
      HEADER,
      '2024-11-27,240.1,242.5,239.8,241.2,100',
      '"2024-11-29,241.5,243,240.9,241.87,200',
      '2024-12-02,1,1,1,1,1',
    ].join('\n');
    const { bars, issues } = parseBarsCsv(text, 'IWM.csv');
    expect(bars.dates.length).toBe(1);
    expect(issues).toEqual([{ line: 3, reason: expect.stringMatching(/^a quote opened on line 3 is never closed/) }]);
  });

  /** A one-line message, at most `max` characters, naming the file (and the line when given). */
  function expectOneLine(message: string, prefix: string, max = 240) {
    expect(message).not.toMatch(/[\r\n\u2028\u2029]/);
    expect(message.length).toBeLessThanOrEqual(max);
    expect(message.startsWith(prefix)).toBe(true);
  }

  it('refuses binary files and UTF-16 text in one bounded line', () => {
    const zip = Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x06\x00\x08\x00', 'latin1'), Buffer.alloc(5000, 0)]);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 7)]);
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`${HEADER}\r\n2024-11-29,1,1,1,1,1\r\n`, 'utf16le'),
    ]);
    for (const [name, bytes] of [
      ['IWM.xlsx.csv', zip],
      ['chart.csv', png],
      ['unicode.csv', utf16],
    ] as const) {
      const error = dataError(() => parseBarsCsv(bytes.toString('utf8'), name));
      expectOneLine(error.message, `${name}: not a CSV text file`);
      expect(error.message).toMatch(/starts with ".*"/);
    }
  });

  it('reports a huge bad header in one bounded line naming the file and line', () => {
    const columns = Array.from({ length: 50_000 }, (_, k) => `column${k}`).join(',');
    for (const header of [columns, 'x'.repeat(1_000_000), `date,open,\u0007\u001b[31m${'y'.repeat(500)}`]) {
      const error = dataError(() => parseBarsCsv(`${header}\n2024-11-29,1,1,1,1,1\n`, 'big.csv'));
      expectOneLine(error.message, 'big.csv:1: missing required columns: ');
      expect(error.message).toMatch(/\(header: ".{1,80}…"\)$/u);
    }
  });

  it('quotes at most 40 characters of a bad value', () => {
    const { issues } = parseBarsCsv(`${HEADER}\n${'9'.repeat(100_000)}-01-01,1,1,1,1,1\n2024-01-02,1,1,1,1,1`, 'x.csv');
    expect(issues).toEqual([{ line: 2, reason: `bad date "${'9'.repeat(40)}…" (expected a real YYYY-MM-DD date)` }]);
  });
});

describe('parseBarsCsv: bad rows are skipped and reported with their line', () => {
  const text = [
    HEADER, // 1
    '2024-01-02,10,11,9,10.5,1000', // 2 ok
    '2024-01-03,10,11,9,10.5', // 3 too few fields
    '2024-01-04,10,11,9,,1000', // 4 missing close
    '2024-01-05,10,abc,9,10.5,1000', // 5 high not a number
    '2024-13-01,10,11,9,10.5,1000', // 6 month 13
    '2024/01/08,10,11,9,10.5,1000', // 7 not YYYY-MM-DD
    '2024-01-02,10,11,9,10.5,1000', // 8 duplicate of line 2
    '2024-01-09,10,11,9,10.5,1000', // 9 ok
    '2024-01-08,10,11,9,10.5,1000', // 10 out of order (after line 9)
    '2024-01-10,0,11,9,10.5,1000', // 11 open = 0
    '2024-01-11,10,11,-9,10.5,1000', // 12 low < 0
    '2024-01-12,10,9,11,10,1000', // 13 high < low
    '2024-01-16,10,11,9,11.5,1000', // 14 close above high
    '2024-01-17,10,11,9,8.5,1000', // 15 close below low
    '2024-01-18,10,11,9,10.5,-1', // 16 negative volume
    '2024-01-19,10,11,9,10.5,1000,7', // 17 too many fields
    '2024-01-22,10,11,9,0x10,1000', // 18 hex is not a plain number
    '2024-01-23,10,11,9,10.5,Infinity', // 19 not finite
    '2024-01-24,10,11,9,10.5, ', // 20 blank volume
    '2024-01-25,11,11,11,11,0', // 21 ok: h = l = c and zero volume are fine
  ].join('\n');

  const parsed = parseBarsCsv(text, 'IWM.csv');

  it('keeps only the good rows', () => {
    expect(Array.from(parsed.bars.dates)).toEqual(days('2024-01-02', '2024-01-09', '2024-01-25'));
    expect(Array.from(parsed.bars.close)).toEqual([10.5, 10.5, 11]);
    expect(parsed.bars.volume.length).toBe(3);
    expect(parsed.rowsRead).toBe(20);
  });

  it('gives one issue per bad row with its 1-based line and reason', () => {
    expect(parsed.issues).toEqual<RowIssue[]>([
      { line: 3, reason: 'expected 6 fields, found 5' },
      { line: 4, reason: 'missing close' },
      { line: 5, reason: 'high is not a number: "abc"' },
      { line: 6, reason: 'bad date "2024-13-01" (expected a real YYYY-MM-DD date)' },
      { line: 7, reason: 'bad date "2024/01/08" (expected a real YYYY-MM-DD date)' },
      { line: 8, reason: 'duplicate date 2024-01-02 (also 2024-01-02 on line 2)' },
      { line: 10, reason: 'date 2024-01-08 is out of order (after 2024-01-09 on line 9; rows must rise by date)' },
      { line: 11, reason: 'non-positive price: open 0' },
      { line: 12, reason: 'non-positive price: low -9' },
      { line: 13, reason: 'high 9 is below low 11' },
      { line: 14, reason: 'close 11.5 is outside [low 9, high 11]' },
      { line: 15, reason: 'close 8.5 is outside [low 9, high 11]' },
      { line: 16, reason: 'negative volume -1' },
      { line: 17, reason: 'expected 6 fields, found 7' },
      { line: 18, reason: 'close is not a number: "0x10"' },
      { line: 19, reason: 'volume is not a number: "Infinity"' },
      { line: 20, reason: 'missing volume' },
    ]);
  });

  it('names every blank value of a row', () => {
    const { issues } = parseBarsCsv([HEADER, '2024-01-02,10,11,9,10,1', ',10,,9,10,1'].join('\n'), 'x.csv');
    expect(issues).toEqual([{ line: 3, reason: 'missing date, high' }]);
  });

  it('checks date order against the last accepted row, not the last row read', () => {
    const { bars, issues } = parseBarsCsv(
      [
        HEADER,
        '2024-01-02,10,11,9,10,1', // 2 ok
        '2024-01-10,10,9,11,10,1', // 3 rejected (high < low): must not become the reference
        '2024-01-05,10,11,9,10,1', // 4 ok: after 01-02
        '2024-01-08,10,11,9,20,1', // 5 rejected (close > high)
        '2024-01-08,10,11,9,10,1', // 6 ok: not a duplicate of the rejected line 5
      ].join('\n'),
      'x.csv',
    );
    expect(Array.from(bars.dates)).toEqual(days('2024-01-02', '2024-01-05', '2024-01-08'));
    expect(issues.map((i) => i.line)).toEqual([3, 5]);
  });

  it('reports an earlier duplicate as out of order (it is before the last accepted date)', () => {
    const { issues } = parseBarsCsv(
      [HEADER, '2024-01-02,10,11,9,10,1', '2024-01-03,10,11,9,10,1', '2024-01-02,10,11,9,10,1'].join('\n'),
      'x.csv',
    );
    expect(issues).toEqual([{ line: 4, reason: expect.stringContaining('out of order (after 2024-01-03 on line 3') }]);
  });
});

describe('parseBarsCsv: unusable files', () => {
  it('names the file and every missing column', () => {
    const error = dataError(() =>
      parseBarsCsv(['date,open,high,low,price,vol', '2024-01-02,1,1,1,1,1'].join('\n'), 'SPY.csv'),
    );
    expect(error.file).toBe('SPY.csv');
    expect(error.message).toBe(
      'SPY.csv:1: missing required columns: close, volume (header: "date,open,high,low,price,vol")',
    );
    expect(error.issues).toEqual([
      { line: 1, reason: expect.stringMatching(/^missing required columns: close, volume/) },
    ]);
  });

  it('refuses a header that gives a required column twice', () => {
    const error = dataError(() =>
      parseBarsCsv(['date,open,high,low,close,Close,volume', '2024-01-02,1,1,1,1,1,1'].join('\n'), 'x.csv'),
    );
    expect(error.message).toContain('column close appears more than once');
  });

  it('throws when no row is valid, listing the bad rows', () => {
    const text = [HEADER, '2024-01-02,10,11,9,12,1', 'nope', '2024-01-04,-1,11,9,10,1'].join('\n');
    const error = dataError(() => parseBarsCsv(text, 'IWM.csv'));
    expect(error.file).toBe('IWM.csv');
    expect(error.issues.map((i) => i.line)).toEqual([2, 3, 4]);
    expect(error.message).toBe(
      [
        'IWM.csv: no valid rows (3 bad rows)',
        'IWM.csv:2: close 12 is outside [low 9, high 11]',
        'IWM.csv:3: expected 6 fields, found 1',
        'IWM.csv:4: non-positive price: open -1',
      ].join('\n'),
    );
  });

  it('throws for a header without data and for an empty file', () => {
    expect(dataError(() => parseBarsCsv(HEADER + '\n\n', 'a.csv')).message).toBe(
      'a.csv: no valid rows (the file has a header but no data)',
    );
    expect(dataError(() => parseBarsCsv('\uFEFF\r\n', 'b.csv')).message).toMatch(/^b\.csv: empty file/);
  });

  it('lists only the first 10 issues in the message but keeps all of them', () => {
    const rows = Array.from({ length: 12 }, (_, k) => `2024-01-${String(k + 2).padStart(2, '0')},1,1,1,1,-5`);
    const error = dataError(() => parseBarsCsv([HEADER, ...rows].join('\n'), 'x.csv'));
    expect(error.issues.length).toBe(12);
    const lines = error.message.split('\n');
    expect(lines.length).toBe(1 + 10 + 1);
    expect(lines[10]).toBe('x.csv:11: negative volume -5');
    expect(lines[11]).toBe('... and 2 more');
  });
});

describe('formatIssues', () => {
  const issues: RowIssue[] = [
    { line: 2, reason: 'a' },
    { line: 5, reason: 'b' },
    { line: 9, reason: 'c' },
  ];

  it('writes file:line: reason and counts what it leaves out', () => {
    expect(formatIssues('f.csv', issues, 2)).toBe('f.csv:2: a\nf.csv:5: b\n... and 1 more');
    expect(formatIssues('f.csv', issues, 3)).toBe('f.csv:2: a\nf.csv:5: b\nf.csv:9: c');
    expect(formatIssues('f.csv', [], 3)).toBe('');
  });
});
