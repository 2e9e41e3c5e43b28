/**
 * The taskpane's tabs (WAI-ARIA tabs pattern, as in Microsoft's Fluent taskpane samples):
 * one tab stop for the tab list, Left/Right (and Home/End) move between tabs and show
 * them at once, Tab goes into the shown panel. The tab shown last is remembered for the
 * session, so reopening the pane does not lose the place.
 */
const TAB_KEY = 'iwm-signal-analyzer:tab:v1';

export class Tabs {
  private readonly tabs: HTMLButtonElement[];

  constructor(private readonly list: HTMLElement) {
    this.tabs = Array.from(list.querySelectorAll<HTMLButtonElement>('[role="tab"]'));
    for (const tab of this.tabs) tab.addEventListener('click', () => this.select(tab.id));
    list.addEventListener('keydown', (event) => this.key(event));
    let first = this.tabs[0].id;
    try {
      const saved = sessionStorage.getItem(TAB_KEY);
      if (saved && this.tabs.some((t) => t.id === saved)) first = saved;
    } catch {
      // no session storage: start on the first tab
    }
    this.select(first, false);
  }

  /** Shows the tab with this id (and its panel); focuses it unless told not to. */
  select(id: string, focus = true): void {
    for (const tab of this.tabs) {
      const on = tab.id === id;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(tab.getAttribute('aria-controls')!);
      if (panel) panel.hidden = !on;
      if (on && focus) tab.focus();
    }
    try {
      sessionStorage.setItem(TAB_KEY, id);
    } catch {
      // not kept: fine
    }
    this.list.dispatchEvent(new CustomEvent('tabchange', { detail: id, bubbles: true }));
  }

  private key(event: KeyboardEvent): void {
    const i = this.tabs.findIndex((t) => t === document.activeElement);
    if (i < 0) return;
    const n = this.tabs.length;
    const to =
      event.key === 'ArrowRight'
        ? (i + 1) % n
        : event.key === 'ArrowLeft'
          ? (i - 1 + n) % n
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? n - 1
              : -1;
    if (to < 0) return;
    event.preventDefault();
    this.select(this.tabs[to].id);
  }
}
