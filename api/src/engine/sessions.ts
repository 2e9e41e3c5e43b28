/**
 * Turning user dates into session indices, with messages that say why a date cannot
 * be used (before the history, after it, or not a trading session).
 *
 * A date may also be a relative session `-N`: the N-th last session in the data (`-1` is
 * the last close, `-2` the session before it), so a sheet can ask for "the latest" without
 * knowing its date.
 */
import { formatDay, isoDay, lowerBound } from './dates';
import type { History } from './engine';

/** What resolving dates reads of a history: its session dates (a pair's aligned dates will do). */
export type Sessions = Pick<History, 'dates' | 'length'>;

/** A date that names no usable session; `kind` lets callers map it (Excel #N/A vs #VALUE!). */
export class SessionError extends RangeError {
  constructor(
    message: string,
    readonly kind: 'invalid' | 'not-available',
    /** The end of a range the error is about, when it is about one. */
    readonly end?: 'from' | 'to',
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

/** The furthest relative session a date may name (`-100000`). */
export const MAX_RELATIVE_SESSION = 100_000;

const RELATIVE_SESSION = /^-\d{1,6}$/;

/** What a date may be, for messages. */
export const DAY_REF_FORMS = 'a date YYYY-MM-DD that exists, or a relative session -1 (last close), -2, ...';

/** N for a relative session `-N` (1 <= N <= 100000), or null when `text` is not one. */
export function relativeSession(text: string): number | null {
  if (!RELATIVE_SESSION.test(text)) return null;
  const n = -Number(text);
  return n >= 1 && n <= MAX_RELATIVE_SESSION ? n : null;
}

function parse(text: string, what: string): number {
  try {
    return isoDay(text, what);
  } catch (err) {
    throw new SessionError(`${(err as Error).message} or relative session (-1 = last close, -2, ...)`, 'invalid');
  }
}

/** "asOf: -7000 is before the history starts (...)"; `label` is what precedes "is". */
function beforeStart(h: Sessions, label: string): string {
  return `${label} is before the history starts (the data has ${h.length} sessions, first ${formatDay(h.dates[0])})`;
}

/** The index of the session `text` names (an ISO date or `-N`); errors name the nearest sessions. */
export function sessionIndex(h: Sessions, text: string, what = 'date'): number {
  const n = relativeSession(text);
  if (n !== null) {
    const i = h.length - n;
    if (i < 0) throw new SessionError(beforeStart(h, `${what}: ${text}`), 'not-available');
    return i;
  }
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
 * The calendar day a date parameter names: the date itself, or the date of the relative
 * session `-N` (an error when that is before the history).
 */
export function refDay(h: Sessions, text: string, what = 'date'): number {
  return relativeSession(text) !== null ? h.dates[sessionIndex(h, text, what)] : parse(text, what);
}

/** One end of a range: its session index after snapping, and a key that orders the ends. */
interface End {
  index: number;
  /** A day number (-Infinity for a relative end before the history). */
  key: number;
  relative: boolean;
}

function rangeEnd(h: Sessions, text: string, side: 'from' | 'to', what: string): End {
  const n = relativeSession(text);
  if (n !== null) {
    const i = h.length - n;
    return { index: i, key: i >= 0 ? h.dates[i] : -Infinity, relative: true };
  }
  const day = parse(text, `${what} ${side}`);
  const index = side === 'from' ? lowerBound(h.dates, day) : lowerBound(h.dates, day + 1) - 1;
  return { index, key: day, relative: false };
}

/**
 * Session indices [from, to] for an inclusive range; either end may be omitted (the
 * history's first / last session). Ends that are not sessions snap inward, and so does a
 * relative `from` before the history (to the first session); a relative `to` before the
 * history leaves no sessions, like a date `to` before it.
 */
export function sessionRange(h: Sessions, from?: string, to?: string, what = 'range'): [number, number] {
  const a = from === undefined ? undefined : rangeEnd(h, from, 'from', what);
  const b = to === undefined ? undefined : rangeEnd(h, to, 'to', what);
  if (a && b) {
    // Two relative ends order by index even before the history (-7000 is after -7001).
    const after = a.relative && b.relative ? a.index > b.index : a.key > b.key;
    if (after) throw new SessionError(`${what}: from ${from} is after to ${to}`, 'invalid', 'from');
  }
  if (b?.relative && b.index < 0) throw new SessionError(beforeStart(h, `${what}: to ${to}`), 'not-available', 'to');
  const ai = a === undefined ? 0 : Math.max(0, a.index);
  const bi = b === undefined ? h.length - 1 : b.index;
  if (ai > bi) {
    throw new SessionError(
      `${what}: no sessions between ${from ?? formatDay(h.dates[0])} and ${to ?? formatDay(h.dates[h.length - 1])} (data covers ${formatDay(h.dates[0])} to ${formatDay(h.dates[h.length - 1])})`,
      'not-available',
    );
  }
  return [ai, bi];
}
