/** Small DOM helpers for the taskpane (no framework: native controls carry the accessibility). */

import { ApiError } from '../common/api-client';
import { daysInWords } from './format';

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`taskpane: no element #${id}`);
  return el as T;
}

type Attrs = Record<string, string | number | boolean | undefined>;

/** Creates an element; `true` sets an empty attribute, false/undefined leaves it out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...children);
  return el;
}

/**
 * Shows or clears the error of a control: the text next to it, `aria-invalid`, and the
 * error in `aria-describedby` (after the control's own hint, kept in data-hint).
 */
export function setFieldError(control: HTMLElement, error: HTMLElement, message: string | undefined): void {
  const hint = control.dataset.hint ?? control.getAttribute('aria-describedby') ?? '';
  control.dataset.hint = hint;
  if (message) {
    if (error.textContent !== message) error.textContent = message;
    error.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', [hint, error.id].filter(Boolean).join(' '));
  } else {
    error.textContent = '';
    error.hidden = true;
    control.setAttribute('aria-invalid', 'false');
    if (hint) control.setAttribute('aria-describedby', hint);
    else control.removeAttribute('aria-describedby');
  }
}

/** Sets a live region's text only when it changes (so screen readers do not repeat it). */
export function say(region: HTMLElement, text: string, kind: 'info' | 'error' | 'success' = 'info'): void {
  if (region.textContent !== text) region.textContent = text;
  region.dataset.kind = kind;
}

export function errorText(err: unknown): string {
  // An unreachable service is told once, with its reason and Retry, by the Today card; the
  // other panels say what it means instead of repeating the browser's "Failed to fetch".
  if (err instanceof ApiError && err.kind === 'network') return 'the signal service does not answer (see Today)';
  // Messages from the API and the engine name days as ISO dates; say them as the pane does.
  return daysInWords(err instanceof Error ? err.message : String(err));
}
