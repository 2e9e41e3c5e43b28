/**
 * The field registry: one name per number (SIGNALS.md, "Field names"). The API's
 * `signal` and `history`, the CLI's --json and IWM.SIGNAL(field) all read values
 * through this table, so a field cannot mean two things in two places.
 */
import { formatDay } from './dates';
import { BEARISH, BULLISH, CALM, FLIGHT, LEADERSHIP, NEUTRAL, PARITY, STRESS, UNDEF, type History } from './engine';
import { COVERAGE_NAMES, MACRO_PHASE_NAMES } from './macro';

export type FieldValue = number | string | boolean | string[] | null;
export type FieldKind = 'number' | 'state' | 'boolean' | 'date' | 'list';

export interface FieldDef {
  name: string;
  kind: FieldKind;
  description: string;
  get: (h: History, t: number) => FieldValue;
}

const STATE_NAMES: Record<number, string> = { [BULLISH]: 'bullish', [NEUTRAL]: 'neutral', [BEARISH]: 'bearish' };
const ROTATION_NAMES: Record<number, string> = { [LEADERSHIP]: 'leadership', [PARITY]: 'parity', [FLIGHT]: 'flight' };
const CREDIT_NAMES: Record<number, string> = { [STRESS]: 'stress', [CALM]: 'calm' };

/** NaN (look-back not available) becomes null, never 0. */
export const num = (v: number): number | null => (Number.isNaN(v) ? null : v);

export function stateName(code: number): string | null {
  return code === UNDEF ? null : STATE_NAMES[code];
}

export function rotationName(code: number): string | null {
  return code === UNDEF ? null : ROTATION_NAMES[code];
}

/** The credit state at t: stress, calm, unavailable (no series), or null before the look-backs. */
export function creditState(h: History, t: number): string | null {
  if (!h.credit.available) return 'unavailable';
  const code = h.credit.state[t];
  return code === UNDEF ? null : CREDIT_NAMES[code];
}

/** A flag is only meaningful where its layer has a state; before that it is null. */
function flagAt(state: Int8Array, bits: Uint8Array, t: number): boolean | null {
  return state[t] === UNDEF ? null : bits[t] === 1;
}

function breadthState(h: History, t: number): string | null {
  return h.breadth.available ? stateName(h.breadth.state[t]) : 'unavailable';
}

/** Breadth fields are null (not zero) when the layer has no data at all. */
const n = (name: string, description: string, get: (h: History) => Float64Array): FieldDef => ({
  name,
  kind: 'number',
  description,
  get: (h, t) => num(get(h)[t]),
});

/** A layer's state as a word. */
const layerState = (layer: 'trend' | 'momentum' | 'rs', description: string): FieldDef => ({
  name: `${layer}.state`,
  kind: 'state',
  description,
  get: (h, t) => stateName(h[layer].state[t]),
});

/** A trend flag: null until both its layer's state and its own look-back exist. */
const trendFlag = (flagName: 'converging' | 'diverging', description: string): FieldDef => ({
  name: `trend.${flagName}`,
  kind: 'boolean',
  description,
  get: (h, t) => {
    const v = h.trend[flagName][t];
    return h.trend.state[t] === UNDEF || v === UNDEF ? null : v === 1;
  },
});

/** A flag of a layer: null while the layer has no state. */
const layerFlag = <L extends 'trend' | 'momentum' | 'rs'>(
  layer: L,
  flagName: string,
  description: string,
  pick: (h: History) => Uint8Array,
): FieldDef => ({
  name: `${layer}.${flagName}`,
  kind: 'boolean',
  description,
  get: (h, t) => flagAt(h[layer].state, pick(h), t),
});

/** A breadth number: null when breadth is unavailable. */
const bNum = (name: string, description: string, pick: (h: History) => Float64Array): FieldDef => ({
  name: `breadth.${name}`,
  kind: 'number',
  description,
  get: (h, t) => (h.breadth.available ? num(pick(h)[t]) : null),
});

/** A breadth flag: null when breadth is unavailable or has no state. */
const bFlag = (name: string, description: string, pick: (h: History) => Uint8Array): FieldDef => ({
  name: `breadth.${name}`,
  kind: 'boolean',
  description,
  get: (h, t) => (h.breadth.available ? flagAt(h.breadth.state, pick(h), t) : null),
});

export const FIELDS: readonly FieldDef[] = [
  { name: 'date', kind: 'date', description: 'session date (ISO)', get: (h, t) => formatDay(h.dates[t]) },
  n('open', 'primary open', (h) => h.open),
  n('high', 'primary high', (h) => h.high),
  n('low', 'primary low', (h) => h.low),
  n('close', 'primary close', (h) => h.close),
  n('volume', 'primary volume', (h) => h.volume),
  n('benchmarkClose', 'benchmark close', (h) => h.benchmarkClose),
  n('atr', 'ATR(atrPeriod) of the primary, Wilder', (h) => h.atr),

  n('trend.fast', 'EMA(close, trend.fastPeriod)', (h) => h.trend.fast),
  n('trend.slow', 'EMA(close, trend.slowPeriod)', (h) => h.trend.slow),
  n('trend.gap', 'fast - slow', (h) => h.trend.gap),
  n('trend.gapAtr', 'gap / ATR', (h) => h.trend.gapAtr),
  layerState('trend', 'trend state'),
  trendFlag('converging', '|gap| below its value trend.convergenceLag sessions ago'),
  trendFlag('diverging', '|gap| above its value trend.convergenceLag sessions ago'),
  {
    name: 'trend.convergenceSetup',
    kind: 'state',
    description: 'convergence setup after a prolonged separation: bullish, bearish or none',
    get: (h, t) => {
      const c = h.trend.convergenceSetup[t];
      return c === UNDEF ? null : c === NEUTRAL ? 'none' : stateName(c);
    },
  },
  n('trend.score', 'trend score (+1/0/-1)', (h) => h.trend.score),
  n('trend.flip', 'ATR the gap must move to change the trend state', (h) => h.trend.flip),

  n('momentum.rocShort', 'ROC(close, momentum.lookback) in %', (h) => h.momentum.rocShort),
  n('momentum.rocLong', 'ROC(close, momentum.longLookback) in %', (h) => h.momentum.rocLong),
  n('momentum.move', 'close - close momentum.lookback sessions ago', (h) => h.momentum.move),
  n('momentum.thresholdBase', 'atrMultiplier x ATR before the macro overlay', (h) => h.momentum.thresholdBase),
  n('momentum.threshold', 'threshold actually used (after the macro overlay)', (h) => h.momentum.threshold),
  layerState('momentum', 'momentum state'),
  layerFlag(
    'momentum',
    'confirmed',
    'the signal has volume confirmation (false when neutral)',
    (h) => h.momentum.confirmed,
  ),
  n('momentum.lowerThirdVolume', 'window volume in the lower third of its range', (h) => h.momentum.lowerThirdVolume),
  n('momentum.upperThirdVolume', 'window volume in the upper third of its range', (h) => h.momentum.upperThirdVolume),
  n('momentum.volumeNeeded', 'volume a third must exceed: window x SMA(volume) / 3', (h) => h.momentum.volumeNeeded),
  n('momentum.score', 'momentum score (+-1 confirmed, +-0.5 weak, 0)', (h) => h.momentum.score),
  n('momentum.flip', 'ATR the move must travel to change the momentum state', (h) => h.momentum.flip),

  bNum('pct50', '% of members above their short SMA', (h) => h.breadth.pct50),
  bNum('pct200', '% of members above their long SMA', (h) => h.breadth.pct200),
  bNum('d5', 'pct50 change over breadth.deltaLag sessions', (h) => h.breadth.d5),
  { name: 'breadth.state', kind: 'state', description: 'breadth state (unavailable without data)', get: breadthState },
  bFlag(
    'divergenceWarning',
    'primary rallying while pct50 is below breadth.divergenceMax',
    (h) => h.breadth.divergenceWarning,
  ),
  bFlag(
    'washoutRecovery',
    'washout in the look-back, pct50 rising, close near support',
    (h) => h.breadth.washoutRecovery,
  ),
  bNum('flipAt', 'pct50 value at which the breadth state changes', (h) => h.breadth.flipAt),
  bNum('score', 'breadth score (+1/0/-1)', (h) => h.breadth.score),
  bNum('flip', 'breadth points pct50 must move to change state', (h) => h.breadth.flip),
  {
    name: 'breadth.members',
    kind: 'number',
    description: 'members counted in pct50 (universe breadth only)',
    get: (h, t) => (h.breadth.members ? h.breadth.members[t] : null),
  },

  n('rs.spread', 'ROC(primary) - ROC(benchmark), percentage points', (h) => h.rs.spread),
  n('rs.benchmarkRoc', 'ROC(benchmark, rs.period) in %', (h) => h.rs.benchmarkRoc),
  layerState('rs', 'relative-strength state'),
  layerFlag('rs', 'broadAdvance', 'benchmark ROC above 0', (h) => h.rs.broadAdvance),
  layerFlag('rs', 'confirmation', 'bullish during a broad advance', (h) => h.rs.confirmation),
  layerFlag('rs', 'deteriorationWarning', 'bearish during a broad advance', (h) => h.rs.deteriorationWarning),
  n('rs.score', 'relative-strength score (+1/0/-1)', (h) => h.rs.score),
  n('rs.flip', 'percentage points the spread must move to change state', (h) => h.rs.flip),

  n('composite.score', 'weighted sum of available layer scores', (h) => h.composite.score),
  n(
    'composite.thresholdBase',
    'compositeRatio x available weights, before the overlay',
    (h) => h.composite.thresholdBase,
  ),
  n('composite.threshold', 'threshold actually used (after the macro overlay)', (h) => h.composite.threshold),
  {
    name: 'composite.rating',
    kind: 'state',
    description: 'composite rating',
    get: (h, t) => stateName(h.composite.rating[t]),
  },

  n('rotation.ratio', 'primary close / benchmark close', (h) => h.rotation.ratio),
  n('rotation.ratioSma', 'SMA(ratio, rotation.smaPeriod)', (h) => h.rotation.ratioSma),
  n('rotation.bandPct', '(max - min) / mean of the ratio over rotation.bandLookback, %', (h) => h.rotation.bandPct),
  {
    name: 'rotation.state',
    kind: 'state',
    description: 'leadership, parity or flight',
    get: (h, t) => rotationName(h.rotation.state[t]),
  },

  n('sizing.fraction', 'position size: 0, 0.125, 0.25, 0.5 or 1', (h) => h.sizing.fraction),

  n('credit.ratio', 'credit.highYield close / credit.treasury close', (h) => h.credit.ratio),
  n('credit.ratioSma', 'SMA(credit ratio, credit.smaPeriod) over the sessions with a ratio', (h) => h.credit.ratioSma),
  n('credit.drop', 'change of the credit ratio over credit.dropLookback sessions, %', (h) => h.credit.drop),
  {
    name: 'credit.state',
    kind: 'state',
    description: 'stress (halves the size), calm, or unavailable without both series',
    get: creditState,
  },
  {
    name: 'credit.enabled',
    kind: 'boolean',
    description: 'whether credit stress changes the size',
    get: (h) => h.profile.credit.enabled,
  },

  {
    name: 'macro.active',
    kind: 'list',
    description: 'labels of the event windows covering the session',
    get: (h, t) => (h.macro.active[t] ?? []).map((e) => h.events[e].label),
  },
  {
    name: 'macro.phase',
    kind: 'state',
    description: 'none, window or after (the relax sessions)',
    get: (h, t) => MACRO_PHASE_NAMES[h.macro.phase[t]],
  },
  {
    name: 'macro.enabled',
    kind: 'boolean',
    description: 'whether the overlay changes thresholds',
    get: (h) => h.profile.macro.enabled,
  },
  {
    name: 'macro.coverage',
    kind: 'state',
    description:
      "full, partial or none: which of the calendar's kinds have dates in the session's year (none: the overlay is absent)",
    get: (h, t) => COVERAGE_NAMES[h.coverage.state[t]],
  },
  {
    name: 'macro.uncovered',
    kind: 'list',
    description: "kinds of the calendar with no dates in the session's year (their windows are absent)",
    get: (h, t) => (h.coverage.uncovered[t] ?? []).map((k) => h.coverage.kinds[k].kind),
  },
  n('macro.atrMultiplier', 'momentum ATR multiplier actually used', (h) => h.macro.atrMultiplier),
  n('macro.compositeRatio', 'composite ratio actually used', (h) => h.macro.compositeRatio),
];

export const FIELD_NAMES: readonly string[] = FIELDS.map((f) => f.name);
const BY_NAME = new Map(FIELDS.map((f) => [f.name, f]));

/** The default columns of a history table. */
export const DEFAULT_HISTORY_FIELDS = [
  'date',
  'close',
  'benchmarkClose',
  'trend.state',
  'momentum.state',
  'breadth.state',
  'rs.state',
  'composite.score',
  'composite.rating',
  'rotation.state',
  'sizing.fraction',
] as const;

/** Looks up a field; the error lists close matches so a typo is easy to fix. */
export function fieldDef(name: string): FieldDef {
  const def = BY_NAME.get(name);
  if (def) return def;
  const prefix = name.split('.')[0];
  const near = FIELD_NAMES.filter((f) => f.startsWith(prefix)).slice(0, 12);
  throw new RangeError(
    `unknown field ${JSON.stringify(name)}${near.length ? `; fields starting with "${prefix}": ${near.join(', ')}` : ''}`,
  );
}

/** The value of one field at session t. */
export function fieldValue(h: History, name: string, t: number): FieldValue {
  return fieldDef(name).get(h, t);
}
