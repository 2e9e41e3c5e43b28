/**
 * The one CSV tokenizer: RFC 4180 as spreadsheets write it. Expectations are written out
 * by hand, and a property test checks it against an independent RFC 4180 writer (below)
 * on random tables.
 */
import fc from 'fast-check';
import { readCsv, splitCsvLine } from '../../api/src/data/csv-fields';

describe('readCsv', () => {
  it('reads LF, CRLF and CR-only line ends alike, without the BOM and trailing blank lines', () => {
    const want = [
      ['date', 'close'],
      ['2024-11-29', '241.87'],
    ];
    for (const text of [
      'date,close\n2024-11-29,241.87\n',
      '\uFEFFdate,close\r\n2024-11-29,241.87\r\n\r\n',
      'date,close\r2024-11-29,241.87\r',
      'date,close\n2024-11-29,241.87\n\n  \n',
    ]) {
      const t = readCsv(text);
      expect(t.rows).toEqual(want);
      expect(t.lines).toEqual([1, 2]);
      expect(t.broken.size).toBe(0);
    }
    expect(readCsv('').rows).toEqual([]);
    expect(readCsv('\uFEFF\r\n').rows).toEqual([]);
  });

  it('unquotes quoted dates and numbers, commas and doubled quotes inside quotes', () => {
    const text = '"date","close","label"\r\n"2024-11-29","241.87","Recon, Q2 ""final"""\r\n';
    expect(readCsv(text).rows).toEqual([
      ['date', 'close', 'label'],
      ['2024-11-29', '241.87', 'Recon, Q2 "final"'],
    ]);
  });

  it('keeps a line break inside quotes as data and numbers later records by their file line', () => {
    const t = readCsv('h,x\n"two\nlines",1\n"three\r\nline\r\nlabel",2\nlast,3\n');
    expect(t.rows).toEqual([
      ['h', 'x'],
      ['two\nlines', '1'],
      ['three\r\nline\r\nlabel', '2'],
      ['last', '3'],
    ]);
    expect(t.lines).toEqual([1, 2, 4, 7]);
  });

  it('keeps a blank line inside the data as a record', () => {
    const t = readCsv('a\n\nb\n');
    expect(t.rows).toEqual([['a'], [''], ['b']]);
    expect(t.lines).toEqual([1, 2, 3]);
  });

  it('allows blanks before an opening quote and keeps text after a closing one', () => {
    expect(readCsv('h\n x , "q" ,"1"2\n').rows[1]).toEqual([' x ', 'q ', '12']);
  });

  it('marks a quote that never closes on the line it opened, taking in the rest of the text', () => {
    const t = readCsv('h,x\nok,1\n"open,2\n3,4\n5,6');
    expect(t.rows.length).toBe(3);
    expect(t.lines).toEqual([1, 2, 3]);
    expect([...t.broken]).toEqual([[2, 'a quote opened on line 3 is never closed (it takes in everything to line 5)']]);
  });

  it('reads back any table an RFC 4180 writer wrote (property)', () => {
    // The writer: every field that needs it quoted, quotes doubled, CRLF after each record.
    const needsQuotes = (f: string) => /[",\r\n]/.test(f) || f !== f.trim() || f === '';
    const write = (rows: string[][]) =>
      rows.map((r) => r.map((f) => (needsQuotes(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')).join('\r\n') +
      '\r\n';
    const field = fc.string({
      unit: fc.constantFrom('a', 'Z', '1', ' ', ',', '"', '\r', '\n', '\t', 'é', '.'),
      maxLength: 8,
    });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 8 }), (rows) => {
        const t = readCsv(write(rows));
        expect(t.rows).toEqual(rows);
        expect(t.broken.size).toBe(0);
        // Each record starts one line after the previous one's line breaks.
        let line = 1;
        rows.forEach((r, k) => {
          expect(t.lines[k]).toBe(line);
          line += 1 + r.join('').split('\n').length - 1;
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('splitCsvLine', () => {
  it('splits plain fields, keeping blanks and empty fields', () => {
    expect(splitCsvLine('a, b ,,c,')).toEqual(['a', ' b ', '', 'c', '']);
    expect(splitCsvLine('')).toEqual(['']);
  });

  it('keeps commas inside quoted fields', () => {
    expect(splitCsvLine('"SFM","450,473,091.60","0.59"')).toEqual(['SFM', '450,473,091.60', '0.59']);
  });

  it('reads "" inside quotes as one quote', () => {
    expect(splitCsvLine('"say ""hi""",x')).toEqual(['say "hi"', 'x']);
    expect(splitCsvLine('""')).toEqual(['']);
  });

  it('mixes quoted and unquoted fields', () => {
    expect(splitCsvLine('Fund Holdings as of,"Nov 29, 2024"')).toEqual(['Fund Holdings as of', 'Nov 29, 2024']);
    expect(splitCsvLine('"a",,"b"')).toEqual(['a', '', 'b']);
  });

  it('keeps text after a closing quote instead of dropping it', () => {
    expect(splitCsvLine('"1"2,3')).toEqual(['12', '3']);
  });

  it('returns null for a quote left open', () => {
    expect(splitCsvLine('"SFM","SPROUTS')).toBeNull();
    expect(splitCsvLine('"a""')).toBeNull();
  });
});
