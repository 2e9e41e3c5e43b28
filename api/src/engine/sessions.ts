/**
 * Turning user dates into session indices, with messages that say why a date cannot
 * be used (before the history, after it, or not a trading session).
 */
import { formatDay, isoDay, lowerBound } from './dates';
import type { History } from './engine';

/** A date that names no usable session; `kind` lets callers map it (Excel #N/A vs #VALUE!). */
export class SessionError extends RangeError {
  constructor(
    message: string,
    readonly kind: 'invalid' | 'not-available',
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

function parse(text: string, what: string): number {
  try {
    return isoDay(text, what);
  } catch (err) {
    throw new SessionError((err as Error).message, 'invalid');
  }
}

/** The index of the session on the ISO date `text`; errors name the nearest sessions. */
export function sessionIndex(h: History, text: string, what = 'date'): number {
  const day = parse(text, what);
  const first = h.dates[0];
  const last = h.dates[h.length - 1];
  if (day < first)
    throw new SessionError(`${what}: ${text} is before the history starts (${formatDay(first)})`, 'not-available');
  if (day > last)
    throw new SessionError(
      `${what}: ${text} is after the last session in the data (${formatDay(last)})`,
      'not-available',
    );
  const i = lowerBound(h.dates, day);
  if (h.dates[i] !== day) {
    throw new SessionError(
      `${what}: ${text} is not a trading session (previous session ${formatDay(h.dates[i - 1])}, next ${formatDay(h.dates[i])})`,
      'not-available',
    );
  }
  return i;
}

/**
 * Session indices [from, to] for an inclusive date range; either end may be omitted
 * (the history's first / last session). Ends that are not sessions snap inward.
 */
export function sessionRange(h: History, from?: string, to?: string, what = 'range'): [number, number] {
  const aDay = from === undefined ? undefined : parse(from, `${what} from`);
  const bDay = to === undefined ? undefined : parse(to, `${what} to`);
  const a = aDay === undefined ? 0 : lowerBound(h.dates, aDay);
  const b = bDay === undefined ? h.length - 1 : lowerBound(h.dates, bDay + 1) - 1;
  if (aDay !== undefined && bDay !== undefined && aDay > bDay) {
    throw new SessionError(`${what}: from ${from} is after to ${to}`, 'invalid');
  }
  if (a > b) {
    throw new SessionError(
      `${what}: no sessions between ${from ?? formatDay(h.dates[0])} and ${to ?? formatDay(h.dates[h.length - 1])} (data covers ${formatDay(h.dates[0])} to ${formatDay(h.dates[h.length - 1])})`,
      'not-available',
    );
  }
  return [a, b];
}
