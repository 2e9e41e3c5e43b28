/**
 * What each profile parameter means, for people: a label, one sentence from
 * docs/SIGNALS.md and its unit, keyed by the parameter's path in ProfileSchema
 * (`trend.fastPeriod`, `macro.windows.fomc.before`). The allowed range is not here: the
 * taskpane reads it from the schema itself (profile-form.ts), so it cannot drift.
 *
 * test/addin/profile-form.test.ts checks that every leaf of the schema has an entry here
 * and that no entry names a parameter the schema no longer has. A list's item fields are
 * keyed `<list>[].<field>` (`macro.customEvents[].date`).
 */
import type { EventKind } from '../../api/src/engine/types';

export interface FieldInfo {
  /** Short label shown next to the control (unique across the profile). */
  label: string;
  /** What the parameter does, in the words of docs/SIGNALS.md. */
  meaning: string;
  /** Unit of the value. */
  unit: string;
}

/** The groups of the editor, in display order: the schema's top-level objects, plus "general" for top-level leaves. */
export const PROFILE_GROUPS: readonly { id: string; title: string; summary: string }[] = [
  { id: 'general', title: 'General', summary: 'Name and the ATR every layer measures distance in' },
  { id: 'trend', title: 'Trend', summary: 'Layer 1: fast and slow EMA of the close' },
  {
    id: 'momentum',
    title: 'Momentum',
    summary: 'Layer 2: rate of change against an ATR threshold, volume confirmation',
  },
  { id: 'breadth', title: 'Breadth', summary: 'Layer 3: share of Russell 2000 members above their averages' },
  { id: 'rs', title: 'Relative strength', summary: 'Layer 4: primary against benchmark rate of change' },
  { id: 'composite', title: 'Composite', summary: 'Weighted sum of the layers and its threshold' },
  { id: 'rotation', title: 'Rotation', summary: 'IWM/SPY ratio: leadership, parity, flight' },
  { id: 'macro', title: 'Macro overlay', summary: 'Event windows and how they tighten the thresholds' },
  { id: 'credit', title: 'Credit overlay', summary: 'High-yield / Treasury ratio: stress halves the size' },
  { id: 'levels', title: 'Levels', summary: 'Support and resistance from swing points' },
  { id: 'debrief', title: 'Debrief', summary: 'End-of-day review of the opening reading' },
  { id: 'backtest', title: 'Backtest', summary: 'Historical setups and the generic comparison' },
];

/** How the taskpane names each event kind (EVENT_KINDS). */
export const EVENT_KIND_NAMES: Readonly<Record<EventKind, string>> = {
  fomc: 'FOMC decision',
  'russell-recon': 'Russell reconstitution',
  cpi: 'CPI release',
  'earnings-season': 'Earnings season',
  custom: 'Custom',
};

const S = 'sessions';
const ATR = 'ATR multiples';

function windowFields(kind: string, name: string): Record<string, FieldInfo> {
  return {
    [`macro.windows.${kind}.before`]: {
      label: `${name} window: sessions before`,
      meaning: `The window opens this many trading days before a ${name} event.`,
      unit: S,
    },
    [`macro.windows.${kind}.after`]: {
      label: `${name} window: sessions after`,
      meaning: `The window stays open this many trading days after a ${name} event.`,
      unit: S,
    },
  };
}

export const PROFILE_FIELDS: Readonly<Record<string, FieldInfo>> = {
  name: {
    label: 'Profile name',
    meaning: 'Shown in every reading. A preset with changed values is named "<preset>-custom" unless you name it.',
    unit: 'text',
  },
  atrPeriod: {
    label: 'ATR period',
    meaning:
      "Wilder's Average True Range: the yardstick for the trend gap, the momentum threshold, levels and the debrief's flat band.",
    unit: S,
  },

  'trend.fastPeriod': { label: 'Fast EMA period', meaning: 'Fast trend line: EMA of the close.', unit: S },
  'trend.slowPeriod': {
    label: 'Slow EMA period',
    meaning: 'Slow trend line: EMA of the close; longer than the fast one.',
    unit: S,
  },
  'trend.neutralAtr': {
    label: 'Trend neutral band',
    meaning: 'Trend is neutral while |fast − slow| / ATR is below this; otherwise bullish or bearish by the sign.',
    unit: ATR,
  },
  'trend.convergenceLag': {
    label: 'Convergence lag',
    meaning: 'Converging when |fast − slow| is smaller than this many sessions ago, diverging when larger.',
    unit: S,
  },
  'trend.separationAtr': {
    label: 'Separation threshold',
    meaning: '|gap| / ATR above this counts as a prolonged separation (for the convergence setup).',
    unit: ATR,
  },
  'trend.separationLookback': {
    label: 'Separation look-back',
    meaning: 'Sessions searched for a prolonged separation.',
    unit: S,
  },
  'trend.separationMinSessions': {
    label: 'Separation minimum sessions',
    meaning: 'Separated sessions needed within the look-back (at most the look-back).',
    unit: S,
  },
  'trend.convergedAtr': {
    label: 'Converged band',
    meaning: 'The convergence setup fires when |gap| / ATR is at most this and the lines are converging.',
    unit: ATR,
  },

  'momentum.lookback': {
    label: 'Momentum look-back (L)',
    meaning: 'Short rate of change ROC(c, L); the move c(t) − c(t−L) is compared with the threshold.',
    unit: S,
  },
  'momentum.longLookback': {
    label: 'Long ROC look-back',
    meaning: 'The long rate of change must agree in sign for a bullish or bearish signal.',
    unit: S,
  },
  'momentum.atrMultiplier': {
    label: 'Momentum ATR multiplier',
    meaning: 'Threshold = multiplier × ATR that the move must exceed; the macro overlay adjusts it.',
    unit: ATR,
  },
  'momentum.volumeWindow': {
    label: 'Volume profile window',
    meaning: 'Sessions of the volume profile whose lower (upper) third confirms a bullish (bearish) signal.',
    unit: S,
  },
  'momentum.volumeAveragePeriod': {
    label: 'Volume average period',
    meaning: 'SMA of volume; a third confirms when its volume exceeds window × average / 3.',
    unit: S,
  },

  'breadth.shortPeriod': {
    label: 'Breadth short SMA',
    meaning: 'pct50: share of members closing above their SMA of this length.',
    unit: S,
  },
  'breadth.longPeriod': {
    label: 'Breadth long SMA',
    meaning: 'pct200: share of members closing above their SMA of this length.',
    unit: S,
  },
  'breadth.fullSizeMin': {
    label: 'Full-size minimum',
    meaning: 'Bullish when pct50 is at least this and not falling; bearish below it and falling.',
    unit: '% of members',
  },
  'breadth.divergenceMax': {
    label: 'Divergence ceiling',
    meaning: 'Divergence warning when the primary rallies while pct50 is below this.',
    unit: '% of members',
  },
  'breadth.washout': {
    label: 'Washout level',
    meaning: 'pct50 below this on a recent session marks a washout (for the washout recovery setup).',
    unit: '% of members',
  },
  'breadth.washoutLookback': {
    label: 'Washout look-back',
    meaning: 'Sessions searched for a washout.',
    unit: S,
  },
  'breadth.washoutSupportAtr': {
    label: 'Washout support distance',
    meaning: 'Washout recovery needs the close within this many ATR of the nearest support.',
    unit: ATR,
  },
  'breadth.deltaLag': {
    label: 'Breadth change lag',
    meaning: 'd5 = pct50 now minus pct50 this many sessions ago.',
    unit: S,
  },

  'rs.period': {
    label: 'Relative strength period',
    meaning: 'rs = ROC(primary, n) − ROC(benchmark, n).',
    unit: S,
  },
  'rs.neutralBand': {
    label: 'Relative strength neutral band',
    meaning: 'Bullish when rs is above +band, bearish below −band, else neutral.',
    unit: 'percentage points',
  },

  'composite.weights.trend': {
    label: 'Trend weight',
    meaning: "Weight of the trend layer's score in the composite sum.",
    unit: 'weight',
  },
  'composite.weights.momentum': {
    label: 'Momentum weight',
    meaning: "Weight of the momentum layer's score in the composite sum.",
    unit: 'weight',
  },
  'composite.weights.breadth': {
    label: 'Breadth weight',
    meaning: "Weight of the breadth layer's score in the composite sum.",
    unit: 'weight',
  },
  'composite.weights.rs': {
    label: 'Relative strength weight',
    meaning: "Weight of the relative strength layer's score in the composite sum.",
    unit: 'weight',
  },
  'composite.ratio': {
    label: 'Composite threshold ratio',
    meaning: 'Bullish when the score is at least ratio × the sum of available weights; bearish at most minus that.',
    unit: 'fraction of the weights',
  },

  'rotation.smaPeriod': {
    label: 'Rotation ratio SMA',
    meaning: 'SMA of the primary/benchmark close ratio that the ratio and its slope are compared with.',
    unit: S,
  },
  'rotation.bandLookback': {
    label: 'Rotation band look-back',
    meaning: 'Sessions over which the band (max − min) / mean of the ratio is measured.',
    unit: S,
  },
  'rotation.bandPct': {
    label: 'Parity band',
    meaning: 'Parity while the band is at most this.',
    unit: '% of the ratio',
  },
  'rotation.slopeLag': {
    label: 'Rotation slope lag',
    meaning: 'Leadership needs the ratio SMA above its value this many sessions ago; flight below it.',
    unit: S,
  },

  'macro.enabled': {
    label: 'Macro overlay',
    meaning: 'Tighten the thresholds in the windows around FOMC, Russell reconstitution, CPI and custom events.',
    unit: 'on/off',
  },
  ...windowFields('fomc', 'FOMC'),
  ...windowFields('russell-recon', 'Russell reconstitution'),
  ...windowFields('cpi', 'CPI'),
  ...windowFields('custom', 'Custom event'),
  'macro.tightenFactor': {
    label: 'Tighten factor',
    meaning: 'Inside a window the momentum ATR multiplier is multiplied by this.',
    unit: 'factor',
  },
  'macro.ratioAdd': {
    label: 'Composite ratio add',
    meaning: 'Inside a window this is added to the composite threshold ratio.',
    unit: 'fraction of the weights',
  },
  'macro.relaxFactor': {
    label: 'Relax factor',
    meaning: 'Right after a window the momentum ATR multiplier is multiplied by this.',
    unit: 'factor',
  },
  'macro.relaxSessions': {
    label: 'Relax sessions',
    meaning: 'Sessions after a window in which the relax factor applies.',
    unit: S,
  },
  'macro.customEvents': {
    label: 'Custom events',
    meaning:
      'Your own calendar events, kept in the profile so the workbook (or a template) carries them; the API adds them to its calendar. Add, edit and remove them in the Macro calendar section.',
    unit: 'events',
  },
  'macro.customEvents[].date': {
    label: 'Event date',
    meaning: 'The day of the event; a weekend or holiday counts from the next session.',
    unit: 'date YYYY-MM-DD',
  },
  'macro.customEvents[].kind': {
    label: 'Event kind',
    meaning:
      "Which window applies: the profile's window for the kind (sessions before and after the date, in the Macro overlay group), or date to end for an earnings season.",
    unit: 'kind',
  },
  'macro.customEvents[].label': {
    label: 'Event label',
    meaning: 'Shown as the event in force, in the reading and in the calendar.',
    unit: 'text',
  },
  'macro.customEvents[].end': {
    label: 'Event end',
    meaning: 'Earnings seasons only: the last day of the season (on or after the date).',
    unit: 'date YYYY-MM-DD',
  },

  'credit.enabled': {
    label: 'Credit overlay',
    meaning: 'Halve the position size under credit stress. Off: the state is still reported but changes nothing.',
    unit: 'on/off',
  },
  'credit.highYield': {
    label: 'High-yield ETF',
    meaning: 'The numerator of the credit ratio: a high-yield bond ETF the data source has.',
    unit: 'ticker',
  },
  'credit.treasury': {
    label: 'Treasury ETF',
    meaning: 'The denominator: a Treasury ETF of similar duration; without either series the overlay is unavailable.',
    unit: 'ticker',
  },
  'credit.smaPeriod': {
    label: 'Credit ratio average',
    meaning: 'Stress needs the ratio below its simple moving average over this many sessions.',
    unit: S,
  },
  'credit.slopeLag': {
    label: 'Credit slope lag',
    meaning: 'Stress needs the average below its value this many sessions ago (falling).',
    unit: S,
  },
  'credit.dropLookback': {
    label: 'Credit drop look-back',
    meaning: 'Sessions over which the ratio’s drop is measured.',
    unit: S,
  },
  'credit.dropPct': {
    label: 'Credit drop',
    meaning: 'Stress needs the ratio down at least this much over the drop look-back.',
    unit: '%',
  },

  'levels.swingWindow': {
    label: 'Swing window',
    meaning: 'A swing high (low) is the highest high (lowest low) of this many sessions on each side.',
    unit: S,
  },
  'levels.clusterAtr': {
    label: 'Level cluster distance',
    meaning: 'Swing prices closer than this many ATR merge into one level.',
    unit: ATR,
  },
  'levels.lookback': {
    label: 'Levels look-back',
    meaning: 'Only swings within this many sessions of the as-of session make levels (the all-time high looks at all).',
    unit: S,
  },

  'debrief.deadBandAtr': {
    label: 'Debrief flat band',
    meaning: "A session's intraday move within ± this × ATR counts as flat.",
    unit: ATR,
  },
  'debrief.warningLookback': {
    label: 'Warning look-back',
    meaning: 'Sessions before a failed call searched for the earliest warning.',
    unit: S,
  },

  'backtest.horizon': {
    label: 'Setup horizon',
    meaning: 'A bullish setup fails when the close this many sessions later is not higher.',
    unit: S,
  },
  'backtest.genericFast': {
    label: 'Generic fast SMA',
    meaning: 'Generic comparison signal: SMA(fast) crossing above SMA(slow).',
    unit: S,
  },
  'backtest.genericSlow': {
    label: 'Generic slow SMA',
    meaning: 'Slow average of the generic comparison signal.',
    unit: S,
  },
  'backtest.genericHorizon': {
    label: 'Generic horizon',
    meaning: 'A generic signal is a false positive when the close this many sessions later is not higher.',
    unit: S,
  },
  'backtest.costBps': {
    label: 'Strategy cost',
    meaning: 'The sizing strategy pays this on each change of its fraction, times the change.',
    unit: 'basis points',
  },
};
