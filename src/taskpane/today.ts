/**
 * The Today card: the reading a trader wants before the bell, first on the page. It asks
 * the API for the latest `signal` (and the last ~60 sessions of `history` for the
 * sparkline and "changed since"), renders today-model.ts's words, and keeps the last
 * reading on this computer so that when the API cannot be reached the card still shows
 * it, marked "last known" with its session, next to one message with a Retry button.
 */
import type { z } from 'zod';
import type { CalendarResult, HistoryTable } from '../../api/src/contracts/responses';
import type { PanelContext } from './panels/context';
import { errorText, h } from './dom';
import { formatDay, formatMoment, num } from './format';
import {
  TODAY_HISTORY_FIELDS,
  historyRows,
  todayModel,
  type NextEvent,
  type SignalReading,
  type TodayModel,
} from './today-model';

export const LAST_READING_KEY = 'iwm-signal-analyzer:last-reading:v1';
/** Sessions in the sparkline (about three months). */
export const SPARK_SESSIONS = 60;

interface Kept {
  model: TodayModel;
  /** When this computer received it (ISO). */
  savedAt: string;
  apiUrl: string;
}

function store(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

function readKept(): Kept | null {
  try {
    const kept = JSON.parse(store()?.getItem(LAST_READING_KEY) ?? 'null') as Kept | null;
    return kept && kept.model && typeof kept.model.date === 'string' ? kept : null;
  } catch {
    return null; // a damaged entry is as good as none
  }
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** A small line of the composite score with the ±threshold lines, drawn to fit its box. */
function sparkline(values: number[], threshold: number | null): Element {
  const width = 300;
  const height = 40;
  const t = threshold ?? 0;
  const lo = Math.min(-t, ...values) - 0.25;
  const hi = Math.max(t, ...values) + 0.25;
  const y = (v: number) => (height - ((v - lo) / (hi - lo)) * height).toFixed(1);
  const x = (i: number) => ((i / Math.max(1, values.length - 1)) * width).toFixed(1);
  const first = values[0];
  const last = values[values.length - 1];
  const root = svg('svg', {
    class: 'spark',
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': `Composite score over the last ${values.length} sessions: from ${num(first, 1)} to ${num(last, 1)}${threshold === null ? '' : `; ratings change at ±${num(threshold, 1)}`}.`,
  });
  if (threshold !== null)
    for (const v of [t, -t])
      root.append(svg('line', { class: 'spark-threshold', x1: 0, x2: width, y1: y(v), y2: y(v) }));
  root.append(svg('line', { class: 'spark-zero', x1: 0, x2: width, y1: y(0), y2: y(0) }));
  root.append(
    svg('polyline', { class: 'spark-line', points: values.map((v, i) => `${x(i)},${y(v)}`).join(' '), fill: 'none' }),
  );
  return root;
}

export class TodayPanel {
  private seq = 0;
  private readonly body: HTMLElement;
  private readonly alert: HTMLElement;
  private readonly progress: HTMLProgressElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly ctx: PanelContext,
    /** Opens the connection settings (the Settings tab, the API address field). */
    private readonly openConnection: () => void,
  ) {
    this.progress = h('progress', { 'aria-label': "Asking the API for today's reading" });
    this.alert = h('div', { id: 'today-alert', class: 'msgbar', 'data-kind': 'error', hidden: true });
    this.body = h('div', { id: 'today-body' });
    root.append(this.alert, this.progress, this.body);
  }

  /** Asks for the latest reading; on failure shows the last one kept, marked. */
  async load(options: { fresh?: boolean } = {}): Promise<TodayModel | null> {
    const seq = ++this.seq;
    this.root.setAttribute('aria-busy', 'true');
    this.progress.hidden = false;
    try {
      const model = await this.fetchModel(options.fresh ?? false);
      if (seq !== this.seq) return model;
      this.alert.hidden = true;
      this.alert.replaceChildren();
      this.render(model, null);
      try {
        const kept: Kept = { model, savedAt: new Date().toISOString(), apiUrl: this.ctx.settings.get().apiUrl };
        store()?.setItem(LAST_READING_KEY, JSON.stringify(kept));
      } catch {
        // This computer does not keep data for the add-in: nothing to fall back on later.
      }
      return model;
    } catch (err) {
      if (seq === this.seq) this.failed(err);
      return null;
    } finally {
      if (seq === this.seq) {
        this.root.setAttribute('aria-busy', 'false');
        this.progress.hidden = true;
      }
    }
  }

  private async fetchModel(fresh: boolean): Promise<TodayModel> {
    const { profile, symbol } = this.ctx.settings.get();
    const reading = (await this.ctx.client.call('signal', { profile, symbol }, { fresh })) as SignalReading;
    const date = reading.date;
    // The sparkline, "changed since" and the next event are extras: the card stands without them.
    const [history, calendar] = await Promise.all([
      this.ctx.client
        .call(
          'history',
          { from: String(-SPARK_SESSIONS), to: date, fields: [...TODAY_HISTORY_FIELDS], profile, symbol },
          { fresh },
        )
        .then((t) => historyRows(t as z.infer<typeof HistoryTable>))
        .catch(() => []),
      this.ctx.client
        .call('calendar', { from: date, profile, symbol }, { fresh })
        .then((c) => c as z.infer<typeof CalendarResult>)
        .catch(() => null),
    ]);
    const next: NextEvent | null =
      calendar?.events
        .filter((e) => e.date > date)
        .map((e) => ({ date: e.date, label: e.label, windowStart: e.windowStart }))
        .sort((a, b) => a.date.localeCompare(b.date))[0] ?? null;
    return todayModel(reading, history, next);
  }

  private failed(err: unknown): void {
    const kept = readKept();
    const retry = h('button', { type: 'button', id: 'today-retry' }, 'Retry');
    retry.addEventListener('click', () => void this.load({ fresh: true }));
    const settingsLink = h('a', { href: '#api-section', id: 'today-connection' }, 'Check the connection settings');
    settingsLink.addEventListener('click', (event) => {
      event.preventDefault();
      this.openConnection();
    });
    this.alert.replaceChildren(
      h(
        'p',
        {},
        h('strong', {}, 'No answer from the signal service. '),
        kept
          ? `Showing the last known reading, for ${formatDay(kept.model.date)} (received ${formatMoment(kept.savedAt)}). `
          : 'There is no earlier reading on this computer. ',
        h('span', { class: 'detail' }, `(${errorText(err)})`),
      ),
      h('div', { class: 'actions' }, retry, settingsLink),
    );
    this.alert.hidden = false;
    this.alert.setAttribute('role', 'alert');
    if (kept) this.render(kept.model, kept.savedAt);
    else this.body.replaceChildren();
  }

  private render(m: TodayModel, lastKnown: string | null): void {
    const title = h(
      'p',
      { class: 'today-date' },
      lastKnown ? h('span', { class: 'last-known' }, 'Last known') : '',
      lastKnown ? ' ' : '',
      `Session of ${formatDay(m.date)}`,
    );
    const chip = h('span', { class: 'chip', 'data-tone': m.ratingTone, id: 'today-rating' }, m.rating);
    const scoreLine = h(
      'p',
      { class: 'score', id: 'today-score' },
      chip,
      ' ',
      h(
        'span',
        {},
        m.score === null
          ? 'no score yet'
          : `score ${num(m.score, 1)} vs ±${num(m.threshold, 1)}${m.ratingFlip ? ` · ${m.ratingFlip}` : ''}`,
      ),
    );
    const layers = h(
      'ul',
      { class: 'layers', id: 'today-layers', 'aria-label': 'Layers' },
      ...m.layers.map((l) =>
        h(
          'li',
          { 'data-layer': l.id },
          h(
            'details',
            {},
            h(
              'summary',
              {},
              h('span', { class: 'layer-name' }, `${l.name}: `),
              h('span', { class: 'state', 'data-tone': l.tone }, l.state),
              l.detail ? ` — ${l.detail}` : '',
              l.flip ? h('span', { class: 'flip' }, ` · ${l.flip}`) : '',
            ),
            h('dl', { class: 'numbers' }, ...l.numbers.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
          ),
        ),
      ),
    );
    const facts = h(
      'dl',
      { class: 'today-facts' },
      h('dt', {}, 'Rotation'),
      h(
        'dd',
        { id: 'today-rotation' },
        h('span', { class: 'state', 'data-tone': m.rotation.tone }, m.rotation.state),
        ` — ${m.rotation.posture}`,
      ),
      h('dt', {}, 'Size'),
      h('dd', { id: 'today-size' }, h('strong', {}, m.size.percent), ` — ${m.size.why}`),
      h('dt', {}, 'Macro'),
      h('dd', { id: 'today-macro' }, m.macro),
      h('dt', {}, 'Changed'),
      h('dd', { id: 'today-changes' }, m.changes.length ? m.changes.join('; ') : 'nothing since the previous session'),
    );
    const parts: Node[] = [title, scoreLine, layers, facts];
    if (m.spark.length > 1) parts.push(sparkline(m.spark, m.threshold));
    if (m.notes.length) parts.push(h('p', { class: 'hint', id: 'today-notes' }, m.notes.join(' ')));
    this.body.dataset.lastKnown = lastKnown ? 'true' : 'false';
    this.body.replaceChildren(...parts);
  }
}
