/**
 * Follows Office's theme: dark when Office's body background is dark, light otherwise.
 * Outside Office (or on hosts without officeTheme) it follows the system's
 * prefers-color-scheme, and keeps following it when it changes. Sets `data-theme` on
 * <html>, the one switch taskpane.css reads (so its dark tokens are written once).
 */
function isDark(hex: string): boolean {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) return false;
  const [r, g, b] = m.slice(1).map((x) => parseInt(x, 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5;
}

function officeBackground(): string | undefined {
  try {
    return typeof Office === 'undefined' ? undefined : Office.context?.officeTheme?.bodyBackgroundColor;
  } catch {
    return undefined; // officeTheme throws on hosts that lack it
  }
}

export function applyTheme(): void {
  const root = document.documentElement;
  const background = officeBackground();
  if (background) {
    root.dataset.theme = isDark(background) ? 'dark' : 'light';
    return;
  }
  const system = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  const follow = () => (root.dataset.theme = system?.matches ? 'dark' : 'light');
  follow();
  system?.addEventListener?.('change', follow);
}
