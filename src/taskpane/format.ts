/**
 * The taskpane's formats, one definition each: a day ("14 May 2007"), a moment in local
 * time ("14 May 2007, 16:05"), a number with a proper minus sign, a percentage, the stale-data note.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The one date format of the taskpane: "14 May 2007" (an ISO day, no time zone involved). */
export function formatDay(iso: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso ?? '');
  if (!m) return iso ?? 'unknown';
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

/**
 * A text from elsewhere (the API's messages, a stale reason) with its ISO days said as
 * formatDay says them: "no bars since 2026-11-20" reads "no bars since 20 Nov 2026".
 */
export function daysInWords(text: string): string {
  return text.replace(/\b\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b/g, (day) => formatDay(day));
}

/** The note that data is stale, with the source's reason when it gave one. */
export function staleNote(reason: string | null | undefined): string {
  return `The data may be out of date${reason ? `: ${daysInWords(reason)}` : '.'}`;
}

/** A moment (ISO timestamp) in the user's local time, to the minute: "14 May 2007, 16:05". */
export function formatMoment(iso: string | null | undefined): string {
  if (!iso) return 'never';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}, ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A number with a proper minus sign and fixed decimals; "n/a" when missing. */
export function num(value: unknown, digits = 1): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'n/a';
  const text = Math.abs(value).toFixed(digits);
  return value < 0 && Number(text) !== 0 ? `\u2212${text}` : text;
}

/** A fraction (a position size) as a percentage to one decimal: 0.25 -> "25%"; "n/a" when missing. */
export function percent(fraction: unknown): string {
  if (typeof fraction !== 'number' || !Number.isFinite(fraction)) return 'n/a';
  return `${Math.round(fraction * 1000) / 10}%`;
}
