/** The taskpane's workbook panel (placeholder: replaced by its implementation). */
import type { PanelContext } from './context';

export function mountWorkbookPanel(_root: HTMLElement, _ctx: PanelContext): void {}
