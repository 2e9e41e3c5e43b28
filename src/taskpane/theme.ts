/**
 * Follows Office's theme: dark when Office's body background is dark, light otherwise;
 * outside Office (or on hosts without officeTheme) the CSS follows prefers-color-scheme.
 * Sets `data-theme` on <html>, which taskpane.css reads.
 */
function isDark(hex: string): boolean {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) return false;
  const [r, g, b] = m.slice(1).map((x) => parseInt(x, 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5;
}

export function applyTheme(): void {
  let background: string | undefined;
  try {
    background = typeof Office === 'undefined' ? undefined : Office.context?.officeTheme?.bodyBackgroundColor;
  } catch {
    background = undefined; // officeTheme throws on hosts that lack it
  }
  if (background) document.documentElement.dataset.theme = isDark(background) ? 'dark' : 'light';
}
