import { alignInputs, type SymbolBars } from '../../api/src/data/align';
import { parseIsoDay } from '../../api/src/engine/dates';

/** Trading days of January 2024 used below, by name, so expectations read as dates. */
const D = {
  d2: '2024-01-02',
  d3: '2024-01-03',
  d4: '2024-01-04',
  d5: '2024-01-05',
  d8: '2024-01-08',
  d9: '2024-01-09',
  d10: '2024-01-10',
  d11: '2024-01-11',
  d12: '2024-01-12',
};

/** Bars with close = the given values and open/high/low/volume derived from them, so a mix-up shows. */
function bars(symbol: string, rows: [string, number][]): SymbolBars {
  const dates = Int32Array.from(rows, ([d]) => parseIsoDay(d) as number);
  const close = Float64Array.from(rows, ([, c]) => c);
  return {
    symbol,
    bars: {
      dates,
      open: close.map((c) => c - 0.5),
      high: close.map((c) => c + 1),
      low: close.map((c) => c - 1),
      close,
      volume: close.map((c) => c * 100),
    },
  };
}

const primary = bars('IWM', [
  [D.d3, 103],
  [D.d4, 104],
  [D.d5, 105],
  [D.d9, 109],
  [D.d10, 110],
]);
const benchmark = bars('SPY', [
  ['2023-12-29', 499],
  [D.d2, 502],
  [D.d4, 504],
  [D.d5, 505],
  [D.d8, 508],
  [D.d10, 510],
  [D.d11, 511],
]);
// Joined calendar: d4 (index 0), d5 (1), d10 (2).
// Primary only: d3, d9. Benchmark only: 2023-12-29, d2, d8, d11.
// Row indices differ between the two (1,2,4 vs 2,3,5), so a mixed-up join shows.

describe('alignInputs: primary and benchmark', () => {
  const { input, quality } = alignInputs({ primary, benchmark });

  it('keeps only the dates both have, with each column gathered from its own row', () => {
    expect(Array.from(input.primary.dates)).toEqual([D.d4, D.d5, D.d10].map((d) => parseIsoDay(d)));
    expect(Array.from(input.primary.close)).toEqual([104, 105, 110]);
    expect(Array.from(input.primary.open)).toEqual([103.5, 104.5, 109.5]);
    expect(Array.from(input.primary.high)).toEqual([105, 106, 111]);
    expect(Array.from(input.primary.low)).toEqual([103, 104, 109]);
    expect(Array.from(input.primary.volume)).toEqual([10400, 10500, 11000]);
    expect(Array.from(input.benchmarkClose)).toEqual([504, 505, 510]);
  });

  it('counts and names the dropped dates of each side', () => {
    expect(quality).toEqual({
      primarySymbol: 'IWM',
      benchmarkSymbol: 'SPY',
      tradingDays: 3,
      primaryOnlyDropped: 2,
      primaryOnlyDates: [D.d3, D.d9],
      benchmarkOnlyDropped: 4,
      benchmarkOnlyDates: ['2023-12-29', D.d2, D.d8, D.d11],
      universeMembers: 0,
      universeMembersEmpty: [],
      universeBarsOffCalendar: 0,
    });
  });

  it('has no breadth without a universe, or with an empty one', () => {
    expect(input.breadth).toBeNull();
    expect(alignInputs({ primary, benchmark, universe: [] }).input.breadth).toBeNull();
  });

  it('quotes only the first 5 dropped dates but counts all of them', () => {
    const many = bars(
      'IWM',
      [
        '2024-01-02',
        '2024-01-03',
        '2024-01-04',
        '2024-01-05',
        '2024-01-08',
        '2024-01-09',
        '2024-01-10',
        '2024-01-11',
      ].map((d, k): [string, number] => [d, 100 + k]),
    );
    const few = bars('SPY', [['2024-01-11', 500]]);
    const { quality: q } = alignInputs({ primary: many, benchmark: few });
    expect(q.primaryOnlyDropped).toBe(7);
    expect(q.primaryOnlyDates).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08']);
    expect(q.benchmarkOnlyDropped).toBe(0);
    expect(q.tradingDays).toBe(1);
  });

  it('throws naming both symbols when they share no date', () => {
    const apart = bars('SPY', [[D.d2, 500]]);
    expect(() => alignInputs({ primary, benchmark: apart })).toThrow(/IWM .*and SPY .*no trading dates in common/);
  });

  it('refuses bars that are not sorted by date', () => {
    const unsorted = bars('SPY', [
      [D.d5, 1],
      [D.d4, 1],
    ]);
    expect(() => alignInputs({ primary, benchmark: unsorted })).toThrow(/^SPY: bar dates must rise strictly/);
  });
});

describe('alignInputs: universe (CSR layout)', () => {
  // Every bar of a member is kept, in date order; a bar on a day that is not a session
  // has dayIndex -1 (it feeds the member's own SMA, but is counted on no session).
  const universe = [
    // d2 is not on the calendar: kept off-calendar; d4 -> 0, d10 -> 2.
    bars('AAA', [
      [D.d2, 12],
      [D.d4, 14],
      [D.d10, 20],
    ]),
    // Nothing on the calendar: left out and listed.
    bars('BBB', [
      [D.d3, 33],
      [D.d9, 39],
    ]),
    // d4, d5, d10 -> 0, 1, 2; d12 is after the calendar: off-calendar.
    bars('CCC', [
      [D.d4, 44],
      [D.d5, 45],
      [D.d10, 50],
      [D.d12, 52],
    ]),
    // Starts late: only d10 -> 2.
    bars('DDD', [[D.d10, 60]]),
    // No bars at all.
    bars('EEE', []),
  ];
  const { input, quality } = alignInputs({ primary, benchmark, universe });

  it('packs every bar of the members with a session, member after member', () => {
    const breadth = input.breadth;
    expect(breadth).not.toBeNull();
    expect(breadth!.kind).toBe('universe');
    expect(breadth!.symbols).toEqual(['AAA', 'CCC', 'DDD']);
    expect(Array.from(breadth!.offsets)).toEqual([0, 3, 7, 8]);
    expect(Array.from(breadth!.dayIndex)).toEqual([-1, 0, 2, 0, 1, 2, -1, 2]);
    expect(Array.from(breadth!.close)).toEqual([12, 14, 20, 44, 45, 50, 52, 60]);
    expect(breadth!.offsets).toBeInstanceOf(Int32Array);
    expect(breadth!.dayIndex).toBeInstanceOf(Int32Array);
    expect(breadth!.close).toBeInstanceOf(Float64Array);
  });

  it("counts the kept members' off-calendar bars and lists members without a session bar", () => {
    expect(quality.universeMembers).toBe(3);
    expect(quality.universeMembersEmpty).toEqual(['BBB', 'EEE']);
    // AAA's d2 and CCC's d12; BBB's two bars go with BBB.
    expect(quality.universeBarsOffCalendar).toBe(1 + 1);
  });

  it('has no breadth when every member is empty', () => {
    const { input: only, quality: q } = alignInputs({ primary, benchmark, universe: [universe[1], universe[4]] });
    expect(only.breadth).toBeNull();
    expect(q.universeMembersEmpty).toEqual(['BBB', 'EEE']);
    expect(q.universeBarsOffCalendar).toBe(0);
  });

  it("places other symbols' closes on the sessions, NaN where they have no bar", () => {
    const hyg = bars('HYG', [
      [D.d3, 73], // not a session
      [D.d4, 74],
      [D.d10, 80],
      [D.d11, 81], // after the calendar
    ]);
    const { input: withOthers } = alignInputs({ primary, benchmark, others: [hyg] });
    expect(Object.keys(withOthers.closes)).toEqual(['HYG']);
    expect(Array.from(withOthers.closes.HYG)).toEqual([74, NaN, 80]);
    expect(input.closes).toEqual({});
  });

  it('refuses a member listed twice', () => {
    expect(() => alignInputs({ primary, benchmark, universe: [universe[0], universe[0]] })).toThrow(
      /AAA more than once/,
    );
  });

  it('refuses a member whose dates are not sorted', () => {
    const unsorted = bars('ZZZ', [
      [D.d10, 1],
      [D.d10, 1],
    ]);
    expect(() => alignInputs({ primary, benchmark, universe: [unsorted] })).toThrow(
      /^ZZZ: bar dates must rise strictly/,
    );
  });
});
