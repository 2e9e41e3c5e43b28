/**
 * What the Today card says, computed from the API's answers without touching the page:
 * the composite rating and how far it is from changing, one line per layer, rotation,
 * the position size and why, the macro window, what changed since the previous session
 * and the recent scores. Pure functions, so the words can be tested against the engine.
 *
 * Layers are a list (LAYER_LINES): a new overlay (e.g. credit) is one more entry whose
 * `line` reads its part of the reading and returns null when the reading has none.
 */
import { formatDay, num, percent, staleNote } from './format';

type Loose = Record<string, unknown>;

/**
 * The parts of `GET signal` (contracts/responses.ts Reading) the card reads. The Reading
 * schema is built from the field registry at run time, so its inferred type is too loose
 * to read from; this names what the card relies on.
 */
export interface SignalReading {
  date: string;
  meta: { symbol: string; benchmark: string; sample: boolean; stale: boolean; staleReason: string | null };
  composite: Loose & {
    rating: string | null;
    score: number | null;
    threshold: number | null;
    flip: Record<string, { distance: number | null; unit: string }>;
  };
  rotation: Loose & { state: string | null; posture: string | null };
  macro: Loose;
  [layer: string]: unknown;
}

export type Tone = 'bullish' | 'bearish' | 'neutral' | 'warning' | 'unknown';

export interface LayerLine {
  id: string;
  name: string;
  /** The state in words ("bearish", "stress"); "not available" when the reading has none. */
  state: string;
  tone: Tone;
  /** One short phrase in trader words: what the numbers say and the flag that fired. */
  detail: string;
  /** How far the input must move to change the state, or null. */
  flip: string | null;
  /** The numbers behind the line, shown when the line is opened. */
  numbers: [label: string, value: string][];
}

export interface TodayModel {
  date: string;
  rating: string;
  ratingTone: Tone;
  score: number | null;
  threshold: number | null;
  /** "0.5 from neutral" and the like. */
  ratingFlip: string;
  layers: LayerLine[];
  rotation: { state: string; posture: string; tone: Tone };
  size: { percent: string; why: string };
  macro: string;
  changes: string[];
  spark: number[];
  notes: string[];
}

const signed = (value: unknown, digits = 1) =>
  typeof value === 'number' && value > 0 ? `+${num(value, digits)}` : num(value, digits);

export function toneOf(state: unknown): Tone {
  if (state === 'bullish' || state === 'leadership' || state === 'calm') return 'bullish';
  if (state === 'bearish' || state === 'flight' || state === 'stress') return 'bearish';
  if (state === 'neutral' || state === 'parity') return 'neutral';
  return 'unknown';
}

const UNIT_WORDS: Record<string, string> = { atr: 'ATR', points: 'breadth points', pp: 'percentage points' };

function flipText(reading: SignalReading, id: string): string | null {
  const flip = (reading.composite.flip as Record<string, { distance: number | null; unit: string } | undefined>)[id];
  if (!flip || flip.distance === null || !Number.isFinite(flip.distance)) return null;
  return `flips ${num(flip.distance, 2)} ${UNIT_WORDS[flip.unit] ?? flip.unit} away`;
}

const flags = (pairs: [boolean | unknown, string][]) =>
  pairs
    .filter(([on]) => on === true)
    .map(([, words]) => words)
    .join('; ');

const join = (...parts: string[]) => parts.filter(Boolean).join('; ');

interface LayerSpec {
  id: string;
  name: string;
  line(reading: SignalReading): Omit<LayerLine, 'id' | 'name' | 'tone'> | null;
}

/** The layers of the reading, in the order the Today card lists them. */
export const LAYER_LINES: LayerSpec[] = [
  {
    id: 'trend',
    name: 'Trend',
    line(r) {
      const t = r.trend as Loose;
      const gap = t.gapAtr as number | null;
      return {
        state: String(t.state ?? 'not available'),
        detail: join(
          gap === null ? '' : `fast average ${num(Math.abs(gap), 2)} ATR ${gap >= 0 ? 'above' : 'below'} slow`,
          flags([
            [t.converging, 'averages converging'],
            [t.diverging, 'averages diverging'],
          ]),
          t.convergenceSetup && t.convergenceSetup !== 'none' ? `${String(t.convergenceSetup)} setup` : '',
        ),
        flip: flipText(r, 'trend'),
        numbers: [
          ['Fast average', num(t.fast, 2)],
          ['Slow average', num(t.slow, 2)],
          ['Gap in ATR', num(gap, 2)],
          ['Score', signed(t.score, 1)],
        ],
      };
    },
  },
  {
    id: 'momentum',
    name: 'Momentum',
    line(r) {
      const m = r.momentum as Loose;
      const state = String(m.state ?? 'not available');
      return {
        state,
        detail: join(
          `10-day move ${signed(m.move, 2)} vs ±${num(m.threshold, 2)}`,
          state === 'neutral' || m.state === null
            ? ''
            : m.confirmed
              ? 'volume confirms'
              : 'weak: volume does not confirm',
        ),
        flip: flipText(r, 'momentum'),
        numbers: [
          ['10-day move', signed(m.move, 2)],
          ['Threshold', num(m.threshold, 2)],
          ['Short rate of change', `${signed(m.rocShort, 2)}%`],
          ['Long rate of change', `${signed(m.rocLong, 2)}%`],
          ['Score', signed(m.score, 1)],
        ],
      };
    },
  },
  {
    id: 'breadth',
    name: 'Breadth',
    line(r) {
      const b = r.breadth as Loose;
      if (b.state === 'unavailable' || b.pct50 === null)
        return { state: String(b.state ?? 'not available'), detail: 'no member data', flip: null, numbers: [] };
      return {
        state: String(b.state),
        detail: join(
          `${num(b.pct50, 1)}% above 50-day average (${signed(b.d5, 1)} in 5 sessions)`,
          flags([
            [b.divergenceWarning, 'divergence: rally without breadth'],
            [b.washoutRecovery, 'washout recovery'],
          ]),
        ),
        flip: typeof b.flipAt === 'number' ? `flips at ${num(b.flipAt, 1)}%` : flipText(r, 'breadth'),
        numbers: [
          ['Above 50-day average', `${num(b.pct50, 1)}%`],
          ['Above 200-day average', `${num(b.pct200, 1)}%`],
          ['Change over 5 sessions', signed(b.d5, 1)],
          ['Members counted', num(b.members, 0)],
          ['Score', signed(b.score, 1)],
        ],
      };
    },
  },
  {
    id: 'rs',
    name: 'Relative strength',
    line(r) {
      const s = r.rs as Loose;
      return {
        state: String(s.state ?? 'not available'),
        detail: join(
          `${signed(s.spread, 2)} pp vs ${r.meta.benchmark} over 10 sessions`,
          flags([
            [s.confirmation, 'confirms a broad advance'],
            [s.deteriorationWarning, 'lagging a broad advance'],
          ]),
        ),
        flip: flipText(r, 'rs'),
        numbers: [
          ['Spread', `${signed(s.spread, 2)} pp`],
          [`${r.meta.benchmark} 10-day change`, `${signed(s.benchmarkRoc, 2)}%`],
          ['Score', signed(s.score, 1)],
        ],
      };
    },
  },
  {
    // An overlay, not a scored layer: it halves the size under stress (SIGNALS v1.1).
    id: 'credit',
    name: 'Credit',
    line(r) {
      const c = (r as Loose).credit as Loose | undefined;
      if (!c || !('state' in c)) return null;
      if (c.state === 'unavailable')
        return {
          state: 'unavailable',
          detail: 'no high-yield or Treasury prices in the data',
          flip: null,
          numbers: [],
        };
      if (c.state === null)
        return { state: 'not available', detail: 'not enough history yet', flip: null, numbers: [] };
      const ratio = c.ratio as number | null;
      const average = c.ratioSma as number | null;
      const where = ratio !== null && average !== null && ratio < average ? 'below' : 'above';
      const stress = c.state === 'stress';
      return {
        state: String(c.state),
        detail: join(
          `high-yield vs Treasuries ${where} its average, ${signed(c.drop, 2)}% recently`,
          stress ? (c.enabled === false ? 'overlay off: size unchanged' : 'size halved') : '',
        ),
        flip: null,
        numbers: [
          ['High-yield / Treasury ratio', num(ratio, 4)],
          ['Its average', num(average, 4)],
          ['Recent change', `${signed(c.drop, 2)}%`],
          ['Overlay', c.enabled === false ? 'off (reported only)' : 'on'],
        ],
      };
    },
  },
];

/** The composite's distance to the nearest other rating, in score points. */
export function ratingFlip(rating: string, score: number | null, threshold: number | null): string {
  if (score === null || threshold === null) return '';
  if (rating === 'bullish') return `${num(score - threshold, 1)} above the bullish line`;
  if (rating === 'bearish') return `${num(-threshold - score, 1)} below the bearish line`;
  const up = threshold - score;
  const down = score + threshold;
  return up <= down ? `${num(up, 1)} from bullish` : `${num(down, 1)} from bearish`;
}

const POSTURE_FALLBACK = 'no posture yet';

/** Why the size is what it is, following the engine's sizing rule. */
export function sizeWhy(r: SignalReading): string {
  const rating = String(r.composite.rating ?? '');
  const fraction = (r.sizing as Loose).fraction;
  if (fraction === null || fraction === undefined) return 'not enough history yet';
  if (rating !== 'bullish') return `rating ${rating || 'undefined'}: protect, no new entry`;
  const b = r.breadth as Loose;
  const rotation = String(r.rotation.state ?? '');
  const reasons: string[] = [];
  if (b.state === 'unavailable') reasons.push('breadth not available');
  else if (b.state === 'bullish' && !b.divergenceWarning) reasons.push('breadth confirms');
  else reasons.push('breadth does not confirm');
  reasons.push(`rotation ${rotation}`);
  if (rotation === 'flight') reasons.push('halved for flight');
  const credit = (r as Loose).credit as Loose | undefined;
  if (credit?.state === 'stress' && credit.enabled !== false) reasons.push('halved for credit stress');
  return reasons.join(', ');
}

export interface NextEvent {
  date: string;
  label: string;
  windowStart: string | null;
}

export function macroLine(r: SignalReading, next: NextEvent | null): string {
  const m = r.macro as Loose & { windows: { label: string; date: string; end?: string }[] };
  const off = m.enabled === false ? ' (overlay off: reported only)' : '';
  if (m.phase === 'window' && m.windows.length)
    return `In window: ${m.windows.map((w) => `${w.label} (${formatDay(w.date)})`).join(', ')}; thresholds raised${off}`;
  if (m.phase === 'after') return `Just after a window: momentum threshold relaxed${off}`;
  if (next)
    return `No window in force; next: ${next.label}, ${formatDay(next.date)}${next.windowStart && next.windowStart !== next.date ? ` (window from ${formatDay(next.windowStart)})` : ''}${off}`;
  return `No window in force; none scheduled in the next six months${off}`;
}

/** One session's values that the "changed since" line compares. */
export type SessionRow = Record<string, string | number | null>;

/** History fields the Today card asks for (sparkline and the previous session). */
export const TODAY_HISTORY_FIELDS = [
  'composite.score',
  'composite.rating',
  'trend.state',
  'momentum.state',
  'breadth.state',
  'rs.state',
  'rotation.state',
  'sizing.fraction',
] as const;

const CHANGE_WORDS: [field: string, name: string][] = [
  ['composite.rating', 'Rating'],
  ['trend.state', 'Trend'],
  ['momentum.state', 'Momentum'],
  ['breadth.state', 'Breadth'],
  ['rs.state', 'Relative strength'],
  ['rotation.state', 'Rotation'],
];

/** What changed between the previous session and this one, in words; empty when nothing did. */
export function changesSince(prev: SessionRow | null, cur: SessionRow | null): string[] {
  if (!prev || !cur) return [];
  const out: string[] = [];
  for (const [field, name] of CHANGE_WORDS)
    if (prev[field] !== cur[field]) out.push(`${name} ${prev[field] ?? 'undefined'} → ${cur[field] ?? 'undefined'}`);
  if (prev['sizing.fraction'] !== cur['sizing.fraction'])
    out.push(`Size ${percent(prev['sizing.fraction'])} → ${percent(cur['sizing.fraction'])}`);
  if (!out.length && prev['composite.score'] !== cur['composite.score'])
    out.push(`Score ${signed(prev['composite.score'])} → ${signed(cur['composite.score'])}`);
  return out;
}

/** The rows of a history table as objects by field name. */
export function historyRows(table: { columns: string[]; rows: unknown[][] }): SessionRow[] {
  return table.rows.map((row) =>
    Object.fromEntries(table.columns.map((c, i) => [c, row[i] as string | number | null])),
  );
}

export function todayModel(r: SignalReading, history: SessionRow[], next: NextEvent | null): TodayModel {
  const c = r.composite as Loose & { rating: string | null };
  const score = typeof c.score === 'number' ? c.score : null;
  const threshold = typeof c.threshold === 'number' ? c.threshold : null;
  const rating = c.rating ?? 'not available';
  const layers: LayerLine[] = [];
  for (const spec of LAYER_LINES) {
    const line = spec.line(r);
    if (line) layers.push({ id: spec.id, name: spec.name, tone: toneOf(line.state), ...line });
  }
  const rotationState = String(r.rotation.state ?? 'not available');
  const last = history.length ? history[history.length - 1] : null;
  // The history ends at the reading's session when both come from the same data; compare
  // the reading's session with the one before it.
  const prev = history.length >= 2 ? history[history.length - 2] : null;
  const notes: string[] = [];
  if (r.meta.sample) notes.push('Sample data: synthetic numbers for trying the add-in, not market readings.');
  if (r.meta.stale) notes.push(staleNote(r.meta.staleReason));
  return {
    date: r.date,
    rating,
    ratingTone: toneOf(rating),
    score,
    threshold,
    ratingFlip: ratingFlip(rating, score, threshold),
    layers,
    rotation: { state: rotationState, posture: r.rotation.posture ?? POSTURE_FALLBACK, tone: toneOf(rotationState) },
    size: { percent: percent((r.sizing as Loose).fraction), why: sizeWhy(r) },
    macro: macroLine(r, next),
    changes: changesSince(prev, last),
    spark: history.map((row) => row['composite.score']).filter((v): v is number => typeof v === 'number'),
    notes,
  };
}
