/**
 * Breadth on aligned data (docs/ENGINE.md, "Breadth"): each member's SMA runs over the
 * member's own bars, all of them, including bars before the primary's first session and
 * bars on days the primary or the benchmark lacks. Those bars are in the average but are
 * counted on no session. Every expectation is worked out by hand below.
 */
import { alignInputs, type SymbolBars } from '../../api/src/data/align';
import { parseIsoDay } from '../../api/src/engine/dates';
import { computeHistory } from '../../api/src/engine/engine';
import { fieldValue } from '../../api/src/engine/fields';
import { resolveProfile } from '../../api/src/engine/profile';

function bars(symbol: string, rows: [string, number][]): SymbolBars {
  const close = Float64Array.from(rows, ([, c]) => c);
  return {
    symbol,
    bars: {
      dates: Int32Array.from(rows, ([d]) => parseIsoDay(d) as number),
      open: close.slice(),
      high: close.map((c) => c + 1),
      low: close.map((c) => c - 1),
      close,
      volume: close.map(() => 1000),
    },
  };
}

// The primary trades 2024-01-08..12; the benchmark lacks the 10th, so the sessions are
// the 8th, 9th, 11th and 12th (indices 0..3).
const days = ['2024-01-08', '2024-01-09', '2024-01-10', '2024-01-11', '2024-01-12'];
const primary = bars(
  'IWM',
  days.map((d, i): [string, number] => [d, 100 + i]),
);
const benchmark = bars(
  'SPY',
  days.filter((d) => d !== '2024-01-10').map((d, i): [string, number] => [d, 400 + i]),
);

/**
 * AAA lists before the primary (the 3rd to the 5th of January) and trades on the 10th:
 *   own bars   3rd 10, 4th 10, 5th 10, 8th 13, 9th 7, 10th 20, 11th 9, 12th 12
 *   SMA3 at    8th (10+10+13)/3 = 11     -> 13 > 11     above
 *              9th (10+13+7)/3 = 10      -> 7 < 10      below
 *             11th (7+20+9)/3 = 12       -> 9 < 12      below
 *             12th (20+9+12)/3 = 13.67   -> 12 < 13.67  below
 *   SMA4 at    8th (10+10+10+13)/4 = 10.75 above; 9th (10+10+13+7)/4 = 10 below;
 *             11th (13+7+20+9)/4 = 12.25 below; 12th (7+20+9+12)/4 = 12: 12 > 12 is not above.
 * BBB trades on the sessions only: 8th 5, 9th 6, 11th 7, 12th 8;
 *   SMA3 from the 11th: 6 -> 7 above; 12th 7 -> 8 above. No SMA4 until a 4th bar: the 12th,
 *   (5+6+7+8)/4 = 6.5 -> above.
 * pct50: 8th 1/1 = 100, 9th 0/1 = 0, 11th 1/2 = 50, 12th 1/2 = 50.
 * pct200: 8th 100 (AAA), 9th 0, 11th 0 (AAA only), 12th 1/2 = 50.
 *
 * With the member's bars cut to the sessions (the old behaviour), AAA would have had
 * 13, 7, 9, 12: SMA3 from the 11th (9.67: below), the 12th 9.33 (above), so pct50 would
 * have been null, null, 50, 100.
 */
const universe = [
  bars('AAA', [
    ['2024-01-03', 10],
    ['2024-01-04', 10],
    ['2024-01-05', 10],
    ['2024-01-08', 13],
    ['2024-01-09', 7],
    ['2024-01-10', 20],
    ['2024-01-11', 9],
    ['2024-01-12', 12],
  ]),
  bars('BBB', [
    ['2024-01-08', 5],
    ['2024-01-09', 6],
    ['2024-01-11', 7],
    ['2024-01-12', 8],
  ]),
];

const profile = resolveProfile({ breadth: { shortPeriod: 3, longPeriod: 4 } });
const aligned = alignInputs({ primary, benchmark, universe });
const h = computeHistory({ ...aligned.input, events: [] }, profile);
const column = (field: string) => Array.from({ length: h.length }, (_, t) => fieldValue(h, field, t));

test('the sessions are the dates primary and benchmark share', () => {
  expect(column('date')).toEqual(['2024-01-08', '2024-01-09', '2024-01-11', '2024-01-12']);
  expect(aligned.quality.universeBarsOffCalendar).toBe(4); // AAA: the 3rd, 4th, 5th and 10th
});

test("each member's SMA runs over its own bars, including those before the primary and on non-sessions", () => {
  expect(column('breadth.pct50')).toEqual([100, 0, 50, 50]);
  expect(column('breadth.pct200')).toEqual([100, 0, 0, 50]);
  expect(column('breadth.members')).toEqual([1, 1, 2, 2]);
});
