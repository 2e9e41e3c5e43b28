/**
 * A reading is one session's slice of the history, shaped for people and programs:
 * the registry's fields nested by their dotted names, plus the composite's rationale,
 * the distance each layer is from flipping, and the thresholds actually used.
 */
import { lowerBound } from './dates';
import { BULLISH, LAYERS, STRESS, UNDEF, type History, type LayerName } from './engine';
import { FIELDS, creditState, fieldDef, num, rotationName, stateName, type FieldValue } from './fields';
import { COVERAGE_NONE, COVERAGE_PARTIAL, coverageText } from './macro';
import { formatDay } from './dates';
import { historyLevelsAt } from './levels';

export type Reading = Record<string, unknown>;

export const POSTURES: Record<string, string> = {
  leadership: 'increase IWM exposure',
  parity: 'require additional confirmation before entry',
  flight: 'reduce size or stand aside',
};

const FLIP_UNITS: Record<LayerName, string> = { trend: 'atr', momentum: 'atr', breadth: 'points', rs: 'pp' };

/** Sets obj[a][b]... = value for a dotted name. */
function setPath(obj: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = obj;
  for (let i = 0; i < parts.length - 1; i++) node = (node[parts[i]] ??= {}) as Record<string, unknown>;
  node[parts[parts.length - 1]] = value;
}

const fmt = (v: number, digits = 2) => (Number.isNaN(v) ? 'n/a' : v.toFixed(digits));
const signed = (v: number, digits = 2) => (Number.isNaN(v) ? 'n/a' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`);

/** One sentence per layer (state and the flags that fired) plus the overlay. */
export function rationale(h: History, t: number): string[] {
  const P = h.profile;
  const out: string[] = [];
  const tr = h.trend;
  const trendFlags = [
    tr.converging[t] === 1 ? 'converging' : tr.diverging[t] === 1 ? 'diverging' : '',
    tr.convergenceSetup[t] === BULLISH
      ? 'bullish convergence setup'
      : tr.convergenceSetup[t] === -1
        ? 'bearish convergence setup'
        : '',
  ].filter(Boolean);
  out.push(
    tr.state[t] === UNDEF
      ? 'Trend: not enough history yet.'
      : `Trend ${stateName(tr.state[t])}: EMA${P.trend.fastPeriod} ${tr.gap[t] >= 0 ? 'above' : 'below'} EMA${P.trend.slowPeriod} by ${fmt(Math.abs(tr.gapAtr[t]))} ATR (neutral inside ${P.trend.neutralAtr})${trendFlags.length ? `; ${trendFlags.join(', ')}` : ''}.`,
  );
  const m = h.momentum;
  out.push(
    m.state[t] === UNDEF
      ? 'Momentum: not enough history yet.'
      : `Momentum ${stateName(m.state[t])}${m.state[t] !== 0 ? (m.confirmed[t] ? ' (volume-confirmed)' : ' (weak: volume not confirmed)') : ''}: ${P.momentum.lookback}-day move ${signed(m.move[t])} against a threshold of ${fmt(m.threshold[t])}, ${P.momentum.longLookback}-day ROC ${signed(m.rocLong[t])}%.`,
  );
  const b = h.breadth;
  if (!b.available)
    out.push('Breadth unavailable: no universe or breadth series; the composite uses the other layers.');
  else if (b.state[t] === UNDEF) out.push('Breadth: not enough history yet.');
  else {
    const flags = [
      b.divergenceWarning[t] ? 'divergence warning' : '',
      b.washoutRecovery[t] ? 'washout recovery' : '',
    ].filter(Boolean);
    out.push(
      `Breadth ${stateName(b.state[t])}: ${fmt(b.pct50[t], 1)}% above the ${P.breadth.shortPeriod}-day average, ${signed(b.d5[t], 1)} over ${P.breadth.deltaLag} sessions; flips at ${fmt(b.flipAt[t], 1)}%${flags.length ? `; ${flags.join(', ')}` : ''}.`,
    );
  }
  const r = h.rs;
  out.push(
    r.state[t] === UNDEF
      ? 'Relative strength: not enough history yet.'
      : `Relative strength ${stateName(r.state[t])}: ${signed(r.spread[t])} pp against the benchmark over ${P.rs.period} sessions${r.confirmation[t] ? ', confirming a broad advance' : r.deteriorationWarning[t] ? ', lagging a broad advance (deterioration warning)' : ''}.`,
  );
  const active = (h.macro.active[t] ?? []).map((e) => h.events[e].label);
  const phase = h.macro.phase[t];
  if (!P.macro.enabled) out.push(`Macro overlay off${active.length ? ` (in window: ${active.join(', ')})` : ''}.`);
  else if (phase === 1) out.push(`Macro window in force (${active.join(', ')}): thresholds tightened.`);
  else if (phase === 2) out.push('Just after a macro window: momentum threshold relaxed.');
  else out.push('No macro window in force.');
  const coverage = h.coverage.state[t];
  const year = formatDay(h.dates[t]).slice(0, 4);
  if (coverage === COVERAGE_NONE)
    out.push(
      `Macro overlay absent: the calendar has no events for ${year} (it covers ${coverageText(h.coverage.kinds)}).`,
    );
  else if (coverage === COVERAGE_PARTIAL)
    out.push(
      `Macro calendar partial for ${year}: no ${(h.coverage.uncovered[t] ?? []).map((k) => h.coverage.kinds[k].kind).join(', ')} dates, so those windows are absent.`,
    );
  out.push(creditSentence(h, t));
  return out;
}

/** The credit overlay in one sentence: its state, the numbers behind it, and what it did to the size. */
function creditSentence(h: History, t: number): string {
  const C = h.profile.credit;
  const pair = `${C.highYield}/${C.treasury}`;
  const state = creditState(h, t);
  if (state === 'unavailable') return `Credit unavailable: the data has no ${C.highYield} or ${C.treasury} series.`;
  if (state === null) return `Credit: no ${pair} reading yet (a bar missing or the ${C.smaPeriod}-session look-back).`;
  const c = h.credit;
  const where = c.ratio[t] < c.ratioSma[t] ? 'below' : 'above';
  const facts = `${pair} ${fmt(c.ratio[t], 4)} ${where} its ${C.smaPeriod}-session average ${fmt(c.ratioSma[t], 4)}, ${signed(c.drop[t])}% over ${C.dropLookback} sessions`;
  if (c.state[t] !== STRESS) return `Credit calm: ${facts}.`;
  if (!C.enabled) return `Credit stress (overlay off, size unchanged): ${facts}.`;
  return `Credit stress: ${facts}, average falling; position size halved.`;
}

/** Index of the session on `day`, or of the last session before it; -1 when none. */
export function indexAtOrBefore(h: History, day: number): number {
  const i = lowerBound(h.dates, day);
  return i < h.length && h.dates[i] === day ? i : i - 1;
}

/** The full reading of session t. */
export function readingAt(h: History, t: number): Reading {
  if (!(t >= 0 && t < h.length)) throw new RangeError(`session index ${t} is outside the history (0..${h.length - 1})`);
  const out: Reading = {};
  for (const f of FIELDS) setPath(out, f.name, f.get(h, t));
  const P = h.profile;
  const flip: Record<string, unknown> = {};
  for (const layer of LAYERS) {
    const cols = h[layer];
    const available = layer !== 'breadth' || h.breadth.available;
    flip[layer] = { distance: available ? num(cols.flip[t]) : null, unit: FLIP_UNITS[layer] };
  }
  setPath(out, 'composite.rationale', rationale(h, t));
  setPath(out, 'composite.flip', flip);
  const rot = rotationName(h.rotation.state[t]);
  setPath(out, 'rotation.posture', rot ? POSTURES[rot] : null);
  setPath(
    out,
    'macro.windows',
    (h.macro.active[t] ?? []).map((e) => ({ ...h.events[e] })),
  );
  out.thresholds = {
    trendNeutralAtr: P.trend.neutralAtr,
    momentumAtrMultiplier: { base: P.momentum.atrMultiplier, used: h.macro.atrMultiplier[t] },
    momentumThreshold: { base: num(h.momentum.thresholdBase[t]), used: num(h.momentum.threshold[t]) },
    breadthFullSizeMin: P.breadth.fullSizeMin,
    rsNeutralBand: P.rs.neutralBand,
    compositeRatio: { base: P.composite.ratio, used: h.macro.compositeRatio[t] },
    compositeThreshold: { base: num(h.composite.thresholdBase[t]), used: num(h.composite.threshold[t]) },
  };
  return out;
}

export interface HistoryTable {
  columns: string[];
  rows: FieldValue[][];
}

/** Sessions [from, to] (indices, inclusive) as a table of the named fields. */
export function historyTable(h: History, from: number, to: number, fields: readonly string[]): HistoryTable {
  const defs = fields.map(fieldDef);
  const rows: FieldValue[][] = [];
  for (let t = Math.max(0, from); t <= Math.min(h.length - 1, to); t++) rows.push(defs.map((d) => d.get(h, t)));
  return { columns: defs.map((d) => d.name), rows };
}

/** The same sessions as objects keyed by field name (the CLI's `history --json`). */
export function historyObjects(
  h: History,
  from: number,
  to: number,
  fields: readonly string[],
): Record<string, FieldValue>[] {
  const table = historyTable(h, from, to, fields);
  return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c, row[i]])));
}

/** Supports and resistances as of session t (at most `count` each), shaped for JSON. */
export function levelsReport(h: History, t: number, count: number) {
  const lv = historyLevelsAt(h, t);
  const atr = num(h.atr[t]);
  const shape = (l: { price: number; touches: number; lastTouched: number }) => ({
    price: l.price,
    touches: l.touches,
    lastTouched: formatDay(h.dates[l.lastTouched]),
    distanceAtr: atr === null ? null : (l.price - h.close[t]) / atr,
  });
  return {
    date: formatDay(h.dates[t]),
    close: h.close[t],
    atr,
    clusterTolerance: num(lv.tolerance),
    supports: lv.supports.slice(0, count).map(shape),
    resistances: lv.resistances.slice(0, count).map(shape),
    allTimeHigh: { price: lv.allTimeHigh.price, date: formatDay(h.dates[lv.allTimeHigh.index]) },
  };
}
