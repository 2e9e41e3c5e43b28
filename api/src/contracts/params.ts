/**
 * Request contracts: what every route (and every batch call) accepts, as zod schemas.
 * The add-in imports these too, so a client and the server cannot disagree on a name,
 * a range or a format. Everything here is pure (zod and the engine's profile rules), so
 * it bundles for the browser.
 *
 * Query strings arrive as text and batch arguments as JSON, so numeric parameters accept
 * both `5` and `"5"`, but nothing is coerced silently: `""`, `"5x"` or `5.5` is an error
 * that names the parameter. Unknown parameters are errors too (a typo such as `asof`
 * must not quietly return the latest session).
 */
import { z } from 'zod';
import { parseIsoDay } from '../engine/dates';
import { FIELD_NAMES } from '../engine/fields';
import {
  PRESET_NAMES,
  ProfileError,
  canonicalJson,
  checkProfileBounds,
  fieldPath,
  resolveProfile,
  type Profile,
} from '../engine/profile';
import { DAY_REF_FORMS, MAX_RELATIVE_SESSION, relativeSession } from '../engine/sessions';
import { TICKER_PATTERN } from '../engine/types';

/**
 * Resolved profiles by their text, so a batch of 1,000 calls with the same inline profile
 * validates it once. Failures are kept too: a bad `defaults.profile` fails each of 5,000
 * calls with the same error without validating it 5,000 times. Profiles are never
 * mutated, so sharing one object is safe.
 */
const resolved = new Map<string, Profile | ProfileError>();
const RESOLVED_MAX = 256;
/**
 * Most profile problems one answer lists, then a count of the rest: 200 bad custom events
 * are 800 problems, and a batch repeats a bad default's answer in every call.
 */
export const MAX_PROFILE_ISSUES = 20;

function resolveCached(value: unknown): Profile {
  // Bounds first: canonicalJson and the schema walk the value recursively.
  checkProfileBounds(value);
  const key = typeof value === 'string' ? `s:${value}` : `j:${canonicalJson(value)}`;
  let outcome = resolved.get(key);
  if (!outcome) {
    try {
      outcome = resolveProfile(value);
    } catch (err) {
      if (!(err instanceof ProfileError)) throw err;
      outcome = err;
    }
    if (resolved.size >= RESOLVED_MAX) resolved.delete(resolved.keys().next().value as string);
    resolved.set(key, outcome);
  }
  if (outcome instanceof ProfileError) throw outcome;
  return outcome;
}

/** A calendar date `YYYY-MM-DD` that exists (2024-02-30 does not). */
export const IsoDate = z
  .string()
  .refine((s) => parseIsoDay(s) !== null, { message: 'must be a date YYYY-MM-DD that exists' })
  .meta({ format: 'date', example: '2024-11-29' });

/** What a ticker may look like (defined with the engine, whose profile names tickers too). */
export { TICKER_PATTERN };
/** A ticker as people type it: TICKER_PATTERN in either case, ASCII only. */
const TICKER_INPUT = /^[A-Za-z0-9][A-Za-z0-9.^_-]{0,14}$/;
const TICKER_RULE = 'must be a ticker: ASCII letters, digits, . ^ _ - (at most 15)';

/**
 * The upper-cased ticker `raw` names (surrounding blanks ignored), or null. Checked as
 * ASCII BEFORE upper-casing: Unicode case mapping turns "ıwm" (dotless i) into "IWM" and
 * "ß" into "SS", so a look-alike would otherwise pass as another symbol.
 */
export function tickerOf(raw: string): string | null {
  const s = raw.trim();
  return TICKER_INPUT.test(s) ? s.toUpperCase() : null;
}

/** The text of a date parameter (an ISO date, or `-N` normalised: `-05` and -5 are `"-5"`), or null. */
export function dayRefText(value: unknown): string | null {
  if (typeof value === 'number')
    return Number.isInteger(value) && value <= -1 && value >= -MAX_RELATIVE_SESSION ? String(value) : null;
  if (typeof value !== 'string') return null;
  const n = relativeSession(value);
  if (n !== null) return String(-n);
  return parseIsoDay(value) !== null ? value : null;
}

/**
 * A date parameter (`asOf`, `date`, `from`, `to`): an ISO date that exists, or a relative
 * session `-N`, the N-th last session in the data (`-1` = the last close), given as a
 * JSON number or as text (query strings), from -1 to -100000. The result is always text
 * (`"2024-11-29"`, `"-5"`); the engine's sessionIndex/sessionRange/refDay resolve it.
 */
export const DayRef = z
  .unknown()
  .transform((value, ctx): string => {
    const text = dayRefText(value);
    if (text === null) {
      ctx.addIssue({ code: 'custom', message: `must be ${DAY_REF_FORMS} (down to -${MAX_RELATIVE_SESSION})` });
      return z.NEVER;
    }
    return text;
  })
  .meta({
    anyOf: [
      { type: 'string', format: 'date' },
      { type: 'string', pattern: '^-\\d{1,6}$' },
      { type: 'integer', minimum: -MAX_RELATIVE_SESSION, maximum: -1 },
    ],
    description: 'a date YYYY-MM-DD, or a relative session: -1 = the last close, -2 = the session before it, ...',
    example: '2024-11-29',
  });

/** A ticker as the data files name it; ASCII, then upper-cased (see tickerOf). */
export const Symbol = z.string().trim().regex(TICKER_INPUT, TICKER_RULE).toUpperCase().meta({ example: 'IWM' });

/** An integer in [min, max], given as a JSON number or as decimal text (query strings). */
export const intParam = (min: number, max: number) =>
  z
    .union([z.number(), z.string().regex(/^[+-]?\d{1,9}$/, `must be an integer from ${min} to ${max}`)])
    .transform((v) => (typeof v === 'string' ? Number(v) : v))
    .pipe(
      z
        .number()
        .int(`must be an integer from ${min} to ${max}`)
        .min(min, `must be an integer from ${min} to ${max}`)
        .max(max, `must be an integer from ${min} to ${max}`),
    )
    .meta({ type: 'integer', minimum: min, maximum: max });

/**
 * A profile: a preset name, or an object that lays over its `preset` (default iwm). In a
 * query string the object is JSON text. The result is the full, validated profile;
 * problems come back as one issue per profile field (`profile.momentum.atrMultiplier`,
 * `profile.macro.customEvents[2].date`).
 */
export const ProfileParam = z
  .unknown()
  .transform((raw, ctx): Profile => {
    let value = raw;
    try {
      if (typeof raw === 'string' && raw.trimStart().startsWith('{')) {
        checkProfileBounds(raw); // the text's length, before JSON.parse reads it
        try {
          value = JSON.parse(raw);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `is not valid JSON (${(err as Error).message})` });
          return z.NEVER;
        }
      }
      return resolveCached(value);
    } catch (err) {
      if (!(err instanceof ProfileError)) throw err;
      for (const issue of err.issues.slice(0, MAX_PROFILE_ISSUES)) {
        // A preset name given as text is the parameter itself, not a field inside it.
        const bare = issue.field === 'profile' || (typeof value === 'string' && issue.field === 'preset');
        const path = bare ? [] : fieldPath(issue.field);
        ctx.addIssue({ code: 'custom', message: issue.message, path });
      }
      const more = err.issues.length - MAX_PROFILE_ISSUES;
      if (more > 0) ctx.addIssue({ code: 'custom', message: `has ${more} more problem(s) not listed`, path: [] });
      return z.NEVER;
    }
  })
  .meta({
    description: `a preset (${PRESET_NAMES.join(', ')}) or a profile object (JSON in a query string) laid over its "preset"`,
    example: 'iwm',
  });

/** A field of the registry (SIGNALS.md, "Field names"). */
export const FieldName = z
  .string()
  .refine((f) => FIELD_NAMES.includes(f), { message: 'is not a field name (see GET /api/v1/openapi.json, Field)' })
  .meta({ enum: [...FIELD_NAMES] });

/** A list of fields: an array, or comma-separated text in a query string. */
export const FieldList = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (typeof v === 'string' ? v.split(',').map((f) => f.trim()) : v))
  .pipe(
    z
      .array(FieldName)
      .min(1, 'must name at least one field')
      .max(FIELD_NAMES.length * 2),
  );

/** What every data route accepts besides its own parameters. */
const common = {
  symbol: Symbol.optional(),
  benchmark: Symbol.optional(),
  profile: ProfileParam.optional(),
};

export const SignalArgs = z.strictObject({ asOf: DayRef.optional(), ...common });
export const FieldArgs = z.strictObject({ field: FieldName, asOf: DayRef.optional(), ...common });
export const HistoryArgs = z.strictObject({
  from: DayRef.optional(),
  to: DayRef.optional(),
  fields: FieldList.optional(),
  ...common,
});
export const LevelsArgs = z.strictObject({ asOf: DayRef.optional(), count: intParam(1, 100).optional(), ...common });
export const DebriefArgs = z
  .strictObject({ date: DayRef.optional(), from: DayRef.optional(), to: DayRef.optional(), ...common })
  .refine((a) => a.date === undefined || (a.from === undefined && a.to === undefined), {
    message: 'give either date or from/to, not both',
    path: ['date'],
  });
export const BacktestArgs = z.strictObject({
  from: DayRef.optional(),
  to: DayRef.optional(),
  horizon: intParam(1, 250).optional(),
  ...common,
});
export const CalendarArgs = z.strictObject({ from: DayRef.optional(), to: DayRef.optional(), ...common });
export const StatusArgs = z.strictObject({});

/** Every function the API offers, by the name a batch call uses. */
export const ARGS = {
  signal: SignalArgs,
  field: FieldArgs,
  history: HistoryArgs,
  levels: LevelsArgs,
  debrief: DebriefArgs,
  backtest: BacktestArgs,
  calendar: CalendarArgs,
  status: StatusArgs,
} as const;

export type FunctionName = keyof typeof ARGS;
export const FUNCTION_NAMES = Object.keys(ARGS) as FunctionName[];
export type ArgsOf<F extends FunctionName> = z.output<(typeof ARGS)[F]>;
export type RawArgsOf<F extends FunctionName> = z.input<(typeof ARGS)[F]>;

/** Largest batch: 5,000 calls (a sheet of 1,000 dates x 5 fields). */
export const MAX_BATCH_CALLS = 5000;
/** Largest request body the API reads (bytes); more is 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A call's arguments, passed on as given: the function's own contract checks them. Not
 * z.record, whose copy would turn a "__proto__" argument into the copy's prototype and
 * so drop it silently instead of reporting it as unknown.
 */
const CallArgs = z
  .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
    error: 'must be an object of arguments',
  })
  .meta({ type: 'object', additionalProperties: true });

export const BatchCall = z.strictObject({
  fn: z.enum(FUNCTION_NAMES as [FunctionName, ...FunctionName[]]),
  args: CallArgs.optional(),
});
export type BatchCall = z.infer<typeof BatchCall>;

/** The batch body as a whole; each call's args are checked on their own, so one bad call fails alone. */
export const BatchRequest = z.array(z.unknown()).max(MAX_BATCH_CALLS, `must hold at most ${MAX_BATCH_CALLS} calls`);

/** The arguments a batch's `defaults` may give every call (a call's own arguments win). */
export const DEFAULTABLE_ARGS = ['symbol', 'benchmark', 'profile'] as const;

/**
 * A batch as an object: `defaults` are laid under each call's args, for the calls whose
 * function takes them, so a large profile (one with custom events) travels once per request
 * instead of once per call. Each call still validates on its own, so a bad default fails
 * the calls that use it, each naming the field.
 */
export const BatchEnvelope = z.strictObject({
  defaults: z
    .strictObject({
      symbol: z.unknown().optional(),
      benchmark: z.unknown().optional(),
      profile: z.unknown().optional(),
    })
    .optional(),
  calls: BatchRequest,
});
export type BatchEnvelope = z.infer<typeof BatchEnvelope>;

/** True when `fn` takes the argument `key` (status takes none). */
export function takesArg(fn: FunctionName, key: string): boolean {
  const shape = (ARGS[fn] as unknown as { shape?: Record<string, unknown> }).shape;
  return shape !== undefined && Object.hasOwn(shape, key);
}

/** A call's arguments with the batch's defaults laid under them. */
export function withDefaults(
  fn: FunctionName,
  args: Record<string, unknown> | undefined,
  defaults: Partial<Record<(typeof DEFAULTABLE_ARGS)[number], unknown>> | undefined,
): Record<string, unknown> {
  if (!defaults) return args ?? {};
  const out: Record<string, unknown> = {};
  for (const key of DEFAULTABLE_ARGS) if (defaults[key] !== undefined && takesArg(fn, key)) out[key] = defaults[key];
  return { ...out, ...args };
}
