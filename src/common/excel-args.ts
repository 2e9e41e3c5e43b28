/**
 * Excel argument conventions, turned into the API's raw arguments.
 *
 * Cells hand custom functions numbers, text, booleans, or nothing (an omitted optional
 * argument arrives as `undefined` or `null`, an empty cell as `""` or `0` depending on the
 * host). The rules here follow what Excel users know from STOCKHISTORY and Bloomberg's BDP:
 *
 * - A date (`asOf`, `start`, `end`) is an Excel date serial (45625 or `=DATE(2024,11,29)`,
 *   a time part is ignored), an ISO date text (`"2024-11-29"`), or a relative session:
 *   `-1` is the last close, `-2` the session before it (also as text `"-1"`). Omitted,
 *   empty or `0` means the latest session.
 * - A symbol is a ticker text; a profile is a preset name (`"iwm"`, `"standard"`) or a
 *   profile object as JSON text laid over its preset.
 *
 * Anything else is an ArgumentError naming the argument, which the functions show as
 * `#VALUE!` with that message. The API's zod contracts then check the result again (see
 * request.ts), so the client and the server agree on every rule.
 */
import { formatDay, parseIsoDay } from '../../api/src/engine/dates';

/** A bad argument: shown as #VALUE! with this message. */
export class ArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgumentError';
  }
}

/** Days between 1970-01-01 and Excel's serial day 0 (1899-12-30, the 1900 leap-year bug absorbed). */
const EXCEL_EPOCH_OFFSET = 25569;
/** Serial of 1900-03-01: earlier serials are distorted by Excel's phantom 1900-02-29. */
const MIN_SERIAL = 61;
/** Serial of 9999-12-31, Excel's last date. */
const MAX_SERIAL = 2958465;

/** The ISO date of an Excel date serial (the time part is dropped). */
export function serialToIso(serial: number): string {
  return formatDay(Math.floor(serial) - EXCEL_EPOCH_OFFSET);
}

/** The Excel date serial of an ISO date. */
export function isoToSerial(iso: string): number {
  const day = parseIsoDay(iso);
  if (day === null) throw new ArgumentError(`${JSON.stringify(iso)} is not a date`);
  return day + EXCEL_EPOCH_OFFSET;
}

/** True for what Excel passes when an optional argument is left out or points at an empty cell. */
export function isBlank(value: unknown): value is undefined | null | '' {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

const DAY_HELP = 'a date, an ISO date text "YYYY-MM-DD", or a relative session (-1 = last close)';

/**
 * A date argument as the API's day reference: an ISO date, `"-N"` for a relative session,
 * or undefined for the latest session.
 */
export function dayArg(value: unknown, name: string): string | undefined {
  if (isBlank(value) || value === 0) return undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ArgumentError(`${name} must be ${DAY_HELP}`);
    if (value < 0) {
      if (!Number.isInteger(value))
        throw new ArgumentError(`${name} ${value}: a relative session is a whole number (-1 = last close)`);
      return String(value);
    }
    if (value < MIN_SERIAL || value > MAX_SERIAL)
      throw new ArgumentError(`${name} ${value} is not a date serial Excel can show (1900-03-01 to 9999-12-31)`);
    return serialToIso(value);
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^-\d+$/.test(text)) return text === '-0' ? undefined : text;
    if (parseIsoDay(text) !== null) return text;
    throw new ArgumentError(`${name} ${JSON.stringify(value)} must be ${DAY_HELP}`);
  }
  throw new ArgumentError(`${name} must be ${DAY_HELP} (got ${typeof value} ${String(value)})`);
}

/** A text argument (symbol, field, preset); undefined when blank. */
export function textArg(value: unknown, name: string): string | undefined {
  if (isBlank(value)) return undefined;
  if (typeof value !== 'string') throw new ArgumentError(`${name} must be text (got ${typeof value} ${String(value)})`);
  return value.trim();
}

/** A whole-number argument in [min, max]; undefined when blank. */
export function intArg(value: unknown, name: string, min: number, max: number): number | undefined {
  if (isBlank(value)) return undefined;
  const n = typeof value === 'string' && /^[+-]?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    throw new ArgumentError(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  return n;
}

/** A TRUE/FALSE argument (also 1/0 or the text "TRUE"/"FALSE"); undefined when blank. */
export function boolArg(value: unknown, name: string): boolean | undefined {
  if (isBlank(value)) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  const text = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (text === 'TRUE' || text === 'FALSE') return text === 'TRUE';
  throw new ArgumentError(`${name} must be TRUE or FALSE (got ${JSON.stringify(value)})`);
}

/**
 * A profile argument: a preset name, or a JSON object (text starting with `{`). The
 * contracts validate it afterwards, naming the bad profile field.
 */
export function profileArg(value: unknown, name = 'profile'): string | Record<string, unknown> | undefined {
  const text = textArg(value, name);
  if (text === undefined || !text.startsWith('{')) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ArgumentError(`${name} is not valid JSON: ${(err as Error).message}`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * A list of field names: comma-separated text, or a range of cells holding names (Excel
 * passes a range as rows of values). Blank cells are skipped.
 */
export function fieldsArg(value: unknown, name = 'fields'): string[] | undefined {
  if (isBlank(value)) return undefined;
  const cells = Array.isArray(value) ? value.flat() : [value];
  const out: string[] = [];
  for (const cell of cells) {
    if (isBlank(cell)) continue;
    if (typeof cell !== 'string') throw new ArgumentError(`${name} must be field names (got ${String(cell)})`);
    for (const part of cell.split(',')) if (part.trim()) out.push(part.trim());
  }
  return out.length ? out : undefined;
}
