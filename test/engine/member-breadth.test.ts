import fc from 'fast-check';
import { universeBreadth } from '../../api/src/engine/breadth';
import { formatDay, isoDay } from '../../api/src/engine/dates';
import {
  breadthPass,
  extendBreadth,
  memberBreadth,
  type DatedMembers,
  type MemberColumns,
} from '../../api/src/engine/member-breadth';
import type { UniverseCloses } from '../../api/src/engine/types';

/** Members as {symbol: [[iso date, close], ...]}, packed the way the store keeps them. */
function pack(members: Record<string, [string, number][]>): MemberColumns {
  const symbols = Object.keys(members);
  const offsets = [0];
  const dates: number[] = [];
  const close: number[] = [];
  for (const s of symbols) {
    for (const [d, c] of members[s]) {
      dates.push(isoDay(d));
      close.push(c);
    }
    offsets.push(dates.length);
  }
  return { symbols, offsets: Int32Array.from(offsets), dates: Int32Array.from(dates), close: Float64Array.from(close) };
}

const DAYS = ['2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09', '2026-01-12'];
const calendar = Int32Array.from(DAYS, (d) => isoDay(d));
const on = (closes: number[], first = 0): [string, number][] => closes.map((c, i) => [DAYS[first + i], c]);

describe('memberBreadth with dated membership (hand-computed, short 2 / long 3)', () => {
  // A rises, B falls, C lists on the third session.
  const u = pack({ A: on([1, 2, 3, 4, 5, 6]), B: on([6, 5, 4, 3, 2, 1]), C: on([10, 12, 11, 13], 2) });
  const periods = { shortPeriod: 2, longPeriod: 3 };
  // {A, B} known as of the second session; {A, C} from the fourth on (B left, C joined).
  const lists: DatedMembers[] = [
    { asOf: DAYS[3], symbols: ['A', 'C'] },
    { asOf: DAYS[1], symbols: ['A', 'B'] },
  ];

  it('counts on each session only the members of the list that applies (else the earliest list)', () => {
    const b = memberBreadth(u, calendar, lists, periods);
    // s0: no SMA defined. s1: A 2>1.5, B 5<5.5. s2: A 3>2.5, B 4<4.5 (C is not a member yet);
    // SMA3: A 3>2, B 4<5. s3 ({A,C}): A 4>3.5, C 12>11; SMA3 only A (C has 2 bars): 4>3.
    // s4: A above, C 11 < 11.5; SMA3: C 11 = 11 is not above. s5: A, C 13>12 and 13>12.
    expect(Array.from(b.pct50)).toEqual([NaN, 50, 50, 100, 50, 100]);
    expect(Array.from(b.counted50)).toEqual([0, 2, 2, 2, 2, 2]);
    expect(Array.from(b.pct200)).toEqual([NaN, NaN, 50, 100, 50, 100]);
    expect(Array.from(b.counted200)).toEqual([0, 0, 2, 1, 2, 2]);
  });

  it('without lists counts every member (today: s3 is A and C above, B below)', () => {
    const b = memberBreadth(u, calendar, null, periods);
    expect(b.counted50[3]).toBe(3);
    expect(b.pct50[3]).toBeCloseTo(200 / 3, 12);
    expect(Array.from(b.counted50)).toEqual([0, 2, 2, 3, 3, 3]);
  });

  it('sessions before the first list use the earliest list; an unknown symbol in a list is ignored', () => {
    const late: DatedMembers[] = [{ asOf: DAYS[5], symbols: ['B', 'ZZZ'] }];
    const b = memberBreadth(u, calendar, late, periods);
    // Only B counts anywhere: it is below both averages on every session they are defined.
    expect(Array.from(b.pct50)).toEqual([NaN, 0, 0, 0, 0, 0]);
    expect(Array.from(b.counted50)).toEqual([0, 1, 1, 1, 1, 1]);
  });

  it('a bar on a day that is not a session is in the average but counted nowhere', () => {
    // D has a bar on Saturday 2026-01-10 (no session): its SMA2 on 01-12 is (5+9)/2 = 7, 6 < 7.
    const d = pack({ D: [...on([1, 2, 3, 4, 5]), ['2026-01-10', 9], ['2026-01-12', 6]] });
    const b = memberBreadth(d, calendar, null, periods);
    expect(Array.from(b.pct50)).toEqual([NaN, 100, 100, 100, 100, 0]);
  });

  it('refuses bad periods and a bad list date, naming them', () => {
    expect(() => memberBreadth(u, calendar, null, { shortPeriod: 3, longPeriod: 3 })).toThrow(/short < long/);
    expect(() => memberBreadth(u, calendar, [{ asOf: '2026-13-01', symbols: [] }], periods)).toThrow(
      /membership list 0 asOf/,
    );
  });
});

/**
 * The rule written as plainly as possible, for the property tests: per session, per member,
 * the applicable list, the member's bar on that day and the mean of its last n own bars.
 */
function reference(u: MemberColumns, cal: Int32Array, lists: DatedMembers[] | null, S: number, L: number) {
  const sorted = (lists ?? []).map((l) => ({ day: isoDay(l.asOf), set: new Set(l.symbols) }));
  sorted.sort((a, b) => a.day - b.day);
  const pct = (n: number) =>
    Array.from(cal, (day) => {
      let above = 0;
      let counted = 0;
      const list = sorted.length ? ([...sorted].reverse().find((l) => l.day <= day) ?? sorted[0]) : null;
      u.symbols.forEach((s, m) => {
        if (list && !list.set.has(s)) return;
        const a = u.offsets[m];
        const j = u.dates.subarray(a, u.offsets[m + 1]).indexOf(day);
        if (j < n - 1) return;
        let sum = 0;
        for (let i = j - n + 1; i <= j; i++) sum += u.close[a + i];
        counted++;
        if (u.close[a + j] > sum / n) above++;
      });
      return { pct: counted ? (100 * above) / counted : NaN, counted };
    });
  return { s: pct(S), l: pct(L) };
}

/**
 * Random universes on a random calendar: members start late, stop early, skip sessions,
 * have bars on non-session days; integer closes (sums are exact, ties happen); random lists.
 */
const universeArb = fc
  .record({
    sessions: fc.integer({ min: 1, max: 40 }),
    shortPeriod: fc.integer({ min: 1, max: 4 }),
    extra: fc.integer({ min: 1, max: 5 }),
    members: fc.array(
      fc.record({
        first: fc.nat(45),
        bars: fc.array(fc.record({ close: fc.integer({ min: 1, max: 9 }), skip: fc.nat(3) }), { maxLength: 45 }),
      }),
      { maxLength: 7 },
    ),
    lists: fc.option(fc.array(fc.record({ at: fc.nat(50), members: fc.array(fc.nat(7)) }), { maxLength: 4 })),
  })
  .map((r) => {
    // Sessions every other day from 2026-01-01; odd days exist for members only.
    const base = isoDay('2026-01-01');
    const cal = Int32Array.from({ length: r.sessions }, (_, i) => base + 2 * i);
    const symbols: string[] = [];
    const offsets = [0];
    const dates: number[] = [];
    const close: number[] = [];
    r.members.forEach((m, i) => {
      let day = base + m.first;
      for (const b of m.bars) {
        dates.push(day);
        close.push(b.close);
        day += 1 + b.skip;
      }
      symbols.push(`M${i}`);
      offsets.push(dates.length);
    });
    const u: MemberColumns = {
      symbols,
      offsets: Int32Array.from(offsets),
      dates: Int32Array.from(dates),
      close: Float64Array.from(close),
    };
    // Distinct asOf days (a list per day, as the refresh writes them).
    const seen = new Set<number>();
    const lists = r.lists
      ? r.lists
          .filter((l) => !seen.has(l.at) && seen.add(l.at))
          .map((l) => ({ asOf: formatDay(base + l.at), symbols: l.members.map((k) => `M${k}`) }))
      : null;
    return { u, cal, lists, S: r.shortPeriod, L: r.shortPeriod + r.extra };
  });

describe('breadth passes agree (property tests)', () => {
  it('the one pass equals the plain rule, with gaps, late starts, off-session bars and lists', () => {
    fc.assert(
      fc.property(universeArb, ({ u, cal, lists, S, L }) => {
        const b = memberBreadth(u, cal, lists, { shortPeriod: S, longPeriod: L });
        const ref = reference(u, cal, lists, S, L);
        expect(Array.from(b.pct50)).toEqual(ref.s.map((x) => x.pct));
        expect(Array.from(b.counted50)).toEqual(ref.s.map((x) => x.counted));
        expect(Array.from(b.pct200)).toEqual(ref.l.map((x) => x.pct));
        expect(Array.from(b.counted200)).toEqual(ref.l.map((x) => x.counted));
      }),
      { numRuns: 300 },
    );
  });

  it('extending a stored prefix of k sessions equals the one pass over all sessions', () => {
    fc.assert(
      fc.property(universeArb, fc.nat(), ({ u, cal, lists, S, L }, cut) => {
        const periods = { shortPeriod: S, longPeriod: L };
        const full = memberBreadth(u, cal, lists, periods);
        const k = cut % (cal.length + 1);
        const prefix = memberBreadth(u, cal.subarray(0, k), lists, periods);
        const extended = extendBreadth(u, cal, lists, periods, prefix);
        expect(extended).toEqual(full);
        // And the pass from k alone computes nothing before k.
        expect(Array.from(breadthPass(u, cal, lists, periods, k).counted50.subarray(0, k))).toEqual(
          new Array(k).fill(0),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('with every bar on a session and no lists, equals the engine (universeBreadth) bit for bit on real decimals', () => {
    fc.assert(
      fc.property(
        universeArb,
        fc.array(fc.double({ min: 1, max: 500, noNaN: true }), { minLength: 1 }),
        ({ cal, S, L }, prices) => {
          // Members on the calendar's sessions only (the engine's packed input), decimal closes.
          const members = 5;
          const offsets = [0];
          const dayIndex: number[] = [];
          const dates: number[] = [];
          const close: number[] = [];
          for (let m = 0; m < members; m++) {
            for (let t = m % 3; t < cal.length; t += 1 + (m % 2)) {
              dayIndex.push(t);
              dates.push(cal[t]);
              close.push(prices[(m * 31 + t) % prices.length] * (1 + t / 97));
            }
            offsets.push(dates.length);
          }
          const symbols = Array.from({ length: members }, (_, m) => `M${m}`);
          const engineInput: UniverseCloses = {
            kind: 'universe',
            symbols,
            offsets: Int32Array.from(offsets),
            dayIndex: Int32Array.from(dayIndex),
            close: Float64Array.from(close),
          };
          const u = { symbols, offsets: engineInput.offsets, dates: Int32Array.from(dates), close: engineInput.close };
          expect(memberBreadth(u, cal, null, { shortPeriod: S, longPeriod: L })).toEqual(
            universeBreadth(engineInput, cal.length, S, L),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
