/**
 * Response contracts. The reading's shape is derived from the field registry (one name
 * per number), so adding a field to the engine adds it to the contract and to
 * openapi.json without a second list to keep in step.
 */
import { z } from 'zod';
import { EVENT_KINDS } from '../engine/types';
import { FIELDS, type FieldKind } from '../engine/fields';
import { Problem } from './problem';

const FIELD_SCHEMA: Record<FieldKind, () => z.ZodType> = {
  number: () => z.number().nullable(),
  state: () => z.string().nullable(),
  boolean: () => z.boolean().nullable(),
  date: () => z.string(),
  list: () => z.array(z.string()),
};

type Tree = { [k: string]: Tree | z.ZodType };

function treeToObject(tree: Tree): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(tree)) shape[k] = v instanceof z.ZodType ? v : treeToObject(v);
  return z.looseObject(shape);
}

/** The registry's fields nested by their dotted names. */
function readingFieldsTree(): Tree {
  const root: Tree = {};
  for (const f of FIELDS) {
    const parts = f.name.split('.');
    let node = root;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Tree;
    node[parts[parts.length - 1]] = FIELD_SCHEMA[f.kind]().describe(f.description);
  }
  return root;
}

export const DataQuality = z.object({
  primarySymbol: z.string(),
  benchmarkSymbol: z.string(),
  tradingDays: z.number().int(),
  primaryOnlyDropped: z.number().int(),
  primaryOnlyDates: z.array(z.string()),
  benchmarkOnlyDropped: z.number().int(),
  benchmarkOnlyDates: z.array(z.string()),
  universeMembers: z.number().int(),
  universeMembersEmpty: z.array(z.string()),
  universeBarsOffCalendar: z
    .number()
    .int()
    .describe("member bars on days that are not sessions: in each member's own SMA, counted on no session"),
});

/** Where a number came from and how fresh it is; on every data response. */
export const Meta = z
  .object({
    source: z.string().describe('data source: sample, csv, stooq or tiingo'),
    sample: z.boolean().describe('true when the numbers come from the embedded synthetic sample'),
    symbol: z.string(),
    benchmark: z.string(),
    profile: z.string(),
    profileHash: z.string(),
    firstDate: z.string(),
    lastBarDate: z.string(),
    generation: z.string().describe('identifies the stored data set the numbers were computed from'),
    stale: z.boolean(),
    staleReason: z.string().nullable(),
    breadthSource: z.string().nullable().describe('what breadth was computed from, or null when unavailable'),
    membership: z
      .object({
        lists: z.number().int(),
        firstAsOf: z.string(),
        lastAsOf: z.string(),
        survivorshipBiasedBefore: z
          .string()
          .describe('sessions before this date count the members of the earliest list: survivorship biased'),
      })
      .nullable()
      .describe(
        'dated index membership lists breadth counted members by (the latest list on or before each session); null without lists',
      ),
    dataQuality: DataQuality,
    warnings: z.array(z.string()),
  })
  .meta({ id: 'Meta' });
export type Meta = z.infer<typeof Meta>;

const LayerFlip = z.object({ distance: z.number().nullable(), unit: z.string() });
const MacroEventSchema = z.object({
  date: z.string(),
  kind: z.enum(EVENT_KINDS),
  label: z.string(),
  end: z.string().optional(),
});

export const ContextValue = z.object({ id: z.string(), date: z.string(), value: z.number() }).nullable();

export const Reading = (() => {
  const tree = readingFieldsTree();
  const base = treeToObject(tree);
  return base
    .extend({
      meta: Meta,
      composite: (tree.composite ? treeToObject(tree.composite as Tree) : z.looseObject({})).extend({
        rationale: z.array(z.string()),
        flip: z.object({ trend: LayerFlip, momentum: LayerFlip, breadth: LayerFlip, rs: LayerFlip }),
      }),
      rotation: (tree.rotation ? treeToObject(tree.rotation as Tree) : z.looseObject({})).extend({
        posture: z.string().nullable(),
      }),
      macro: (tree.macro ? treeToObject(tree.macro as Tree) : z.looseObject({})).extend({
        windows: z.array(MacroEventSchema),
      }),
      thresholds: z.looseObject({}),
      context: z
        .object({ curve: ContextValue, credit: ContextValue })
        .describe('FRED context as of the session: T10Y2Y (curve) and BAMLH0A0HYM2 (high-yield OAS), when loaded'),
    })
    .meta({ id: 'Reading' });
})();

const Cell = z.union([z.number(), z.string(), z.boolean(), z.array(z.string()), z.null()]);
export const HistoryTable = z
  .object({ meta: Meta, columns: z.array(z.string()), rows: z.array(z.array(Cell)) })
  .meta({ id: 'HistoryTable' });

const Level = z.object({
  price: z.number(),
  touches: z.number().int(),
  lastTouched: z.string(),
  distanceAtr: z.number().nullable(),
});
export const Levels = z
  .object({
    meta: Meta,
    date: z.string(),
    close: z.number(),
    atr: z.number().nullable(),
    clusterTolerance: z.number().nullable(),
    supports: z.array(Level),
    resistances: z.array(Level),
    allTimeHigh: z.object({ price: z.number(), date: z.string() }),
  })
  .meta({ id: 'Levels' });

export const DebriefEntry = z.looseObject({
  date: z.string(),
  openingDate: z.string(),
  openingComposite: z.string().nullable(),
  open: z.number(),
  close: z.number(),
  move: z.number(),
  direction: z.enum(['up', 'down', 'flat']).nullable(),
  outcome: z.enum(['correct', 'failed']).nullable(),
  calls: z
    .array(
      z.object({
        layer: z.string(),
        call: z.string().nullable().describe("the layer's state at the opening (previous) close"),
        correct: z.boolean().nullable(),
        margin: z.number().nullable(),
      }),
    )
    .describe("each layer's call at the opening and whether the session proved it right"),
  mostAccurate: z.string(),
  earliestWarning: z.object({ layer: z.string(), date: z.string(), close: z.number(), state: z.string() }).nullable(),
  lesson: z.string(),
});
export const Debriefs = z.object({ meta: Meta, debriefs: z.array(DebriefEntry) }).meta({ id: 'Debriefs' });

const Interval = z.object({ low: z.number(), high: z.number() });
const FailureStats = z.object({
  setups: z.number().int(),
  evaluated: z.number().int(),
  failures: z.number().int(),
  failureRate: z.number().nullable(),
  interval: Interval.nullable().describe('95 % Wilson score interval of the rate; null when nothing was evaluated'),
});
const RatioEstimate = z
  .object({
    ratio: z.number().nullable(),
    low: z.number().nullable(),
    high: z.number().nullable(),
  })
  .describe('a ratio of two rates with its 95 % interval (log method); null parts when a count is 0');
const Performance = z.object({
  totalReturn: z.number(),
  cagr: z.number().nullable(),
  volatility: z.number().nullable(),
  sharpe: z.number().nullable(),
  maxDrawdown: z.object({ depth: z.number(), peak: z.string().nullable(), trough: z.string().nullable() }),
  exposure: z.number(),
  changes: z.number().int(),
});
const CoverageKind = z.object({
  kind: z.enum(EVENT_KINDS),
  events: z.number().int(),
  first: z.string(),
  last: z.string(),
  fromYear: z.number().int(),
  toYear: z.number().int(),
  missingYears: z.array(z.number().int()),
});
export const BacktestResult = z
  .looseObject({
    meta: Meta,
    from: z.string(),
    to: z.string(),
    horizon: z.number().int(),
    total: FailureStats,
    byRotation: z.object({
      leadership: FailureStats,
      parity: FailureStats,
      flight: FailureStats,
      undefined: FailureStats,
    }),
    flightOverLeadership: RatioEstimate,
    byCredit: z.object({ calm: FailureStats, stress: FailureStats, undefined: FailureStats }),
    creditAvailable: z.boolean(),
    stressOverCalm: RatioEstimate,
    setups: z.array(z.looseObject({ date: z.string() })),
    generic: z.looseObject({
      primary: FailureStats,
      benchmark: FailureStats,
      primaryOverBenchmark: RatioEstimate,
    }),
    claims: z
      .array(
        z.object({
          id: z.string(),
          claim: z.string(),
          claimed: z.number(),
          measured: RatioEstimate,
          verdict: z.enum(['supported', 'not-supported', 'contradicted', 'no-data']),
          claimedInInterval: z.boolean().nullable(),
          summary: z.string(),
        }),
      )
      .describe("the seed's claims: the measured ratio, its 95 % interval, and whether the data supports the claim"),
    strategy: z
      .object({
        from: z.string(),
        to: z.string(),
        intervals: z.number().int(),
        costBps: z.number(),
        strategy: Performance,
        buyHold: Performance,
        equity: z.object({
          date: z.array(z.string()),
          fraction: z.array(z.number().nullable()),
          strategy: z.array(z.number()),
          buyHold: z.array(z.number()),
        }),
      })
      .describe('the sizing fraction held as a position against buy-and-hold of the primary, with equity curves'),
    calendar: z.object({
      kinds: z.array(CoverageKind),
      sessions: z.object({ full: z.number().int(), partial: z.number().int(), none: z.number().int() }),
      note: z.string(),
    }),
  })
  .meta({ id: 'Backtest' });

export const CalendarEntry = MacroEventSchema.extend({
  windowStart: z.string().nullable().describe('first session of the event window (profile.macro)'),
  windowEnd: z.string().nullable().describe('last session of the event window'),
  source: z
    .enum(['calendar', 'profile'])
    .describe("calendar: the server's calendar (shipped or its file); profile: the profile's macro.customEvents"),
});
export const CalendarResult = z
  .object({
    meta: Meta,
    from: z.string(),
    to: z.string(),
    overlayEnabled: z.boolean(),
    coverage: z.array(CoverageKind).describe("the server calendar's years per kind (missing years listed)"),
    covers: z.string().describe('the same in words, e.g. "fomc 2000-2027 (235), cpi 2003-2026 (286)"'),
    events: z.array(CalendarEntry),
  })
  .meta({ id: 'Calendar' });

export const StatusResult = z
  .object({
    version: z.string(),
    source: z.string(),
    sample: z.boolean(),
    store: z.string(),
    generation: z.string().nullable(),
    symbols: z.record(z.string(), z.string()).describe('symbol -> last bar date'),
    lastBarDate: z.string().nullable(),
    expectedLastSession: z.string(),
    stale: z.boolean(),
    staleReason: z.string().nullable(),
    lastRefreshAt: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    lastError: z.string().nullable(),
    refresh: z
      .object({
        state: z.enum(['idle', 'running', 'interrupted']),
        since: z.string().nullable(),
        leaseUntil: z.string().nullable(),
        note: z.string().nullable(),
      })
      .describe('a refresh running now (it holds the refresh lease), or one that started and never finished'),
    universeMembers: z.number().int(),
    backfill: z
      .object({
        sessionsDone: z.number().int(),
        sessionsTotal: z.number().int(),
        etaMinutes: z.number().int(),
        complete: z.boolean(),
        text: z.string(),
      })
      .nullable()
      .describe(
        'IWM_UNIVERSE=grouped: sessions of the universe backfill stored (or staged by a refresh under way), ' +
          'of those it covers, and the minutes the rest takes at IWM_MASSIVE_RPM; null for other sources',
      ),
    series: z.array(z.string()),
    now: z.string(),
  })
  .meta({ id: 'Status' });

export const FieldValueResult = z
  .object({ value: Cell, date: z.string(), field: z.string(), generation: z.string(), profileHash: z.string() })
  .meta({ id: 'FieldValue' });

export const BatchResultItem = z.union([z.object({ value: z.unknown() }), z.object({ error: Problem })]);
export const BatchResponse = z.array(BatchResultItem).meta({ id: 'BatchResponse' });
