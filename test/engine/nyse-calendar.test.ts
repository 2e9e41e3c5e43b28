/**
 * The NYSE calendar against the exchange's own published schedules: the holiday and
 * early-closing lists NYSE Group announced for 2022 to 2028, written out by hand below,
 * the one-off closures, and yearly session counts quoted in the press (2024: 252, 2025:
 * 250 after the Carter closure, 2012: 250 after Sandy, 2001: 248 after September 11).
 */
import { formatDay, isoDay, weekday } from '../../api/src/engine/dates';
import {
  EARLY_CLOSE_MINUTES,
  REGULAR_CLOSE_MINUTES,
  SPECIAL_CLOSURES,
  easterSunday,
  isNyseSession,
  nextNyseSession,
  nyseCloseMinutes,
  nyseEarlyCloses,
  nyseHolidays,
  nyseRuleHolidays,
  nyseSessionsIn,
  previousNyseSession,
} from '../../api/src/engine/nyse-calendar';

const iso = (days: readonly number[]) => days.map(formatDay);

/** NYSE Group's announcements ("holiday and early closings calendar"), one line per year. */
const PUBLISHED: Record<number, { holidays: string[]; early: string[] }> = {
  // New Year's Day on a Saturday: "no holiday observed, pursuant to NYSE Rule 7.2".
  2022: {
    holidays: ['01-17', '02-21', '04-15', '05-30', '06-20', '07-04', '09-05', '11-24', '12-26'],
    early: ['11-25'],
  },
  2023: {
    holidays: ['01-02', '01-16', '02-20', '04-07', '05-29', '06-19', '07-04', '09-04', '11-23', '12-25'],
    early: ['07-03', '11-24'],
  },
  2024: {
    holidays: ['01-01', '01-15', '02-19', '03-29', '05-27', '06-19', '07-04', '09-02', '11-28', '12-25'],
    early: ['07-03', '11-29', '12-24'],
  },
  // The announced list plus the day of mourning for President Carter (Thursday, January 9).
  2025: {
    holidays: ['01-01', '01-09', '01-20', '02-17', '04-18', '05-26', '06-19', '07-04', '09-01', '11-27', '12-25'],
    early: ['07-03', '11-28', '12-24'],
  },
  // Independence Day on a Saturday: observed Friday July 3, and no early close on July 2.
  2026: {
    holidays: ['01-01', '01-19', '02-16', '04-03', '05-25', '06-19', '07-03', '09-07', '11-26', '12-25'],
    early: ['11-27', '12-24'],
  },
  // Juneteenth and Christmas on a Saturday (observed Friday 18 June and 24 December),
  // Independence Day on a Sunday (observed Monday 5 July).
  2027: {
    holidays: ['01-01', '01-18', '02-15', '03-26', '05-31', '06-18', '07-05', '09-06', '11-25', '12-24'],
    early: ['11-26'],
  },
  // New Year's Day on a Saturday again: no holiday.
  2028: {
    holidays: ['01-17', '02-21', '04-14', '05-29', '06-19', '07-04', '09-04', '11-23', '12-25'],
    early: ['07-03', '11-24'],
  },
};

describe('holidays and early closes match the published schedules', () => {
  test.each(Object.keys(PUBLISHED).map(Number))('%i', (year) => {
    const { holidays, early } = PUBLISHED[year];
    expect(iso(nyseHolidays(year))).toEqual(holidays.map((md) => `${year}-${md}`));
    expect(iso(nyseEarlyCloses(year))).toEqual(early.map((md) => `${year}-${md}`));
  });
});

test('every closure is a weekday that is not a session; a Saturday New Year is not moved into December', () => {
  for (let year = 2000; year <= 2040; year++) {
    for (const d of nyseHolidays(year)) {
      expect([formatDay(d), weekday(d) >= 1 && weekday(d) <= 5]).toEqual([formatDay(d), true]);
      expect(isNyseSession(d)).toBe(false);
      expect(formatDay(d).slice(0, 4)).toBe(String(year));
    }
  }
  // 2021-12-31 (the Friday before Saturday 2022-01-01) and 2027-12-31 trade.
  expect(isNyseSession(isoDay('2021-12-31'))).toBe(true);
  expect(isNyseSession(isoDay('2027-12-31'))).toBe(true);
});

test('the one-off closures are closed days; the rules alone do not close them', () => {
  for (const { date } of SPECIAL_CLOSURES) {
    const d = isoDay(date);
    expect([date, isNyseSession(d)]).toEqual([date, false]);
    expect(nyseRuleHolidays(Number(date.slice(0, 4)))).not.toContain(d);
  }
  expect(SPECIAL_CLOSURES.map((c) => c.date)).toEqual([
    '2001-09-11',
    '2001-09-12',
    '2001-09-13',
    '2001-09-14',
    '2004-06-11',
    '2007-01-02',
    '2012-10-29',
    '2012-10-30',
    '2018-12-05',
    '2025-01-09',
  ]);
});

test('Juneteenth is a holiday from 2022 only', () => {
  expect(iso(nyseHolidays(2021))).not.toContain('2021-06-18');
  expect(iso(nyseHolidays(2021))).not.toContain('2021-06-21');
  expect(isNyseSession(isoDay('2021-06-18'))).toBe(true);
});

test('Good Friday follows the Gregorian Easter', () => {
  // Easter Sundays from the published tables.
  const easter: Record<number, string> = {
    2000: '2000-04-23',
    2008: '2008-03-23',
    2011: '2011-04-24',
    2019: '2019-04-21',
    2024: '2024-03-31',
    2038: '2038-04-25',
  };
  for (const [year, date] of Object.entries(easter)) expect(formatDay(easterSunday(Number(year)))).toBe(date);
});

test('sessions per year agree with the counts quoted for those years', () => {
  const perYear = (y: number) => nyseSessionsIn(isoDay(`${y}-01-01`), isoDay(`${y}-12-31`));
  expect([2001, 2012, 2018, 2022, 2023, 2024, 2025, 2026].map(perYear)).toEqual([
    248, 250, 251, 251, 250, 252, 250, 251,
  ]);
});

test('counting sessions agrees with testing every day, across year ends and closures', () => {
  const from = isoDay('2000-12-20');
  const to = isoDay('2002-01-10');
  let count = 0;
  for (let d = from; d <= to; d++) {
    if (isNyseSession(d)) count++;
    // Spot-check every prefix of the range against the fast count.
    if (d % 17 === 0) expect(nyseSessionsIn(from, d)).toBe(count);
  }
  expect(nyseSessionsIn(from, to)).toBe(count);
  expect(nyseSessionsIn(to, from)).toBe(0);
  expect(nyseSessionsIn(isoDay('2024-12-25'), isoDay('2024-12-25'))).toBe(0);
});

test('close times: 16:00, 13:00 on early-close days, none on closed days', () => {
  expect(nyseCloseMinutes(isoDay('2024-11-27'))).toBe(REGULAR_CLOSE_MINUTES);
  expect(nyseCloseMinutes(isoDay('2024-11-29'))).toBe(EARLY_CLOSE_MINUTES);
  expect(nyseCloseMinutes(isoDay('2024-11-28'))).toBeNull();
  expect(nyseCloseMinutes(isoDay('2024-11-30'))).toBeNull();
  expect([REGULAR_CLOSE_MINUTES, EARLY_CLOSE_MINUTES]).toEqual([960, 780]);
});

test('next and previous sessions step over weekends, holidays and one-off closures', () => {
  const next = (s: string) => formatDay(nextNyseSession(isoDay(s)));
  const prev = (s: string) => formatDay(previousNyseSession(isoDay(s)));
  expect(next('2024-03-28')).toBe('2024-04-01'); // Good Friday, weekend
  expect(prev('2024-04-01')).toBe('2024-03-28');
  expect(next('2001-09-10')).toBe('2001-09-17');
  expect(prev('2025-01-10')).toBe('2025-01-08');
  expect(next('2027-12-23')).toBe('2027-12-27');
});
