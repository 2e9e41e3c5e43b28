/**
 * Profiles: every parameter of docs/SIGNALS.md as validated data.
 *
 * A profile is resolved from a preset name or from a partial object laid over a preset
 * (`{ "preset": "standard", "momentum": { "lookback": 12 } }`), then validated in
 * full. Unknown fields and out-of-range values fail with a message naming the field
 * and the allowed range; nothing falls back to a default silently.
 */
import { z } from 'zod';
import { parseIsoDay } from './dates';
import { excerpt } from './excerpt';
import { EVENT_KINDS, TICKER_PATTERN, type EventKind } from './types';

/**
 * A number in [min, max]; the messages name the range so the caller can fix it. Declared
 * with .min()/.max() (not a refinement) so the bounds are readable from the schema itself:
 * the taskpane's profile editor shows them without a second copy of the numbers. `abort`
 * stops at the first failed check, so one bad value gets one message.
 */
function num(min: number, max: number) {
  const message = `must be between ${min} and ${max}`;
  return z
    .number({ error: `must be a number between ${min} and ${max}` })
    .min(min, { error: message, abort: true })
    .max(max, { error: message, abort: true });
}

/** An integer in [min, max]. */
function int(min: number, max: number) {
  const message = `must be an integer between ${min} and ${max}`;
  return z
    .number({ error: message })
    .int({ error: message, abort: true })
    .min(min, { error: message, abort: true })
    .max(max, { error: message, abort: true });
}

const TICKER_MESSAGE = 'must be a ticker (letters, digits, . ^ _ -; at most 15)';
/**
 * A ticker the data source names a file or a series by; upper-cased. min/max are declared
 * (not only the pattern) so the taskpane's editor reads the length from the schema.
 */
const ticker = z
  .string({ error: TICKER_MESSAGE })
  .trim()
  .toUpperCase()
  .min(1, { error: TICKER_MESSAGE, abort: true })
  .max(15, { error: TICKER_MESSAGE, abort: true })
  .regex(TICKER_PATTERN, { error: TICKER_MESSAGE });

const window = z.strictObject({
  before: int(0, 30),
  after: int(0, 30),
});

/** A calendar date `YYYY-MM-DD` that exists (2024-02-30 does not). */
const isoDate = z
  .string({ error: 'must be a date YYYY-MM-DD' })
  .refine((s) => parseIsoDay(s) !== null, { message: 'must be a date YYYY-MM-DD that exists' })
  .meta({ format: 'date', example: '2026-07-24' });

/** Most custom events one profile carries (they travel in every request that names the profile). */
export const MAX_CUSTOM_EVENTS = 200;
/** Longest label of a custom event. */
export const MAX_EVENT_LABEL = 80;
/** Kinds whose window is an explicit date..end range rather than sessions around a date. */
export const RANGE_EVENT_KINDS: readonly EventKind[] = ['earnings-season'];

/**
 * One event of the profile's own calendar (`macro.customEvents`), with the rules of a
 * calendar file row (data/calendar.ts): a real date, a known kind, a label, and an `end`
 * on or after the date exactly when the kind is a range (earnings-season).
 */
export const CustomEventSchema = z
  .strictObject({
    date: isoDate,
    kind: z.enum(EVENT_KINDS, { error: `must be one of ${EVENT_KINDS.join(', ')}` }),
    label: z
      .string({ error: `must be text of 1 to ${MAX_EVENT_LABEL} characters` })
      .trim()
      .min(1, { error: `must be text of 1 to ${MAX_EVENT_LABEL} characters` })
      .max(MAX_EVENT_LABEL, { error: `must be text of 1 to ${MAX_EVENT_LABEL} characters` }),
    end: isoDate.optional(),
  })
  .superRefine((e, ctx) => {
    const range = RANGE_EVENT_KINDS.includes(e.kind);
    if (range && e.end === undefined) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: `is required for ${e.kind} (its window runs date..end)` });
    } else if (!range && e.end !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['end'],
        message: `is only allowed for ${RANGE_EVENT_KINDS.join(', ')} (leave it out for ${e.kind})`,
      });
    } else if (e.end !== undefined) {
      const a = parseIsoDay(e.date);
      const b = parseIsoDay(e.end);
      if (a !== null && b !== null && b < a)
        ctx.addIssue({ code: 'custom', path: ['end'], message: 'must not be before date' });
    }
  });
export type CustomEvent = z.infer<typeof CustomEventSchema>;

export const ProfileSchema = z
  .strictObject({
    name: z.string().min(1).max(64),
    atrPeriod: int(1, 250),
    trend: z.strictObject({
      fastPeriod: int(2, 500),
      slowPeriod: int(2, 1000),
      neutralAtr: num(0, 10),
      convergenceLag: int(1, 100),
      separationAtr: num(0, 20),
      separationLookback: int(1, 500),
      separationMinSessions: int(1, 500),
      convergedAtr: num(0, 20),
    }),
    momentum: z.strictObject({
      lookback: int(1, 250),
      longLookback: int(1, 500),
      atrMultiplier: num(0, 20),
      volumeWindow: int(1, 60),
      volumeAveragePeriod: int(1, 250),
    }),
    breadth: z.strictObject({
      shortPeriod: int(2, 500),
      longPeriod: int(2, 1000),
      fullSizeMin: num(0, 100),
      divergenceMax: num(0, 100),
      washout: num(0, 100),
      washoutLookback: int(1, 250),
      washoutSupportAtr: num(0, 20),
      deltaLag: int(1, 100),
    }),
    rs: z.strictObject({
      period: int(1, 250),
      neutralBand: num(0, 100),
    }),
    composite: z.strictObject({
      weights: z.strictObject({
        trend: num(0, 10),
        momentum: num(0, 10),
        breadth: num(0, 10),
        rs: num(0, 10),
      }),
      ratio: num(0, 1),
    }),
    rotation: z.strictObject({
      smaPeriod: int(2, 500),
      bandLookback: int(2, 500),
      bandPct: num(0, 100),
      slopeLag: int(1, 250),
    }),
    macro: z.strictObject({
      enabled: z.boolean({ error: 'must be true or false' }),
      windows: z.strictObject({
        fomc: window,
        'russell-recon': window,
        cpi: window,
        custom: window,
      }),
      tightenFactor: num(1, 5),
      ratioAdd: num(0, 1),
      relaxFactor: num(0.1, 1),
      relaxSessions: int(0, 30),
      customEvents: z
        .array(CustomEventSchema, { error: 'must be a list of events' })
        .max(MAX_CUSTOM_EVENTS, { error: `must hold at most ${MAX_CUSTOM_EVENTS} events` }),
    }),
    credit: z.strictObject({
      enabled: z.boolean({ error: 'must be true or false' }),
      highYield: ticker,
      treasury: ticker,
      smaPeriod: int(2, 500),
      slopeLag: int(1, 250),
      dropLookback: int(1, 250),
      dropPct: num(0, 100),
    }),
    levels: z.strictObject({
      swingWindow: int(1, 50),
      clusterAtr: num(0, 10),
      lookback: int(20, 5000),
    }),
    debrief: z.strictObject({
      deadBandAtr: num(0, 10),
      warningLookback: int(1, 60),
    }),
    backtest: z.strictObject({
      horizon: int(1, 250),
      genericFast: int(1, 500),
      genericSlow: int(2, 1000),
      genericHorizon: int(1, 250),
      costBps: num(0, 1000),
    }),
  })
  .superRefine((p, ctx) => {
    const order = (a: number, b: number, path: string[], message: string) => {
      if (!(a < b)) ctx.addIssue({ code: 'custom', path, message });
    };
    order(p.trend.fastPeriod, p.trend.slowPeriod, ['trend', 'fastPeriod'], 'must be less than trend.slowPeriod');
    order(
      p.breadth.shortPeriod,
      p.breadth.longPeriod,
      ['breadth', 'shortPeriod'],
      'must be less than breadth.longPeriod',
    );
    order(
      p.backtest.genericFast,
      p.backtest.genericSlow,
      ['backtest', 'genericFast'],
      'must be less than backtest.genericSlow',
    );
    if (p.trend.separationMinSessions > p.trend.separationLookback) {
      ctx.addIssue({
        code: 'custom',
        path: ['trend', 'separationMinSessions'],
        message: 'must not exceed trend.separationLookback',
      });
    }
    if (p.credit.highYield === p.credit.treasury) {
      ctx.addIssue({ code: 'custom', path: ['credit', 'treasury'], message: 'must differ from credit.highYield' });
    }
    const w = p.composite.weights;
    if (w.trend + w.momentum + w.breadth + w.rs <= 0) {
      ctx.addIssue({ code: 'custom', path: ['composite', 'weights'], message: 'at least one weight must be positive' });
    }
  });

export type Profile = z.infer<typeof ProfileSchema>;

/** The IWM profile: the bracketed defaults of SIGNALS.md. */
const IWM: Profile = {
  name: 'iwm',
  atrPeriod: 14,
  trend: {
    fastPeriod: 21,
    slowPeriod: 63,
    neutralAtr: 0.25,
    convergenceLag: 5,
    separationAtr: 2.0,
    separationLookback: 63,
    separationMinSessions: 20,
    convergedAtr: 0.5,
  },
  momentum: { lookback: 10, longLookback: 21, atrMultiplier: 1.5, volumeWindow: 5, volumeAveragePeriod: 20 },
  breadth: {
    shortPeriod: 50,
    longPeriod: 200,
    fullSizeMin: 50,
    divergenceMax: 55,
    washout: 30,
    washoutLookback: 20,
    washoutSupportAtr: 1,
    deltaLag: 5,
  },
  rs: { period: 10, neutralBand: 0.5 },
  composite: { weights: { trend: 1, momentum: 1, breadth: 1, rs: 1 }, ratio: 0.5 },
  rotation: { smaPeriod: 50, bandLookback: 20, bandPct: 2, slopeLag: 10 },
  macro: {
    enabled: true,
    windows: {
      fomc: { before: 3, after: 0 },
      'russell-recon': { before: 5, after: 0 },
      cpi: { before: 1, after: 0 },
      custom: { before: 0, after: 0 },
    },
    tightenFactor: 1.25,
    ratioAdd: 0.25,
    relaxFactor: 0.9,
    relaxSessions: 2,
    customEvents: [],
  },
  credit: {
    enabled: true,
    highYield: 'HYG',
    treasury: 'IEF',
    smaPeriod: 50,
    slopeLag: 10,
    dropLookback: 20,
    dropPct: 1.0,
  },
  levels: { swingWindow: 5, clusterAtr: 0.5, lookback: 252 },
  debrief: { deadBandAtr: 0.25, warningLookback: 10 },
  backtest: { horizon: 5, genericFast: 20, genericSlow: 50, genericHorizon: 10, costBps: 0 },
};

/** The large-cap profile: the parenthesised values of SIGNALS.md over the IWM ones. */
const STANDARD: Profile = {
  ...IWM,
  name: 'standard',
  momentum: { ...IWM.momentum, lookback: 14, atrMultiplier: 1.0 },
};

export const PRESETS = { iwm: IWM, standard: STANDARD } as const;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/**
 * True for a preset's own name. Never `name in PRESETS`: that is also true for
 * "toString", "constructor" and "__proto__", which every object inherits.
 */
export function isPresetName(name: unknown): name is PresetName {
  return typeof name === 'string' && Object.hasOwn(PRESETS, name);
}

/** Thrown for any invalid profile; `issues` lists every problem found. */
export class ProfileError extends Error {
  constructor(public readonly issues: { field: string; message: string }[]) {
    super(`invalid profile: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`);
    this.name = 'ProfileError';
  }
}

/**
 * Deepest nesting a profile may have: the deepest real field (a custom event's date) sits
 * at depth 4 (profile, macro, customEvents, event), so 8 leaves room for a typo's
 * "unknown field" message and none for a 10,000-deep object meant to overflow the stack.
 */
export const MAX_PROFILE_DEPTH = 8;
/**
 * Largest profile, counted as JSON text: 200 custom events with 80-character labels are
 * about 30 KB. Counted before anything else reads the value, so validation and hashing
 * cost at most this much per profile.
 */
export const MAX_PROFILE_BYTES = 64 * 1024;
/** How many unknown field names one issue lists (a 64 KB object can hold thousands). */
const MAX_KEYS_LISTED = 10;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks that raw profile input is small and shallow enough to validate: depth at most
 * MAX_PROFILE_DEPTH, at most MAX_PROFILE_BYTES as JSON, and no list longer than
 * MAX_CUSTOM_EVENTS. Iterative (an explicit stack), so it is safe on input that would
 * overflow a recursive walk, and it stops at the first bound crossed. Everything that
 * walks a profile recursively (canonicalJson, the schema, the hash) runs after it.
 */
export function checkProfileBounds(value: unknown): void {
  const fail = (message: string, field = 'profile'): never => {
    throw new ProfileError([{ field, message }]);
  };
  if (typeof value === 'string') {
    if (value.length > MAX_PROFILE_BYTES) fail(`must be at most ${MAX_PROFILE_BYTES} characters as JSON`);
    return;
  }
  const stack: { value: unknown; depth: number; path: readonly (string | number)[] }[] = [
    { value, depth: 1, path: [] },
  ];
  let size = 0; // characters of the JSON text the value would be
  while (stack.length > 0) {
    const item = stack.pop() as (typeof stack)[number];
    const v = item.value;
    if (typeof v === 'string') size += v.length + 2;
    else if (typeof v === 'number' || typeof v === 'boolean') size += String(v).length;
    else if (v === null || v === undefined) size += 4;
    else if (typeof v === 'object') {
      if (item.depth > MAX_PROFILE_DEPTH) fail(`is nested too deeply (at most ${MAX_PROFILE_DEPTH} levels)`);
      if (Array.isArray(v)) {
        // The only list a profile has is macro.customEvents: same bound, same words as the schema.
        if (v.length > MAX_CUSTOM_EVENTS) {
          const what = item.path[item.path.length - 1] === 'customEvents' ? 'events' : 'items';
          fail(`must hold at most ${MAX_CUSTOM_EVENTS} ${what}`, fieldText(item.path) || 'profile');
        }
        size += 2 + v.length;
        for (let i = 0; i < v.length; i++) stack.push({ value: v[i], depth: item.depth + 1, path: [...item.path, i] });
      } else {
        const keys = Object.keys(v);
        size += 2 + keys.length;
        for (const k of keys) {
          size += k.length + 3;
          stack.push({ value: (v as Record<string, unknown>)[k], depth: item.depth + 1, path: [...item.path, k] });
        }
      }
    } else fail(`must be plain JSON (got a ${typeof v})`, fieldText(item.path) || 'profile');
    if (size > MAX_PROFILE_BYTES) fail(`must be at most ${MAX_PROFILE_BYTES} characters as JSON`);
  }
}

/** Lays `patch` over `base`; arrays and scalars replace, objects merge. Own keys only, "__proto__" included as data. */
function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const out = new Map(Object.entries(base));
  for (const [k, v] of Object.entries(patch)) out.set(k, Object.hasOwn(base, k) ? deepMerge(base[k], v) : v);
  // fromEntries defines each key as data, so a "__proto__" key stays a key the schema reports as unknown.
  return Object.fromEntries(out);
}

function presetByName(name: unknown, field: string): Profile {
  if (!isPresetName(name)) {
    const got = typeof name === 'string' ? excerpt(name, 40) : typeof name;
    throw new ProfileError([{ field, message: `must be one of ${PRESET_NAMES.join(', ')} (got ${got})` }]);
  }
  return PRESETS[name];
}

/**
 * Resolves a profile from a preset name, or from an object whose optional `preset`
 * (default "iwm") is the base and whose other fields override it. The input's size and
 * depth are checked first, then the result is validated in full.
 */
export function resolveProfile(input: unknown): Profile {
  if (input === undefined) return PRESETS.iwm;
  if (typeof input === 'string') return presetByName(input, 'preset');
  if (!isPlainObject(input)) {
    throw new ProfileError([{ field: 'profile', message: 'must be a preset name or an object' }]);
  }
  checkProfileBounds(input);
  const { preset, ...overrides } = input;
  const base = preset === undefined ? PRESETS.iwm : presetByName(preset, 'preset');
  const merged = deepMerge(base, overrides) as Record<string, unknown>;
  if (overrides.name === undefined && Object.keys(overrides).length > 0) merged.name = `${base.name}-custom`;
  return validateProfile(merged);
}

/** `macro.customEvents[2].date` from a schema path: object keys dotted, list indices in brackets. */
export function fieldText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** The path a field text names (fieldText's inverse): `a.b[2].c` is `['a', 'b', 2, 'c']`. */
export function fieldPath(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of field.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const index of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

/** Validates a complete profile object; the error has every problem (the form marks each field). */
export function validateProfile(candidate: unknown): Profile {
  const parsed = ProfileSchema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  throw new ProfileError(
    parsed.error.issues.map((issue) => {
      const field = issue.path.length ? fieldText(issue.path) : 'profile';
      if (issue.code !== 'unrecognized_keys') return { field, message: issue.message };
      const listed = issue.keys.slice(0, MAX_KEYS_LISTED).map((k) => excerpt(k, 40));
      const more = issue.keys.length > listed.length ? ` and ${issue.keys.length - listed.length} more` : '';
      return { field, message: `has unknown field(s) ${listed.join(', ')}${more}` };
    }),
  );
}

/** JSON with object keys sorted at every level, so equal profiles serialise equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A stable 64-bit FNV-1a hash (16 hex digits) of the profile's parameters, for cache
 * keys. The `name` is left out: two profiles with the same numbers give the same
 * readings. An empty `macro.customEvents` is left out too, so a profile without custom
 * events (both presets) keeps the hash it had before the list existed, and the readings a
 * refresh stored under it stay valid. Pure JavaScript so the add-in computes the same
 * value in the browser.
 */
export function profileHash(profile: Profile): string {
  const { name: _name, ...params } = profile;
  let hashed: Record<string, unknown> = params;
  if (!params.macro.customEvents?.length) {
    const { customEvents: _none, ...macro } = params.macro;
    hashed = { ...params, macro };
  }
  const text = canonicalJson(hashed);
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * prime) & mask;
  }
  return hash.toString(16).padStart(16, '0');
}
