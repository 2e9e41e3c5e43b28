/** The taskpane's charts panel (placeholder: replaced by its implementation). */
import type { PanelContext } from './context';

export function mountChartsPanel(_root: HTMLElement, _ctx: PanelContext): void {}
