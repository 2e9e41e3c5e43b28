/**
 * The macro event calendar: the default shipped with the product, and the parser for
 * calendars users bring (docs/SIGNALS.md, "Macro overlay").
 *
 * The default is a constant, not a file read at run time, so the engine, the API and
 * the Excel add-in all see the same events without a data directory. It is the history
 * 2000-2027 (calendar-history.ts: FOMC, CPI and Russell reconstitution dates) merged
 * with the current schedule below, whose labels are richer (SEP meetings, tentative
 * dates) and which adds the November reconstitutions; so a backtest back to 2000 runs
 * with the overlay, and `calendarCoverage` (engine/macro.ts) says what it covers. Users still add,
 * edit and remove events (schedules change, earnings seasons differ by team) through
 * their own `date,kind,label[,end]` file (the server's calendar), or through a profile's
 * own `macro.customEvents` (per workbook; engine/profile.ts), which follow the same
 * rules. The file is validated row by row: a calendar event silently dropped would
 * silently change thresholds, so any bad row fails the whole file with every problem
 * listed.
 */
import { parseIsoDay } from '../engine/dates';
import { RANGE_EVENT_KINDS } from '../engine/profile';
import { EVENT_KINDS, type EventKind, type MacroEvent } from '../engine/types';
import { excerpt } from '../engine/excerpt';
import { DataFileError, readCsvFile, readHeader, type RowIssue } from './csv-bars';
import { isBlank } from './csv-fields';
import { HISTORY_CALENDAR_CSV } from './calendar-history';

/** The rows of the shared events.csv (the current schedule) in its order (grouped by source); see DEFAULT_EVENTS. */
const SCHEDULE_EVENTS: MacroEvent[] = [
  // Source: Federal Reserve meeting schedule.
  { date: '2024-01-31', kind: 'fomc', label: 'FOMC decision' },
  { date: '2024-03-20', kind: 'fomc', label: 'FOMC decision (SEP)' },
  { date: '2024-05-01', kind: 'fomc', label: 'FOMC decision' },
  { date: '2024-06-12', kind: 'fomc', label: 'FOMC decision (SEP)' },
  { date: '2024-07-31', kind: 'fomc', label: 'FOMC decision' },
  { date: '2024-09-18', kind: 'fomc', label: 'FOMC decision (SEP)' },
  { date: '2024-11-07', kind: 'fomc', label: 'FOMC decision' },
  { date: '2024-12-18', kind: 'fomc', label: 'FOMC decision (SEP)' },
  { date: '2025-01-29', kind: 'fomc', label: 'FOMC decision' },
  { date: '2025-03-19', kind: 'fomc', label: 'FOMC decision (SEP)' },
  { date: '2025-05-07', kind: 'fomc', label: 'FOMC decision' },
  { date: '2025-06-18', kind: 'fomc', label: 'FOMC decision (SEP)' },
  { date: '2025-07-30', kind: 'fomc', label: 'FOMC decision' },
  { date: '2025-09-17', kind: 'fomc', label: 'FOMC decision (SEP)' },
  { date: '2025-10-29', kind: 'fomc', label: 'FOMC decision' },
  { date: '2025-12-10', kind: 'fomc', label: 'FOMC decision (SEP)' },
  { date: '2026-01-28', kind: 'fomc', label: 'FOMC decision' },
  { date: '2026-03-18', kind: 'fomc', label: 'FOMC decision (SEP)' },
  { date: '2026-04-29', kind: 'fomc', label: 'FOMC decision' },
  { date: '2026-06-17', kind: 'fomc', label: 'FOMC decision (SEP)' },
  { date: '2026-07-29', kind: 'fomc', label: 'FOMC decision' },
  { date: '2026-09-16', kind: 'fomc', label: 'FOMC decision (SEP)' },
  { date: '2026-10-28', kind: 'fomc', label: 'FOMC decision' },
  { date: '2026-12-09', kind: 'fomc', label: 'FOMC decision (SEP)' },
  { date: '2027-01-27', kind: 'fomc', label: 'FOMC decision (tentative)' },
  { date: '2027-03-17', kind: 'fomc', label: 'FOMC decision (tentative)' },
  { date: '2027-04-28', kind: 'fomc', label: 'FOMC decision (tentative)' },
  { date: '2027-06-09', kind: 'fomc', label: 'FOMC decision (tentative)' },
  { date: '2027-07-28', kind: 'fomc', label: 'FOMC decision (tentative)' },
  { date: '2027-09-15', kind: 'fomc', label: 'FOMC decision (tentative)' },
  { date: '2027-10-27', kind: 'fomc', label: 'FOMC decision (tentative)' },
  { date: '2027-12-08', kind: 'fomc', label: 'FOMC decision (tentative)' },
  // Source: FTSE Russell.
  { date: '2024-06-28', kind: 'russell-recon', label: 'Russell reconstitution effective after close' },
  { date: '2025-06-27', kind: 'russell-recon', label: 'Russell reconstitution effective after close' },
  {
    date: '2026-06-26',
    kind: 'russell-recon',
    label: 'Russell reconstitution effective after close (fourth Friday of June)',
  },
  {
    date: '2026-11-13',
    kind: 'russell-recon',
    label: 'Russell semi-annual reconstitution (second Friday of November)',
  },
  // Source: FTSE Russell rule.
  { date: '2027-06-25', kind: 'russell-recon', label: 'Russell reconstitution (fourth Friday of June; rule-derived)' },
  {
    date: '2027-11-12',
    kind: 'russell-recon',
    label: 'Russell semi-annual reconstitution (second Friday of November; rule-derived)',
  },
];

/**
 * The history with the schedule laid over it: an event of the schedule on the same date
 * and kind as a history row gives that row its label; one the history lacks is added.
 * The result is in date order (history order within a date).
 */
export function mergeSchedule(history: readonly MacroEvent[], schedule: readonly MacroEvent[]): MacroEvent[] {
  const out = history.map((e) => ({ ...e }));
  const at = new Map(out.map((e, i) => [`${e.date}|${e.kind}`, i]));
  for (const e of schedule) {
    const i = at.get(`${e.date}|${e.kind}`);
    if (i === undefined) out.push({ ...e });
    else out[i].label = e.label;
  }
  // Array.prototype.sort is stable: rows of one date keep their order.
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

const KINDS: readonly string[] = EVENT_KINDS;
/** Kinds whose window is an explicit date..end range (the profile's custom events follow the same rule). */
const RANGE_KINDS: ReadonlySet<EventKind> = new Set<EventKind>(RANGE_EVENT_KINDS);

/**
 * Parses a user calendar: header `date,kind,label` with an optional `end` column (any
 * order, any case, extra columns ignored; fields may be quoted, so a label may hold a
 * comma). Each row needs a real date, a kind from EVENT_KINDS, a non-empty label, and
 * an `end` >= date exactly when the kind is a range (earnings-season). Returns the
 * events in file order; throws a DataFileError listing every bad row.
 */
export function parseEventsCsv(text: string, source: string): MacroEvent[] {
  const table = readCsvFile(text, source);
  const { index, width } = readHeader(source, table, ['date', 'kind', 'label'], ['end']);
  const events: MacroEvent[] = [];
  const issues: RowIssue[] = [];
  for (let r = 1; r < table.rows.length; r++) {
    const result = table.broken.get(r) ?? readEvent(table.rows[r], width, index);
    if (typeof result === 'string') issues.push({ line: table.lines[r], reason: result });
    else events.push(result);
  }
  if (issues.length > 0) {
    const rows = issues.length === 1 ? '1 bad row' : `${issues.length} bad rows`;
    // Calendars are short and every row matters, so the message lists all of them.
    throw new DataFileError(source, `invalid event calendar (${rows})`, issues, issues.length);
  }
  return events;
}

/** One calendar row as an event, or the reasons it is not one (joined with "; "). */
function readEvent(fields: string[], width: number, index: Record<string, number>): MacroEvent | string {
  if (fields.length !== width) {
    if (isBlank(fields)) return 'empty line';
    return `expected ${width} fields, found ${fields.length} (quote a label that contains commas: "Recon, Q2")`;
  }
  const field = (column: string): string => (index[column] >= 0 ? fields[index[column]].trim() : '');
  const date = field('date');
  const kind = field('kind');
  const label = field('label');
  const end = field('end');
  const problems: string[] = [];

  const day = parseIsoDay(date);
  if (day === null) problems.push(`bad date ${excerpt(date, 40)} (expected a real YYYY-MM-DD date)`);
  const knownKind = KINDS.includes(kind);
  if (!knownKind) problems.push(`unknown kind ${excerpt(kind, 40)} (expected one of ${EVENT_KINDS.join(', ')})`);
  if (label === '') problems.push('missing label');
  if (knownKind && RANGE_KINDS.has(kind as EventKind)) {
    const endDay = parseIsoDay(end);
    if (end === '') problems.push(`${kind} needs an end date`);
    else if (endDay === null) problems.push(`bad end ${excerpt(end, 40)} (expected a real YYYY-MM-DD date)`);
    else if (day !== null && endDay < day) problems.push(`end ${end} is before date ${date}`);
  } else if (knownKind && end !== '') {
    problems.push(`end is only allowed for ${[...RANGE_KINDS].join(', ')} (got ${excerpt(end, 40)} for ${kind})`);
  }

  if (problems.length > 0) return problems.join('; ');
  const event: MacroEvent = { date, kind: kind as EventKind, label };
  if (end !== '') event.end = end;
  return event;
}

/**
 * The shipped calendar: FOMC policy decisions (2000-2027, scheduled and unscheduled), US
 * CPI release days (2003-2026) and Russell US index reconstitutions (June 2000-2027
 * except 2004; November from 2026). Public schedule facts, copied from the project's
 * shared calendar data (data/calendar/history.csv and events.csv); 2027 FOMC dates are
 * marked tentative by the Fed and later reconstitutions are derived from FTSE Russell's
 * rules, as the labels say. Update when the schedules are published.
 *
 * Frozen, events included: it is shared by every request, so nobody may edit it in place.
 */
export const DEFAULT_EVENTS: readonly MacroEvent[] = Object.freeze(
  mergeSchedule(parseEventsCsv(HISTORY_CALENDAR_CSV, 'the shipped calendar history'), SCHEDULE_EVENTS).map((event) =>
    Object.freeze(event),
  ),
);
