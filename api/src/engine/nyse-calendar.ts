/**
 * The New York Stock Exchange's trading calendar: which days are sessions and when each
 * one closes. Built from the exchange's published rules (NYSE Rule 7.2 and its yearly
 * holiday announcements), not from a data file, so it needs no update until the rules
 * change or the exchange closes for a one-off event (add that to SPECIAL_CLOSURES).
 *
 * Full-day holidays: New Year's Day, Martin Luther King Jr. Day (third Monday of January),
 * Washington's Birthday (third Monday of February), Good Friday, Memorial Day (last
 * Monday of May), Juneteenth (from 2022), Independence Day, Labor Day (first Monday of
 * September), Thanksgiving (fourth Thursday of November) and Christmas. A holiday on a
 * Sunday is observed on the Monday after, one on a Saturday on the Friday before, except
 * New Year's Day: Friday December 31 closes a year's accounting period, so a Saturday
 * New Year's Day is not observed at all (Rule 7.2; 2022, 2028).
 *
 * Early closes at 13:00 New York time: July 3 when it is Monday to Thursday (on a Friday
 * it is the observed Independence Day), the day after Thanksgiving, and December 24 when
 * it is Monday to Thursday (on a Friday it is the observed Christmas).
 *
 * The rules are today's: they hold from 2000 on, and the one-off closures are listed from
 * 2000. Earlier years get today's rules (so, for example, MLK Day appears before 1998 when
 * the exchange first observed it), and the occasional pre-2013 early close that no rule
 * gives (2002-07-05) is not listed; an early close only matters on the day itself.
 *
 * Chosen over the npm packages looked at (docs/ENGINE.md, "Trading calendar").
 *
 * Pure: day numbers in (engine/dates.ts), no clock, no time zone; results per year are
 * memoised because the rules are fixed.
 */
import { dayOf, isoDay, weekday, weekdaysIn, yearOf } from './dates';

/** Minutes after midnight, New York time, of a regular close (16:00) and an early one (13:00). */
export const REGULAR_CLOSE_MINUTES = 16 * 60;
export const EARLY_CLOSE_MINUTES = 13 * 60;

/**
 * Closures no rule gives: the September 11 attacks, national days of mourning for former
 * presidents (Reagan, Ford, G. H. W. Bush, Carter) and Hurricane Sandy.
 */
export const SPECIAL_CLOSURES: readonly { date: string; reason: string }[] = Object.freeze([
  { date: '2001-09-11', reason: 'September 11 attacks' },
  { date: '2001-09-12', reason: 'September 11 attacks' },
  { date: '2001-09-13', reason: 'September 11 attacks' },
  { date: '2001-09-14', reason: 'September 11 attacks' },
  { date: '2004-06-11', reason: 'national day of mourning for Ronald Reagan' },
  { date: '2007-01-02', reason: 'national day of mourning for Gerald Ford' },
  { date: '2012-10-29', reason: 'Hurricane Sandy' },
  { date: '2012-10-30', reason: 'Hurricane Sandy' },
  { date: '2018-12-05', reason: 'national day of mourning for George H. W. Bush' },
  { date: '2025-01-09', reason: 'national day of mourning for Jimmy Carter' },
]);

const SUNDAY = 0;
const MONDAY = 1;
const THURSDAY = 4;
const SATURDAY = 6;

/** The n-th (1-based) weekday `wd` (0 = Sunday) of a month. */
function nthWeekday(year: number, month: number, wd: number, n: number): number {
  const first = dayOf(year, month, 1);
  return first + ((wd - weekday(first) + 7) % 7) + 7 * (n - 1);
}

/** The last weekday `wd` of a month. */
function lastWeekday(year: number, month: number, wd: number): number {
  const last = dayOf(year, month + 1, 0);
  return last - ((weekday(last) - wd + 7) % 7);
}

/** Easter Sunday of the Gregorian calendar (the anonymous "Meeus/Jones/Butcher" computus). */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayOf(year, month, day);
}

/** A fixed-date holiday on a Saturday is observed on the Friday before, on a Sunday on the Monday after. */
function observed(day: number): number {
  const w = weekday(day);
  return w === SATURDAY ? day - 1 : w === SUNDAY ? day + 1 : day;
}

/**
 * The holidays the rules give for one year (day numbers, sorted, all weekdays), without
 * the one-off closures. Every one falls in its own year: a Saturday New Year's Day is not
 * moved back into December.
 */
export function nyseRuleHolidays(year: number): number[] {
  const days: number[] = [];
  const newYear = dayOf(year, 1, 1);
  if (weekday(newYear) !== SATURDAY) days.push(observed(newYear));
  days.push(nthWeekday(year, 1, MONDAY, 3)); // Martin Luther King Jr. Day
  days.push(nthWeekday(year, 2, MONDAY, 3)); // Washington's Birthday
  days.push(easterSunday(year) - 2); // Good Friday
  days.push(lastWeekday(year, 5, MONDAY)); // Memorial Day
  if (year >= 2022) days.push(observed(dayOf(year, 6, 19))); // Juneteenth
  days.push(observed(dayOf(year, 7, 4))); // Independence Day
  days.push(nthWeekday(year, 9, MONDAY, 1)); // Labor Day
  days.push(nthWeekday(year, 11, THURSDAY, 4)); // Thanksgiving
  days.push(observed(dayOf(year, 12, 25))); // Christmas
  return days.sort((x, y) => x - y);
}

/** The 13:00 closes of one year (day numbers, sorted). */
export function nyseEarlyCloses(year: number): number[] {
  const days: number[] = [];
  const july3 = dayOf(year, 7, 3);
  if (weekday(july3) >= MONDAY && weekday(july3) <= THURSDAY) days.push(july3);
  days.push(nthWeekday(year, 11, THURSDAY, 4) + 1); // the Friday after Thanksgiving
  const christmasEve = dayOf(year, 12, 24);
  if (weekday(christmasEve) >= MONDAY && weekday(christmasEve) <= THURSDAY) days.push(christmasEve);
  return days;
}

const SPECIAL_DAYS: readonly number[] = SPECIAL_CLOSURES.map((c) => isoDay(c.date, 'special closure'));

interface YearCalendar {
  /** Full-day closures on weekdays (rule holidays and one-off closures), sorted. */
  closed: number[];
  closedSet: Set<number>;
  early: Set<number>;
}

const years = new Map<number, YearCalendar>();

function calendarOf(year: number): YearCalendar {
  let cal = years.get(year);
  if (!cal) {
    const closed = [...nyseRuleHolidays(year), ...SPECIAL_DAYS.filter((d) => yearOf(d) === year)].sort((a, b) => a - b);
    cal = { closed, closedSet: new Set(closed), early: new Set(nyseEarlyCloses(year)) };
    years.set(year, cal);
  }
  return cal;
}

/** Every weekday the exchange is closed in `year` (rule holidays and one-off closures), sorted. */
export function nyseHolidays(year: number): readonly number[] {
  return calendarOf(year).closed.slice();
}

/** True when the exchange trades on `day`. */
export function isNyseSession(day: number): boolean {
  const w = weekday(day);
  return w !== SUNDAY && w !== SATURDAY && !calendarOf(yearOf(day)).closedSet.has(day);
}

/** Minutes after midnight (New York) at which `day`'s session closes; null when it is not a session. */
export function nyseCloseMinutes(day: number): number | null {
  if (!isNyseSession(day)) return null;
  return calendarOf(yearOf(day)).early.has(day) ? EARLY_CLOSE_MINUTES : REGULAR_CLOSE_MINUTES;
}

/** Number of sessions in the day range [from, to] (0 when it is empty). */
export function nyseSessionsIn(from: number, to: number): number {
  if (to < from) return 0;
  let count = weekdaysIn(from, to);
  // Every closure is a weekday, so subtracting those inside the range leaves the sessions.
  for (let y = yearOf(from); y <= yearOf(to); y++) {
    for (const d of calendarOf(y).closed) if (d >= from && d <= to) count--;
  }
  return count;
}

/** The first session strictly after `day`. */
export function nextNyseSession(day: number): number {
  let d = day + 1;
  while (!isNyseSession(d)) d++;
  return d;
}

/** The last session strictly before `day`. */
export function previousNyseSession(day: number): number {
  let d = day - 1;
  while (!isNyseSession(d)) d--;
  return d;
}
