/**
 * The credit overlay (SIGNALS.md, "Credit overlay", v1.1): the ratio of a high-yield ETF
 * to a Treasury ETF of similar duration (HYG/IEF) as a price proxy for credit spreads.
 * Stress (the ratio below a falling average and down over the last weeks) halves the
 * position size; it never changes the rating.
 *
 * The ratio exists on the sessions where both symbols have a bar. Its average, its
 * slope and its drop are taken over those sessions only (a session without the ratio is
 * skipped, not treated as a gap of zero), then written back to the primary's sessions.
 */
import { CALM, STRESS, UNDEF } from './codes';
import { roc, sma } from './indicators';
import type { Profile } from './profile';

export interface CreditColumns {
  /** False when the data has no series for one of the two symbols (the state is `unavailable`). */
  available: boolean;
  ratio: Float64Array;
  ratioSma: Float64Array;
  /** The ratio's change over `dropLookback` of its sessions, in %. */
  drop: Float64Array;
  /** CALM, STRESS or UNDEF (before the look-backs, or on a session without the ratio). */
  state: Int8Array;
}

/**
 * The overlay for every session from the two symbols' closes on the primary's sessions
 * (NaN where a symbol has no bar); either missing makes the overlay unavailable.
 */
export function creditColumns(
  n: number,
  highYield: Float64Array | undefined,
  treasury: Float64Array | undefined,
  P: Profile['credit'],
): CreditColumns {
  const out: CreditColumns = {
    available: highYield !== undefined && treasury !== undefined,
    ratio: new Float64Array(n).fill(NaN),
    ratioSma: new Float64Array(n).fill(NaN),
    drop: new Float64Array(n).fill(NaN),
    state: new Int8Array(n).fill(UNDEF),
  };
  if (!highYield || !treasury) return out;
  // The sessions where the ratio exists, packed: the look-backs count these only.
  const at = new Int32Array(n);
  const packed = new Float64Array(n);
  let k = 0;
  for (let t = 0; t < n; t++) {
    const q = highYield[t] / treasury[t];
    out.ratio[t] = q;
    if (Number.isFinite(q)) {
      at[k] = t;
      packed[k++] = q;
    }
  }
  const q = packed.subarray(0, k);
  const mq = sma(q, P.smaPeriod);
  const drop = roc(q, P.dropLookback);
  for (let j = 0; j < k; j++) {
    const t = at[j];
    out.ratioSma[t] = mq[j];
    out.drop[t] = drop[j];
    if (j < P.slopeLag) continue;
    const m = mq[j];
    const before = mq[j - P.slopeLag];
    const d = drop[j];
    if (Number.isNaN(m) || Number.isNaN(before) || Number.isNaN(d)) continue;
    out.state[t] = q[j] < m && m < before && d <= -P.dropPct ? STRESS : CALM;
  }
  return out;
}
