/**
 * Is the data current? Compares the last bar with the session the NYSE calendar says
 * should be in by now: the latest session whose close (16:00 New York time, 13:00 on an
 * early-close day) plus a lag for the data to arrive has passed. Holidays and one-off
 * closures are not sessions (engine/nyse-calendar.ts), so they never count as missing;
 * `staleAfterSessions` (default 1) covers the hours between a close and the nightly
 * refresh that brings its bar.
 * Pure: the caller passes the clock's reading.
 */
import { formatDay, parseIsoDay } from '../engine/dates';
import { nyseCloseMinutes, nyseSessionsIn, previousNyseSession } from '../engine/nyse-calendar';

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

/**
 * The latest NYSE session whose close plus `closeLagMinutes` has passed at `now`. Times are
 * New York wall-clock minutes, so the close is 16:00 (or 13:00) local time in summer and in
 * winter alike; a lag may run past midnight into the next days.
 */
export function expectedLastSession(now: Date, closeLagMinutes: number): number {
  const { day, minutes } = newYorkTime(now);
  let d = nyseCloseMinutes(day) === null ? previousNyseSession(day) : day;
  // Minutes from the start of session d's day to now, against its close + lag.
  while ((day - d) * 1440 + minutes < (nyseCloseMinutes(d) as number) + closeLagMinutes) d = previousNyseSession(d);
  return d;
}

/** NYSE sessions strictly after `from` up to and including `to` (0 when to <= from). */
export function sessionsBetween(from: number, to: number): number {
  return nyseSessionsIn(from + 1, to);
}

/**
 * Longest part of a refresh error quoted in staleReason: every data response repeats it
 * (meta.staleReason and warnings), and status.lastError has the error in full.
 */
export const STALE_ERROR_CHARS = 300;

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
  const behind = sessionsBetween(lastBarDay, expected);
  let staleReason: string | null = null;
  if (!options.sample) {
    if (options.lastError) {
      const error = options.lastError.replace(/\s+/g, ' ').trim();
      const quoted = error.length > STALE_ERROR_CHARS ? `${error.slice(0, STALE_ERROR_CHARS)}…` : error;
      staleReason = `the latest refresh failed (${quoted}); serving the last good data`;
    } else if (options.storeProblem) staleReason = options.storeProblem;
    else if (behind > options.staleAfterSessions)
      staleReason = `last bar ${formatDay(lastBarDay)} is ${behind} sessions behind the expected ${formatDay(expected)}`;
  }
  return { expectedLastSession: formatDay(expected), stale: staleReason !== null, staleReason };
}
