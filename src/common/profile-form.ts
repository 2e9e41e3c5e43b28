/**
 * The profile editor's logic, without a DOM: the schema's leaves with their kind, range
 * and description; raw form values to a candidate profile checked by the very schema the
 * API uses (validateProfile), with each problem attached to its field; and the compact
 * form a profile is stored and exported in (`{ "preset": "iwm", ...changed values }`, the
 * same text an IWM.* formula takes as its `profile` argument).
 *
 * Ranges come from ProfileSchema, never from copied numbers: its numbers declare
 * `.min()/.max()` (and `.int()`), which zod exposes as minValue/maxValue/isInt. The unit
 * test probes every derived range against the schema at and just beyond both ends.
 *
 * Lists (`macro.customEvents`) have no control in the editor: the form carries them
 * (CarriedValues) so a Save keeps them, and the calendar panel edits them, checking each
 * item with the list's own item schema.
 */
import { z } from 'zod';
import {
  PRESETS,
  ProfileError,
  ProfileSchema,
  canonicalJson,
  isPresetName,
  resolveProfile,
  validateProfile,
  type PresetName,
  type Profile,
} from '../../api/src/engine/profile';
import { PROFILE_FIELDS, type FieldInfo } from './profile-fields';

export type LeafKind = 'integer' | 'number' | 'boolean' | 'text';

/** A value of one list item: a date `YYYY-MM-DD`, one of `options`, or text. */
export type ItemFieldKind = 'date' | 'choice' | 'text';

export interface ListItemField {
  key: string;
  /** `macro.customEvents[].date`: the key of PROFILE_FIELDS. */
  path: string;
  kind: ItemFieldKind;
  optional: boolean;
  /** Choices: the allowed values, in schema order. */
  options?: string[];
  /** Text: the allowed length. */
  min?: number;
  max?: number;
  info: FieldInfo;
}

/**
 * A list in the profile (`macro.customEvents`): the editor has no control for it (the
 * calendar panel edits it), but carries it so that a Save keeps it.
 */
export interface ProfileList {
  path: string;
  keys: string[];
  group: string;
  /** Most items the schema accepts. */
  max: number;
  /** The schema of one item, to check an item on its own with the API's rules. */
  item: z.ZodType;
  fields: ListItemField[];
  info: FieldInfo;
}

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

/** The values of the profile's lists by path (`macro.customEvents`): carried, not typed. */
export type CarriedValues = Record<string, unknown>;

export type FormCheck =
  { ok: true; profile: Profile } | { ok: false; errors: Record<string, string>; general: string[] };

function numberLeaf(schema: z.ZodNumber, path: string): Pick<ProfileLeaf, 'kind' | 'min' | 'max'> {
  const { minValue, maxValue } = schema;
  if (minValue === null || maxValue === null || !Number.isFinite(minValue) || !Number.isFinite(maxValue))
    throw new Error(`profile field ${path}: the schema declares no range (.min()/.max())`);
  return { kind: schema.isInt ? 'integer' : 'number', min: minValue, max: maxValue };
}

const AT_MOST = /at most (\d+)/;

function infoOf(path: string): FieldInfo {
  return PROFILE_FIELDS[path] ?? { label: path, meaning: '', unit: '' };
}

/** Most items a list schema accepts: what it says about a list far too long (as numberLeaf reads ranges). */
function listMax(schema: z.ZodArray, path: string): number {
  const result = schema.safeParse(new Array(100_000).fill(null));
  const issue = result.success ? undefined : result.error.issues.find((i) => i.code === 'too_big' && !i.path.length);
  const max = issue && 'maximum' in issue ? Number(issue.maximum) : Number(AT_MOST.exec(issue?.message ?? '')?.[1]);
  if (!Number.isInteger(max)) throw new Error(`profile list ${path}: the schema does not name its largest size`);
  return max;
}

function itemField(schema: z.ZodType, key: string, listPath: string): ListItemField {
  const path = `${listPath}[].${key}`;
  const optional = schema instanceof z.ZodOptional;
  const inner = (optional ? (schema as z.ZodOptional).unwrap() : schema) as z.ZodType;
  const info = infoOf(path);
  if (inner instanceof z.ZodEnum)
    return { key, path, kind: 'choice', optional, options: inner.options.map(String), info };
  if (inner instanceof z.ZodString) {
    if (z.globalRegistry.get(inner)?.format === 'date') return { key, path, kind: 'date', optional, info };
    return { key, path, kind: 'text', optional, min: inner.minLength ?? 0, max: inner.maxLength ?? undefined, info };
  }
  throw new Error(`profile list ${listPath}: no control for a ${inner.def.type} (${key})`);
}

function listOf(schema: z.ZodArray, keys: string[]): ProfileList {
  const path = keys.join('.');
  const item = schema.element as z.ZodType;
  if (!(item instanceof z.ZodObject)) throw new Error(`profile list ${path}: items must be objects`);
  return {
    path,
    keys,
    group: keys.length > 1 ? keys[0] : 'general',
    max: listMax(schema, path),
    item,
    fields: Object.entries(item.shape).map(([key, child]) => itemField(child as z.ZodType, key, path)),
    info: infoOf(path),
  };
}

function walk(schema: z.ZodType, keys: string[], out: ProfileLeaf[], lists: ProfileList[]): void {
  const path = keys.join('.');
  const base = { path, keys, group: keys.length > 1 ? keys[0] : 'general' };
  const info = infoOf(path);
  if (schema instanceof z.ZodObject) {
    for (const [key, child] of Object.entries(schema.shape)) walk(child as z.ZodType, [...keys, key], out, lists);
  } else if (schema instanceof z.ZodArray) {
    lists.push(listOf(schema, keys));
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

let walked: { leaves: ProfileLeaf[]; lists: ProfileList[] } | null = null;

function schemaParts(): { leaves: ProfileLeaf[]; lists: ProfileList[] } {
  if (!walked) {
    const leaves: ProfileLeaf[] = [];
    const lists: ProfileList[] = [];
    walk(ProfileSchema, [], leaves, lists);
    walked = { leaves, lists };
  }
  return walked;
}

/** Every single-valued leaf of ProfileSchema (one control each), in schema order. */
export function profileLeaves(): ProfileLeaf[] {
  return schemaParts().leaves;
}

/** The lists of ProfileSchema (`macro.customEvents`), which the form carries without controls. */
export function profileLists(): ProfileList[] {
  return schemaParts().lists;
}

/** The list at `path`; throws when the schema has none there. */
export function profileList(path: string): ProfileList {
  const list = profileLists().find((l) => l.path === path);
  if (!list) throw new Error(`the profile has no list ${path}`);
  return list;
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

/** A profile's lists by path, for the form to carry. */
export function carriedValues(profile: Profile): CarriedValues {
  const out: CarriedValues = {};
  for (const list of profileLists()) out[list.path] = structuredClone(getPath(profile, list.keys));
  return out;
}

/** The object the controls (and the carried lists; an absent list is empty) describe, before validation. */
export function candidateFrom(values: FormValues, carried: CarriedValues = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const leaf of profileLeaves()) {
    const raw = values[leaf.path];
    let v: unknown = raw;
    if (leaf.kind === 'integer' || leaf.kind === 'number') v = typeof raw === 'string' ? numberFromText(raw) : raw;
    else if (leaf.kind === 'text') v = typeof raw === 'string' ? raw.trim() : raw;
    setPath(out, leaf.keys, v);
  }
  for (const list of profileLists()) setPath(out, list.keys, carried[list.path] ?? []);
  return out;
}

/**
 * Checks the controls with ProfileSchema (the API's own validation). A problem about one
 * value is keyed by its path; one about a group (`composite.weights`: "at least one weight
 * must be positive") is shown on each value of the group; anything else (a carried list's
 * item, `macro.customEvents[2].date`) is general.
 */
export function checkForm(values: FormValues, carried: CarriedValues = {}): FormCheck {
  try {
    return { ok: true, profile: validateProfile(candidateFrom(values, carried)) };
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

/** The engine's own check (preset names are own names only); re-exported for the taskpane. */
export { isPresetName };

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
  // A list is stored whole when it differs (a profile's lists replace the preset's).
  for (const list of profileLists()) {
    const v = getPath(profile, list.keys);
    if (canonicalJson(v) !== canonicalJson(getPath(base, list.keys))) {
      setPath(overrides, list.keys, structuredClone(v));
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
