/**
 * The Profile section: one control per ProfileSchema parameter, grouped by layer, each
 * with its label, meaning, unit and allowed range (profile-fields.ts, profile-form.ts).
 * Every keystroke is checked with the schema the API uses; a problem shows next to its
 * control (aria-invalid, aria-describedby) and Save stays disabled until all are fixed.
 *
 * Save applies the profile to the shared settings (so every IWM.* formula without its own
 * profile uses it), stores it with the workbook, and in Excel re-enters the IWM formulas.
 */
import { PRESETS, type PresetName, type Profile } from '../../api/src/engine/profile';
import { PROFILE_GROUPS } from '../common/profile-fields';
import {
  checkForm,
  exportJson,
  formValues,
  fromSetting,
  isPresetName,
  parseProfileJson,
  profileLeaves,
  rangeText,
  sameProfile,
  toSetting,
  type FormCheck,
  type FormValues,
  type ProfileLeaf,
} from '../common/profile-form';
import type { SettingsStore } from '../common/settings';
import { settingsDocument, type SettingsStorage } from '../common/workbook-settings';
import { byId, errorText, h, say, setFieldError } from './dom';
import { reenterIwmFormulas } from './excel';

interface Control {
  leaf: ProfileLeaf;
  input: HTMLInputElement;
  error: HTMLElement;
}

/** Leaves shown above the groups rather than inside them (the overlay switch is used often). */
const TOP_LEVEL = new Set(['macro.enabled']);

function controlId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;
}

export interface ProfileEditorOptions {
  settings: SettingsStore;
  storage: SettingsStorage;
  excel: boolean;
}

export class ProfileEditor {
  private readonly controls = new Map<string, Control>();
  private preset: PresetName = 'iwm';
  private saved: Profile = PRESETS.iwm;
  private last: FormCheck = { ok: true, profile: PRESETS.iwm };
  private saving = false;

  constructor(private readonly options: ProfileEditorOptions) {
    this.render();
    byId('profile-where').textContent =
      `The parameters every IWM formula uses unless it names its own profile. Saved in ${options.storage.where}.`;
    const form = byId<HTMLFormElement>('profile-form');
    form.addEventListener('input', (event) => {
      if ((event.target as HTMLElement).id !== 'preset') this.validate();
    });
    form.addEventListener('change', (event) => {
      const target = event.target as HTMLElement;
      if (target.id === 'preset') this.choosePreset(byId<HTMLSelectElement>('preset').value);
      else this.validate();
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.save();
    });
    byId('profile-reset').addEventListener('click', () => this.reset());
    byId('profile-export').addEventListener('click', () => this.exportText());
    byId('profile-import').addEventListener('click', () => this.importText());
    byId('profile-download').addEventListener('click', () => this.download());
    byId<HTMLInputElement>('profile-file').addEventListener('change', () => void this.importFile());
  }

  private render(): void {
    const groups = byId('profile-groups');
    for (const leaf of profileLeaves().filter((l) => TOP_LEVEL.has(l.path)))
      byId('profile-top').append(this.field(leaf));
    for (const group of PROFILE_GROUPS) {
      const leaves = profileLeaves().filter((l) => l.group === group.id && !TOP_LEVEL.has(l.path));
      if (!leaves.length) continue;
      const body = h('div', { class: 'group-body' }, ...leaves.map((leaf) => this.field(leaf)));
      const details = h(
        'details',
        { class: 'group', id: `group-${group.id}`, 'data-group': group.id },
        h(
          'summary',
          {},
          h('span', { class: 'group-title' }, group.title),
          h('span', { class: 'group-problems', id: `group-${group.id}-problems` }),
          h('span', { class: 'group-summary' }, group.summary),
        ),
        body,
      );
      groups.append(details);
    }
  }

  private field(leaf: ProfileLeaf): HTMLElement {
    const id = controlId(leaf.path);
    const { info } = leaf;
    const hint = h(
      'p',
      { class: 'hint', id: `${id}-hint` },
      info.meaning ? `${info.meaning} ` : '',
      leaf.kind === 'boolean'
        ? ''
        : h(
            'span',
            { class: 'range' },
            `${info.unit ? `${info.unit[0].toUpperCase()}${info.unit.slice(1)}; ` : ''}${rangeText(leaf)}.`,
          ),
    );
    const error = h('p', { class: 'error', id: `${id}-error`, hidden: true });
    const common = { id, 'data-path': leaf.path, 'aria-describedby': hint.id, 'aria-invalid': 'false' };
    if (leaf.kind === 'boolean') {
      const input = h('input', { ...common, type: 'checkbox', role: 'switch' });
      this.controls.set(leaf.path, { leaf, input, error });
      return h('div', { class: 'field check' }, input, h('label', { for: id }, info.label), hint, error);
    }
    const numeric = leaf.kind === 'integer' || leaf.kind === 'number';
    const input = h(
      'input',
      numeric
        ? {
            ...common,
            type: 'number',
            min: leaf.min,
            max: leaf.max,
            step: leaf.kind === 'integer' ? 1 : 'any',
            inputmode: leaf.kind === 'integer' ? 'numeric' : 'decimal',
          }
        : { ...common, type: 'text', maxlength: leaf.max, autocomplete: 'off', spellcheck: 'false' },
    );
    this.controls.set(leaf.path, { leaf, input, error });
    return h('div', { class: 'field' }, h('label', { for: id }, info.label), input, hint, error);
  }

  private values(): FormValues {
    const values: FormValues = {};
    for (const [path, { leaf, input }] of this.controls)
      values[path] = leaf.kind === 'boolean' ? input.checked : input.value;
    return values;
  }

  private fill(profile: Profile, preset: PresetName): void {
    this.preset = preset;
    byId<HTMLSelectElement>('preset').value = preset;
    const values = formValues(profile);
    for (const [path, { leaf, input }] of this.controls) {
      if (leaf.kind === 'boolean') input.checked = values[path] === true;
      else input.value = String(values[path]);
    }
    this.validate();
  }

  /** Checks every control with the schema and shows the result; returns it. */
  validate(): FormCheck {
    const check = checkForm(this.values());
    this.last = check;
    const errors = check.ok ? {} : check.errors;
    const problems = new Map<string, number>();
    for (const [path, { leaf, input, error }] of this.controls) {
      const message = errors[path];
      setFieldError(input, error, message ? `${leaf.info.label} ${message}.` : undefined);
      if (message) problems.set(leaf.group, (problems.get(leaf.group) ?? 0) + 1);
    }
    for (const group of PROFILE_GROUPS) {
      const n = problems.get(group.id) ?? 0;
      const badge = document.getElementById(`group-${group.id}-problems`);
      if (badge) badge.textContent = n ? `${n} problem${n === 1 ? '' : 's'}` : '';
      const details = document.getElementById(`group-${group.id}`) as HTMLDetailsElement | null;
      if (details && n && !details.open) details.open = true;
    }
    say(byId('profile-errors'), check.ok ? '' : check.general.join('; '), 'error');
    byId<HTMLButtonElement>('profile-save').disabled = !check.ok;
    if (!check.ok) say(byId('profile-message'), 'Fix the highlighted values to save.', 'error');
    else if (!sameProfile(check.profile, this.saved)) say(byId('profile-message'), 'Unsaved changes.', 'info');
    else say(byId('profile-message'), '', 'info');
    return check;
  }

  /** Shows a stored profile setting (preset name or object); a bad one falls back to the iwm preset. */
  show(setting: unknown, problem?: string): void {
    try {
      const { preset, profile } = fromSetting(setting);
      this.saved = profile;
      this.fill(profile, preset);
      if (problem) say(byId('profile-message'), problem, 'error');
    } catch (err) {
      this.saved = PRESETS.iwm;
      this.fill(PRESETS.iwm, 'iwm');
      say(
        byId('profile-message'),
        `The saved profile is not valid (${errorText(err)}); showing the iwm preset.`,
        'error',
      );
    }
    byId('profile-form').setAttribute('aria-busy', 'false');
  }

  private choosePreset(name: string): void {
    if (!isPresetName(name)) return;
    this.fill(PRESETS[name], name);
    say(byId('profile-message'), `Loaded the ${name} preset's values. Save to use them.`, 'info');
  }

  reset(): void {
    this.fill(PRESETS[this.preset], this.preset);
    say(byId('profile-message'), `Reset to the ${this.preset} preset's values. Save to use them.`, 'info');
  }

  async save(): Promise<void> {
    const check = this.validate();
    if (!check.ok || this.saving) return;
    this.saving = true;
    const form = byId('profile-form');
    const button = byId('profile-save');
    const message = byId('profile-message');
    form.setAttribute('aria-busy', 'true');
    button.setAttribute('aria-disabled', 'true');
    say(message, 'Saving…');
    const { settings, storage, excel } = this.options;
    const setting = toSetting(check.profile, this.preset);
    try {
      // Applied first: the next IWM.* call uses it even if the workbook cannot be written.
      settings.update({ profile: setting });
      const { profile } = fromSetting(setting);
      this.saved = profile;
      this.fill(profile, this.preset);
      let stored = `Saved in ${storage.where}.`;
      try {
        await storage.save(settingsDocument(settings.get()));
      } catch (err) {
        stored = `Applied, but not saved in ${storage.where}: ${errorText(err)}.`;
      }
      if (excel) {
        const n = await reenterIwmFormulas();
        say(message, `${stored} Recalculated ${n} IWM formula${n === 1 ? '' : 's'}.`, 'success');
      } else {
        say(message, `${stored} IWM formulas use it from their next calculation.`, 'success');
      }
    } catch (err) {
      say(message, `Save failed: ${errorText(err)}`, 'error');
    } finally {
      this.saving = false;
      form.setAttribute('aria-busy', 'false');
      button.removeAttribute('aria-disabled');
    }
  }

  private currentJson(): string | null {
    const check = this.validate();
    if (!check.ok) {
      say(byId('profile-json-error'), 'Fix the highlighted values before exporting.', 'error');
      return null;
    }
    say(byId('profile-json-error'), '', 'error');
    return exportJson(check.profile, this.preset);
  }

  private exportText(): void {
    const text = this.currentJson();
    if (text === null) return;
    const area = byId<HTMLTextAreaElement>('profile-json-text');
    area.value = text;
    setFieldError(area, byId('profile-json-error'), undefined);
    area.focus();
    area.select();
  }

  private importText(): void {
    const area = byId<HTMLTextAreaElement>('profile-json-text');
    const error = byId('profile-json-error');
    try {
      const { preset, profile } = parseProfileJson(area.value);
      setFieldError(area, error, undefined);
      this.fill(profile, preset);
      say(byId('profile-message'), `Imported "${profile.name}". Check the values, then Save.`, 'info');
    } catch (err) {
      setFieldError(area, error, `Cannot import: ${errorText(err)}`);
    }
  }

  private async importFile(): Promise<void> {
    const input = byId<HTMLInputElement>('profile-file');
    const file = input.files?.[0];
    if (!file) return;
    const area = byId<HTMLTextAreaElement>('profile-json-text');
    try {
      area.value = await file.text();
    } catch (err) {
      setFieldError(area, byId('profile-json-error'), `Cannot read ${file.name}: ${errorText(err)}`);
      return;
    }
    input.value = '';
    this.importText();
  }

  private download(): void {
    const text = this.currentJson();
    if (text === null) return;
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const a = h('a', {
      href: url,
      download: `${this.last.ok ? this.last.profile.name : 'profile'}.json`,
      hidden: true,
    });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
