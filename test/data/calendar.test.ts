import { DEFAULT_EVENTS, parseEventsCsv } from '../../api/src/data/calendar';
import { parseIsoDay, weekday } from '../../api/src/engine/dates';
import { EVENT_KINDS, type MacroEvent } from '../../api/src/engine/types';
import { dataError } from '../support/data-error';

describe('DEFAULT_EVENTS', () => {
  it('ships the FOMC decisions and Russell reconstitutions of 2024-2027', () => {
    const count = (kind: string) => DEFAULT_EVENTS.filter((e) => e.kind === kind).length;
    expect(DEFAULT_EVENTS.length).toBe(38);
    expect(count('fomc')).toBe(32); // eight scheduled meetings a year
    expect(count('russell-recon')).toBe(6);
    expect(DEFAULT_EVENTS).toContainEqual({ date: '2024-11-07', kind: 'fomc', label: 'FOMC decision' });
    expect(DEFAULT_EVENTS).toContainEqual({
      date: '2026-11-13',
      kind: 'russell-recon',
      label: 'Russell semi-annual reconstitution (second Friday of November)',
    });
  });

  it('holds only valid, distinct events', () => {
    for (const event of DEFAULT_EVENTS) {
      expect(parseIsoDay(event.date)).not.toBeNull();
      expect(EVENT_KINDS).toContain(event.kind);
      expect(event.label.trim()).not.toBe('');
      expect(event.end).toBeUndefined();
    }
    expect(new Set(DEFAULT_EVENTS.map((e) => e.date)).size).toBe(DEFAULT_EVENTS.length);
  });

  it('puts each event on the weekday its rule gives', () => {
    const FRIDAY = 5;
    for (const { date, kind } of DEFAULT_EVENTS) {
      const day = parseIsoDay(date) as number;
      const [month, dayOfMonth] = [Number(date.slice(5, 7)), Number(date.slice(8, 10))];
      if (kind === 'russell-recon') {
        // Fourth Friday of June (22nd-28th) or second Friday of November (8th-14th).
        expect([date, weekday(day)]).toEqual([date, FRIDAY]);
        const [low, high] = month === 6 ? [22, 28] : month === 11 ? [8, 14] : [0, -1];
        expect([date, dayOfMonth >= low && dayOfMonth <= high]).toEqual([date, true]);
      } else {
        // The second day of a two-day meeting: a Wednesday, except after the 2024 election (Thursday).
        expect([date, weekday(day)]).toEqual([date, date === '2024-11-07' ? 4 : 3]);
      }
    }
  });

  it('round-trips through the user calendar format', () => {
    const csv = ['date,kind,label', ...DEFAULT_EVENTS.map((e) => `${e.date},${e.kind},${e.label}`)].join('\n');
    expect(parseEventsCsv(csv, 'defaults.csv')).toEqual(DEFAULT_EVENTS);
  });

  it('cannot be edited in place', () => {
    expect(Object.isFrozen(DEFAULT_EVENTS)).toBe(true);
    expect(DEFAULT_EVENTS.every((e) => Object.isFrozen(e))).toBe(true);
  });
});

describe('parseEventsCsv', () => {
  it('reads events in file order, with end only where given', () => {
    const text = [
      '\uFEFFLabel,KIND,Date,end,notes',
      'FOMC decision,fomc,2025-01-29,,from the Fed',
      'Q1 earnings,earnings-season,2025-04-14,2025-05-09,',
      'Team offsite,custom,2025-02-03,,',
      '',
    ].join('\r\n');
    expect(parseEventsCsv(text, 'my.csv')).toStrictEqual<MacroEvent[]>([
      { date: '2025-01-29', kind: 'fomc', label: 'FOMC decision' },
      { date: '2025-04-14', kind: 'earnings-season', label: 'Q1 earnings', end: '2025-05-09' },
      { date: '2025-02-03', kind: 'custom', label: 'Team offsite' },
    ]);
  });

  it('reads quoted fields: a label with a comma or quotes, a quoted date', () => {
    const text = 'date,kind,label\r\n"2025-06-27",russell-recon,"Recon, Q2 (""annual"")"\r\n';
    expect(parseEventsCsv(text, 'q.csv')).toStrictEqual<MacroEvent[]>([
      { date: '2025-06-27', kind: 'russell-recon', label: 'Recon, Q2 ("annual")' },
    ]);
  });

  it('works without an end column', () => {
    expect(parseEventsCsv('date,kind,label\n2025-02-12,cpi,CPI January', 'c.csv')).toStrictEqual([
      { date: '2025-02-12', kind: 'cpi', label: 'CPI January' },
    ]);
  });

  it('accepts an earnings season of a single day (end = date)', () => {
    const [event] = parseEventsCsv('date,kind,label,end\n2025-04-14,earnings-season,E,2025-04-14', 'e.csv');
    expect(event.end).toBe('2025-04-14');
  });

  it('returns no events for a header-only calendar', () => {
    expect(parseEventsCsv('date,kind,label,end\n', 'empty.csv')).toEqual([]);
  });

  it('throws on a missing required column, naming it', () => {
    const error = dataError(() => parseEventsCsv('date,kind,name\n2025-01-29,fomc,FOMC', 'cal.csv'));
    expect(error.file).toBe('cal.csv');
    expect(error.message).toBe('cal.csv:1: missing required column: label (header: "date,kind,name")');
  });

  describe('bad rows', () => {
    const text = [
      'date,kind,label,end', // 1
      '2025-01-29,fomc,FOMC decision,', // 2 ok
      '2025-02-30,fomc,FOMC decision,', // 3 not a real date
      '2025-03-19,ecb,ECB decision,', // 4 unknown kind
      '2025-03-20,FOMC,FOMC decision,', // 5 kinds are lower-case
      '2025-03-21,cpi, ,', // 6 blank label
      '2025-04-14,earnings-season,Q1 earnings,', // 7 season without end
      '2025-04-14,earnings-season,Q1 earnings,2025-04-11', // 8 end before date
      '2025-04-14,earnings-season,Q1 earnings,May 9', // 9 bad end
      '2025-05-07,fomc,FOMC decision,2025-05-08', // 10 end on a one-day event
      '2025-06-27,russell-recon,Recon, Q2,', // 11 comma in label
      '', // 12 empty line inside the file
      'soon,whatever,,', // 13 several problems at once
      '2025-07-30,fomc,FOMC decision,', // 14 ok
    ].join('\n');

    const error = dataError(() => parseEventsCsv(text, 'cal.csv'));

    it('reports every bad row with its line and reason', () => {
      expect(error.issues).toEqual([
        { line: 3, reason: 'bad date "2025-02-30" (expected a real YYYY-MM-DD date)' },
        {
          line: 4,
          reason: expect.stringMatching(
            /^unknown kind "ecb" \(expected one of fomc, russell-recon, cpi, earnings-season, custom\)$/,
          ),
        },
        { line: 5, reason: expect.stringMatching(/^unknown kind "FOMC"/) },
        { line: 6, reason: 'missing label' },
        { line: 7, reason: 'earnings-season needs an end date' },
        { line: 8, reason: 'end 2025-04-11 is before date 2025-04-14' },
        { line: 9, reason: 'bad end "May 9" (expected a real YYYY-MM-DD date)' },
        { line: 10, reason: 'end is only allowed for earnings-season (got "2025-05-08" for fomc)' },
        { line: 11, reason: 'expected 4 fields, found 5 (quote a label that contains commas: "Recon, Q2")' },
        { line: 12, reason: 'empty line' },
        { line: 13, reason: expect.stringMatching(/^bad date "soon".*; unknown kind "whatever".*; missing label$/) },
      ]);
    });

    it('lists all of them in the message, not only the first ten', () => {
      const lines = error.message.split('\n');
      expect(lines[0]).toBe('cal.csv: invalid event calendar (11 bad rows)');
      expect(lines.length).toBe(12);
      expect(lines[11]).toMatch(/^cal\.csv:13: bad date "soon"/);
      expect(error.message).not.toContain('more');
    });
  });
});
