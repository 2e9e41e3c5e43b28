/** The taskpane's calendar panel (placeholder: replaced by its implementation). */
import type { PanelContext } from './context';

export function mountCalendarPanel(_root: HTMLElement, _ctx: PanelContext): void {}
