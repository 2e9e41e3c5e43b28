/**
 * Asking before a destructive step, offering Undo after one, and Escape closing what the
 * user opened. No modal dialogs: a taskpane is narrow and Office's own panes use inline
 * message bars, so a question appears next to the button that raised it (a Fluent 2
 * warning message bar with its choices) and the page around it stays usable.
 *
 * - ask(): the question with its choices and Cancel. Focus moves to the first choice;
 *   Escape or Cancel answers null; whatever the answer, the bar goes away and focus returns
 *   to the button that opened it. Asking again in the same place answers the earlier
 *   question null first, so no promise is left waiting.
 * - offerUndo(): a done message with an Undo button beside it (for steps the add-in can
 *   take back itself: a removed calendar event, a form reset).
 * - closeOnEscape(): Escape inside an open <details> (a layer's numbers, a profile group,
 *   a chart's table) closes it and puts focus on its summary.
 */
import { errorText, h, say } from './dom';

export interface Choice<T> {
  label: string;
  value: T;
}

const open = new WeakMap<HTMLElement, () => void>();
let asked = 0;

/**
 * Shows `question` in `host` (an empty element next to `opener`) with one button per
 * choice and Cancel; resolves to the chosen value, or null for Cancel/Escape.
 */
export function ask<T>(
  host: HTMLElement,
  opener: HTMLElement,
  question: string,
  choices: Choice<T>[],
): Promise<T | null> {
  open.get(host)?.();
  return new Promise<T | null>((resolve) => {
    const id = `ask-${++asked}`;
    const finish = (value: T | null) => {
      open.delete(host);
      bar.remove();
      host.hidden = true;
      resolve(value);
      if (opener.isConnected) opener.focus();
    };
    const buttons = choices.map((c, i) =>
      h('button', { type: 'button', class: i === 0 ? 'primary' : undefined }, c.label),
    );
    buttons.forEach((b, i) => b.addEventListener('click', () => finish(choices[i].value)));
    const cancel = h('button', { type: 'button' }, 'Cancel');
    cancel.addEventListener('click', () => finish(null));
    const bar = h(
      'div',
      { class: 'msgbar', 'data-kind': 'warning', role: 'group', 'aria-labelledby': id },
      h('p', { id }, question),
      h('div', { class: 'actions' }, ...buttons, cancel),
    );
    bar.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      event.stopPropagation();
      finish(null);
    });
    open.set(host, () => finish(null));
    host.replaceChildren(bar);
    host.hidden = false;
    buttons[0]?.focus();
  });
}

/**
 * Says `text` in the live region `region` with an Undo button after it. Undo runs `undo`
 * once; its answer (or its error) replaces the message. The button goes with the message.
 */
export function offerUndo(
  region: HTMLElement,
  text: string,
  undo: () => Promise<string> | string,
  what = 'Undo',
): void {
  const button = h('button', { type: 'button', class: 'undo' }, what);
  button.addEventListener('click', () => {
    button.setAttribute('aria-disabled', 'true');
    Promise.resolve()
      .then(undo)
      .then(
        (done) => say(region, done, 'success'),
        (err: unknown) => say(region, `Could not undo: ${errorText(err)}`, 'error'),
      );
  });
  region.replaceChildren(`${text} `, button);
  region.dataset.kind = 'success';
}

/** Escape closes the innermost open <details> around the focus and focuses its summary. */
export function closeOnEscape(doc: Document): void {
  doc.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    const from = doc.activeElement;
    const details = from instanceof Element ? from.closest('details[open]') : null;
    if (!(details instanceof HTMLDetailsElement)) return;
    event.preventDefault();
    details.open = false;
    details.querySelector<HTMLElement>(':scope > summary')?.focus();
  });
}
