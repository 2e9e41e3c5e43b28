/**
 * The Macro calendar panel (docs/SIGNALS.md, "Macro overlay"): the overlay switch, the
 * events whose windows are in force around the last bar, the workbook's own events (add,
 * edit, remove), and the thresholds the overlay applies at the last bar.
 *
 * One profile, one save path: the panel reads the workbook's profile from the shared
 * settings (what every IWM formula sends) and writes through the profile editor's save
 * (saveProfileChange: settings, workbook, formulas). The switch here is the one switch of
 * `macro.enabled` (Settings shows its state and leads here). Custom events live in the profile
 * (`macro.customEvents`): the workbook carries them and the API stays stateless. An event
 * is checked with the API's own item schema before it is saved.
 */
import { eventKey } from '../../../api/src/engine/macro';
import { PRESETS, ProfileError, RANGE_EVENT_KINDS, type Profile } from '../../../api/src/engine/profile';
import type { EventKind, MacroEvent } from '../../../api/src/engine/types';
import { EVENT_KIND_NAMES } from '../../common/profile-fields';
import { fromSetting, profileLeaves, profileList, type ListItemField } from '../../common/profile-form';
import { offerUndo } from '../ask';
import { errorText, h, say, setFieldError } from '../dom';
import { daysInWords, formatDay, percent } from '../format';
import { saveProfileChange } from '../profile-editor';
import type { PanelContext } from './context';

/** A row of the calendar route (contracts/responses.ts, CalendarEntry). */
interface CalendarEvent extends MacroEvent {
  windowStart: string | null;
  windowEnd: string | null;
  source: 'calendar' | 'profile';
}

interface CalendarAnswer {
  from: string;
  to: string;
  overlayEnabled: boolean;
  /** Which years the API's calendar covers, per kind of event. */
  coverage?: { kind: EventKind; events: number; fromYear: number; toYear: number; missingYears: number[] }[];
  /** The same in words, with the kinds' codes ("fomc 2000-2027 (235), ..."). */
  covers?: string;
  events: CalendarEvent[];
  meta: { lastBarDate: string };
}

type Threshold = number | null | { base: number | null; used: number | null };

/** What the preview reads from a signal reading (contracts/responses.ts, Reading). */
interface ReadingAnswer {
  date: string;
  macro: { phase: string | null; active: string[]; enabled: boolean | null; coverage?: string | null };
  thresholds: Record<string, Threshold>;
  credit?: {
    state: string | null;
    ratio: number | null;
    ratioSma: number | null;
    drop: number | null;
    enabled: boolean | null;
  };
  sizing?: { fraction: number | null };
}

/** The reading's `thresholds` keys, for people; unknown keys show as they are. */
const THRESHOLD_NAMES: Record<string, string> = {
  trendNeutralAtr: 'Trend neutral band (ATR)',
  momentumAtrMultiplier: 'Momentum ATR multiplier',
  momentumThreshold: 'Momentum threshold (price)',
  breadthFullSizeMin: 'Breadth full-size minimum (%)',
  rsNeutralBand: 'RS neutral band (pp)',
  compositeRatio: 'Composite ratio',
  compositeThreshold: 'Composite threshold (score)',
};

const PHASE_TEXT: Record<string, string> = {
  window: 'inside an event window: thresholds tightened',
  after: 'just after a window: the momentum threshold relaxed',
  none: 'no event window in force: base thresholds',
};

const LIST = 'macro.customEvents';

/** Kinds in the table, short (the taskpane is narrow; the form's list says them in full). */
const KIND_SHORT: Record<EventKind, string> = {
  fomc: 'FOMC',
  'russell-recon': 'Russell',
  cpi: 'CPI',
  'earnings-season': 'Earnings',
  custom: 'Custom',
};

function num(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  return String(Number(v.toFixed(4)));
}

function eventName(e: MacroEvent): string {
  return `${e.label} (${formatDay(e.date)})`;
}

/** Which years the calendar covers, kind by kind in words: "FOMC 2000-2027 (235 events), ...". */
function coversText(answer: CalendarAnswer): string | null {
  if (!answer.coverage) return answer.covers ? daysInWords(answer.covers) : null;
  if (answer.coverage.length === 0) return 'no scheduled events';
  return answer.coverage
    .map((c) => {
      const years = c.fromYear === c.toYear ? `${c.fromYear}` : `${c.fromYear}-${c.toYear}`;
      const gaps = c.missingYears.length ? ` except ${c.missingYears.join(', ')}` : '';
      return `${KIND_SHORT[c.kind] ?? c.kind} ${years}${gaps} (${c.events} event${c.events === 1 ? '' : 's'})`;
    })
    .join(', ');
}

class CalendarPanel {
  private readonly list = profileList(LIST);
  private readonly inputs = new Map<
    string,
    { field: ListItemField; input: HTMLInputElement | HTMLSelectElement; error: HTMLElement }
  >();
  private readonly overlay: HTMLInputElement;
  private readonly progress: HTMLProgressElement;
  private readonly message: HTMLElement;
  private readonly problem: HTMLElement;
  private readonly range: HTMLElement;
  private readonly rows: HTMLTableSectionElement;
  private readonly empty: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly submit: HTMLButtonElement;
  private readonly cancel: HTMLButtonElement;
  private readonly formError: HTMLElement;
  private readonly kindHint: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly credit: HTMLElement;
  private readonly thresholds: HTMLTableSectionElement;
  private profile: Profile = PRESETS.iwm;
  /** Keys of the API calendar's events in the range shown (an identical custom event would add nothing). */
  private calendarKeys = new Set<string>();
  /** The custom event being edited, by eventKey; null when adding. */
  private editing: string | null = null;
  /** Show problems as the user types once a submit has been tried. */
  private checked = false;
  private pending = 0;
  private loads = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly ctx: PanelContext,
  ) {
    root.classList.add('calendar-panel');
    root.setAttribute('aria-busy', 'true');
    this.progress = h('progress', { id: 'cal-progress', 'aria-label': 'Loading the macro calendar' });
    this.overlay = h('input', {
      id: 'cal-overlay',
      type: 'checkbox',
      role: 'switch',
      'aria-describedby': 'cal-overlay-hint',
    });
    this.message = h('p', { id: 'cal-message', class: 'message', role: 'status', 'aria-live': 'polite' });
    this.problem = h('p', { id: 'cal-error', class: 'error', role: 'alert' });
    this.range = h('p', { id: 'cal-range', class: 'hint' });
    this.rows = h('tbody');
    this.empty = h('p', { id: 'cal-empty', class: 'hint', hidden: true }, 'No event windows in this range.');
    this.submit = h('button', { id: 'cal-submit', type: 'submit', class: 'primary' }, 'Add event');
    this.cancel = h('button', { id: 'cal-cancel', type: 'button', hidden: true }, 'Cancel edit');
    this.formError = h('p', { id: 'cal-form-error', class: 'error', role: 'alert' });
    this.kindHint = h('span', { id: 'cal-kind-window' });
    this.form = h('form', { id: 'cal-form', novalidate: true, 'aria-labelledby': 'cal-form-title' });
    this.summary = h('p', { id: 'cal-preview-summary' });
    this.credit = h('p', { id: 'cal-credit' });
    this.thresholds = h('tbody');
    this.render();
    this.overlay.addEventListener('change', () => void this.toggle());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.save();
    });
    this.form.addEventListener('input', () => {
      if (this.checked) this.check();
    });
    this.form.addEventListener('change', (event) => {
      if ((event.target as HTMLElement).id === 'cal-f-kind') this.showKind();
      if (this.checked) this.check();
    });
    this.cancel.addEventListener('click', () => this.stopEditing(true));
    // Escape leaves an edit as Cancel edit does (what the Edit button opened, it closes).
    this.form.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || this.editing === null) return;
      event.preventDefault();
      this.stopEditing(true);
    });
    this.rows.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest('button');
      if (!button?.dataset.key) return;
      if (button.dataset.action === 'edit') this.edit(button.dataset.key);
      else if (button.dataset.action === 'remove') void this.remove(button.dataset.key);
    });
    ctx.settings.onChange((_s, changed) => {
      if (changed.some((k) => k === 'profile' || k === 'symbol' || k === 'apiUrl' || k === 'apiKey')) void this.load();
    });
  }

  private render(): void {
    const fields = this.list.fields.map((field) => this.field(field));
    this.form.append(...fields, h('div', { class: 'actions' }, this.submit, this.cancel), this.formError);
    this.control('kind').value = 'custom';
    this.root.append(
      h('h2', { id: 'calendar-title' }, 'Macro calendar'),
      h(
        'p',
        { class: 'hint' },
        'Event windows tighten the signal thresholds. Scheduled events come from the signal service; yours are saved in the profile, so the workbook carries them.',
      ),
      this.progress,
      h(
        'div',
        { class: 'field check' },
        this.overlay,
        h('label', { for: 'cal-overlay' }, 'Macro overlay'),
        h(
          'p',
          { class: 'hint', id: 'cal-overlay-hint' },
          'Saved with the profile: on, the windows below tighten the thresholds; off, they are only reported.',
        ),
      ),
      this.message,
      this.problem,
      h('h3', { id: 'cal-events-title', tabindex: -1 }, 'Events in force'),
      this.range,
      h(
        'div',
        { class: 'cal-table-wrap' },
        h(
          'table',
          {
            id: 'cal-events',
            class: 'cal-table',
            'aria-labelledby': 'cal-events-title',
            'aria-describedby': 'cal-range',
          },
          h('thead', {}, h('tr', {}, ...['Date', 'Kind', 'Label', 'Window'].map((t) => h('th', { scope: 'col' }, t)))),
          this.rows,
        ),
      ),
      this.empty,
      h('h3', { id: 'cal-form-title' }, 'Add event'),
      this.form,
      h('h3', { id: 'cal-preview-title' }, "Today's thresholds"),
      this.summary,
      this.credit,
      h(
        'div',
        { class: 'cal-table-wrap' },
        h(
          'table',
          {
            id: 'cal-thresholds',
            class: 'cal-table',
            'aria-labelledby': 'cal-preview-title',
            'aria-describedby': 'cal-preview-summary',
          },
          h(
            'thead',
            {},
            h('tr', {}, ...['Threshold', 'Base', 'Used', 'Overlay'].map((t) => h('th', { scope: 'col' }, t))),
          ),
          this.thresholds,
        ),
      ),
    );
    this.showKind();
  }

  /** One control of the add form, labelled from profile-fields.ts. */
  private field(field: ListItemField): HTMLElement {
    const id = `cal-f-${field.key}`;
    const hint = h('p', { class: 'hint', id: `${id}-hint` }, `${field.info.meaning} `);
    const error = h('p', { class: 'error', id: `${id}-error`, hidden: true });
    const common = { id, name: field.key, 'aria-describedby': hint.id, 'aria-invalid': 'false' };
    let input: HTMLInputElement | HTMLSelectElement;
    if (field.kind === 'choice') {
      input = h(
        'select',
        common,
        ...(field.options ?? []).map((o) => h('option', { value: o }, EVENT_KIND_NAMES[o as EventKind] ?? o)),
      );
      hint.append(this.kindHint);
    } else {
      input = h('input', {
        ...common,
        type: 'text',
        autocomplete: 'off',
        spellcheck: 'false',
        ...(field.kind === 'date'
          ? { placeholder: 'YYYY-MM-DD', inputmode: 'numeric', maxlength: 10 }
          : { maxlength: field.max }),
      });
      if (field.kind === 'text') hint.append(h('span', { class: 'range' }, `${field.min} to ${field.max} characters.`));
      else hint.append(h('span', { class: 'range' }, 'YYYY-MM-DD.'));
    }
    if (!field.optional) input.setAttribute('aria-required', 'true');
    this.inputs.set(field.key, { field, input, error });
    const label = field.optional ? `${field.info.label} (earnings seasons)` : field.info.label;
    return h('div', { class: 'field', id: `${id}-field` }, h('label', { for: id }, label), input, hint, error);
  }

  private control(key: string): HTMLInputElement | HTMLSelectElement {
    return this.inputs.get(key)!.input;
  }

  /** The kind's window in the current profile; the end field only for range kinds. */
  private showKind(): void {
    const kind = this.control('kind').value as EventKind;
    const range = RANGE_EVENT_KINDS.includes(kind);
    const endField = this.root.querySelector<HTMLElement>('#cal-f-end-field');
    if (endField) endField.hidden = !range;
    if (range) {
      this.kindHint.textContent = 'Window: from the date to the last session on or before the end.';
      return;
    }
    const w = (this.profile.macro.windows as Record<string, { before: number; after: number }>)[kind];
    this.kindHint.textContent = w
      ? `Window (this profile): ${w.before} session${w.before === 1 ? '' : 's'} before the date to ${w.after} after.`
      : '';
  }

  private busy(delta: number): void {
    this.pending += delta;
    const busy = this.pending > 0;
    this.root.setAttribute('aria-busy', String(busy));
    this.progress.hidden = !busy;
  }

  /** The arguments every call repeats: the workbook's profile and symbol, as the IWM formulas send them. */
  private args(): Record<string, unknown> {
    const s = this.ctx.settings.get();
    return { profile: s.profile, symbol: s.symbol };
  }

  /** Reads the workbook's profile and asks the API for the calendar and the last reading. */
  async load(): Promise<void> {
    const seq = ++this.loads;
    this.busy(+1);
    try {
      const problems: string[] = [];
      let args = this.args();
      try {
        this.profile = fromSetting(args.profile).profile;
      } catch (err) {
        this.profile = PRESETS.iwm;
        args = { ...args, profile: undefined };
        problems.push(`The workbook's profile is not valid (${issuesText(err)}); showing the iwm preset.`);
      }
      this.overlay.checked = this.profile.macro.enabled;
      this.showKind();
      const [calendar, reading] = await Promise.allSettled([
        this.ctx.client.call('calendar', args),
        this.ctx.client.call('signal', args),
      ]);
      if (seq !== this.loads) return;
      if (calendar.status === 'fulfilled') this.showEvents(calendar.value as CalendarAnswer);
      else problems.push(`Could not load the calendar: ${errorText(calendar.reason)}`);
      if (reading.status === 'fulfilled') this.showThresholds(reading.value as ReadingAnswer);
      else problems.push(`Could not load today's thresholds: ${errorText(reading.reason)}`);
      say(this.problem, problems.join(' '), 'error');
    } finally {
      this.busy(-1);
    }
  }

  private showEvents(answer: CalendarAnswer): void {
    const mine = this.profile.macro.customEvents;
    const mineKeys = new Set(mine.map(eventKey));
    this.calendarKeys = new Set(answer.events.filter((e) => e.source === 'calendar').map(eventKey));
    const covers = coversText(answer);
    this.range.textContent =
      `Windows that overlap ${formatDay(answer.from)} to ${formatDay(answer.to)} (last bar ${formatDay(answer.meta.lastBarDate)}). ` +
      "Your events are marked; the others come from the signal service's calendar" +
      (covers ? `, which covers ${covers}.` : '.');
    const listed = new Set<string>();
    const rows: { sort: string; row: HTMLTableRowElement }[] = [];
    for (const e of answer.events) {
      const key = eventKey(e);
      const custom = e.source === 'profile' || mineKeys.has(key);
      if (custom) listed.add(key);
      rows.push({ sort: e.windowStart ?? e.date, row: this.row(e, custom, windowCell(e)) });
    }
    // Your events outside the range are listed too, so each can be edited or removed.
    for (const e of mine) {
      const key = eventKey(e);
      if (listed.has(key)) continue;
      listed.add(key);
      rows.push({ sort: e.date, row: this.row(e, true, ['outside this range']) });
    }
    rows.sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0));
    this.rows.replaceChildren(...rows.map((r) => r.row));
    this.empty.hidden = rows.length > 0;
    if (this.editing && !mineKeys.has(this.editing)) this.stopEditing(false);
  }

  private row(e: MacroEvent, custom: boolean, window: (Node | string)[]): HTMLTableRowElement {
    const key = eventKey(e);
    // Your events carry their Edit and Remove buttons under the label (the taskpane is narrow).
    const actions = custom
      ? [
          ' ',
          h('span', { class: 'cal-badge' }, 'yours'),
          h(
            'span',
            { class: 'cal-actions' },
            h(
              'button',
              { type: 'button', 'data-action': 'edit', 'data-key': key, 'aria-label': `Edit ${eventName(e)}` },
              'Edit',
            ),
            h(
              'button',
              { type: 'button', 'data-action': 'remove', 'data-key': key, 'aria-label': `Remove ${eventName(e)}` },
              'Remove',
            ),
          ),
        ]
      : [];
    return h(
      'tr',
      { 'data-source': custom ? 'profile' : 'calendar', 'data-key': key },
      h('td', {}, ...span(e.date, e.end)),
      h('td', { title: EVENT_KIND_NAMES[e.kind] ?? e.kind }, KIND_SHORT[e.kind] ?? e.kind),
      h('td', {}, e.label, ...actions),
      h('td', {}, ...window),
    );
  }

  private showThresholds(r: ReadingAnswer): void {
    const phase = r.macro.phase ?? 'none';
    const active = r.macro.active.length ? ` Active: ${r.macro.active.join('; ')}.` : '';
    const off = this.profile.macro.enabled
      ? ''
      : ' The overlay is off: windows are reported, the thresholds stay at base.';
    const absent =
      r.macro.coverage === 'none'
        ? " The signal service's calendar has no events for this year: the overlay is absent."
        : r.macro.coverage === 'partial'
          ? " The signal service's calendar misses some kinds of event this year."
          : '';
    this.summary.textContent = `As of ${formatDay(r.date)} (last bar): ${PHASE_TEXT[phase] ?? phase}.${active}${off}${absent}`;
    this.summary.dataset.phase = phase;
    this.showCredit(r);
    const rows = Object.entries(r.thresholds).map(([key, value]) => {
      const pair = value !== null && typeof value === 'object' ? value : { base: value, used: value };
      const change =
        pair.base === null || pair.used === null || pair.base === pair.used
          ? 'unchanged'
          : pair.used > pair.base
            ? 'tightened'
            : 'relaxed';
      return h(
        'tr',
        { 'data-threshold': key },
        h('th', { scope: 'row' }, THRESHOLD_NAMES[key] ?? key),
        h('td', { class: 'num' }, num(pair.base)),
        h('td', { class: 'num' }, num(pair.used)),
        h('td', {}, change),
      );
    });
    this.thresholds.replaceChildren(...rows);
  }

  /** The credit overlay at the last bar: its state, the numbers behind it, what it does to the size. */
  private showCredit(r: ReadingAnswer): void {
    const c = r.credit;
    const C = this.profile.credit;
    const pair = `${C.highYield}/${C.treasury}`;
    this.credit.dataset.state = c?.state ?? 'none';
    let text: string;
    if (!c || c.state === 'unavailable') text = `Credit (${pair}): unavailable, the API has no ${pair} data.`;
    else if (c.state === null) text = `Credit (${pair}): no reading yet.`;
    else {
      const facts = `ratio ${num(c.ratio)} ${c.ratio !== null && c.ratioSma !== null && c.ratio < c.ratioSma ? 'below' : 'above'} its ${C.smaPeriod}-session average ${num(c.ratioSma)}, ${c.drop === null ? 'n/a' : `${c.drop >= 0 ? '+' : ''}${c.drop.toFixed(2)} %`} over ${C.dropLookback} sessions`;
      const effect =
        c.state !== 'stress' ? '' : c.enabled ? ': position size halved' : ' (overlay off: size unchanged)';
      text = `Credit (${pair}): ${c.state}${effect}; ${facts}.`;
    }
    const size = r.sizing?.fraction;
    this.credit.textContent = `${text} Position size: ${percent(size)}.`;
  }

  private async toggle(): Promise<void> {
    const on = this.overlay.checked;
    this.overlay.setAttribute('aria-disabled', 'true');
    say(this.message, 'Saving…');
    this.busy(+1);
    try {
      const done = await saveProfileChange((p) => ({ ...p, macro: { ...p.macro, enabled: on } }));
      say(this.message, `Overlay ${on ? 'on' : 'off'}. ${done}`, 'success');
    } catch (err) {
      this.overlay.checked = !on;
      say(this.message, '', 'info');
      say(this.problem, `Could not change the overlay: ${issuesText(err)}`, 'error');
    } finally {
      this.overlay.removeAttribute('aria-disabled');
      this.busy(-1);
    }
  }

  /** The form as an event for the schema: an empty optional field is left out. */
  private raw(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, { field, input }] of this.inputs) {
      const v = input.value.trim();
      // An optional field left empty, or hidden (end for a kind without a range), is left out.
      if (field.optional && (v === '' || input.closest('[hidden]'))) continue;
      out[key] = v;
    }
    return out;
  }

  /** Checks the form with the API's item schema; shows each problem next to its field. */
  private check(): MacroEvent | null {
    const parsed = this.list.item.safeParse(this.raw());
    const errors = new Map<string, string>();
    const general: string[] = [];
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? '');
        const entry = this.inputs.get(key);
        if (entry) errors.set(key, errors.get(key) ?? `${entry.field.info.label} ${issue.message}.`);
        else general.push(issue.message);
      }
    }
    for (const [key, { input, error }] of this.inputs) setFieldError(input, error, errors.get(key));
    say(this.formError, general.join('; '), 'error');
    return parsed.success ? (parsed.data as MacroEvent) : null;
  }

  private async save(): Promise<void> {
    if (this.submit.getAttribute('aria-disabled') === 'true') return;
    this.checked = true;
    const event = this.check();
    if (!event) {
      const first = [...this.inputs.values()].find((i) => i.input.getAttribute('aria-invalid') === 'true');
      first?.input.focus();
      return;
    }
    const key = eventKey(event);
    const editing = this.editing;
    const mine = this.profile.macro.customEvents;
    if (mine.some((e) => eventKey(e) === key && key !== editing)) {
      say(this.formError, `${eventName(event)} is already one of your events.`, 'error');
      return;
    }
    if (this.calendarKeys.has(key)) {
      say(this.formError, `${eventName(event)} is already in the signal service's calendar.`, 'error');
      return;
    }
    if (!editing && mine.length >= this.list.max) {
      say(this.formError, `A profile holds at most ${this.list.max} events: remove one first.`, 'error');
      return;
    }
    this.submit.setAttribute('aria-disabled', 'true');
    say(this.message, 'Saving…');
    this.busy(+1);
    try {
      const done = await saveProfileChange((p) => {
        const events = [...p.macro.customEvents];
        const at = editing === null ? -1 : events.findIndex((e) => eventKey(e) === editing);
        if (at >= 0) events[at] = event;
        else events.push(event);
        return { ...p, macro: { ...p.macro, customEvents: events } };
      });
      say(this.message, `${editing ? 'Updated' : 'Added'} ${eventName(event)}. ${done}`, 'success');
      this.stopEditing(false);
      this.checked = false;
      this.clearForm();
      this.control('date').focus();
    } catch (err) {
      say(this.message, '', 'info');
      say(this.formError, `Not saved: ${issuesText(err)}`, 'error');
    } finally {
      this.submit.removeAttribute('aria-disabled');
      this.busy(-1);
    }
  }

  private clearForm(): void {
    for (const [key, { input, error }] of this.inputs) {
      if (key === 'kind') input.value = 'custom';
      else input.value = '';
      setFieldError(input, error, undefined);
    }
    say(this.formError, '', 'error');
    this.showKind();
  }

  private edit(key: string): void {
    const event = this.profile.macro.customEvents.find((e) => eventKey(e) === key);
    if (!event) return;
    this.editing = key;
    this.checked = false;
    this.clearForm();
    for (const [k, { input }] of this.inputs)
      input.value = String((event as unknown as Record<string, unknown>)[k] ?? '');
    this.showKind();
    this.submit.textContent = 'Update event';
    this.cancel.hidden = false;
    this.root.querySelector('#cal-form-title')!.textContent = `Edit event: ${eventName(event)}`;
    this.control('date').focus();
  }

  private stopEditing(clear: boolean): void {
    this.editing = null;
    this.submit.textContent = 'Add event';
    this.cancel.hidden = true;
    this.root.querySelector('#cal-form-title')!.textContent = 'Add event';
    if (clear) {
      this.checked = false;
      this.clearForm();
      this.control('date').focus();
    }
  }

  private async remove(key: string): Promise<void> {
    const at = this.profile.macro.customEvents.findIndex((e) => eventKey(e) === key);
    const event = this.profile.macro.customEvents[at];
    if (!event) return;
    say(this.message, 'Saving…');
    this.busy(+1);
    try {
      const done = await saveProfileChange((p) => ({
        ...p,
        macro: { ...p.macro, customEvents: p.macro.customEvents.filter((e) => eventKey(e) !== key) },
      }));
      // Removing is one click: Undo puts the event back where it was in the list.
      offerUndo(this.message, `Removed ${eventName(event)}. ${done}`, async () => {
        const back = await saveProfileChange((p) => {
          const events = p.macro.customEvents.filter((e) => eventKey(e) !== key);
          events.splice(Math.min(at, events.length), 0, event);
          return { ...p, macro: { ...p.macro, customEvents: events } };
        });
        return `Put back ${eventName(event)}. ${back}`;
      });
      if (this.editing === key) this.stopEditing(true);
      // The row and its button are gone: keep the keyboard in the table's place.
      this.root.querySelector<HTMLElement>('#cal-events-title')?.focus();
    } catch (err) {
      say(this.message, '', 'info');
      say(this.problem, `Could not remove ${eventName(event)}: ${issuesText(err)}`, 'error');
    } finally {
      this.busy(-1);
    }
  }
}

/** "12 Jun 2026 to 17 Jun 2026", wrapping only between the two dates (the taskpane is narrow). */
function span(from: string, to?: string | null): (Node | string)[] {
  const first = h('span', { class: 'cal-nowrap' }, formatDay(from));
  return to && to !== from ? [first, ' ', h('span', { class: 'cal-nowrap' }, `to ${formatDay(to)}`)] : [first];
}

/**
 * A profile problem in words: the field named by its label ("Event date", "Macro overlay")
 * rather than its path in the profile (`macro.customEvents[2].date`); other errors as they
 * are, their days as the taskpane says them.
 */
function issuesText(err: unknown): string {
  if (!(err instanceof ProfileError)) return errorText(err);
  const list = profileList(LIST);
  return err.issues
    .map((i) => {
      const leaf = profileLeaves().find((l) => l.path === i.field);
      if (leaf) return `${leaf.info.label} ${i.message}`;
      const item = /^macro\.customEvents(?:\[(\d+)\]|\.(\d+))(?:\.(\w+))?$/.exec(i.field);
      if (item) {
        const n = Number(item[1] ?? item[2]) + 1;
        const field = list.fields.find((f) => f.key === item[3]);
        return `your event ${n}${field ? `, ${field.info.label},` : ''} ${i.message}`;
      }
      return i.message;
    })
    .map(daysInWords)
    .join('; ');
}

function windowCell(e: CalendarEvent): (Node | string)[] {
  return e.windowStart && e.windowEnd ? span(e.windowStart, e.windowEnd) : ['n/a'];
}

/** Builds the panel into its section (aria-labelledby="calendar-title") and loads it. */
export function mountCalendarPanel(root: HTMLElement, ctx: PanelContext): void {
  const panel = new CalendarPanel(root, ctx);
  void panel.load();
}
