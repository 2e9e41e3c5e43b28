/**
 * Is the data current? Compares the last bar with the session the market calendar says
 * should be in by now: the latest weekday whose 16:00 New York close (plus a lag for the
 * data to arrive) has passed. Exchange holidays are not known here, so a holiday can
 * look like one missing session; `staleAfterSessions` (default 1) absorbs that.
 * Pure: the caller passes the clock's reading.
 */
import { formatDay, isWeekday, parseIsoDay, weekdaysIn } from '../engine/dates';

const NY = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** New York wall-clock date (day number) and minutes since midnight of an instant. */
export function newYorkTime(now: Date): { day: number; minutes: number } {
  const parts = Object.fromEntries(NY.formatToParts(now).map((p) => [p.type, p.value]));
  const day = parseIsoDay(`${parts.year}-${parts.month}-${parts.day}`);
  if (day === null) throw new RangeError(`cannot place ${now.toISOString()} in New York time`);
  return { day, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** The latest weekday whose close (16:00 New York + lag) has passed at `now`. */
export function expectedLastSession(now: Date, closeLagMinutes: number): number {
  const { day, minutes } = newYorkTime(now);
  let d = minutes >= 16 * 60 + closeLagMinutes ? day : day - 1;
  while (!isWeekday(d)) d--;
  return d;
}

/** Weekdays strictly after `from` up to and including `to` (0 when to <= from). */
export function weekdaysBetween(from: number, to: number): number {
  return weekdaysIn(from + 1, to);
}

export interface Freshness {
  expectedLastSession: string;
  stale: boolean;
  staleReason: string | null;
}

/**
 * Staleness of data whose last bar is `lastBarDay`. Sample data is synthetic and never
 * "stale" (it says it is sample data instead); a failed latest refresh makes real data
 * stale whatever its dates, because newer bars may exist that we could not fetch, and so
 * does serving a fallback generation because the current one is damaged (`storeProblem`).
 */
export function freshness(
  now: Date,
  lastBarDay: number,
  options: {
    sample: boolean;
    staleAfterSessions: number;
    closeLagMinutes: number;
    lastError: string | null;
    storeProblem?: string | null;
  },
): Freshness {
  const expected = expectedLastSession(now, options.closeLagMinutes);
  const behind = weekdaysBetween(lastBarDay, expected);
  let staleReason: string | null = null;
  if (!options.sample) {
    if (options.lastError) staleReason = `the latest refresh failed (${options.lastError}); serving the last good data`;
    else if (options.storeProblem) staleReason = options.storeProblem;
    else if (behind > options.staleAfterSessions)
      staleReason = `last bar ${formatDay(lastBarDay)} is ${behind} sessions behind the expected ${formatDay(expected)}`;
  }
  return { expectedLastSession: formatDay(expected), stale: staleReason !== null, staleReason };
}
