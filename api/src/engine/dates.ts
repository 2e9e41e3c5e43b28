/**
 * Trading dates as integer day numbers (days since 1970-01-01, UTC), so the engine
 * compares and stores dates as Int32Array without Date objects or time zones.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Parses a strict ISO `YYYY-MM-DD` calendar date; returns null when it is not one. */
export function parseIsoDay(text: string): number | null {
  const m = ISO_DATE.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // Date.UTC rolls 2024-02-30 over to March: a round trip catches impossible days.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return Math.round(ms / MS_PER_DAY);
}

/** Like parseIsoDay but throws a message naming `what` for a bad date. */
export function isoDay(text: string, what = 'date'): number {
  const day = parseIsoDay(text);
  if (day === null) throw new RangeError(`${what}: ${JSON.stringify(text)} is not a valid YYYY-MM-DD date`);
  return day;
}

/**
 * Day number of a calendar date (month 1 to 12). Out-of-range days roll over as in
 * Date.UTC, which rules use on purpose: day 0 is the last day of the month before.
 */
export function dayOf(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

/** The calendar year of a day number. */
export function yearOf(day: number): number {
  return new Date(day * MS_PER_DAY).getUTCFullYear();
}

/** Formats a day number as `YYYY-MM-DD`. */
export function formatDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** True for Monday to Friday. */
export function isWeekday(day: number): boolean {
  const w = weekday(day);
  return w !== 0 && w !== 6;
}

/**
 * Index of the first element of the sorted array `days` that is >= `day`
 * (days.length when none is); optionally within days[from..to-1] (then `to` when none is).
 */
export function lowerBound(days: Int32Array, day: number, from = 0, to = days.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (days[mid] < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of weekdays in the day range [from, to] (0 when empty). */
export function weekdaysIn(from: number, to: number): number {
  if (to < from) return 0;
  const days = to - from + 1;
  let count = Math.floor(days / 7) * 5;
  for (let d = from + Math.floor(days / 7) * 7; d <= to; d++) if (isWeekday(d)) count++;
  return count;
}
