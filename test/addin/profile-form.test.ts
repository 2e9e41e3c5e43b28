/**
 * The profile editor's logic without a browser: the metadata table covers exactly the
 * schema's parameters, ranges are the schema's own, the form is checked by the API's
 * validation, and the stored form (preset + changed values) resolves back to the profile.
 */
import fc from 'fast-check';
import type { z } from 'zod';
import {
  MAX_CUSTOM_EVENTS,
  PRESETS,
  PRESET_NAMES,
  ProfileSchema,
  resolveProfile,
  type Profile,
} from '../../api/src/engine/profile';
import { EVENT_KINDS } from '../../api/src/engine/types';
import { EVENT_KIND_NAMES, PROFILE_FIELDS, PROFILE_GROUPS } from '../../src/common/profile-fields';
import {
  candidateFrom,
  carriedValues,
  checkForm,
  exportJson,
  formValues,
  fromSetting,
  getPath,
  numberFromText,
  parseProfileJson,
  profileLeaves,
  profileList,
  profileLists,
  rangeText,
  setPath,
  toSetting,
  type FormValues,
  type ProfileLeaf,
} from '../../src/common/profile-form';

/** The schema of one leaf, found by walking the object shapes. */
function leafSchema(keys: string[]): z.ZodType {
  let s = ProfileSchema as unknown as z.ZodType;
  for (const k of keys) s = (s as unknown as z.ZodObject).shape[k] as z.ZodType;
  return s;
}

function withValue(values: FormValues, path: string, value: string | boolean): FormValues {
  return { ...values, [path]: value };
}

const iwmValues = () => formValues(PRESETS.iwm);

describe('metadata table (profile-fields.ts)', () => {
  test('every schema parameter has an entry, and every entry names a schema parameter', () => {
    // Single values, lists, and the fields of a list's items (`macro.customEvents[].date`).
    const paths = [
      ...profileLeaves().map((l) => l.path),
      ...profileLists().flatMap((l) => [l.path, ...l.fields.map((f) => f.path)]),
    ];
    expect(profileLeaves().length).toBeGreaterThan(50);
    expect(paths.filter((p) => !(p in PROFILE_FIELDS))).toEqual([]);
    expect(Object.keys(PROFILE_FIELDS).filter((p) => !paths.includes(p))).toEqual([]);
  });

  test('entries are complete, labels are unique, every leaf belongs to a listed group', () => {
    const labels = Object.values(PROFILE_FIELDS).map((f) => f.label);
    expect(labels.filter((l, i) => labels.indexOf(l) !== i)).toEqual([]);
    for (const [path, info] of Object.entries(PROFILE_FIELDS)) {
      expect([path, info.label.trim().length > 0, info.meaning.trim().length > 0, info.unit.length > 0]).toEqual([
        path,
        true,
        true,
        true,
      ]);
    }
    const groups = PROFILE_GROUPS.map((g) => g.id);
    expect(profileLeaves().filter((l) => !groups.includes(l.group))).toEqual([]);
    expect(profileLists().filter((l) => !groups.includes(l.group))).toEqual([]);
    // Every event kind has a name for people.
    expect(Object.keys(EVENT_KIND_NAMES).sort()).toEqual([...EVENT_KINDS].sort());
    // No group is listed without parameters.
    expect(groups.filter((g) => !profileLeaves().some((l) => l.group === g))).toEqual([]);
  });
});

describe('ranges come from the schema', () => {
  const numeric = () => profileLeaves().filter((l) => l.kind === 'integer' || l.kind === 'number');

  test('every number has a range, and the schema accepts its ends and refuses just beyond them', () => {
    // All but the texts (name, credit.highYield, credit.treasury) and the switches (macro.enabled, credit.enabled).
    expect(numeric().length).toBe(profileLeaves().length - 5);
    for (const leaf of numeric()) {
      const schema = leafSchema(leaf.keys);
      const ok = (v: number) => schema.safeParse(v).success;
      const { min, max } = leaf as Required<ProfileLeaf>;
      const eps = leaf.kind === 'integer' ? 1 : 1e-9;
      expect([leaf.path, ok(min), ok(max), ok(min - eps), ok(max + eps)]).toEqual([
        leaf.path,
        true,
        true,
        false,
        false,
      ]);
      if (leaf.kind === 'integer') expect([leaf.path, ok(min + 0.5)]).toEqual([leaf.path, false]);
      else expect([leaf.path, ok((min + max) / 3)]).toEqual([leaf.path, true]);
    }
  });

  test('examples and the text shown for them', () => {
    const byPath = (p: string) => profileLeaves().find((l) => l.path === p)!;
    expect(byPath('trend.fastPeriod')).toMatchObject({ kind: 'integer', min: 2, max: 500, group: 'trend' });
    expect(byPath('composite.ratio')).toMatchObject({ kind: 'number', min: 0, max: 1, group: 'composite' });
    expect(byPath('macro.relaxFactor')).toMatchObject({ kind: 'number', min: 0.1, max: 1 });
    expect(byPath('name')).toMatchObject({ kind: 'text', min: 1, max: 64, group: 'general' });
    expect(byPath('macro.enabled')).toMatchObject({ kind: 'boolean', group: 'macro' });
    expect(rangeText(byPath('trend.fastPeriod'))).toBe('2 to 500, whole number');
    expect(rangeText(byPath('composite.ratio'))).toBe('0 to 1');
    expect(rangeText(byPath('name'))).toBe('1 to 64 characters');
  });
});

describe('lists: carried by the form, described from the schema', () => {
  const event = { date: '2026-07-24', kind: 'custom', label: 'Investor day' };

  test('macro.customEvents: its size and item fields come from the schema', () => {
    expect(profileLists().map((l) => l.path)).toEqual(['macro.customEvents']);
    const list = profileList('macro.customEvents');
    expect(list).toMatchObject({ keys: ['macro', 'customEvents'], group: 'macro', max: MAX_CUSTOM_EVENTS });
    expect(list.fields.map(({ info: _info, ...f }) => f)).toEqual([
      { key: 'date', path: 'macro.customEvents[].date', kind: 'date', optional: false },
      { key: 'kind', path: 'macro.customEvents[].kind', kind: 'choice', optional: false, options: [...EVENT_KINDS] },
      { key: 'label', path: 'macro.customEvents[].label', kind: 'text', optional: false, min: 1, max: 80 },
      { key: 'end', path: 'macro.customEvents[].end', kind: 'date', optional: true },
    ]);
    // The item schema is the API's: same rules, same messages.
    expect(list.item.safeParse(event).success).toBe(true);
    const bad = list.item.safeParse({ ...event, date: '2026-02-30' });
    expect(bad.success ? [] : bad.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['date', 'must be a date YYYY-MM-DD that exists'],
    ]);
    expect(() => profileList('nope')).toThrow(/no list nope/);
  });

  test('the form keeps the carried list; an absent one is empty; an item problem is general', () => {
    const profile = resolveProfile({ macro: { customEvents: [event] } });
    const carried = carriedValues(profile);
    expect(carried).toEqual({ 'macro.customEvents': [event] });
    const check = checkForm(formValues(profile), carried);
    expect(check).toEqual({ ok: true, profile });
    expect(getPath(candidateFrom(formValues(profile)), ['macro', 'customEvents'])).toEqual([]);
    const bad = checkForm(formValues(profile), { 'macro.customEvents': [event, { ...event, end: '2026-07-01' }] });
    expect(bad).toEqual({
      ok: false,
      errors: {},
      general: ['macro.customEvents[1].end is only allowed for earnings-season (leave it out for custom)'],
    });
  });

  test('stored form: the list whole when it differs from the preset, and back', () => {
    const profile = resolveProfile({ preset: 'standard', macro: { customEvents: [event] } });
    const setting = toSetting(profile, 'standard');
    expect(setting).toEqual({ preset: 'standard', macro: { customEvents: [event] } });
    expect(fromSetting(setting).profile).toEqual(profile);
    expect(JSON.parse(exportJson(profile, 'standard'))).toEqual(setting);
    // Back to no events: the preset by name.
    expect(toSetting({ ...profile, name: 'standard', macro: { ...profile.macro, customEvents: [] } }, 'standard')).toBe(
      'standard',
    );
  });
});

describe('checkForm: the API schema checks the typed values', () => {
  test('the presets are valid and come back unchanged', () => {
    for (const name of PRESET_NAMES)
      expect(checkForm(formValues(PRESETS[name]))).toEqual({ ok: true, profile: PRESETS[name] });
  });

  test('text becomes numbers; empty and non-numbers are refused with the range', () => {
    expect(numberFromText(' 2.5 ')).toBe(2.5);
    expect(numberFromText('1e1')).toBe(10);
    expect(numberFromText('')).toBeUndefined();
    expect(numberFromText('abc')).toBe('abc');
    expect(numberFromText('1,5')).toBe('1,5');
    expect(getPath(candidateFrom(withValue(iwmValues(), 'trend.neutralAtr', '0.3')), ['trend', 'neutralAtr'])).toBe(
      0.3,
    );
    for (const bad of ['', 'abc', '1,5', '25']) {
      expect(checkForm(withValue(iwmValues(), 'momentum.atrMultiplier', bad))).toEqual({
        ok: false,
        errors: { 'momentum.atrMultiplier': expect.stringMatching(/between 0 and 20$/) },
        general: [],
      });
    }
    expect(checkForm(withValue(iwmValues(), 'rs.period', '2.5'))).toMatchObject({
      ok: false,
      errors: { 'rs.period': 'must be an integer between 1 and 250' },
    });
  });

  test('cross-field rules land on their field; a group rule on each of its fields', () => {
    expect(checkForm(withValue(iwmValues(), 'trend.fastPeriod', '70'))).toEqual({
      ok: false,
      errors: { 'trend.fastPeriod': 'must be less than trend.slowPeriod' },
      general: [],
    });
    let values = iwmValues();
    for (const k of ['trend', 'momentum', 'breadth', 'rs']) values = withValue(values, `composite.weights.${k}`, '0');
    const check = checkForm(values);
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(Object.keys(check.errors).sort()).toEqual(
        ['breadth', 'momentum', 'rs', 'trend'].map((k) => `composite.weights.${k}`),
      );
      expect(check.errors['composite.weights.rs']).toBe('at least one weight must be positive');
    }
    expect(checkForm(withValue(iwmValues(), 'name', '  '))).toMatchObject({
      ok: false,
      errors: { name: expect.any(String) },
    });
  });
});

describe('stored form: preset + what differs', () => {
  test('a preset is stored by name; changes as an object over it', () => {
    expect(toSetting(PRESETS.iwm, 'iwm')).toBe('iwm');
    expect(toSetting(PRESETS.standard, 'standard')).toBe('standard');
    expect(toSetting(PRESETS.standard, 'iwm')).toEqual({
      preset: 'iwm',
      momentum: { lookback: 14, atrMultiplier: 1 },
      name: 'standard',
    });
    const custom = resolveProfile({ preset: 'standard', rs: { period: 12 }, macro: { enabled: false } });
    expect(custom.name).toBe('standard-custom');
    expect(toSetting(custom, 'standard')).toEqual({
      preset: 'standard',
      rs: { period: 12 },
      macro: { enabled: false },
    });
    // The preset's own name on changed values is not kept: the API names it <preset>-custom.
    expect(toSetting({ ...custom, name: 'standard' }, 'standard')).toEqual(toSetting(custom, 'standard'));
    expect(toSetting({ ...custom, name: 'Small caps 2025' }, 'standard')).toMatchObject({ name: 'Small caps 2025' });
  });

  test('property: any valid edit round-trips through the stored form', () => {
    const numeric = profileLeaves().filter((l) => l.kind === 'integer' || l.kind === 'number');
    const edit = fc.record({
      preset: fc.constantFrom(...PRESET_NAMES),
      changes: fc.array(
        fc.tuple(fc.integer({ min: 0, max: numeric.length - 1 }), fc.double({ min: 0, max: 1, noNaN: true })),
        { maxLength: 6 },
      ),
    });
    fc.assert(
      fc.property(edit, ({ preset, changes }) => {
        const candidate = structuredClone(PRESETS[preset]) as unknown as Record<string, unknown>;
        for (const [i, u] of changes) {
          const leaf = numeric[i];
          const v = leaf.min! + u * (leaf.max! - leaf.min!);
          setPath(candidate, leaf.keys, leaf.kind === 'integer' ? Math.round(v) : v);
        }
        const check = checkForm(formValues(candidate as unknown as Profile));
        fc.pre(check.ok);
        if (!check.ok) return;
        const setting = toSetting(check.profile, preset);
        const back = fromSetting(setting);
        expect(back.preset).toBe(preset);
        const { name: _a, ...got } = back.profile;
        const { name: _b, ...want } = check.profile;
        expect(got).toEqual(want);
        // The export is the same thing as JSON, and imports back.
        expect(parseProfileJson(exportJson(check.profile, preset)).profile).toEqual(back.profile);
      }),
      { numRuns: 150 },
    );
  });

  test('fromSetting and parseProfileJson', () => {
    expect(fromSetting(undefined)).toEqual({ preset: 'iwm', profile: PRESETS.iwm });
    expect(fromSetting('standard')).toEqual({ preset: 'standard', profile: PRESETS.standard });
    expect(fromSetting({ rs: { period: 3 } }).preset).toBe('iwm');
    expect(parseProfileJson('"standard"').profile).toEqual(PRESETS.standard);
    expect(() => parseProfileJson('{oops')).toThrow(/^not valid JSON/);
    expect(() => parseProfileJson('[1]')).toThrow(/expected a profile object/);
    expect(() => parseProfileJson('{"trend":{"fast":3}}')).toThrow(/trend has unknown field\(s\) "fast"/);
    expect(() => parseProfileJson('{"preset":"midcap"}')).toThrow(/preset must be one of iwm, standard/);
  });
});
