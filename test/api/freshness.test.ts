/** When is data stale? NYSE close times across daylight saving, holidays, early closes, failed refreshes. */
import { expectedLastSession, freshness, sessionsBetween } from '../../api/src/service/freshness';
import { formatDay, isoDay } from '../../api/src/engine/dates';

const expected = (iso: string, lag = 120) => formatDay(expectedLastSession(new Date(iso), lag));

test.each([
  // Winter (EST, UTC-5): the close is 21:00Z; with a 2-hour lag the bar is expected from 23:00Z.
  ['2024-12-04T22:59:00Z', '2024-12-03'],
  ['2024-12-04T23:00:00Z', '2024-12-04'],
  // Friday 2024-11-29 closes at 13:00 (day after Thanksgiving): expected from 15:00 EST = 20:00Z;
  // before that the last session is Wednesday, Thanksgiving being a holiday.
  ['2024-11-29T19:59:00Z', '2024-11-27'],
  ['2024-11-29T20:00:00Z', '2024-11-29'],
  // Christmas Eve 2024 (Tuesday) closes at 13:00; Christmas Day is closed.
  ['2024-12-25T15:00:00Z', '2024-12-24'],
  // Good Friday 2025 and the weekend point at Thursday 2025-04-17.
  ['2025-04-21T12:00:00Z', '2025-04-17'],
  // The Carter day of mourning (Thursday 2025-01-09) is not a session.
  ['2025-01-10T15:00:00Z', '2025-01-08'],
  // Independence Day 2026 is observed on Friday 3 July; Thursday 2 July is a full day.
  ['2026-07-02T21:59:00Z', '2026-07-01'],
  ['2026-07-02T22:00:00Z', '2026-07-02'],
  ['2026-07-06T12:00:00Z', '2026-07-02'],
  // Summer (EDT, UTC-4): the same wall-clock time is an hour earlier in UTC.
  ['2024-07-01T21:59:00Z', '2024-06-28'],
  ['2024-07-01T22:00:00Z', '2024-07-01'],
  // Weekends and Monday mornings point at Friday.
  ['2024-11-30T15:00:00Z', '2024-11-29'],
  ['2024-12-02T14:00:00Z', '2024-11-29'],
  // Just after midnight UTC is still the previous evening in New York.
  ['2024-12-03T03:00:00Z', '2024-12-02'],
])('at %s the last session expected is %s', (now, session) => {
  expect(expected(now)).toBe(session);
});

test('a lag past midnight moves the expected session into the next days', () => {
  // Close 16:00 EST + 10 hours = 02:00 the next day (07:00Z).
  expect(expected('2024-12-05T06:59:00Z', 600)).toBe('2024-12-03');
  expect(expected('2024-12-05T07:00:00Z', 600)).toBe('2024-12-04');
  // Friday's bar with a 24-hour lag is expected on Saturday at 16:00.
  expect(expected('2024-12-07T20:59:00Z', 1440)).toBe('2024-12-05');
  expect(expected('2024-12-07T21:00:00Z', 1440)).toBe('2024-12-06');
});

test('sessions between two days skip weekends and NYSE holidays', () => {
  expect(sessionsBetween(isoDay('2024-11-29'), isoDay('2024-12-02'))).toBe(1);
  expect(sessionsBetween(isoDay('2024-11-25'), isoDay('2024-11-29'))).toBe(3); // Thanksgiving
  expect(sessionsBetween(isoDay('2024-11-29'), isoDay('2024-11-29'))).toBe(0);
  expect(sessionsBetween(isoDay('2024-12-31'), isoDay('2025-01-10'))).toBe(6); // New Year, Carter
});

describe('freshness', () => {
  const now = new Date('2024-12-04T23:30:00Z'); // Wednesday evening: 2024-12-04 expected
  const opts = { sample: false, staleAfterSessions: 1, closeLagMinutes: 120, lastError: null };

  test('one session behind is tolerated (the nightly refresh comes after the close), two is stale', () => {
    expect(freshness(now, isoDay('2024-12-03'), opts).stale).toBe(false);
    const f = freshness(now, isoDay('2024-12-02'), opts);
    expect(f.stale).toBe(true);
    expect(f.staleReason).toBe('last bar 2024-12-02 is 2 sessions behind the expected 2024-12-04');
  });

  test('a holiday is not a missing session: Wednesday’s bar is current on Thanksgiving evening', () => {
    const thanksgiving = new Date('2024-11-28T23:30:00Z');
    const f = freshness(thanksgiving, isoDay('2024-11-27'), { ...opts, staleAfterSessions: 0 });
    expect(f).toEqual({ expectedLastSession: '2024-11-27', stale: false, staleReason: null });
    // Two sessions behind across Good Friday 2025: Wednesday's bar on Monday evening.
    const monday = new Date('2025-04-21T23:30:00Z');
    expect(freshness(monday, isoDay('2025-04-16'), opts).staleReason).toBe(
      'last bar 2025-04-16 is 2 sessions behind the expected 2025-04-21',
    );
  });

  test('a failed refresh makes current data stale and says why', () => {
    const f = freshness(now, isoDay('2024-12-04'), { ...opts, lastError: 'stooq: timeout' });
    expect(f.stale).toBe(true);
    expect(f.staleReason).toMatch(/latest refresh failed \(stooq: timeout\)/);
  });

  test('a long refresh error is quoted on one line and cut at 300 characters', () => {
    const lastError = `SPY.csv: 2 bad rows\nSPY.csv:3: ${'x'.repeat(400)}\nSPY.csv:4: y`;
    const f = freshness(now, isoDay('2024-12-04'), { ...opts, lastError });
    const quoted = `SPY.csv: 2 bad rows SPY.csv:3: ${'x'.repeat(300 - 'SPY.csv: 2 bad rows SPY.csv:3: '.length)}…`;
    expect(f.staleReason).toBe(`the latest refresh failed (${quoted}); serving the last good data`);
  });

  test('sample data is never stale (it is labelled sample instead)', () => {
    expect(freshness(now, isoDay('2001-06-01'), { ...opts, sample: true }).stale).toBe(false);
  });
});
