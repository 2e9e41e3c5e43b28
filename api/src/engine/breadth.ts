/**
 * Breadth of a universe (SIGNALS.md, "Layer 3"): the share of members whose close is
 * above their own simple moving average, per session.
 *
 * Each member's SMA runs over that member's own bars (a member that lists late starts
 * its average at its first bar), and a member counts on session t only when it has a
 * bar on t and a defined SMA there. One pass over the packed closes computes both
 * periods, so 12.6 M bars cost two running sums and four counters per bar.
 */
import type { UniverseCloses } from './types';

export interface BreadthPercents {
  pct50: Float64Array;
  pct200: Float64Array;
  /** Members counted in pct50 on each session (those with a defined short SMA). */
  counted50: Int32Array;
  /** Members counted in pct200 on each session. */
  counted200: Int32Array;
}

export function universeBreadth(
  u: UniverseCloses,
  sessions: number,
  shortPeriod: number,
  longPeriod: number,
): BreadthPercents {
  const above50 = new Int32Array(sessions);
  const counted50 = new Int32Array(sessions);
  const above200 = new Int32Array(sessions);
  const counted200 = new Int32Array(sessions);
  const { offsets, dayIndex, close } = u;
  const members = offsets.length - 1;
  for (let m = 0; m < members; m++) {
    const start = offsets[m];
    const end = offsets[m + 1];
    let sumS = 0;
    let sumL = 0;
    for (let j = start; j < end; j++) {
      const c = close[j];
      sumS += c;
      sumL += c;
      const k = j - start; // bars seen before this one
      if (k >= shortPeriod) sumS -= close[j - shortPeriod];
      if (k >= longPeriod) sumL -= close[j - longPeriod];
      const day = dayIndex[j];
      if (k >= shortPeriod - 1) {
        counted50[day]++;
        if (c > sumS / shortPeriod) above50[day]++;
      }
      if (k >= longPeriod - 1) {
        counted200[day]++;
        if (c > sumL / longPeriod) above200[day]++;
      }
    }
  }
  const pct50 = new Float64Array(sessions);
  const pct200 = new Float64Array(sessions);
  for (let t = 0; t < sessions; t++) {
    pct50[t] = counted50[t] > 0 ? (100 * above50[t]) / counted50[t] : NaN;
    pct200[t] = counted200[t] > 0 ? (100 * above200[t]) / counted200[t] : NaN;
  }
  return { pct50, pct200, counted50, counted200 };
}
