/**
 * A profile's own calendar events (`macro.customEvents`, docs/ENGINE.md "Macro overlay"):
 * computeHistory adds them to the input calendar, so a custom event opens its window and
 * tightens the thresholds (SIGNALS.md) only in the histories of the profile carrying it;
 * an event already in the calendar is not counted twice; a profile without custom events
 * computes exactly what it did before.
 */
import { computeHistory, type History } from '../../api/src/engine/engine';
import { fieldValue, type FieldValue } from '../../api/src/engine/fields';
import { eventKey, mergeEvents } from '../../api/src/engine/macro';
import { PRESETS, resolveProfile, type Profile } from '../../api/src/engine/profile';
import { readingAt } from '../../api/src/engine/reading';
import type { MacroEvent } from '../../api/src/engine/types';
import { buildInput, repeat, sessionIso, type BuildSpec } from './build';

const run = (spec: BuildSpec, profile: Profile = PRESETS.iwm): History => computeHistory(buildInput(spec), profile);
const f = (h: History, name: string, t: number): FieldValue => fieldValue(h, name, t);
const column = (h: History, name: string): FieldValue[] => Array.from({ length: h.length }, (_, t) => f(h, name, t));

const n = 45;
const flat = repeat(100, n); // range 2: ATR = 2 from t = 14, base momentum threshold 1.5 x 2 = 3
const calendar: MacroEvent[] = [{ date: sessionIso(10), kind: 'fomc', label: 'FOMC' }]; // window [7, 10]
const withCustom = (events: MacroEvent[], base: Record<string, unknown> = {}) =>
  resolveProfile({ ...base, macro: { ...((base.macro as object) ?? {}), customEvents: events } });

describe('mergeEvents', () => {
  const a: MacroEvent = { date: '2026-03-18', kind: 'fomc', label: 'FOMC' };
  const b: MacroEvent = { date: '2026-04-10', kind: 'cpi', label: 'CPI' };
  const season: MacroEvent = { date: '2026-04-14', kind: 'earnings-season', label: 'Q1', end: '2026-05-08' };

  test('no custom events: the calendar itself, the same array', () => {
    expect(mergeEvents(calendar, [])).toBe(calendar);
  });

  test('calendar first, then the custom events not already there, each once', () => {
    expect(mergeEvents([a], [b, { ...a }, season, { ...b }])).toEqual([a, b, season]);
    // Identical means every field: another label, kind or end is another event.
    const other = [
      { ...a, label: 'FOMC (mine)' },
      { ...a, kind: 'custom' as const },
      { ...season, end: '2026-05-01' },
    ];
    expect(mergeEvents([a, season], other)).toEqual([a, season, ...other]);
    expect(eventKey(season)).toBe('2026-04-14|earnings-season|Q1|2026-05-08');
    expect(eventKey(a)).toBe('2026-03-18|fomc|FOMC|');
  });
});

describe('custom events in the history', () => {
  // A custom event on session 30 (window custom 0/0: [30, 30]), a CPI on 20 ([19, 20]) and an
  // earnings season 35..37.
  const mine: MacroEvent[] = [
    { date: sessionIso(30), kind: 'custom', label: 'Investor day' },
    { date: sessionIso(20), kind: 'cpi', label: 'CPI (mine)' },
    { date: sessionIso(35), kind: 'earnings-season', label: 'Q4 season', end: sessionIso(37) },
  ];
  const P = withCustom(mine);
  const plain = run({ close: flat, events: calendar });
  const custom = run({ close: flat, events: calendar }, P);

  test('only the profile carrying them sees their windows', () => {
    const phases = (h: History) => [19, 20, 21, 22, 23, 29, 30, 31, 35, 37, 38].map((t) => f(h, 'macro.phase', t));
    expect(phases(custom)).toEqual([
      'window',
      'window',
      'after',
      'after',
      'none',
      'none',
      'window',
      'after',
      'window',
      'window',
      'after',
    ]);
    expect(phases(plain).every((p) => p === 'none')).toBe(true);
    expect(f(custom, 'macro.active', 30)).toEqual(['Investor day']);
    expect(f(custom, 'macro.active', 36)).toEqual(['Q4 season']);
    expect(f(plain, 'macro.active', 30)).toEqual([]);
    // The calendar's own event is there in both.
    expect(f(custom, 'macro.active', 8)).toEqual(['FOMC']);
    expect(f(plain, 'macro.active', 8)).toEqual(['FOMC']);
    expect(custom.events).toEqual([...calendar, ...mine]);
    expect(custom.calendarEvents).toBe(1);
    expect(plain.events).toEqual(calendar);
  });

  test('thresholds tightened in their windows (x1.25, ratio + 0.25), relaxed x0.9 after, per SIGNALS.md', () => {
    expect(f(custom, 'momentum.threshold', 30)).toBe(1.5 * 1.25 * 2);
    expect(f(custom, 'composite.threshold', 30)).toBe(0.75 * 3); // breadth unavailable: 3 layers
    expect(f(custom, 'momentum.threshold', 31)).toBeCloseTo(1.5 * 0.9 * 2, 12);
    expect(f(custom, 'composite.threshold', 31)).toBe(1.5);
    expect(f(plain, 'momentum.threshold', 30)).toBe(3);
    expect(f(plain, 'composite.threshold', 30)).toBe(1.5);
    // The reading lists the custom event among the windows in force and the thresholds used.
    const r = readingAt(custom, 30) as {
      macro: { windows: MacroEvent[]; phase: string };
      thresholds: Record<string, { base: number; used: number }>;
    };
    expect(r.macro.windows).toEqual([mine[0]]);
    expect(r.thresholds.momentumAtrMultiplier).toEqual({ base: 1.5, used: 1.875 });
    expect(r.thresholds.compositeRatio).toEqual({ base: 0.5, used: 0.75 });
  });

  test('with the overlay off the windows are reported but nothing is tightened', () => {
    const off = run({ close: flat, events: calendar }, withCustom(mine, { macro: { enabled: false } }));
    expect(f(off, 'macro.active', 30)).toEqual(['Investor day']);
    expect(f(off, 'momentum.threshold', 30)).toBe(3);
  });

  test("a custom event identical to a calendar event is not counted twice; its window is the calendar's", () => {
    const dup = run({ close: flat, events: calendar }, withCustom([{ ...calendar[0] }]));
    expect(dup.events).toEqual(calendar);
    expect(f(dup, 'macro.active', 8)).toEqual(['FOMC']);
    expect(column(dup, 'momentum.threshold')).toEqual(column(plain, 'momentum.threshold'));
  });

  test('the kinds use their windows from the profile', () => {
    const wide = run(
      { close: flat, events: [] },
      withCustom([{ date: sessionIso(30), kind: 'custom', label: 'x' }], {
        macro: { windows: { custom: { before: 2, after: 1 } } },
      }),
    );
    expect([27, 28, 29, 30, 31, 32].map((t) => f(wide, 'macro.phase', t))).toEqual([
      'none',
      'window',
      'window',
      'window',
      'window',
      'after',
    ]);
  });
});

describe('the presets are unchanged', () => {
  test('their custom events are empty and the history uses the calendar as given', () => {
    for (const p of [PRESETS.iwm, PRESETS.standard]) {
      expect(p.macro.customEvents).toEqual([]);
      const input = buildInput({ close: flat, events: calendar });
      const h = computeHistory(input, p);
      expect(h.events).toBe(input.events);
      expect(h.calendarEvents).toBe(1);
    }
  });

  test('an empty custom list is the preset: same thresholds, same phases', () => {
    const a = run({ close: flat, events: calendar });
    const b = run({ close: flat, events: calendar }, withCustom([]));
    for (const name of ['macro.phase', 'momentum.threshold', 'composite.threshold', 'composite.rating'])
      expect(column(b, name)).toEqual(column(a, name));
  });
});
