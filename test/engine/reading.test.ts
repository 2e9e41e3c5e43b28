/**
 * readingAt (docs/SIGNALS.md, "Composite" and "Field names"): one session's slice of
 * the history, with every field of the field table at its dotted path, null (never 0)
 * where the look-back is not available, a rationale sentence per layer plus the
 * overlay, flip distances with units, and the thresholds (base and used).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeHistory, type History } from '../../api/src/engine/engine';
import { fieldValue } from '../../api/src/engine/fields';
import { PRESETS, resolveProfile } from '../../api/src/engine/profile';
import { readingAt, type Reading } from '../../api/src/engine/reading';
import { SessionError, refDay, relativeSession, sessionIndex, sessionRange } from '../../api/src/engine/sessions';
import type { MacroEvent } from '../../api/src/engine/types';
import { breadthSeries, buildInput, repeat, sessionDay, sessionIso, steps } from './build';

/** The field table of SIGNALS.md, "Field names". */
const SIGNALS_FIELDS = [
  'date',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'benchmarkClose',
  'atr',
  'trend.fast',
  'trend.slow',
  'trend.gap',
  'trend.gapAtr',
  'trend.state',
  'trend.converging',
  'trend.convergenceSetup',
  'momentum.rocShort',
  'momentum.rocLong',
  'momentum.move',
  'momentum.threshold',
  'momentum.state',
  'momentum.confirmed',
  'breadth.pct50',
  'breadth.pct200',
  'breadth.d5',
  'breadth.state',
  'breadth.divergenceWarning',
  'breadth.washoutRecovery',
  'breadth.flipAt',
  'rs.spread',
  'rs.benchmarkRoc',
  'rs.state',
  'rs.confirmation',
  'rs.deteriorationWarning',
  'composite.score',
  'composite.threshold',
  'composite.rating',
  'rotation.ratio',
  'rotation.ratioSma',
  'rotation.bandPct',
  'rotation.state',
  'sizing.fraction',
  'credit.ratio',
  'credit.ratioSma',
  'credit.drop',
  'credit.state',
  'macro.active',
] as const;

const NUMBER_FIELDS = new Set([
  'open',
  'high',
  'low',
  'close',
  'volume',
  'benchmarkClose',
  'atr',
  'trend.fast',
  'trend.slow',
  'trend.gap',
  'trend.gapAtr',
  'momentum.rocShort',
  'momentum.rocLong',
  'momentum.move',
  'momentum.threshold',
  'breadth.pct50',
  'breadth.pct200',
  'breadth.d5',
  'breadth.flipAt',
  'rs.spread',
  'rs.benchmarkRoc',
  'composite.score',
  'composite.threshold',
  'rotation.ratio',
  'rotation.ratioSma',
  'rotation.bandPct',
  'sizing.fraction',
]);
const BOOLEAN_FIELDS = new Set([
  'trend.converging',
  'momentum.confirmed',
  'breadth.divergenceWarning',
  'breadth.washoutRecovery',
  'rs.confirmation',
  'rs.deteriorationWarning',
]);
const STATES: Record<string, string[]> = {
  'trend.state': ['bullish', 'neutral', 'bearish'],
  'trend.convergenceSetup': ['bullish', 'bearish', 'none'],
  'momentum.state': ['bullish', 'neutral', 'bearish'],
  'breadth.state': ['bullish', 'neutral', 'bearish', 'unavailable'],
  'rs.state': ['bullish', 'neutral', 'bearish'],
  'composite.rating': ['bullish', 'neutral', 'bearish'],
  'rotation.state': ['leadership', 'parity', 'flight'],
  'credit.state': ['stress', 'calm', 'unavailable'],
};

/** reading.a.b.c for 'a.b.c' (undefined when a step is missing). */
function at(reading: Reading, dotted: string): unknown {
  let node: unknown = reading;
  for (const part of dotted.split('.')) {
    if (typeof node !== 'object' || node === null || !(part in node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * The scenario: 130 sessions rising 0.5 a day (range 2: ATR = 2), benchmark flat at
 * 100, pct50 40 + 0.1 t (bullish, but below 55 while P rallies: divergence warning),
 * a cpi window at sessions 99..100 (after: 101, 102) and an fomc on the last session
 * (window 126..129).
 */
const n = 130;
const close = steps(99.5, 0.5, n); // 100, 100.5, ...
const pct50 = Array.from({ length: n }, (_, t) => 40 + 0.1 * t);
const events: MacroEvent[] = [
  { date: sessionIso(100), kind: 'cpi', label: 'CPI March' },
  { date: sessionIso(n - 1), kind: 'fomc', label: 'FOMC' },
];
const h: History = computeHistory(
  buildInput({
    close,
    breadth: breadthSeries(
      pct50,
      pct50.map((p) => p - 5),
    ),
    events,
  }),
  PRESETS.iwm,
);
const T = n - 1;
const r = readingAt(h, T);

describe('field names', () => {
  test('every field of the SIGNALS.md table is at its nested path, equal to fieldValue', () => {
    const missing = SIGNALS_FIELDS.filter((name) => at(r, name) === undefined);
    expect(missing).toEqual([]);
    for (const name of SIGNALS_FIELDS) expect([name, at(r, name)]).toEqual([name, fieldValue(h, name, T)]);
  });

  test('types: numbers, lower-case states, booleans, ISO date, list of labels', () => {
    for (const name of SIGNALS_FIELDS) {
      const v = at(r, name);
      if (NUMBER_FIELDS.has(name)) expect([name, typeof v, Number.isFinite(v)]).toEqual([name, 'number', true]);
      else if (BOOLEAN_FIELDS.has(name)) expect([name, typeof v]).toEqual([name, 'boolean']);
      else if (STATES[name]) expect([name, STATES[name].includes(v as string)]).toEqual([name, true]);
    }
    expect(r.date).toBe(sessionIso(T));
    expect(r.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(at(r, 'macro.active')).toEqual(['FOMC']);
  });

  test('top-level nesting: one object per layer', () => {
    for (const group of ['trend', 'momentum', 'breadth', 'rs', 'composite', 'rotation', 'sizing', 'macro']) {
      expect([group, typeof r[group], r[group] === null]).toEqual([group, 'object', false]);
    }
  });

  test('values of the scenario, worked out by hand', () => {
    expect([r.close, r.open, r.high, r.low, r.volume, r.benchmarkClose, r.atr]).toEqual([
      164.5, 164.5, 165.5, 163.5, 1000, 100, 2,
    ]);
    // Linear closes: EMA(n) lags by (n-1)/2 x 0.5, so gap = (31 - 10) x 0.5 = 10.5.
    expect(at(r, 'trend.gap')).toBeCloseTo(10.5, 9);
    expect(at(r, 'trend.gapAtr')).toBeCloseTo(5.25, 9);
    expect(at(r, 'trend.state')).toBe('bullish');
    // Move 5 over 10 sessions, threshold 1.5 x 1.25 x 2 = 3.75 (fomc window).
    expect(at(r, 'momentum.move')).toBe(5);
    expect(at(r, 'momentum.threshold')).toBe(3.75);
    expect(at(r, 'momentum.state')).toBe('bullish');
    // Lower third of the 5-session window [160.5, 165.5]: 1000 x (2/3 + 5/12 + 1/6) = 1250
    // < 5 x 1000 / 3: weak.
    expect(at(r, 'momentum.confirmed')).toBe(false);
    expect(at(r, 'breadth.pct50')).toBeCloseTo(52.9, 9);
    expect(at(r, 'breadth.pct200')).toBeCloseTo(47.9, 9);
    expect(at(r, 'breadth.d5')).toBeCloseTo(0.5, 9);
    expect(at(r, 'breadth.state')).toBe('bullish');
    expect(at(r, 'breadth.divergenceWarning')).toBe(true);
    expect(at(r, 'breadth.flipAt')).toBeCloseTo(52.4, 9);
    // ROC(10) = 5 / 159.5 x 100 against a flat benchmark.
    expect(at(r, 'rs.spread')).toBeCloseTo((5 / 159.5) * 100, 9);
    expect(at(r, 'rs.benchmarkRoc')).toBe(0);
    expect([at(r, 'rs.state'), at(r, 'rs.confirmation'), at(r, 'rs.deteriorationWarning')]).toEqual([
      'bullish',
      false,
      false,
    ]);
    // 1 + 0.5 + 1 + 1 = 3.5 >= 0.75 x 4 = 3.
    expect([at(r, 'composite.score'), at(r, 'composite.threshold'), at(r, 'composite.rating')]).toEqual([
      3.5,
      3,
      'bullish',
    ]);
    expect(at(r, 'rotation.ratio')).toBe(1.645);
    expect(at(r, 'rotation.state')).toBe('leadership');
    // Breadth diverges: 0.5 even in leadership.
    expect(at(r, 'sizing.fraction')).toBe(0.5);
  });

  // The project's copy of the contract, so a change to its field table shows up here.
  const doc = join(__dirname, '..', '..', 'docs', 'SIGNALS.md');
  test('the hard-coded list matches the table in docs/SIGNALS.md', () => {
    const text = readFileSync(doc, 'utf8');
    const table = text.slice(text.indexOf('## Field names'));
    const names = new Set<string>();
    for (const line of table.split('\n')) {
      const m = /^\| (.*?) \|/.exec(line);
      if (!m) continue;
      for (const b of m[1].matchAll(/`([^`]+)`/g)) names.add(b[1]);
    }
    expect([...names].sort()).toEqual([...SIGNALS_FIELDS].sort());
  });
});

describe('undefined values are null, never 0', () => {
  test('session 0: everything with a look-back is null', () => {
    const r0 = readingAt(h, 0);
    const nulls = SIGNALS_FIELDS.filter(
      (f) =>
        ![
          'date',
          'open',
          'high',
          'low',
          'close',
          'volume',
          'benchmarkClose',
          'rotation.ratio',
          'breadth.pct50',
          'breadth.pct200',
          'breadth.state',
          'composite.threshold',
          'momentum.threshold',
          'macro.active',
          'credit.state',
        ].includes(f),
    );
    for (const f of nulls) expect([f, at(r0, f)]).toEqual([f, null]);
    // No HYG or IEF in the data: the overlay is unavailable (not undefined), its numbers null.
    expect(at(r0, 'credit.state')).toBe('unavailable');
    // Known from the start: the bar itself, the ratio, the external breadth values.
    expect(at(r0, 'rotation.ratio')).toBe(1);
    expect(at(r0, 'breadth.pct50')).toBe(40);
    // d5 needs 5 sessions: the breadth state is still undecided.
    expect(at(r0, 'breadth.state')).toBeNull();
    expect(at(r0, 'momentum.threshold')).toBeNull(); // no ATR yet
    expect(at(r0, 'macro.active')).toEqual([]);
  });

  test('part-way: ROC(10) and ATR(14) exist, ROC(21) and the EMAs do not', () => {
    const r15 = readingAt(h, 15);
    expect(at(r15, 'atr')).toBe(2);
    expect(at(r15, 'momentum.rocShort')).toBeCloseTo((5 / 102.5) * 100, 9);
    expect(at(r15, 'momentum.move')).toBe(5);
    expect(at(r15, 'momentum.rocLong')).toBeNull();
    expect(at(r15, 'momentum.state')).toBeNull();
    expect(at(r15, 'momentum.confirmed')).toBeNull();
    expect(at(r15, 'trend.fast')).toBeNull();
    expect(at(r15, 'trend.state')).toBeNull();
    expect(at(r15, 'trend.converging')).toBeNull();
    expect(at(r15, 'rs.state')).toBe('bullish');
    expect(at(r15, 'composite.score')).toBeNull();
    expect(at(r15, 'composite.rating')).toBeNull();
    expect(at(r15, 'sizing.fraction')).toBeNull();
    expect(at(r15, 'rotation.ratioSma')).toBeNull();
    expect(at(r15, 'rotation.bandPct')).toBeNull(); // 20 sessions
    expect(at(readingAt(h, 19), 'rotation.bandPct')).not.toBeNull();
    expect(at(r15, 'rotation.state')).toBeNull();
    expect((at(r15, 'composite.flip') as Record<string, { distance: unknown }>).trend.distance).toBeNull();
  });

  test('breadth unavailable: state "unavailable", numbers and flags null, flip distance null', () => {
    const hb = computeHistory(buildInput({ close }), PRESETS.iwm);
    const rb = readingAt(hb, T);
    expect(at(rb, 'breadth.state')).toBe('unavailable');
    for (const f of ['pct50', 'pct200', 'd5', 'flipAt', 'divergenceWarning', 'washoutRecovery']) {
      expect([f, at(rb, `breadth.${f}`)]).toEqual([f, null]);
    }
    expect(at(rb, 'composite.flip.breadth')).toEqual({ distance: null, unit: 'points' });
    expect(at(rb, 'composite.threshold')).toBe(1.5);
    expect((at(rb, 'composite.rationale') as string[])[2]).toMatch(/^Breadth unavailable/);
  });

  test('a reading survives a JSON round trip unchanged (no NaN, undefined or typed arrays)', () => {
    for (const t of [0, 15, 70, T]) {
      const rt = readingAt(h, t);
      expect(JSON.parse(JSON.stringify(rt))).toEqual(rt);
    }
  });

  test('an index outside the history is an error', () => {
    expect(() => readingAt(h, n)).toThrow(RangeError);
    expect(() => readingAt(h, -1)).toThrow(RangeError);
  });
});

describe('rationale', () => {
  const oneSentence = (s: string) => /^[A-Z].*\.$/.test(s) && !/\.\s+[A-Z]/.test(s);

  test('one sentence per layer plus the overlays, in layer order', () => {
    const lines = at(r, 'composite.rationale') as string[];
    expect(lines).toHaveLength(6);
    for (const s of lines) expect([s, oneSentence(s)]).toEqual([s, true]);
    expect(lines[0]).toMatch(/^Trend bullish/);
    expect(lines[1]).toMatch(/^Momentum bullish \(weak/);
    expect(lines[2]).toMatch(/^Breadth bullish/);
    expect(lines[3]).toMatch(/^Relative strength bullish/);
    expect(lines[4]).toMatch(/FOMC/);
    // The scenario has no HYG or IEF series.
    expect(lines[5]).toBe('Credit unavailable: the data has no HYG or IEF series.');
  });

  test('the flags that fired are named', () => {
    const lines = at(r, 'composite.rationale') as string[];
    expect(lines[2]).toContain('divergence warning');
    expect(lines[2]).not.toContain('washout recovery');
    // A broad advance lagged by P: deterioration warning in the rs sentence.
    const bench = steps(99, 1, n); // +10 over 10 sessions on ~120: ROC about 8 %
    const hd = computeHistory(buildInput({ close, benchmark: bench }), PRESETS.iwm);
    const rd = readingAt(hd, T);
    expect(at(rd, 'rs.deteriorationWarning')).toBe(true);
    expect((at(rd, 'composite.rationale') as string[])[3]).toMatch(/deterioration warning/);
  });

  test('the overlay sentence: window, after, none, off', () => {
    const overlay = (hh: History, t: number) => (at(readingAt(hh, t), 'composite.rationale') as string[])[4];
    expect(overlay(h, 100)).toMatch(/CPI March/);
    expect(overlay(h, 101)).toMatch(/after/i);
    expect(overlay(h, 110)).toMatch(/no macro window/i);
    const off = computeHistory(
      buildInput({ close, breadth: breadthSeries(pct50), events }),
      resolveProfile({ macro: { enabled: false } }),
    );
    expect(overlay(off, T)).toMatch(/off/i);
    expect(overlay(off, T)).toMatch(/FOMC/);
  });

  test('before the look-back each layer says so', () => {
    const lines = at(readingAt(h, 0), 'composite.rationale') as string[];
    expect(lines).toHaveLength(6);
    for (const s of lines.slice(0, 4)) expect(s).toMatch(/not enough history/);
  });
});

describe('flip distances', () => {
  test('present for every layer with its unit', () => {
    const flip = at(r, 'composite.flip') as Record<string, { distance: number; unit: string }>;
    expect(Object.keys(flip).sort()).toEqual(['breadth', 'momentum', 'rs', 'trend']);
    expect(flip.trend.unit).toBe('atr');
    expect(flip.momentum.unit).toBe('atr');
    expect(flip.breadth.unit).toBe('points');
    expect(flip.rs.unit).toBe('pp');
    // Trend: |gapAtr| 5.25 must come down to 0.25: 5 ATR.
    expect(flip.trend.distance).toBeCloseTo(5, 9);
    // Momentum: move 5 must fall to the threshold 3.75: 1.25 / ATR 2 = 0.625 ATR.
    expect(flip.momentum.distance).toBeCloseTo(0.625, 9);
    // Breadth: pct50 52.9 flips below 52.4 (pct50 five sessions ago): 0.5 points.
    expect(flip.breadth.distance).toBeCloseTo(0.5, 9);
    // RS: spread 3.135 pp must come down to the 0.5 band.
    expect(flip.rs.distance).toBeCloseTo((5 / 159.5) * 100 - 0.5, 9);
  });

  test('a neutral layer reports how far it is from either side', () => {
    // Flat benchmark and primary up exactly 0.25 %: rs spread inside the 0.5 band.
    const c = [...repeat(400, 10), 401];
    const hn = computeHistory(buildInput({ close: c }), PRESETS.iwm);
    const rn = readingAt(hn, 10);
    expect(at(rn, 'rs.state')).toBe('neutral');
    expect(at(rn, 'composite.flip.rs')).toEqual({ distance: expect.closeTo(0.25, 9), unit: 'pp' });
  });
});

describe('thresholds', () => {
  test('base and used inside a window', () => {
    expect(r.thresholds).toEqual({
      trendNeutralAtr: 0.25,
      momentumAtrMultiplier: { base: 1.5, used: 1.875 },
      momentumThreshold: { base: 3, used: 3.75 },
      breadthFullSizeMin: 50,
      rsNeutralBand: 0.5,
      compositeRatio: { base: 0.5, used: 0.75 },
      compositeThreshold: { base: 2, used: 3 },
    });
    expect(at(r, 'momentum.threshold')).toBe(3.75);
    expect(at(r, 'composite.threshold')).toBe(3);
  });

  test('relaxed after a window, equal to base elsewhere', () => {
    const after = readingAt(h, 101).thresholds as Record<string, { base: number; used: number }>;
    expect(after.momentumAtrMultiplier).toEqual({ base: 1.5, used: 1.5 * 0.9 });
    expect(after.momentumThreshold.used).toBeCloseTo(2.7, 12);
    expect(after.compositeRatio).toEqual({ base: 0.5, used: 0.5 });
    const none = readingAt(h, 110).thresholds as Record<string, { base: number; used: number }>;
    expect(none.momentumThreshold).toEqual({ base: 3, used: 3 });
    expect(none.compositeThreshold).toEqual({ base: 2, used: 2 });
  });

  test('the windows in force are reported with the event details', () => {
    expect(at(r, 'macro.windows')).toEqual([{ date: sessionIso(T), kind: 'fomc', label: 'FOMC' }]);
    expect(at(readingAt(h, 99), 'macro.windows')).toEqual([{ date: sessionIso(100), kind: 'cpi', label: 'CPI March' }]);
    expect(at(readingAt(h, 110), 'macro.windows')).toEqual([]);
  });
});

describe('sessions: dates and relative sessions (-1 = the last close)', () => {
  /** The SessionError `fn` throws (fails when it throws none). */
  function sessionError(fn: () => unknown): SessionError {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(SessionError);
      return err as SessionError;
    }
    throw new Error('expected a SessionError');
  }

  test('relativeSession accepts -1 to -100000 only', () => {
    expect(relativeSession('-1')).toBe(1);
    expect(relativeSession('-05')).toBe(5);
    expect(relativeSession('-100000')).toBe(100000);
    for (const bad of ['-0', '0', '1', '-100001', '-1234567', '-5x', '-1.5', ' -1', '--1', '', '2024-01-02'])
      expect(relativeSession(bad)).toBeNull();
  });

  test('sessionIndex: -N is the N-th last session; before the history is not-available', () => {
    expect(sessionIndex(h, '-1', 'asOf')).toBe(T);
    expect(sessionIndex(h, '-2', 'asOf')).toBe(T - 1);
    expect(sessionIndex(h, `-${n}`, 'asOf')).toBe(0);
    expect(sessionIndex(h, sessionIso(T - 1), 'asOf')).toBe(T - 1);
    const e = sessionError(() => sessionIndex(h, `-${n + 1}`, 'asOf'));
    expect(e.kind).toBe('not-available');
    expect(e.message).toBe(
      `asOf: -${n + 1} is before the history starts (the data has ${n} sessions, first ${sessionIso(0)})`,
    );
    const bad = sessionError(() => sessionIndex(h, '-0', 'asOf'));
    expect(bad.kind).toBe('invalid');
    expect(bad.message).toMatch(/not a valid YYYY-MM-DD date or relative session/);
  });

  test('sessionRange: relative ends, snapping a relative from inward, mixed with dates', () => {
    expect(sessionRange(h, '-5')).toEqual([T - 4, T]);
    expect(sessionRange(h, '-5', '-2')).toEqual([T - 4, T - 1]);
    expect(sessionRange(h, '-3', '-3')).toEqual([T - 2, T - 2]);
    expect(sessionRange(h, '-100000')).toEqual([0, T]);
    expect(sessionRange(h, '-100000', '-128')).toEqual([0, 2]);
    expect(sessionRange(h, sessionIso(T - 10), '-1')).toEqual([T - 10, T]);
    expect(sessionRange(h, '-3', sessionIso(T))).toEqual([T - 2, T]);
    expect(sessionRange(h, undefined, '-2')).toEqual([0, T - 1]);
  });

  test('sessionRange: from after to is invalid; a relative to before the history is not-available', () => {
    const inverted = sessionError(() => sessionRange(h, '-2', '-5', 'from/to'));
    expect(inverted.kind).toBe('invalid');
    expect(inverted.message).toBe('from/to: from -2 is after to -5');
    expect(sessionError(() => sessionRange(h, '-200', '-300')).kind).toBe('invalid');
    expect(sessionError(() => sessionRange(h, '-1', sessionIso(T - 1))).kind).toBe('invalid');
    const early = sessionError(() => sessionRange(h, '-500', '-300', 'from/to'));
    expect(early).toMatchObject({ kind: 'not-available', end: 'to' });
    expect(early.message).toBe(
      `from/to: to -300 is before the history starts (the data has ${n} sessions, first ${sessionIso(0)})`,
    );
  });

  test('refDay: a date is its day (in the data or not), -N the day of that session', () => {
    expect(refDay(h, '-1', 'from')).toBe(sessionDay(T));
    expect(refDay(h, '-3', 'from')).toBe(sessionDay(T - 2));
    expect(refDay(h, '2030-01-02', 'to')).toBe(Date.UTC(2030, 0, 2) / 86_400_000);
    expect(sessionError(() => refDay(h, `-${n + 1}`, 'from')).kind).toBe('not-available');
    expect(sessionError(() => refDay(h, '2024-02-30', 'from')).kind).toBe('invalid');
  });
});
