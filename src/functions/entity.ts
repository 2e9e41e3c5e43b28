/**
 * A reading as one Excel data-type card (an entity value): the rating is the cell's text;
 * every field of the reading is a property (=A1.Close, =A1.Trend.State), grouped the way the
 * field registry names them (trend.*, momentum.*, ...) into nested cards. Names are the
 * registry's names made readable; each property's sublabel is the registry's description,
 * so the card and SIGNALS.md say the same thing.
 *
 * Data types need CustomFunctionsRuntime 1.4; where the host lacks it the function answers
 * the rating as plain text (readingText), which is what IWM.COMPOSITE shows.
 *
 * Only the root may carry referencedValues in Excel's format; this builder nests entities
 * by value and uses no references, so no card carries any.
 */
import { FIELDS, type FieldKind } from '../../api/src/engine/fields';
import { isoToSerial } from '../common/excel-args';

/** FRED context series as the reading carries them (responses.ts, ContextValue). */
type ContextValue = { id: string; date: string; value: number } | null;
/** The parts of the API's Reading this module reads by name; the rest is read through FIELDS. */
export type ReadingValue = {
  composite: { rating?: string | null };
  context?: { credit?: ContextValue; curve?: ContextValue };
} & Record<string, unknown>;
type Property = Excel.EntityPropertyType;

export const DATE_FORMAT = 'yyyy-mm-dd';

/** Card titles of the groups (the first part of a dotted field name). */
const GROUPS: Record<string, string> = {
  trend: 'Trend',
  momentum: 'Momentum',
  breadth: 'Breadth',
  rs: 'Relative strength',
  composite: 'Composite',
  rotation: 'Rotation',
  sizing: 'Sizing',
  macro: 'Macro',
};

/** "gapAtr" -> "Gap ATR", "pct50" -> "Pct 50": the registry's name, readable on a card. */
export function readableName(key: string): string {
  const words = key
    .replace(/([a-z])([A-Z0-9])/g, '$1 $2')
    .replace(/([0-9])([a-zA-Z])/g, '$1 $2')
    .split(' ')
    .map((w) => (/^(atr|roc|sma|ema|pct)$/i.test(w) ? w.toUpperCase() : w.toLowerCase()));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Number format of a numeric field: fractions as %, counts whole, the rest two decimals. */
export function numberFormat(name: string): string {
  if (name === 'sizing.fraction') return '0%';
  if (/(^|\.)(volume|members)$|Volume$|volumeNeeded$/.test(name)) return '#,##0';
  return '0.00';
}

function notAvailable(): Excel.EntityPropertyType {
  return { type: 'Error', errorType: 'NotAvailable', basicValue: '#N/A' } as Excel.NotAvailableErrorCellValue;
}

/** One field's value as a typed cell value. */
function property(name: string, kind: FieldKind, value: unknown, description?: string): Property {
  const meta = description ? { propertyMetadata: { sublabel: description } } : {};
  if (value === null || value === undefined) return { ...notAvailable(), ...meta } as Property;
  switch (kind) {
    case 'date':
      return { type: 'Double', basicValue: isoToSerial(String(value)), numberFormat: DATE_FORMAT, ...meta };
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? { type: 'Double', basicValue: value, numberFormat: numberFormat(name), ...meta }
        : ({ ...notAvailable(), ...meta } as Property);
    case 'boolean':
      return { type: 'Boolean', basicValue: Boolean(value), ...meta };
    case 'list':
      return { type: 'String', basicValue: Array.isArray(value) ? value.join(', ') : String(value), ...meta };
    default:
      return { type: 'String', basicValue: String(value), ...meta };
  }
}

function at(reading: unknown, path: string[]): unknown {
  let v: unknown = reading;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

function card(text: string, properties: Record<string, Property>): Excel.EntityCellValue {
  return { type: 'Entity', text, properties };
}

/** FRED context value (credit spread, curve) as a card, or nothing when it is not loaded. */
function contextCard(title: string, v: ContextValue | undefined): Excel.EntityCellValue | undefined {
  if (!v) return undefined;
  return card(`${title} ${v.value}`, {
    Series: { type: 'String', basicValue: v.id },
    Date: { type: 'Double', basicValue: isoToSerial(v.date), numberFormat: DATE_FORMAT },
    Value: { type: 'Double', basicValue: v.value, numberFormat: '0.00' },
  });
}

/** The reading as an entity card (see the module comment). */
export function readingEntity(r: ReadingValue): Excel.EntityCellValue {
  const root: Record<string, Property> = {};
  const groups: Record<string, Record<string, Property>> = {};
  for (const f of FIELDS) {
    const parts = f.name.split('.');
    const value = property(f.name, f.kind, at(r, parts), f.description);
    if (parts.length === 1) root[readableName(parts[0])] = value;
    else (groups[parts[0]] ??= {})[readableName(parts.slice(1).join(' '))] = value;
  }
  for (const [key, props] of Object.entries(groups)) {
    const state = at(r, [key, key === 'composite' ? 'rating' : key === 'sizing' ? 'fraction' : 'state']);
    const title = GROUPS[key] ?? readableName(key);
    const text = state === null || state === undefined ? `${title}: n/a` : `${title}: ${String(state)}`;
    root[title] = card(text, props);
  }
  const credit = contextCard('High-yield OAS', r.context?.credit ?? null);
  // A credit layer in the registry (credit.*) already made a Credit card; keep it.
  if (credit && !root['Credit']) root['Credit'] = credit;
  const curve = contextCard('10y-2y', r.context?.curve ?? null);
  if (curve) root['Curve'] = curve;
  return card(readingText(r), root);
}

/** The rating as text: the cell's text of the card, and the answer without data types. */
export function readingText(r: ReadingValue): string {
  return r.composite.rating ?? 'no rating';
}

/** Whether this Excel can show a function's entity value (CustomFunctionsRuntime 1.4). */
export function entitiesSupported(): boolean {
  const office = (globalThis as { Office?: typeof Office }).Office;
  try {
    return Boolean(office?.context?.requirements?.isSetSupported('CustomFunctionsRuntime', '1.4'));
  } catch {
    return false;
  }
}
