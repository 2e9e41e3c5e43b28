/**
 * The profile editor's logic, without a DOM: the schema's leaves with their kind, range
 * and description; raw form values to a candidate profile checked by the very schema the
 * API uses (validateProfile), with each problem attached to its field; and the compact
 * form a profile is stored and exported in (`{ "preset": "iwm", ...changed values }`, the
 * same text an IWM.* formula takes as its `profile` argument).
 *
 * Ranges come from ProfileSchema, never from copied numbers. The schema checks its
 * numbers with refinements (which zod 4 cannot describe: `minValue` is -Infinity and
 * toJSONSchema() leaves the bounds out), so the range is read from the message the schema
 * gives for a value that is not a number ("must be an integer between 1 and 250"); if the
 * schema ever declares `.min()/.max()`, those are used instead. The unit test probes every
 * derived range against the schema at and just beyond both ends.
 */
import { z } from 'zod';
import {
  PRESETS,
  PRESET_NAMES,
  ProfileError,
  ProfileSchema,
  canonicalJson,
  resolveProfile,
  validateProfile,
  type PresetName,
  type Profile,
} from '../../api/src/engine/profile';
import { PROFILE_FIELDS, type FieldInfo } from './profile-fields';

export type LeafKind = 'integer' | 'number' | 'boolean' | 'text';

export interface ProfileLeaf {
  /** Dotted path, the key of PROFILE_FIELDS and of validation messages (`macro.windows.fomc.before`). */
  path: string;
  keys: string[];
  /** The top-level object it belongs to, or "general" for top-level values. */
  group: string;
  kind: LeafKind;
  /** Numbers: the allowed values; text: the allowed length. Absent for booleans. */
  min?: number;
  max?: number;
  info: FieldInfo;
}

/** Raw control values by leaf path: text as typed, or a checkbox's state. */
export type FormValues = Record<string, string | boolean>;

export type FormCheck =
  { ok: true; profile: Profile } | { ok: false; errors: Record<string, string>; general: string[] };

const RANGE = /between (-?\d+(?:\.\d+)?) and (-?\d+(?:\.\d+)?)/;

function numberLeaf(schema: z.ZodNumber, path: string): Pick<ProfileLeaf, 'kind' | 'min' | 'max'> {
  if (Number.isFinite(schema.minValue) && Number.isFinite(schema.maxValue)) {
    return { kind: schema.isInt ? 'integer' : 'number', min: schema.minValue!, max: schema.maxValue! };
  }
  const result = schema.safeParse(null);
  const message = result.success ? '' : (result.error.issues[0]?.message ?? '');
  const match = RANGE.exec(message);
  if (!match) throw new Error(`profile field ${path}: the schema does not name its range (${message || 'no message'})`);
  return { kind: /integer/.test(message) ? 'integer' : 'number', min: Number(match[1]), max: Number(match[2]) };
}

function walk(schema: z.ZodType, keys: string[], out: ProfileLeaf[]): void {
  const path = keys.join('.');
  const base = { path, keys, group: keys.length > 1 ? keys[0] : 'general' };
  const info = PROFILE_FIELDS[path] ?? { label: path, meaning: '', unit: '' };
  if (schema instanceof z.ZodObject) {
    for (const [key, child] of Object.entries(schema.shape)) walk(child as z.ZodType, [...keys, key], out);
  } else if (schema instanceof z.ZodNumber) {
    out.push({ ...base, ...numberLeaf(schema, path), info });
  } else if (schema instanceof z.ZodBoolean) {
    out.push({ ...base, kind: 'boolean', info });
  } else if (schema instanceof z.ZodString) {
    out.push({ ...base, kind: 'text', min: schema.minLength ?? 0, max: schema.maxLength ?? undefined, info });
  } else {
    throw new Error(`profile field ${path}: the editor has no control for a ${schema.def.type}`);
  }
}

let leaves: ProfileLeaf[] | null = null;

/** Every leaf of ProfileSchema, in schema order. */
export function profileLeaves(): ProfileLeaf[] {
  if (!leaves) {
    const out: ProfileLeaf[] = [];
    walk(ProfileSchema, [], out);
    leaves = out;
  }
  return leaves;
}

/** "2 to 500, whole number", "0 to 10", "1 to 64 characters". */
export function rangeText(leaf: ProfileLeaf): string {
  if (leaf.kind === 'integer') return `${leaf.min} to ${leaf.max}, whole number`;
  if (leaf.kind === 'number') return `${leaf.min} to ${leaf.max}`;
  if (leaf.kind === 'text') return `${leaf.min} to ${leaf.max} characters`;
  return 'on or off';
}

export function getPath(obj: unknown, keys: readonly string[]): unknown {
  let v: unknown = obj;
  for (const k of keys) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

export function setPath(obj: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let o = obj;
  keys.slice(0, -1).forEach((k) => {
    if (!o[k] || typeof o[k] !== 'object') o[k] = {};
    o = o[k] as Record<string, unknown>;
  });
  o[keys[keys.length - 1]] = value;
}

/** The controls' values for a profile. */
export function formValues(profile: Profile): FormValues {
  const values: FormValues = {};
  for (const leaf of profileLeaves()) {
    const v = getPath(profile, leaf.keys);
    values[leaf.path] = typeof v === 'boolean' ? v : String(v);
  }
  return values;
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Typed text as the value the schema should see: a number, nothing (empty), or the text itself (to be refused). */
export function numberFromText(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return NUMBER_TEXT.test(t) ? Number(t) : t;
}

/** The object the controls describe, before validation. */
export function candidateFrom(values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const leaf of profileLeaves()) {
    const raw = values[leaf.path];
    let v: unknown = raw;
    if (leaf.kind === 'integer' || leaf.kind === 'number') v = typeof raw === 'string' ? numberFromText(raw) : raw;
    else if (leaf.kind === 'text') v = typeof raw === 'string' ? raw.trim() : raw;
    setPath(out, leaf.keys, v);
  }
  return out;
}

/**
 * Checks the controls with ProfileSchema (the API's own validation). A problem about one
 * value is keyed by its path; one about a group (`composite.weights`: "at least one weight
 * must be positive") is shown on each value of the group; anything else is general.
 */
export function checkForm(values: FormValues): FormCheck {
  try {
    return { ok: true, profile: validateProfile(candidateFrom(values)) };
  } catch (err) {
    if (!(err instanceof ProfileError)) throw err;
    const errors: Record<string, string> = {};
    const general: string[] = [];
    const add = (path: string, message: string) => {
      errors[path] = errors[path] ? `${errors[path]}; ${message}` : message;
    };
    for (const issue of err.issues) {
      const exact = profileLeaves().find((l) => l.path === issue.field);
      const inside = profileLeaves().filter((l) => l.path.startsWith(`${issue.field}.`));
      if (exact) add(exact.path, issue.message);
      else if (inside.length) for (const l of inside) add(l.path, issue.message);
      else general.push(`${issue.field} ${issue.message}`);
    }
    return { ok: false, errors, general };
  }
}

export function isPresetName(name: unknown): name is PresetName {
  return typeof name === 'string' && (PRESET_NAMES as string[]).includes(name);
}

/**
 * A profile in its stored form: the preset's name when nothing differs, else
 * `{ preset, ...the values that differ }`. The preset's own name on changed values is
 * dropped (the API names such a profile "<preset>-custom").
 */
export function toSetting(profile: Profile, preset: PresetName): string | Record<string, unknown> {
  const base = PRESETS[preset];
  const overrides: Record<string, unknown> = {};
  let changed = 0;
  for (const leaf of profileLeaves()) {
    if (leaf.path === 'name') continue;
    const v = getPath(profile, leaf.keys);
    if (v !== getPath(base, leaf.keys)) {
      setPath(overrides, leaf.keys, v);
      changed++;
    }
  }
  const automatic = changed ? `${base.name}-custom` : base.name;
  if (profile.name !== automatic && profile.name !== base.name) overrides.name = profile.name;
  return Object.keys(overrides).length ? { preset, ...overrides } : preset;
}

/**
 * A stored or imported profile (preset name, or object laid over its `preset`, default
 * iwm) as the preset to show and the full profile. Throws ProfileError when invalid.
 */
export function fromSetting(setting: unknown): { preset: PresetName; profile: Profile } {
  const profile = resolveProfile(setting);
  let preset: PresetName = 'iwm';
  if (isPresetName(setting)) preset = setting;
  else if (setting && typeof setting === 'object' && isPresetName((setting as { preset?: unknown }).preset))
    preset = (setting as { preset: PresetName }).preset;
  return { preset, profile };
}

/** Parses imported JSON text; the message of a thrown Error says what is wrong. */
export function parseProfileJson(text: string): { preset: PresetName; profile: Profile } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (parsed === null || (typeof parsed !== 'object' && typeof parsed !== 'string') || Array.isArray(parsed))
    throw new Error('expected a profile object (or a preset name)');
  return fromSetting(parsed);
}

/** The export text: the stored form as an object, pretty-printed. */
export function exportJson(profile: Profile, preset: PresetName): string {
  const setting = toSetting(profile, preset);
  return JSON.stringify(typeof setting === 'string' ? { preset: setting } : setting, null, 2);
}

export function sameProfile(a: Profile, b: Profile): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
