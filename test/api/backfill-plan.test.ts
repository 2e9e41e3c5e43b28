/**
 * The grouped backfill's plan and progress (pure), against calendars counted by hand, and
 * the CLI's progress reporter.
 */
import { backfillReporter } from '../../api/src/cli/format';
import { formatDay, parseIsoDay } from '../../api/src/engine/dates';
import { backfillProgress, planSessions, sessionsBack } from '../../api/src/service/backfill-plan';
import { appendMembership } from '../../api/src/service/grouped-refresh';

const day = (iso: string) => parseIsoDay(iso) as number;
const iso = (days: number[]) => days.map(formatDay);

test('the plan re-reads the last two stored sessions, goes forward over the weekend and July 4th, then back', () => {
  // Stored 2024-06-24 .. 2024-07-01; latest closed session 2024-07-08 (July 4th closed).
  const plan = planSessions({ from: day('2024-06-24'), to: day('2024-07-01') }, day('2024-06-18'), day('2024-07-08'));
  expect(iso(plan.overlap)).toEqual(['2024-06-28', '2024-07-01']);
  expect(iso(plan.forward)).toEqual(['2024-07-02', '2024-07-03', '2024-07-05', '2024-07-08']);
  // Juneteenth (06-19) is closed: no request for it.
  expect(iso(plan.backward)).toEqual(['2024-06-21', '2024-06-20', '2024-06-18']);
});

test('a first backfill goes newest first from the latest session; sessionsBack counts sessions, not days', () => {
  // 07-08, 07-05, 07-03, 07-02, 07-01: July 4th and the weekend are not sessions.
  const from = sessionsBack(day('2024-07-08'), 5);
  expect(formatDay(from)).toBe('2024-07-01');
  const plan = planSessions(null, from, day('2024-07-08'));
  expect(plan.overlap).toEqual([]);
  expect(plan.forward).toEqual([]);
  expect(iso(plan.backward)).toEqual(['2024-07-08', '2024-07-05', '2024-07-03', '2024-07-02', '2024-07-01']);
});

test('progress counts stored and staged sessions; the ETA is the remaining requests at the plan rate', () => {
  const from = sessionsBack(day('2024-07-08'), 260);
  const p = backfillProgress(
    { from: sessionsBack(day('2024-07-08'), 140), to: day('2024-07-08') },
    from,
    day('2024-07-08'),
    5,
  );
  expect(p).toEqual({ sessionsDone: 140, sessionsTotal: 260, etaMinutes: 24, complete: false });
  expect(backfillProgress(null, from, day('2024-07-08'), 5, 10)).toMatchObject({ sessionsDone: 10, etaMinutes: 50 });
  expect(backfillProgress({ from, to: day('2024-07-08') }, from, day('2024-07-08'), 0)).toEqual({
    sessionsDone: 260,
    sessionsTotal: 260,
    etaMinutes: 0,
    complete: true,
  });
});

test('membership lists: appended when the date is newer and the members differ, else left as they were', () => {
  const one = appendMembership([], '2024-07-01', ['B', 'A', 'B']);
  expect(one).toEqual([{ asOf: '2024-07-01', symbols: ['A', 'B'] }]);
  expect(appendMembership(one, '2024-07-02', ['A', 'B'])).toEqual(one); // same members
  expect(appendMembership(one, '2024-06-28', ['A', 'C'])).toEqual(one); // an older file
  expect(appendMembership(one, '2024-07-02', ['A', 'C'])).toEqual([
    ...one,
    { asOf: '2024-07-02', symbols: ['A', 'C'] },
  ]);
});

test('the refresh progress: a bar redrawn in place on a terminal, a line per 10% otherwise', () => {
  const lines: string[] = [];
  const report = backfillReporter((t) => lines.push(t), false);
  for (let done = 0; done <= 260; done++)
    report({ sessionsDone: done, sessionsTotal: 260, etaMinutes: Math.ceil((260 - done) / 5) });
  expect(lines).toHaveLength(11);
  expect(lines[1]).toBe('universe backfill 10%: 26/260 sessions, about 47 min left');
  expect(lines[10]).toBe('universe backfill 100%: 260/260 sessions');
  const tty: string[] = [];
  const bar = backfillReporter((t) => tty.push(t), true);
  bar({ sessionsDone: 130, sessionsTotal: 260, etaMinutes: 26 });
  bar({ sessionsDone: 260, sessionsTotal: 260, etaMinutes: 0 });
  expect(tty[0]).toBe(`\r[${'#'.repeat(15)}${'.'.repeat(15)}] universe backfill 130/260 sessions, about 26 min left`);
  expect(tty[1].endsWith('260/260 sessions\n')).toBe(true);
});
