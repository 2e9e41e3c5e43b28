/**
 * Breadth of a universe (SIGNALS.md, "Layer 3"): the share of members whose close is
 * above their own simple moving average, per session.
 *
 * Each member's SMA runs over that member's own bars, all of them: a member that lists
 * late starts its average at its first bar, and bars on days that are not sessions
 * (before the primary's history, or a day the primary or benchmark lacks; dayIndex
 * OFF_CALENDAR) are part of its average although they are counted on no session. A
 * member counts on session t only when it has a bar on t and a defined SMA there. One
 * pass over the packed closes computes both periods, so 12.6 M bars cost two running
 * sums and four counters per bar.
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
  const integers = Number.isInteger(shortPeriod) && Number.isInteger(longPeriod);
  if (!integers || shortPeriod < 1 || longPeriod <= shortPeriod) {
    throw new RangeError(`universeBreadth: need integer periods 1 <= short < long (got ${shortPeriod}, ${longPeriod})`);
  }
  const S = shortPeriod;
  const L = longPeriod;
  // `+(c > sma)` adds 0/1 without a branch: closes above or below their SMA are a coin
  // flip the CPU cannot predict, and the ternary form costs ~60 % more here.
  // Per session four counters side by side (above S, counted S, above L, counted L):
  // one cache line per session instead of four scattered arrays. Slot 0 is a sink for
  // off-calendar bars (dayIndex -1): slot = dayIndex + 1 needs no branch in the hot loop.
  const acc = new Int32Array(4 * (sessions + 1));
  const { offsets, dayIndex, close } = u;
  const members = offsets.length - 1;
  for (let m = 0; m < members; m++) {
    const start = offsets[m];
    const end = offsets[m + 1];
    let sumS = 0;
    let sumL = 0;
    let j = start;
    // The member's life is cut into phases (k = bars seen) so the hot loop has no
    // look-back tests. k < S-1: sums only.
    for (const stop = Math.min(end, start + S - 1); j < stop; j++) {
      sumS += close[j];
      sumL += close[j];
    }
    // S-1 <= k < L-1: the short SMA is defined (and rolls from k = S on).
    for (const stop = Math.min(end, start + L - 1); j < stop; j++) {
      const c = close[j];
      sumS += c;
      if (j - start >= S) sumS -= close[j - S];
      sumL += c;
      const d = (dayIndex[j] + 1) << 2;
      acc[d] += +(c > sumS / S);
      acc[d + 1]++;
    }
    // k = L-1: the long SMA's first value.
    if (j < end) {
      const c = close[j];
      sumS += c;
      sumS -= close[j - S];
      sumL += c;
      const d = (dayIndex[j] + 1) << 2;
      acc[d] += +(c > sumS / S);
      acc[d + 1]++;
      acc[d + 2] += +(c > sumL / L);
      acc[d + 3]++;
      j++;
    }
    // Steady state: both sums roll.
    for (; j < end; j++) {
      const c = close[j];
      sumS += c;
      sumS -= close[j - S];
      sumL += c;
      sumL -= close[j - L];
      const d = (dayIndex[j] + 1) << 2;
      acc[d] += +(c > sumS / S);
      acc[d + 1]++;
      acc[d + 2] += +(c > sumL / L);
      acc[d + 3]++;
    }
  }
  const pct50 = new Float64Array(sessions);
  const pct200 = new Float64Array(sessions);
  const counted50 = new Int32Array(sessions);
  const counted200 = new Int32Array(sessions);
  for (let t = 0, d = 4; t < sessions; t++, d += 4) {
    counted50[t] = acc[d + 1];
    counted200[t] = acc[d + 3];
    pct50[t] = acc[d + 1] > 0 ? (100 * acc[d]) / acc[d + 1] : NaN;
    pct200[t] = acc[d + 3] > 0 ? (100 * acc[d + 2]) / acc[d + 3] : NaN;
  }
  return { pct50, pct200, counted50, counted200 };
}
