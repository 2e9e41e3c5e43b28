/** When is data stale? New York close times across daylight saving, weekends, failed refreshes. */
import { expectedLastSession, freshness, weekdaysBetween } from '../../api/src/service/freshness';
import { formatDay, isoDay } from '../../api/src/engine/dates';

const expected = (iso: string, lag = 120) => formatDay(expectedLastSession(new Date(iso), lag));

test.each([
  // Winter (EST, UTC-5): the close is 21:00Z; with a 2-hour lag the bar is expected from 23:00Z.
  ['2024-11-29T22:59:00Z', '2024-11-28'],
  ['2024-11-29T23:00:00Z', '2024-11-29'],
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

test('weekdays between two days skip weekends', () => {
  expect(weekdaysBetween(isoDay('2024-11-29'), isoDay('2024-12-02'))).toBe(1);
  expect(weekdaysBetween(isoDay('2024-11-25'), isoDay('2024-11-29'))).toBe(4);
  expect(weekdaysBetween(isoDay('2024-11-29'), isoDay('2024-11-29'))).toBe(0);
});

describe('freshness', () => {
  const now = new Date('2024-12-04T23:30:00Z'); // Wednesday evening: 2024-12-04 expected
  const opts = { sample: false, staleAfterSessions: 1, closeLagMinutes: 120, lastError: null };

  test('one session behind is tolerated (a holiday looks like one), two is stale', () => {
    expect(freshness(now, isoDay('2024-12-03'), opts).stale).toBe(false);
    const f = freshness(now, isoDay('2024-12-02'), opts);
    expect(f.stale).toBe(true);
    expect(f.staleReason).toBe('last bar 2024-12-02 is 2 sessions behind the expected 2024-12-04');
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
