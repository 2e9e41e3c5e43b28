/**
 * The project's one CSV tokenizer (RFC 4180, read leniently the way spreadsheets write
 * it). Every CSV reader (bar files, the event calendar, FRED and iShares downloads) goes
 * through it, so a quoted date (`"2024-11-29","241.87"`), a label with a comma
 * (`"Recon, Q2"`), a doubled quote (`"say ""hi"""`) or a line break inside quotes means
 * the same thing in every file.
 *
 * - Records end at LF or CRLF; a file with only CR line ends (old Mac exports) splits at
 *   CR. A UTF-8 BOM is dropped; trailing blank lines are not records.
 * - A field is quoted when its first non-blank character is `"`; inside, `""` is a quote
 *   and commas and line breaks are data. Text after the closing quote is kept
 *   (`"1"2` is `12`), so a value check sees it rather than a silently shortened value.
 * - A quote that never closes makes the record broken: it runs to the end of the text,
 *   and `broken` says so, naming the line it opened on.
 *
 * Speed matters (a universe is ~2,000 files of ~8,000 rows): a line without a quote is
 * one split(','), and only lines with a quote take the character-by-character path.
 */

/** The records of a CSV text. */
export interface CsvTable {
  /** Each record's fields; a blank line is `['']`. */
  rows: string[][];
  /** The 1-based file line each record starts on (a quoted line break makes them differ from index + 1). */
  lines: number[];
  /** Records whose quoting is broken, by index: the reason. Their `rows` entry holds what was read. */
  broken: Map<number, string>;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** Splits a whole CSV text into records (see the module comment for the rules). */
export function readCsv(text: string): CsvTable {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // LF (or CRLF) files break at LF and drop the CR; only a file without any LF breaks at CR.
  const brk = text.indexOf('\n') >= 0 || text.indexOf('\r') < 0 ? LF : CR;
  const brkChar = String.fromCharCode(brk);
  const rows: string[][] = [];
  const lines: number[] = [];
  const broken = new Map<number, string>();
  let line = 1;
  let nextQuote = text.indexOf('"', i);
  while (i <= n) {
    let eol = text.indexOf(brkChar, i);
    if (eol < 0) eol = n;
    lines.push(line);
    if (nextQuote < 0 || nextQuote >= eol) {
      // Fast path: no quote on this line.
      const end = brk === LF && eol > i && text.charCodeAt(eol - 1) === CR ? eol - 1 : eol;
      rows.push(text.slice(i, end).split(','));
      line++;
      i = eol + 1;
      continue;
    }
    const fields: string[] = [];
    const scan = scanRecord(text, i, brk, fields);
    rows.push(fields);
    if (scan.openedAt !== null) {
      const last = line + scan.breaks;
      const runs = last > line + scan.openedAt ? ` (it takes in everything to line ${last})` : '';
      broken.set(rows.length - 1, `a quote opened on line ${line + scan.openedAt} is never closed${runs}`);
    }
    line += scan.breaks + 1;
    i = scan.end;
    if (nextQuote < i) nextQuote = text.indexOf('"', i);
  }
  // Trailing blank lines are not records (editors and exports add them).
  while (rows.length > 0 && !broken.has(rows.length - 1) && isBlank(rows[rows.length - 1])) {
    rows.pop();
    lines.pop();
  }
  return { rows, lines, broken };
}

/** True for a record that is a blank line (or only blanks). */
export function isBlank(fields: readonly string[]): boolean {
  return fields.length === 1 && fields[0].trim() === '';
}

/**
 * The fields of one line (no record break expected), or null when a quote is left open.
 * For a line already cut out of a text; readCsv is the way to read a file.
 */
export function splitCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  return scanRecord(line, 0, LF, fields).openedAt === null ? fields : null;
}

/**
 * Reads one record from `start` into `out`. Returns the index just past the record's
 * line break (text.length + 1 when the text ends), the line breaks inside quotes, and,
 * when a quote never closes, how many line breaks into the record it opened (else null).
 */
function scanRecord(
  text: string,
  start: number,
  brk: number,
  out: string[],
): { end: number; breaks: number; openedAt: number | null } {
  const n = text.length;
  const brkChar = String.fromCharCode(brk);
  let pos = start;
  let breaks = 0;
  for (;;) {
    let p = pos;
    while (p < n && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
    let value = '';
    if (p < n && text.charCodeAt(p) === QUOTE) {
      const openedAt = breaks;
      let from = p + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) {
          const rest = text.slice(from);
          out.push(value + rest);
          return { end: n + 1, breaks: breaks + count(rest, brkChar), openedAt };
        }
        const part = text.slice(from, q);
        breaks += count(part, brkChar);
        value += part;
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          from = q + 2;
          continue;
        }
        pos = q + 1;
        break;
      }
    }
    // Up to the next comma or line break: an unquoted field, or what follows a closing quote.
    let stop = pos;
    while (stop < n) {
      const c = text.charCodeAt(stop);
      if (c === COMMA || c === brk) break;
      stop++;
    }
    let tail = text.slice(pos, stop);
    const atBreak = stop >= n || text.charCodeAt(stop) === brk;
    if (atBreak && brk === LF && tail.charCodeAt(tail.length - 1) === CR) tail = tail.slice(0, -1);
    out.push(value + tail);
    if (atBreak) return { end: stop + 1, breaks, openedAt: null };
    pos = stop + 1;
  }
}

/** Occurrences of `c` in `s`. */
function count(s: string, c: string): number {
  let k = 0;
  for (let i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) k++;
  return k;
}
