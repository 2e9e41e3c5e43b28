/**
 * The Profile section: one control per ProfileSchema parameter, grouped by layer, each
 * with its label, meaning, unit and allowed range (profile-fields.ts, profile-form.ts).
 * Every keystroke is checked with the schema the API uses; a problem shows next to its
 * control (aria-invalid, aria-describedby) and Save stays disabled until all are fixed.
 *
 * Save applies the profile to the shared settings (so every IWM.* formula without its own
 * profile uses it), stores it with the workbook, and in Excel re-enters the IWM formulas.
 *
 * The profile's lists (`macro.customEvents`) and the macro overlay switch have no control
 * here: the form carries them so Save keeps them, and the Macro calendar panel edits them
 * through saveProfileChange, the same save path, so the workbook holds one profile, the
 * editor shows it, and each setting has one switch.
 */
import { PRESETS, validateProfile, type PresetName, type Profile } from '../../api/src/engine/profile';
import { PROFILE_GROUPS } from '../common/profile-fields';
import {
  carriedValues,
  checkForm,
  exportJson,
  formValues,
  fromSetting,
  isPresetName,
  parseProfileJson,
  profileLeaves,
  profileLists,
  rangeText,
  sameProfile,
  toSetting,
  type CarriedValues,
  type FormCheck,
  type FormValues,
  type ProfileLeaf,
} from '../common/profile-form';
import type { SettingsStore } from '../common/settings';
import { settingsDocument, type SettingsStorage } from '../common/workbook-settings';
import { offerUndo } from './ask';
import { byId, errorText, h, say, setFieldError } from './dom';
import { reenterIwmFormulas } from './excel';

interface Control {
  leaf: ProfileLeaf;
  input: HTMLInputElement;
  error: HTMLElement;
}

/**
 * Switches that live on another tab, next to what they change: one setting, one switch.
 * The editor shows their state above the groups with a way there, and carries their value
 * into Save (like the lists), so saving here never undoes them.
 */
const ELSEWHERE: Readonly<Record<string, { tab: string; control: string; where: string }>> = {
  'macro.enabled': { tab: 'tab-calendar', control: 'cal-overlay', where: 'Calendar' },
};

function controlId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;
}

/** The editor on this page, for saveProfileChange. */
let current: ProfileEditor | null = null;
const register = (editor: ProfileEditor) => (current = editor);

/**
 * Applies `change` to the workbook's saved profile and saves the result the way Save does
 * (shared settings, the workbook, and in Excel the IWM formulas), for panels that edit a
 * part of the profile (the macro calendar's overlay switch and custom events). `change`
 * gets a copy of the saved profile and returns the new one. Values typed in the editor but
 * not saved stay as they are. Resolves to what was done ("Saved in this workbook. ...");
 * rejects with a ProfileError when the new profile is invalid (nothing is saved then).
 */
export function saveProfileChange(change: (profile: Profile) => unknown): Promise<string> {
  if (!current) return Promise.reject(new Error('the profile editor is not ready'));
  return current.saveChange(change);
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
  /** The profile's lists, carried from the shown profile into the next Save. */
  private carried: CarriedValues = carriedValues(PRESETS.iwm);
  /** The switches kept on other tabs (ELSEWHERE), carried from the shown profile into Save. */
  private switches: FormValues = {};
  /** Saves one after the other (Save and saveProfileChange share the workbook). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ProfileEditorOptions) {
    register(this);
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
    for (const leaf of profileLeaves().filter((l) => l.path in ELSEWHERE))
      byId('profile-top').append(this.elsewhere(leaf));
    for (const group of PROFILE_GROUPS) {
      const leaves = profileLeaves().filter((l) => l.group === group.id && !(l.path in ELSEWHERE));
      if (!leaves.length) continue;
      const lists = profileLists()
        .filter((l) => l.group === group.id)
        .map((list) =>
          h(
            'p',
            { class: 'hint list-summary' },
            h('span', { class: 'list-count', id: `list-${controlId(list.path)}` }),
            ` ${list.info.meaning}`,
          ),
        );
      const body = h('div', { class: 'group-body' }, ...leaves.map((leaf) => this.field(leaf)), ...lists);
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

  /** A switch of another tab: its state in words and a button that takes the focus to it. */
  private elsewhere(leaf: ProfileLeaf): HTMLElement {
    const { tab, control, where } = ELSEWHERE[leaf.path];
    const id = controlId(leaf.path);
    const go = h('button', { type: 'button', id: `${id}-go` }, `Change on ${where}`);
    go.addEventListener('click', () => {
      document.getElementById(tab)?.click();
      document.getElementById(control)?.focus();
    });
    return h(
      'div',
      { class: 'field elsewhere' },
      h('p', { id: `${id}-state` }),
      h('p', { class: 'hint' }, leaf.info.meaning),
      h('div', { class: 'actions' }, go),
    );
  }

  /** The words of the switches kept elsewhere ("Macro overlay: on."). */
  private showElsewhere(): void {
    for (const leaf of profileLeaves().filter((l) => l.path in ELSEWHERE)) {
      const el = document.getElementById(`${controlId(leaf.path)}-state`);
      if (el) el.textContent = `${leaf.info.label}: ${this.switches[leaf.path] ? 'on' : 'off'}.`;
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
    const values: FormValues = { ...this.switches };
    for (const [path, { leaf, input }] of this.controls)
      values[path] = leaf.kind === 'boolean' ? input.checked : input.value;
    return values;
  }

  /** "Custom events: 2." beside each list the form carries. */
  private showCarried(): void {
    for (const list of profileLists()) {
      const el = document.getElementById(`list-${controlId(list.path)}`);
      const value = this.carried[list.path];
      if (el) el.textContent = `${list.info.label}: ${Array.isArray(value) ? value.length : 0}.`;
    }
  }

  private fill(profile: Profile, preset: PresetName): void {
    this.preset = preset;
    this.carried = carriedValues(profile);
    this.showCarried();
    byId<HTMLSelectElement>('preset').value = preset;
    this.setValues(formValues(profile));
    this.validate();
  }

  /** Puts form values into the controls and into the switches kept on other tabs. */
  private setValues(values: FormValues): void {
    for (const [path, { leaf, input }] of this.controls) {
      if (leaf.kind === 'boolean') input.checked = values[path] === true;
      else input.value = String(values[path]);
    }
    this.switches = Object.fromEntries(Object.keys(ELSEWHERE).map((path) => [path, values[path]]));
    this.showElsewhere();
  }

  /** Checks every control with the schema and shows the result; returns it. */
  validate(): FormCheck {
    const check = checkForm(this.values(), this.carried);
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
    const undo = this.snapshot();
    this.fill(PRESETS[name], name);
    offerUndo(byId('profile-message'), `Loaded the ${name} preset's values. Save to use them.`, undo);
  }

  reset(): void {
    const undo = this.snapshot();
    this.fill(PRESETS[this.preset], this.preset);
    offerUndo(byId('profile-message'), `Reset to the ${this.preset} preset's values. Save to use them.`, undo);
  }

  /**
   * What the form holds now (typed values, preset, carried lists), as an Undo that puts it
   * back: loading a preset or resetting replaces every value typed since the last Save.
   */
  private snapshot(): () => string {
    const preset = this.preset;
    const carried = structuredClone(this.carried);
    const typed = this.values();
    return () => {
      this.preset = preset;
      this.carried = carried;
      byId<HTMLSelectElement>('preset').value = preset;
      this.setValues(typed);
      this.showCarried();
      this.validate();
      return 'Your values are back. Save to use them.';
    };
  }

  /** Runs saves one at a time, in order. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The one save path: applies the profile to the shared settings (first, so the next
   * IWM.* call uses it even if the workbook cannot be written), stores it with the
   * workbook and in Excel re-enters the IWM formulas. Returns what it did; throws when
   * applying failed. `onApplied` runs once the settings hold the profile.
   */
  private async persist(profile: Profile, preset: PresetName, onApplied: (saved: Profile) => void): Promise<string> {
    const { settings, storage, excel } = this.options;
    const setting = toSetting(profile, preset);
    settings.update({ profile: setting });
    const saved = fromSetting(setting).profile;
    this.saved = saved;
    onApplied(saved);
    let stored = `Saved in ${storage.where}.`;
    try {
      await storage.save(settingsDocument(settings.get()));
    } catch (err) {
      stored = `Applied, but not saved in ${storage.where}: ${errorText(err)}.`;
    }
    if (!excel) return `${stored} IWM formulas use it from their next calculation.`;
    const n = await reenterIwmFormulas();
    return `${stored} Recalculated ${n} IWM formula${n === 1 ? '' : 's'}.`;
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
    try {
      const done = await this.serial(() =>
        this.persist(check.profile, this.preset, (saved) => this.fill(saved, this.preset)),
      );
      say(message, done, 'success');
    } catch (err) {
      say(message, `Save failed: ${errorText(err)}`, 'error');
    } finally {
      this.saving = false;
      form.setAttribute('aria-busy', 'false');
      button.removeAttribute('aria-disabled');
    }
  }

  /** saveProfileChange: `change` applied to the saved profile, saved; unsaved edits in the form are kept. */
  saveChange(change: (profile: Profile) => unknown): Promise<string> {
    return this.serial(async () => {
      let preset = this.preset;
      let before = this.saved;
      try {
        // The settings hold what IWM formulas use: start from that profile.
        ({ preset, profile: before } = fromSetting(this.options.settings.get().profile));
      } catch {
        // An invalid stored profile is shown as the iwm preset (show()); change what is shown.
      }
      const after = validateProfile(change(structuredClone(before)));
      // A preset's automatic name ("iwm-custom") is not kept: the stored form names it
      // again from what differs, so removing the last change gives the preset back.
      if (after.name === `${PRESETS[preset].name}-custom`) after.name = PRESETS[preset].name;
      return this.persist(after, preset, (saved) => this.update(before, saved));
    });
  }

  /**
   * Shows in the form what a saveChange changed (values that differ between the profile
   * before and after it), leaving the other controls as typed.
   */
  private update(before: Profile, after: Profile): void {
    const was = formValues(before);
    const now = formValues(after);
    for (const [path, { leaf, input }] of this.controls) {
      if (was[path] === now[path]) continue;
      if (leaf.kind === 'boolean') input.checked = now[path] === true;
      else input.value = String(now[path]);
    }
    for (const path of Object.keys(ELSEWHERE)) if (was[path] !== now[path]) this.switches[path] = now[path];
    this.showElsewhere();
    const wasCarried = carriedValues(before);
    const nowCarried = carriedValues(after);
    for (const list of profileLists())
      if (JSON.stringify(wasCarried[list.path]) !== JSON.stringify(nowCarried[list.path]))
        this.carried[list.path] = nowCarried[list.path];
    this.showCarried();
    this.validate();
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
