/**
 * The Workbook panel: what the add-in writes into the workbook itself.
 *
 * - Debrief: a session (From alone) or a range (From and To) written into the table
 *   IWMDebrief on the sheet Debrief (debrief-sheet.ts): a session already there is updated
 *   where it stands, the Notes column is never written, so running it again adds nothing.
 *   From defaults to the last session in the data (the API's status).
 * - Sheets: the dashboard (live IWM.* cells and three native charts) and the starter sheet
 *   (dashboard.ts); each goes on a new sheet, never over an existing one. When the sheet is
 *   there already, the panel asks: go to it, or insert another ("IWM Dashboard (2)").
 * - Snapshot to values: the IWM.* results of the selection or of the whole active sheet
 *   replaced by their values (snapshot.ts), so a colleague without the add-in sees numbers;
 *   asked first, since the formulas do not come back.
 *
 * One workbook operation at a time: while one runs, the panel is aria-busy, a progress bar
 * shows, and every action button is aria-disabled (it keeps the keyboard focus; clicks are
 * ignored). Outside Excel, or in an Excel without the API a feature needs, its button is
 * disabled and the reason is shown under it (and read with it: aria-describedby).
 */
import { ApiError } from '../../common/api-client';
import { DEBRIEF_SHEET, DEBRIEF_TABLE, fillDebrief, type DebriefRequest } from '../../common/debrief-sheet';
import {
  DASHBOARD_SHEET,
  STARTER_SHEET,
  existingSheet,
  goToSheet,
  insertDashboard,
  insertStarterTemplate,
} from '../../common/dashboard';
import { dayArg } from '../../common/excel-args';
import { snapshotWithStatus } from '../../common/snapshot';
import { ask } from '../ask';
import { errorText, h, say, setFieldError } from '../dom';
import { daysInWords, formatDay } from '../format';
import type { PanelContext } from './context';

type Kind = 'info' | 'error' | 'success';
interface Outcome {
  text: string;
  kind: Kind;
}

/** The Excel API each feature needs (Office requirement sets) and why. */
const NEEDS = {
  // getItemOrNullObject, getUsedRangeOrNullObject.
  debrief: { version: '1.4', what: 'tables' },
  // chart.series.add, setValues, setXAxisValues.
  dashboard: { version: '1.7', what: 'chart series' },
  // getSpillingToRangeOrNullObject, getSpillParentOrNullObject.
  snapshot: { version: '1.12', what: 'dynamic-array spills' },
} as const;
type Feature = keyof typeof NEEDS;

/** False only when Office says the set is missing (an Office.js without the check is assumed recent). */
function supports(version: string): boolean {
  try {
    return Office.context?.requirements?.isSetSupported?.('ExcelApi', version) !== false;
  } catch {
    return true;
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A date field: its input (type=date), hint and error, under a label. */
function dateField(
  id: string,
  label: string,
  hint: string,
): { field: HTMLElement; input: HTMLInputElement; error: HTMLElement } {
  // The label reads "Debrief from" to assistive technology, "From" on screen (other panels have ranges too).
  const input = h('input', { id, type: 'date', 'aria-describedby': `${id}-hint`, 'aria-invalid': 'false' });
  const error = h('p', { id: `${id}-error`, class: 'error', hidden: true });
  const field = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, h('span', { class: 'visually-hidden' }, 'Debrief '), label),
    input,
    h('p', { id: `${id}-hint`, class: 'hint' }, hint),
    error,
  );
  return { field, input, error };
}

/** The debrief's fields as the panel names them (the API names them date, from and to). */
const FIELD_WORDS: Record<string, string> = { date: 'From', from: 'From', to: 'To' };

/**
 * An API error in the panel's words: each problem the API ties to a field is said with the
 * field's label ("From: 3 Jan 2007 is not a trading session") rather than the API's name
 * for it ("date: 2007-01-03 ..."); the days as the taskpane says them.
 */
function apiErrorText(err: unknown): string {
  const issues = err instanceof ApiError ? (err.problem?.errors ?? []) : [];
  const named = issues.filter((i) => typeof i.field === 'string' && FIELD_WORDS[i.field]);
  if (named.length && named.length === issues.length)
    return named.map((i) => `${FIELD_WORDS[i.field!]}: ${daysInWords(i.message)}`).join('; ');
  return errorText(err);
}

class WorkbookPanel {
  private busy = false;
  /** The last session in the data (status.lastBarDate), when the API said. */
  private lastBar: string | null = null;
  /** True once the user typed in From: the default no longer replaces it. */
  private fromTouched = false;
  private readonly progress: HTMLProgressElement;
  private readonly from: ReturnType<typeof dateField>;
  private readonly to: ReturnType<typeof dateField>;
  private readonly buttons = new Map<Feature | 'starter', HTMLButtonElement>();
  private readonly debriefMessage: HTMLElement;
  private readonly sheetsMessage: HTMLElement;
  private readonly snapshotMessage: HTMLElement;
  private readonly scope: HTMLSelectElement;
  /** Where the Sheets and Share groups ask before they act (ask.ts). */
  private readonly sheetsAsk = h('div', { class: 'ask', hidden: true });
  private readonly snapshotAsk = h('div', { class: 'ask', hidden: true });

  constructor(
    private readonly root: HTMLElement,
    private readonly ctx: PanelContext,
  ) {
    root.classList.add('workbook-panel');
    root.setAttribute('aria-busy', 'false');
    this.progress = h('progress', { id: 'workbook-progress', 'aria-label': 'Working on the workbook', hidden: true });
    const hostNote = ctx.excel
      ? null
      : h('p', { id: 'workbook-host-note', class: 'workbook-note' }, 'Open in Excel to write sheets.');

    // Debrief
    this.from = dateField('debrief-from', 'From', 'The first session. Starts at the last session in the data.');
    this.to = dateField('debrief-to', 'To', 'Optional: empty writes the From session alone.');
    this.debriefMessage = h('p', { id: 'debrief-message', class: 'message', role: 'status', 'aria-live': 'polite' });
    const write = this.button('debrief', 'debrief-write', 'Write debrief', 'submit', hostNote);
    write.classList.add('primary');
    const form = h(
      'form',
      { id: 'debrief-form', novalidate: true, 'aria-labelledby': 'debrief-title' },
      h('h3', { id: 'debrief-title' }, 'Debrief'),
      h(
        'p',
        { id: 'debrief-hint', class: 'hint' },
        `Writes one row per session in the table ${DEBRIEF_TABLE} on the sheet ${DEBRIEF_SHEET}. A session already ` +
          'there is updated in place and your Notes are kept: writing a range again adds nothing.',
      ),
      h('div', { class: 'date-range' }, this.from.field, this.to.field),
      h('div', { class: 'actions' }, write),
      ...this.reasons('debrief'),
      this.debriefMessage,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.writeDebrief();
    });
    for (const f of [this.from, this.to]) {
      f.input.addEventListener('input', () => {
        if (f === this.from) this.fromTouched = true;
        this.validate();
      });
    }

    // Sheets
    this.sheetsMessage = h('p', { id: 'sheets-message', class: 'message', role: 'status', 'aria-live': 'polite' });
    const dashboard = this.button('dashboard', 'dashboard-insert', 'Insert dashboard', 'button', hostNote);
    const starter = this.button('starter', 'starter-insert', 'Insert starter sheet', 'button', hostNote);
    dashboard.addEventListener('click', () => void this.insertSheet('dashboard'));
    starter.addEventListener('click', () => void this.insertSheet('starter'));
    const sheets = h(
      'div',
      { class: 'workbook-group', role: 'group', 'aria-labelledby': 'sheets-title' },
      h('h3', { id: 'sheets-title' }, 'Sheets'),
      h(
        'p',
        { id: 'sheets-hint', class: 'hint' },
        'Each goes on a new sheet (never over one you have). Dashboard: the latest reading, IWM.STATUS and 250 ' +
          'sessions of history in live formulas, with rotation, breadth and composite charts. Starter: the daily ' +
          'routine (reading, levels, calendar).',
      ),
      h('div', { class: 'actions' }, dashboard, starter),
      this.sheetsAsk,
      ...this.reasons('dashboard'),
      this.sheetsMessage,
    );

    // Snapshot
    this.scope = h(
      'select',
      { id: 'snapshot-scope' },
      h('option', { value: 'selection' }, 'The selection'),
      h('option', { value: 'sheet' }, 'The whole active sheet'),
    );
    this.snapshotMessage = h('p', { id: 'snapshot-message', class: 'message', role: 'status', 'aria-live': 'polite' });
    const snapshot = this.button('snapshot', 'snapshot-run', 'Snapshot to values', 'button', hostNote);
    snapshot.addEventListener('click', () => void this.snapshot());
    const freeze = h(
      'div',
      { class: 'workbook-group', role: 'group', 'aria-labelledby': 'snapshot-title' },
      h('h3', { id: 'snapshot-title' }, 'Share'),
      h(
        'p',
        { id: 'snapshot-hint', class: 'hint' },
        'Replaces IWM formulas by their current values (a spilled table as a whole) and notes the date they are ' +
          'as of, so a colleague without the add-in sees numbers, not #NAME?. Other formulas are kept. Save a copy ' +
          'with the formulas first if you want them back.',
      ),
      h('div', { class: 'field' }, h('label', { for: 'snapshot-scope' }, 'Cells to freeze'), this.scope),
      h('div', { class: 'actions' }, snapshot),
      this.snapshotAsk,
      ...this.reasons('snapshot'),
      this.snapshotMessage,
    );

    root.replaceChildren(h('h2', { id: 'workbook-title' }, 'Workbook'), this.progress);
    if (hostNote) root.append(hostNote);
    root.append(form, sheets, freeze);

    void this.loadLastBar();
    ctx.settings.onChange((_s, changed) => {
      if (changed.includes('apiUrl') || changed.includes('apiKey')) void this.loadLastBar();
    });
  }

  /** An action button; disabled with its reason outside Excel or without the Excel API it needs. */
  private button(
    feature: Feature | 'starter',
    id: string,
    text: string,
    type: 'button' | 'submit',
    hostNote: HTMLElement | null,
  ): HTMLButtonElement {
    const button = h('button', { id, type }, text);
    this.buttons.set(feature, button);
    if (hostNote) {
      button.disabled = true;
      button.setAttribute('aria-describedby', hostNote.id);
    } else if (feature !== 'starter' && !supports(NEEDS[feature].version)) {
      button.disabled = true;
      button.setAttribute('aria-describedby', `${id}-reason`);
      button.dataset.reason = `${text} needs Excel ${NEEDS[feature].what} (ExcelApi ${NEEDS[feature].version}), which this version of Excel does not have. Excel on the web or a current Microsoft 365 Excel has it.`;
    }
    return button;
  }

  /** The paragraphs saying why a feature's button is disabled (empty when it is not). */
  private reasons(feature: Feature): HTMLElement[] {
    const button = this.buttons.get(feature)!;
    const reason = button.dataset.reason;
    return reason ? [h('p', { id: `${button.id}-reason`, class: 'hint workbook-reason' }, reason)] : [];
  }

  /** Asks the API for its last session: the default From, and the latest date the fields accept. */
  private async loadLastBar(): Promise<void> {
    let last: string | null = null;
    try {
      const status = (await this.ctx.client.call('status', {})) as { lastBarDate?: unknown } | null;
      if (typeof status?.lastBarDate === 'string' && ISO.test(status.lastBarDate)) last = status.lastBarDate;
    } catch {
      // The Data section says the API cannot be reached; From stays for the user to fill.
    }
    this.lastBar = last;
    for (const f of [this.from, this.to]) {
      if (last) f.input.max = last;
      else f.input.removeAttribute('max');
    }
    if (last && !this.fromTouched) {
      this.from.input.value = last;
      this.from.input.dataset.default = last;
    }
    if (
      this.from.input.getAttribute('aria-invalid') === 'true' ||
      this.to.input.getAttribute('aria-invalid') === 'true'
    )
      this.validate();
  }

  /** One end of the range: its API date reference, or an error text. */
  private readEnd(f: ReturnType<typeof dateField>, name: string, required: boolean): string | undefined | Error {
    const input = f.input;
    if (input.validity?.badInput) return new Error(`${name} is not a complete date.`);
    const raw = input.value.trim();
    if (!raw) return required ? new Error(`${name}: enter the first session to write.`) : undefined;
    let day: string | undefined;
    try {
      day = dayArg(raw, name);
    } catch (err) {
      return new Error(`${errorText(err)}.`);
    }
    if (day && this.lastBar && ISO.test(day) && day > this.lastBar)
      return new Error(`${name} ${formatDay(day)} is after the last session in the data (${formatDay(this.lastBar)}).`);
    return day;
  }

  /** Checks From and To, shows the errors next to them; the API request when both are good. */
  private validate(): DebriefRequest | null {
    const from = this.readEnd(this.from, 'From', true);
    let to = this.readEnd(this.to, 'To', false);
    if (typeof from === 'string' && typeof to === 'string') {
      const both = ISO.test(from) && ISO.test(to);
      const relative = !both && /^-\d+$/.test(from) && /^-\d+$/.test(to);
      if ((both && to < from) || (relative && Number(to) < Number(from)))
        to = new Error(
          `To ${formatDay(to)} is before From ${formatDay(from)}: pick a To on or after From, or leave it empty.`,
        );
    }
    setFieldError(this.from.input, this.from.error, from instanceof Error ? from.message : undefined);
    setFieldError(this.to.input, this.to.error, to instanceof Error ? to.message : undefined);
    if (from instanceof Error || to instanceof Error || from === undefined) return null;
    const { profile, symbol } = this.ctx.settings.get();
    const which = to === undefined || to === from ? { date: from } : { from, to };
    return { ...which, ...(symbol ? { symbol } : {}), ...(profile !== undefined ? { profile } : {}) };
  }

  /**
   * Runs one workbook operation: the panel busy, the buttons aria-disabled, the progress
   * shown; its outcome (or its error) in `message`.
   */
  private async run(label: string, message: HTMLElement, work: () => Promise<Outcome>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.root.setAttribute('aria-busy', 'true');
    this.progress.setAttribute('aria-label', label);
    this.progress.hidden = false;
    for (const b of this.buttons.values()) if (!b.disabled) b.setAttribute('aria-disabled', 'true');
    say(message, `${label}…`);
    try {
      const { text, kind } = await work();
      say(message, text, kind);
    } catch (err) {
      say(message, `${label} failed: ${errorText(err)}`, 'error');
    } finally {
      this.busy = false;
      this.root.setAttribute('aria-busy', 'false');
      this.progress.hidden = true;
      for (const b of this.buttons.values()) b.removeAttribute('aria-disabled');
    }
  }

  private async writeDebrief(): Promise<void> {
    if (this.busy || this.buttons.get('debrief')!.disabled) return;
    const request = this.validate();
    if (!request) {
      say(this.debriefMessage, 'Fix the highlighted date first.', 'error');
      const bad = [this.from.input, this.to.input].find((i) => i.getAttribute('aria-invalid') === 'true');
      bad?.focus();
      return;
    }
    const label =
      'date' in request ? `Writing the debrief of ${formatDay(String(request.date))}` : 'Writing the debrief';
    await this.run(label, this.debriefMessage, async () => {
      try {
        const result = await Excel.run((context) => fillDebrief(context, this.ctx.client, request));
        const total = result.added + result.updated + result.unchanged;
        return { text: result.message, kind: total ? 'success' : 'error' };
      } catch (err) {
        this.showApiFieldErrors(err);
        return { text: `Debrief not written: ${apiErrorText(err)}`, kind: 'error' };
      }
    });
  }

  /** An API answer that names from, to or date (not a session, before the data...) goes next to its field. */
  private showApiFieldErrors(err: unknown): void {
    if (!(err instanceof ApiError)) return;
    for (const issue of err.problem?.errors ?? []) {
      const label = issue.field === undefined ? undefined : FIELD_WORDS[issue.field];
      const f = label === 'To' ? this.to : label === 'From' ? this.from : null;
      if (f) setFieldError(f.input, f.error, `${label}: ${daysInWords(issue.message)}`);
    }
  }

  private async insertSheet(which: 'dashboard' | 'starter'): Promise<void> {
    const opener = this.buttons.get(which)!;
    if (opener.disabled || this.busy) return;
    // A second dashboard is asked for, not slipped in as "IWM Dashboard (2)": most often the
    // user wants the one they have.
    const base = which === 'dashboard' ? DASHBOARD_SHEET : STARTER_SHEET;
    let existing: string | null = null;
    try {
      existing = await Excel.run((context) => existingSheet(context, base));
    } catch {
      // Cannot tell: insert as asked (a taken name still gets its " (2)", said in the message).
    }
    if (existing !== null) {
      const sheet = existing;
      say(this.sheetsMessage, '', 'info'); // the last outcome is not this question's
      const choice = await ask(
        this.sheetsAsk,
        opener,
        `This workbook already has the sheet "${sheet}". Go to it, or insert another one beside it?`,
        [
          { label: `Go to ${sheet}`, value: 'go' as const },
          { label: 'Insert another', value: 'add' as const },
        ],
      );
      if (choice === null) return say(this.sheetsMessage, 'Nothing inserted.', 'info');
      if (choice === 'go') {
        await this.run(`Going to ${sheet}`, this.sheetsMessage, async () => {
          await Excel.run((context) => goToSheet(context, sheet));
          return { text: `Showing the sheet "${sheet}"; nothing inserted.`, kind: 'info' };
        });
        return;
      }
    }
    if (which === 'dashboard') {
      await this.run('Inserting the dashboard', this.sheetsMessage, async () => {
        const { sheet, charts } = await Excel.run((context) => insertDashboard(context));
        return {
          text: `Inserted the sheet "${sheet}": live IWM formulas and ${plural(charts.length, 'chart')} (${charts.join(', ')}).`,
          kind: 'success',
        };
      });
    } else {
      await this.run('Inserting the starter sheet', this.sheetsMessage, async () => {
        const { sheet } = await Excel.run((context) => insertStarterTemplate(context));
        return { text: `Inserted the sheet "${sheet}": the daily routine in live IWM formulas.`, kind: 'success' };
      });
    }
  }

  private async snapshot(): Promise<void> {
    const opener = this.buttons.get('snapshot')!;
    if (opener.disabled || this.busy) return;
    const scope = this.scope.value === 'sheet' ? 'sheet' : 'selection';
    // Formulas replaced by values do not come back (Excel's Undo does not cover an add-in's
    // writes): ask first.
    say(this.snapshotMessage, '', 'info');
    const go = await ask(
      this.snapshotAsk,
      opener,
      `Replace the IWM formulas ${scope === 'sheet' ? 'on the whole active sheet' : 'in the selection'} by their ` +
        "current values? Other formulas stay. The add-in cannot put the formulas back: save a copy first if you'll want them.",
      [{ label: 'Replace with values', value: true }],
    );
    if (!go) return say(this.snapshotMessage, 'Nothing changed.', 'info');
    await this.run('Freezing IWM formulas to values', this.snapshotMessage, async () => {
      const result = await Excel.run((context) => snapshotWithStatus(context, this.ctx.client, { scope }));
      if (!result.frozen) return { text: result.message, kind: 'info' };
      const asOf = /\bas of (\d{4}-\d{2}-\d{2})\b/.exec(result.note ?? '')?.[1];
      const when = asOf
        ? `Values as of ${formatDay(asOf)}`
        : 'The last session of the values is unknown (the API did not answer)';
      return { text: `${result.message} ${when}; the sheet has a note saying so.`, kind: 'success' };
    });
  }
}

export function mountWorkbookPanel(root: HTMLElement, ctx: PanelContext): void {
  new WorkbookPanel(root, ctx);
}
