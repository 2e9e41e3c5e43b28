import { DEFAULT_EVENTS, mergeSchedule, parseEventsCsv } from '../../api/src/data/calendar';
import { calendarCoverage } from '../../api/src/engine/macro';
import { parseIsoDay, weekday } from '../../api/src/engine/dates';
import { EVENT_KINDS, type MacroEvent } from '../../api/src/engine/types';
import { dataError } from '../support/data-error';

describe('DEFAULT_EVENTS', () => {
  const count = (kind: string) => DEFAULT_EVENTS.filter((e) => e.kind === kind).length;

  it('ships the FOMC, CPI and Russell reconstitution history 2000-2027 with the current schedule', () => {
    // history.csv: 235 fomc (223 scheduled + 12 unscheduled), 286 cpi, 27 russell-recon;
    // the schedule adds the November 2026 and 2027 reconstitutions.
    expect([count('fomc'), count('cpi'), count('russell-recon')]).toEqual([235, 286, 29]);
    expect(DEFAULT_EVENTS.length).toBe(235 + 286 + 29);
    expect(DEFAULT_EVENTS.filter((e) => /unscheduled/.test(e.label))).toHaveLength(12);
    expect(DEFAULT_EVENTS[0]).toEqual({ date: '2000-02-02', kind: 'fomc', label: 'FOMC decision' });
    expect(DEFAULT_EVENTS).toContainEqual({ date: '2008-10-08', kind: 'fomc', label: 'FOMC unscheduled decision' });
    expect(DEFAULT_EVENTS).toContainEqual({ date: '2003-02-21', kind: 'cpi', label: expect.any(String) });
    // The schedule's labels win on the dates both have (SEP meetings, tentative 2027 dates).
    expect(DEFAULT_EVENTS).toContainEqual({ date: '2024-11-07', kind: 'fomc', label: 'FOMC decision' });
    expect(DEFAULT_EVENTS).toContainEqual({ date: '2024-12-18', kind: 'fomc', label: 'FOMC decision (SEP)' });
    expect(DEFAULT_EVENTS).toContainEqual({ date: '2027-12-08', kind: 'fomc', label: 'FOMC decision (tentative)' });
    expect(DEFAULT_EVENTS).toContainEqual({
      date: '2026-11-13',
      kind: 'russell-recon',
      label: 'Russell semi-annual reconstitution (second Friday of November)',
    });
  });

  it('is in date order, valid, with one event per date and kind', () => {
    for (const event of DEFAULT_EVENTS) {
      expect(parseIsoDay(event.date)).not.toBeNull();
      expect(EVENT_KINDS).toContain(event.kind);
      expect(event.label.trim()).not.toBe('');
      expect(event.end).toBeUndefined();
    }
    const dates = DEFAULT_EVENTS.map((e) => e.date);
    expect(dates).toEqual([...dates].sort());
    expect(new Set(DEFAULT_EVENTS.map((e) => `${e.date}|${e.kind}`)).size).toBe(DEFAULT_EVENTS.length);
  });

  it('puts scheduled events on the weekdays their rules give', () => {
    const FRIDAY = 5;
    for (const { date, kind, label } of DEFAULT_EVENTS) {
      const wd = weekday(parseIsoDay(date) as number);
      if (kind === 'russell-recon') {
        // A Friday, except 2003-06-30 (a Monday: the old "last Friday unless the 29th or 30th" rule).
        if (date !== '2003-06-30') expect([date, wd]).toEqual([date, FRIDAY]);
      } else if (kind === 'fomc' && !/unscheduled/.test(label)) {
        // The last day of a scheduled meeting: Tuesday to Thursday.
        expect([date, wd >= 2 && wd <= 4]).toEqual([date, true]);
      } else if (kind === 'cpi') {
        expect([date, wd >= 1 && wd <= 5]).toEqual([date, true]);
      }
    }
  });

  it('states its coverage per kind: CPI from 2003, no reconstitution in 2004', () => {
    expect(calendarCoverage(DEFAULT_EVENTS)).toEqual([
      {
        kind: 'fomc',
        events: 235,
        first: '2000-02-02',
        last: '2027-12-08',
        fromYear: 2000,
        toYear: 2027,
        missingYears: [],
      },
      {
        kind: 'russell-recon',
        events: 29,
        first: '2000-06-30',
        last: '2027-11-12',
        fromYear: 2000,
        toYear: 2027,
        missingYears: [2004],
      },
      {
        kind: 'cpi',
        events: 286,
        first: '2003-02-21',
        last: '2026-12-10',
        fromYear: 2003,
        toYear: 2026,
        missingYears: [],
      },
    ]);
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

describe('mergeSchedule', () => {
  it('relabels rows the schedule also has, adds the rest, keeps date order', () => {
    const history: MacroEvent[] = [
      { date: '2024-01-31', kind: 'fomc', label: 'FOMC decision' },
      { date: '2024-02-13', kind: 'cpi', label: 'CPI' },
      { date: '2024-03-20', kind: 'fomc', label: 'FOMC decision' },
    ];
    const schedule: MacroEvent[] = [
      { date: '2024-03-20', kind: 'fomc', label: 'FOMC decision (SEP)' },
      { date: '2024-02-13', kind: 'russell-recon', label: 'same day, other kind' },
      { date: '2024-01-05', kind: 'custom', label: 'earlier' },
    ];
    expect(mergeSchedule(history, schedule)).toEqual([
      { date: '2024-01-05', kind: 'custom', label: 'earlier' },
      { date: '2024-01-31', kind: 'fomc', label: 'FOMC decision' },
      { date: '2024-02-13', kind: 'cpi', label: 'CPI' },
      { date: '2024-02-13', kind: 'russell-recon', label: 'same day, other kind' },
      { date: '2024-03-20', kind: 'fomc', label: 'FOMC decision (SEP)' },
    ]);
    expect(history[2].label).toBe('FOMC decision'); // the inputs are not changed
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
