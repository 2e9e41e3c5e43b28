/**
 * Macro-calendar overlay (SIGNALS.md, "Macro overlay"): which event windows cover
 * each session, and the thresholds the overlay turns the base ones into.
 */
import { formatDay, isoDay, lowerBound } from './dates';
import { isNyseSession, nextNyseSession, nyseSessionsIn, previousNyseSession } from './nyse-calendar';
import type { Profile } from './profile';
import { EVENT_KINDS, type EventKind, type MacroEvent } from './types';

export const MACRO_NONE = 0;
export const MACRO_WINDOW = 1;
export const MACRO_AFTER = 2;
export type MacroPhaseCode = typeof MACRO_NONE | typeof MACRO_WINDOW | typeof MACRO_AFTER;
export const MACRO_PHASE_NAMES = ['none', 'window', 'after'] as const;

export interface MacroColumns {
  /** MACRO_NONE, MACRO_WINDOW or MACRO_AFTER per session (whether or not the overlay is on). */
  phase: Int8Array;
  /** Indices into `events` of the windows covering each session (null when none). */
  active: (number[] | null)[];
  /** Momentum ATR multiplier actually used per session. */
  atrMultiplier: Float64Array;
  /** Composite ratio actually used per session. */
  compositeRatio: Float64Array;
}

/**
 * Position of a date on the trading calendar, extended past the last bar by NYSE sessions
 * (engine/nyse-calendar.ts) so that an event a few days ahead already opens its window
 * today, and its window skips the holidays on the way. A date that is not a session
 * (weekend, holiday) maps to the next session.
 */
export function sessionPosition(dates: Int32Array, day: number): number {
  const n = dates.length;
  // Before the first bar the calendar extends backwards by sessions too, so an old
  // event's window stays before the history instead of landing on its first session.
  if (n > 0 && day < dates[0]) return -nyseSessionsIn(day, dates[0] - 1);
  if (n === 0 || day <= dates[n - 1]) return lowerBound(dates, day);
  const pos = n - 1 + nyseSessionsIn(dates[n - 1] + 1, day);
  // A date past the end that is not a session belongs to the following session.
  return isNyseSession(day) ? pos : pos + 1;
}

/**
 * The day of a session position, the inverse of sessionPosition: a position past the
 * last bar (or before the first) steps over NYSE sessions, so a future event's window has
 * dates before its sessions exist.
 */
export function positionDay(dates: Int32Array, pos: number): number {
  const n = dates.length;
  if (n === 0) throw new RangeError('positionDay needs at least one session');
  if (pos >= 0 && pos < n) return dates[pos];
  let day = pos < 0 ? dates[0] : dates[n - 1];
  for (let k = pos < 0 ? -pos : pos - (n - 1); k > 0; k--)
    day = pos < 0 ? previousNyseSession(day) : nextNyseSession(day);
  return day;
}

/** What makes two events the same event: every field. */
export function eventKey(e: MacroEvent): string {
  return `${e.date}|${e.kind}|${e.label}|${e.end ?? ''}`;
}

/**
 * The events a history uses: the calendar's (the shipped default or the user's file), then
 * the profile's own (`macro.customEvents`) that are not already there. An event identical
 * to one before it (same date, kind, label and end) is dropped, so adding a shipped event
 * to a profile does not count it twice. Without custom events the calendar comes back as
 * it is (the same array), so a preset's history is unchanged.
 */
export function mergeEvents(calendar: readonly MacroEvent[], custom: readonly MacroEvent[]): readonly MacroEvent[] {
  if (custom.length === 0) return calendar;
  const seen = new Set(calendar.map(eventKey));
  const out = calendar.slice();
  for (const event of custom) {
    const key = eventKey(event);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(event);
  }
  return out;
}

/** [first, last] session positions an event's window covers. */
export function eventWindow(dates: Int32Array, event: MacroEvent, profile: Profile): [number, number] {
  const at = sessionPosition(dates, isoDay(event.date, `event ${event.label} date`));
  if (event.kind === 'earnings-season') {
    if (!event.end) throw new RangeError(`event ${event.label}: an earnings season needs an end date`);
    // The last session on or before `end`.
    const endDay = isoDay(event.end, `event ${event.label} end`);
    let last = sessionPosition(dates, endDay + 1) - 1;
    if (last < at) last = at;
    return [at, last];
  }
  const w = profile.macro.windows[event.kind];
  return [at - w.before, at + w.after];
}

/** Computes the overlay for every session in one pass over the events. */
export function macroColumns(dates: Int32Array, events: readonly MacroEvent[], profile: Profile): MacroColumns {
  const n = dates.length;
  const phase = new Int8Array(n);
  const active: (number[] | null)[] = new Array(n).fill(null);
  const relax = profile.macro.relaxSessions;
  events.forEach((event, e) => {
    const [from, to] = eventWindow(dates, event, profile);
    for (let t = Math.max(0, from); t <= Math.min(n - 1, to); t++) {
      phase[t] = MACRO_WINDOW;
      (active[t] ??= []).push(e);
    }
    for (let t = Math.max(0, to + 1); t <= Math.min(n - 1, to + relax); t++) {
      if (phase[t] !== MACRO_WINDOW) phase[t] = MACRO_AFTER;
    }
  });
  // A later event's window may have overwritten an earlier "after" mark: window wins.
  const { atrMultiplier: baseMult } = profile.momentum;
  const baseRatio = profile.composite.ratio;
  const on = profile.macro.enabled;
  const atrMultiplier = new Float64Array(n);
  const compositeRatio = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const p = on ? phase[t] : MACRO_NONE;
    atrMultiplier[t] =
      p === MACRO_WINDOW
        ? baseMult * profile.macro.tightenFactor
        : p === MACRO_AFTER
          ? baseMult * profile.macro.relaxFactor
          : baseMult;
    compositeRatio[t] = p === MACRO_WINDOW ? baseRatio + profile.macro.ratioAdd : baseRatio;
  }
  return { phase, active, atrMultiplier, compositeRatio };
}

// ---- Calendar coverage ------------------------------------------------------------------

/**
 * Which years a calendar covers for one kind of event. A kind covers a year when the
 * calendar has at least one event of that kind dated in it; `missingYears` are the years
 * between the first and the last without one (the shipped calendar has no CPI dates for
 * 2000-2002 and no Russell reconstitution for 2004).
 */
export interface KindCoverage {
  kind: EventKind;
  events: number;
  first: string;
  last: string;
  fromYear: number;
  toYear: number;
  missingYears: number[];
}

/** Kinds whose coverage is reported: the scheduled ones (a custom event is a one-off). */
const COVERED_KINDS: readonly EventKind[] = EVENT_KINDS.filter((k) => k !== 'custom');

const yearOf = (iso: string) => Number(iso.slice(0, 4));

/** Coverage of each scheduled kind the calendar has, in EVENT_KINDS order. */
export function calendarCoverage(events: readonly MacroEvent[]): KindCoverage[] {
  const out: KindCoverage[] = [];
  for (const kind of COVERED_KINDS) {
    const dates = events.filter((e) => e.kind === kind).map((e) => e.date);
    if (dates.length === 0) continue;
    dates.sort();
    const years = new Set(dates.map(yearOf));
    const fromYear = yearOf(dates[0]);
    const toYear = yearOf(dates[dates.length - 1]);
    const missingYears: number[] = [];
    for (let y = fromYear; y <= toYear; y++) if (!years.has(y)) missingYears.push(y);
    out.push({
      kind,
      events: dates.length,
      first: dates[0],
      last: dates[dates.length - 1],
      fromYear,
      toYear,
      missingYears,
    });
  }
  return out;
}

/** Whether a kind's coverage includes a year. */
export const coversYear = (c: KindCoverage, year: number): boolean =>
  year >= c.fromYear && year <= c.toYear && !c.missingYears.includes(year);

/** "fomc 2000-2027 (235), cpi 2003-2026 (286), russell-recon 2000-2027 except 2004 (27)". */
export function coverageText(coverage: readonly KindCoverage[]): string {
  if (coverage.length === 0) return 'no scheduled events';
  return coverage
    .map((c) => {
      const span = c.fromYear === c.toYear ? `${c.fromYear}` : `${c.fromYear}-${c.toYear}`;
      const gaps = c.missingYears.length ? ` except ${c.missingYears.join(', ')}` : '';
      return `${c.kind} ${span}${gaps} (${c.events})`;
    })
    .join(', ');
}

/** Coverage codes per session: no kind covers its year, some do, every kind does. */
export const COVERAGE_NONE = 0;
export const COVERAGE_PARTIAL = 1;
export const COVERAGE_FULL = 2;
export const COVERAGE_NAMES = ['none', 'partial', 'full'] as const;

export interface CoverageColumns {
  kinds: KindCoverage[];
  /** COVERAGE_NONE / PARTIAL / FULL per session; NONE everywhere for a calendar without scheduled events. */
  state: Int8Array;
  /** Per session, the kinds of `kinds` that do not cover its year (indices into `kinds`; null when none). */
  uncovered: (number[] | null)[];
}

/** Per session: which of the calendar's kinds cover the session's year. */
export function coverageColumns(dates: Int32Array, kinds: KindCoverage[]): CoverageColumns {
  const n = dates.length;
  const state = new Int8Array(n);
  const uncovered: (number[] | null)[] = new Array(n).fill(null);
  let nextYear = -Infinity; // the day number of the next 1 January
  let missing: number[] | null = null;
  let code: number = COVERAGE_NONE;
  for (let t = 0; t < n; t++) {
    if (dates[t] >= nextYear) {
      // A new year: one Date per year, not per session.
      const y = yearOf(formatDay(dates[t]));
      nextYear = Date.UTC(y + 1, 0, 1) / 86_400_000;
      const gaps = kinds.flatMap((c, i) => (coversYear(c, y) ? [] : [i]));
      missing = gaps.length ? gaps : null;
      code =
        kinds.length === 0 || gaps.length === kinds.length
          ? COVERAGE_NONE
          : gaps.length
            ? COVERAGE_PARTIAL
            : COVERAGE_FULL;
    }
    state[t] = code;
    uncovered[t] = missing;
  }
  return { kinds, state, uncovered };
}
