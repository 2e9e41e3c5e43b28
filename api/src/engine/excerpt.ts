/**
 * Quoting what a client or a file sent inside an error message. The quote is bounded and
 * on one line, so a 1 MB header line, a 60 KB preset name or the first bytes of a binary
 * file never become a 1 MB message, a log entry spanning lines or a terminal full of
 * control characters. Pure, so the engine, the data parsers and the add-in share it.
 */

/** Runs of white space (tabs, line breaks, U+2028, no-break spaces) become one space. */
const SPACES = /\s+/g;
/** Controls, format characters, surrogates, private use, unassigned, and U+FFFD (undecodable bytes). */
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\uFFFD]/gu;

/**
 * `text` as a JSON-quoted string of at most `max` printable characters, with `…` when it
 * was cut: `"date,open,high…"`. Characters that do not print are shown as `?`.
 */
export function excerpt(text: string, max = 80): string {
  // Look at a bounded head only: the cost must not grow with the input.
  const head = text.length > max * 2 + 2 ? text.slice(0, max * 2 + 2) : text;
  const chars = Array.from(head.replace(SPACES, ' ').replace(NOT_PRINTABLE, '?'));
  const cut = chars.length > max || head.length < text.length;
  return JSON.stringify(cut ? `${chars.slice(0, max).join('')}…` : chars.join(''));
}
