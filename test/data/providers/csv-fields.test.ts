import { splitCsvLine } from '../../../api/src/data/csv-fields';

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
