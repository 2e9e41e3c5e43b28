import {
  ArgumentError,
  boolArg,
  dayArg,
  fieldsArg,
  intArg,
  isoToSerial,
  profileArg,
  serialToIso,
  textArg,
} from '../../src/common/excel-args';

describe('Excel date serials', () => {
  // Pinned against Excel: =DATE(2024,11,29) is 45625, =DATE(2000,1,1) is 36526,
  // =DATE(1900,3,1) is 61 (after the phantom 1900-02-29), =DATE(9999,12,31) is 2958465.
  test.each([
    [45625, '2024-11-29'],
    [36526, '2000-01-01'],
    [61, '1900-03-01'],
    [2958465, '9999-12-31'],
  ])('serial %d is %s and back', (serial, iso) => {
    expect(serialToIso(serial)).toBe(iso);
    expect(isoToSerial(iso)).toBe(serial);
  });

  test('a time of day is dropped', () => {
    expect(serialToIso(45625.75)).toBe('2024-11-29');
  });
});

describe('dayArg', () => {
  test('blank, omitted and 0 mean the latest session', () => {
    for (const v of [undefined, null, '', '  ', 0]) expect(dayArg(v, 'asOf')).toBeUndefined();
  });

  test('a serial, an ISO text or a relative session', () => {
    expect(dayArg(45625, 'asOf')).toBe('2024-11-29');
    expect(dayArg(' 2024-11-29 ', 'asOf')).toBe('2024-11-29');
    expect(dayArg(-1, 'asOf')).toBe('-1');
    expect(dayArg(-20, 'start')).toBe('-20');
    expect(dayArg('-3', 'asOf')).toBe('-3');
  });

  test.each([
    [-1.5, /asOf -1.5: a relative session is a whole number/],
    [60, /asOf 60 is not a date serial/],
    [3e6, /asOf 3000000 is not a date serial/],
    ['2024-02-30', /asOf "2024-02-30" must be a date/],
    ['11/29/2024', /asOf "11\/29\/2024" must be a date/],
    ['yesterday', /must be a date, an ISO date text "YYYY-MM-DD", or a relative session/],
    [true, /asOf must be a date.*boolean true/],
    [NaN, /asOf must be/],
  ])('%p is refused with a message naming the argument', (value, message) => {
    expect(() => dayArg(value, 'asOf')).toThrow(ArgumentError);
    expect(() => dayArg(value, 'asOf')).toThrow(message);
  });
});

describe('other arguments', () => {
  test('text', () => {
    expect(textArg(' QQQ ', 'symbol')).toBe('QQQ');
    expect(textArg('', 'symbol')).toBeUndefined();
    expect(() => textArg(5, 'symbol')).toThrow('symbol must be text (got number 5)');
  });

  test('whole numbers in range, as numbers or text', () => {
    expect(intArg(5, 'count', 1, 100)).toBe(5);
    expect(intArg('7', 'count', 1, 100)).toBe(7);
    expect(intArg(null, 'count', 1, 100)).toBeUndefined();
    expect(() => intArg(0, 'count', 1, 100)).toThrow('count must be a whole number from 1 to 100 (got 0)');
    expect(() => intArg(2.5, 'count', 1, 100)).toThrow(/count/);
    expect(() => intArg('x', 'count', 1, 100)).toThrow(/count/);
  });

  test('TRUE/FALSE as a boolean, 1/0 or text; blank is undefined', () => {
    expect([boolArg(true, 'curve'), boolArg(false, 'curve'), boolArg(1, 'curve'), boolArg(0, 'curve')]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect([boolArg(' true ', 'curve'), boolArg('FALSE', 'curve'), boolArg('', 'curve')]).toEqual([
      true,
      false,
      undefined,
    ]);
    expect(() => boolArg(2, 'curve')).toThrow('curve must be TRUE or FALSE (got 2)');
    expect(() => boolArg('yes', 'curve')).toThrow(ArgumentError);
  });

  test('profile: a preset name or JSON text', () => {
    expect(profileArg('standard')).toBe('standard');
    expect(profileArg('{"preset":"standard","trend":{"fast":10}}')).toEqual({
      preset: 'standard',
      trend: { fast: 10 },
    });
    expect(() => profileArg('{"trend":')).toThrow(/profile is not valid JSON/);
  });

  test('fields: comma text or a range of names, blanks skipped', () => {
    expect(fieldsArg('date, close,breadth.pct50')).toEqual(['date', 'close', 'breadth.pct50']);
    expect(
      fieldsArg([
        ['date', ''],
        ['close', null],
      ]),
    ).toEqual(['date', 'close']);
    expect(fieldsArg([['']])).toBeUndefined();
    expect(() => fieldsArg([[1]])).toThrow('fields must be field names (got 1)');
  });
});
