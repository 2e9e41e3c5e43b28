/**
 * Which grouped daily sessions a refresh asks for, and how far the universe's backfill has
 * come (pure; grouped-refresh.ts does the requests). The stored universe covers one
 * contiguous run of NYSE sessions [from, to]; a refresh
 *
 * 1. re-reads the last OVERLAP_SESSIONS stored sessions (a stored close that changed
 *    means a split adjustment rewrote that member's history),
 * 2. extends forward, oldest first, up to the latest session that has closed,
 * 3. extends backward, newest first, down to the backfill's first session,
 *
 * so whatever point a time budget stops it at, what it fetched is still one contiguous run.
 * Sessions come from the NYSE calendar: weekends and holidays cost no request.
 */
import { formatDay, parseIsoDay } from '../engine/dates';
import { isNyseSession, nextNyseSession, nyseSessionsIn, previousNyseSession } from '../engine/nyse-calendar';

/** Stored sessions re-read by every refresh to notice split adjustments. */
export const OVERLAP_SESSIONS = 2;

/** The stored universe's sessions, inclusive day numbers. */
export interface Coverage {
  from: number;
  to: number;
}

export interface SessionPlan {
  overlap: number[];
  forward: number[];
  backward: number[];
}

/** The session `count - 1` sessions before `last` (so [result, last] holds `count` sessions). */
export function sessionsBack(last: number, count: number): number {
  let d = isNyseSession(last) ? last : previousNyseSession(last);
  for (let k = 1; k < count; k++) d = previousNyseSession(d);
  return d;
}

/** The requests of one refresh, in the order they are made (see the module comment). */
export function planSessions(
  coverage: Coverage | null,
  backfillFrom: number,
  lastSession: number,
  overlap = OVERLAP_SESSIONS,
): SessionPlan {
  const plan: SessionPlan = { overlap: [], forward: [], backward: [] };
  const backwardFrom = coverage === null ? lastSession : previousNyseSession(coverage.from);
  if (coverage !== null) {
    for (let d = coverage.to, k = 0; k < overlap && d >= coverage.from; k++, d = previousNyseSession(d)) {
      if (isNyseSession(d)) plan.overlap.unshift(d);
    }
    for (let d = nextNyseSession(coverage.to); d <= lastSession; d = nextNyseSession(d)) plan.forward.push(d);
  }
  for (let d = backwardFrom; d >= backfillFrom; d = previousNyseSession(d)) plan.backward.push(d);
  return plan;
}

/** How far the backfill has come, as status reports it. */
export interface BackfillProgress {
  /** Sessions of [backfillFrom, lastSession] stored (or staged by a run still going). */
  sessionsDone: number;
  sessionsTotal: number;
  /** Minutes the remaining requests take at the configured rate (0 without a limit). */
  etaMinutes: number;
  complete: boolean;
}

/** Progress from the stored coverage plus `staged` sessions fetched but not yet published. */
export function backfillProgress(
  coverage: Coverage | null,
  backfillFrom: number,
  lastSession: number,
  requestsPerMinute: number,
  staged = 0,
): BackfillProgress {
  const sessionsTotal = nyseSessionsIn(backfillFrom, lastSession);
  const stored = coverage === null ? 0 : nyseSessionsIn(Math.max(coverage.from, backfillFrom), coverage.to);
  const sessionsDone = Math.min(sessionsTotal, stored + staged);
  const left = sessionsTotal - sessionsDone;
  return {
    sessionsDone,
    sessionsTotal,
    etaMinutes: requestsPerMinute > 0 ? Math.ceil(left / requestsPerMinute) : 0,
    complete: left === 0,
  };
}

/** The backfill note a grouped refresh leaves in the snapshot's notes (and so the manifest's). */
export interface BackfillNote {
  backfillFrom: string;
  coveredFrom: string;
  coveredTo: string;
  /** The latest closed session when the snapshot was built. */
  lastSession: string;
}

/** Reads a BackfillNote back from notes; null when absent or malformed (the next refresh starts over). */
export function readBackfillNote(notes: Record<string, unknown>): {
  backfillFrom: number;
  coverage: Coverage;
  lastSession: number;
} | null {
  const note = notes.backfill as Partial<BackfillNote> | undefined;
  if (!note || typeof note !== 'object') return null;
  const day = (v: unknown) => (typeof v === 'string' ? parseIsoDay(v) : null);
  const backfillFrom = day(note.backfillFrom);
  const from = day(note.coveredFrom);
  const to = day(note.coveredTo);
  const lastSession = day(note.lastSession);
  if (backfillFrom === null || from === null || to === null || lastSession === null || to < from) return null;
  return { backfillFrom, coverage: { from, to }, lastSession };
}

export function backfillNote(backfillFrom: number, coverage: Coverage, lastSession: number): BackfillNote {
  return {
    backfillFrom: formatDay(backfillFrom),
    coveredFrom: formatDay(coverage.from),
    coveredTo: formatDay(coverage.to),
    lastSession: formatDay(lastSession),
  };
}

/** Staged grouped sessions are named by their date, so a resumed run finds them. */
export const stagedSessionName = (day: number) => `grouped-${formatDay(day)}`;
export function stagedSessionDay(name: string): number | null {
  const m = /^grouped-(\d{4}-\d{2}-\d{2})$/.exec(name);
  return m ? parseIsoDay(m[1]) : null;
}

/** Backfill progress as status shows it, with a sentence; null when the notes have no backfill. */
export function backfillStatus(
  notes: Record<string, unknown>,
  stagedNames: readonly string[],
  requestsPerMinute: number,
): (BackfillProgress & { text: string }) | null {
  const note = readBackfillNote(notes);
  if (note === null) return null;
  const { coverage, backfillFrom, lastSession } = note;
  // Sessions a refresh under way (or killed) fetched and staged but has not published yet.
  const staged = stagedNames
    .map(stagedSessionDay)
    .filter((d): d is number => d !== null && d >= backfillFrom && d <= lastSession)
    .filter((d) => d < coverage.from || d > coverage.to).length;
  const p = backfillProgress(coverage, backfillFrom, lastSession, requestsPerMinute, staged);
  const text = p.complete
    ? `universe backfill complete: ${p.sessionsTotal} sessions`
    : `universe backfill ${p.sessionsDone} of ${p.sessionsTotal} sessions` +
      (requestsPerMinute > 0 ? `, about ${p.etaMinutes} min left` : '');
  return { ...p, text };
}
