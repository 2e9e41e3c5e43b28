/**
 * End-of-day debrief (SIGNALS.md, "Debrief"): what the opening reading said, what the
 * session did, which layer was right, and which layer warned first when the
 * composite failed.
 */
import { formatDay } from './dates';
import { BEARISH, BULLISH, LAYERS, NEUTRAL, UNDEF, type History, type LayerName } from './engine';
import { LevelTracker, historyLevelsAt, type NearestLevels } from './levels';
import { stateName } from './fields';
import { SessionError } from './sessions';

export type Direction = 'up' | 'down' | 'flat';

export interface LayerCall {
  layer: LayerName;
  /** State at the previous close; null when undefined, 'unavailable' without data. */
  call: string | null;
  correct: boolean | null;
  /** Distance to flip divided by the layer's own threshold scale (see marginOf). */
  margin: number | null;
}

export interface Debrief {
  date: string;
  openingDate: string;
  openingComposite: string | null;
  openingScore: number | null;
  open: number;
  close: number;
  move: number;
  closeToClose: number;
  /** NaN (JSON null) before ATR(d-1) exists. */
  deadBand: number;
  /** null before ATR(d-1) exists: without the dead band no direction can be judged. */
  direction: Direction | null;
  calls: LayerCall[];
  /** 'correct', 'failed', or null when the opening composite was undefined. */
  outcome: 'correct' | 'failed' | null;
  mostAccurate: LayerName | 'none';
  earliestWarning: { layer: LayerName; date: string; close: number; state: string } | null;
  lesson: string;
}

const DIRECTION_OF: Record<number, Direction> = { [BULLISH]: 'up', [BEARISH]: 'down', [NEUTRAL]: 'flat' };

/**
 * A layer's distance to flip in units of its own threshold, so layers measured in
 * ATR, percentage points and breadth points can be compared: trend / neutralAtr,
 * momentum / the ATR multiplier used, breadth / fullSizeMin, rs / neutralBand.
 * A zero threshold leaves the raw distance.
 */
export function marginOf(h: History, layer: LayerName, t: number): number {
  const P = h.profile;
  const flip = h[layer].flip[t];
  const scale =
    layer === 'trend'
      ? P.trend.neutralAtr
      : layer === 'momentum'
        ? h.macro.atrMultiplier[t]
        : layer === 'breadth'
          ? P.breadth.fullSizeMin
          : P.rs.neutralBand;
  return scale > 0 ? flip / scale : flip;
}

function layerAvailable(h: History, layer: LayerName): boolean {
  return layer !== 'breadth' || h.breadth.available;
}

/** The debrief of session d (an index >= 1). */
export function debriefAt(h: History, d: number): Debrief {
  if (!(d >= 1 && d < h.length)) {
    throw new RangeError(`a debrief needs the session before it: index ${d} is outside 1..${h.length - 1}`);
  }
  const lv = historyLevelsAt(h, d);
  return debriefWith(h, d, { support: lv.supports[0]?.price ?? NaN, resistance: lv.resistances[0]?.price ?? NaN });
}

/** The debrief of session d given the levels nearest its close (the lesson names them). */
function debriefWith(h: History, d: number, levels: NearestLevels): Debrief {
  const P = h.profile;
  const prev = d - 1;
  const move = h.close[d] - h.open[d];
  const deadBand = P.debrief.deadBandAtr * h.atr[prev];
  const direction: Direction | null = Number.isNaN(deadBand)
    ? null
    : move > deadBand
      ? 'up'
      : move < -deadBand
        ? 'down'
        : 'flat';

  const calls: LayerCall[] = LAYERS.map((layer) => {
    if (!layerAvailable(h, layer)) return { layer, call: 'unavailable', correct: null, margin: null };
    const s = h[layer].state[prev];
    if (s === UNDEF) return { layer, call: null, correct: null, margin: null };
    const correct = direction === null ? null : DIRECTION_OF[s] === direction;
    return { layer, call: stateName(s), correct, margin: marginOf(h, layer, prev) };
  });

  let mostAccurate: LayerName | 'none' = 'none';
  let best = -Infinity;
  for (const c of calls) {
    // Strictly greater keeps the first of equal margins: trend, momentum, breadth, rs.
    if (c.correct && c.margin !== null && c.margin > best) {
      best = c.margin;
      mostAccurate = c.layer;
    }
  }

  const rating = h.composite.rating[prev];
  const outcome: Debrief['outcome'] =
    rating === UNDEF || direction === null ? null : DIRECTION_OF[rating] === direction ? 'correct' : 'failed';
  const earliestWarning = outcome === 'failed' ? findEarliestWarning(h, prev) : null;

  const base = {
    date: formatDay(h.dates[d]),
    openingDate: formatDay(h.dates[prev]),
    openingComposite: stateName(rating),
    openingScore: Number.isNaN(h.composite.score[prev]) ? null : h.composite.score[prev],
    open: h.open[d],
    close: h.close[d],
    move,
    closeToClose: h.close[d] - h.close[prev],
    deadBand,
    direction,
    calls,
    outcome,
    mostAccurate,
    earliestWarning,
  };
  return { ...base, lesson: lessonFor(base, levels) };
}

/**
 * For each layer that disagreed with the composite at `prev`, the first session of the
 * look-back from which it disagreed without a break; the earliest of these.
 */
function findEarliestWarning(h: History, prev: number): Debrief['earliestWarning'] {
  const from = Math.max(0, prev + 1 - h.profile.debrief.warningLookback);
  let found: Debrief['earliestWarning'] = null;
  let foundAt = Infinity;
  for (const layer of LAYERS) {
    if (!layerAvailable(h, layer)) continue;
    const state = h[layer].state;
    const disagrees = (s: number) =>
      state[s] !== UNDEF && h.composite.rating[s] !== UNDEF && state[s] !== h.composite.rating[s];
    if (!disagrees(prev)) continue;
    let first = prev;
    while (first - 1 >= from && disagrees(first - 1)) first--;
    if (first < foundAt) {
      foundAt = first;
      found = { layer, date: formatDay(h.dates[first]), close: h.close[first], state: stateName(state[first]) ?? '' };
    }
  }
  return found;
}

function lessonFor(db: Omit<Debrief, 'lesson'>, { support, resistance }: NearestLevels): string {
  const levels = [
    Number.isNaN(support) ? '' : `support ${support.toFixed(2)}`,
    Number.isNaN(resistance) ? '' : `resistance ${resistance.toFixed(2)}`,
  ]
    .filter(Boolean)
    .join(', ');
  const watch = levels ? `; watch ${levels}` : '';
  if (db.outcome === null) return `No opening composite (not enough history)${watch}.`;
  if (db.outcome === 'failed') {
    const w = db.earliestWarning;
    if (w) {
      return `The ${db.openingComposite} composite failed (${db.direction} session): respect ${w.layer}, which turned ${w.state} on ${w.date} at ${w.close.toFixed(2)}${watch}.`;
    }
    const right = db.mostAccurate !== 'none' ? `; ${db.mostAccurate} read it right` : '';
    return `The ${db.openingComposite} composite failed (${db.direction} session) with no layer dissenting beforehand${right}${watch}.`;
  }
  if (db.mostAccurate === 'none') return `The ${db.openingComposite} composite held (${db.direction} session)${watch}.`;
  const call = db.calls.find((c) => c.layer === db.mostAccurate);
  return `The ${db.openingComposite} composite held (${db.direction} session); ${db.mostAccurate} (${call?.call}) had the widest margin, keep respecting it${watch}.`;
}

/**
 * Debriefs of sessions a..b (indices, inclusive). The first session has no previous
 * close to debrief against, so a range starting there starts one later, and the first
 * session alone is not available. Levels are tracked as the sessions advance, so a range
 * costs linear time (debriefAt per session re-clusters every swing: quadratic over 25 years).
 */
export function debriefsBetween(h: History, a: number, b: number): Debrief[] {
  if (a === 0) {
    if (b === 0)
      throw new SessionError('debrief: the first session of the data has no previous session', 'not-available');
    a = 1;
  }
  if (!(a >= 1 && b < h.length)) {
    throw new RangeError(`debrief range ${a}..${b} is outside 1..${h.length - 1}`);
  }
  const { swingWindow, clusterAtr, lookback } = h.profile.levels;
  const tracker = new LevelTracker(h.swings, swingWindow, lookback);
  const out: Debrief[] = [];
  for (let d = a; d <= b; d++) {
    tracker.advance(d);
    out.push(debriefWith(h, d, tracker.nearest(h.close[d], clusterAtr * h.atr[d])));
  }
  return out;
}
