/**
 * The workbook's own settings (its profile, which includes the macro overlay switch
 * `macro.enabled`, and its symbol), kept IN the workbook so a template carries them.
 *
 * Where: a custom XML part with this add-in's own namespace, holding JSON. Not
 * `Office.context.document.settings`: those are keyed by the add-in's manifest Id, which
 * differs between the dev and production manifests, so a template saved with one build
 * would look empty to the other. A custom XML part belongs to the file and is found by
 * namespace from any build (ExcelApi 1.5, which every Excel with shared runtimes has).
 *
 * Outside Excel (a plain browser, host null) the same document is kept in localStorage,
 * or in memory when there is none.
 */
import type { AddinSettings, SettingsStore } from './settings';
import { fromSetting } from './profile-form';

export const SETTINGS_NAMESPACE = 'urn:iwm-signal-analyzer:settings:v1';
/** localStorage key outside Excel. */
export const BROWSER_KEY = 'iwm-signal-analyzer:workbook-settings:v1';

/** What the workbook keeps. */
export interface WorkbookSettings {
  /** A preset name or `{ preset, ...overrides }` (profile-form.ts toSetting). */
  profile?: string | Record<string, unknown>;
  /** The workbook's primary symbol, when it is not the API's default. */
  symbol?: string;
}

export interface SettingsStorage {
  /** For people: where Save puts the settings. */
  readonly where: string;
  load(): Promise<WorkbookSettings | null>;
  save(doc: WorkbookSettings): Promise<void>;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_m, e: string) => {
    if (e[0] === '#')
      return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ENTITIES[e.toLowerCase()];
  });
}

/** The XML of the part: one `<json>` element holding the settings as JSON text. */
export function settingsXml(doc: WorkbookSettings): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<settings xmlns="${SETTINGS_NAMESPACE}"><json>${escapeXml(JSON.stringify(doc))}</json></settings>`
  );
}

/**
 * Reads the settings back from the part's XML, whatever prefix or declaration Excel put
 * around it. Throws an Error saying what is wrong.
 */
export function parseSettingsXml(xml: string): WorkbookSettings {
  const match = /<(?:[\w.-]+:)?json(?:\s[^>]*)?>([\s\S]*?)<\/(?:[\w.-]+:)?json\s*>/.exec(xml);
  if (!match) throw new Error('the settings part has no <json> element');
  const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(match[1]);
  return settingsFromJson(cdata ? cdata[1] : unescapeXml(match[1]));
}

/** The settings from their JSON text, keeping only fields of the right type. */
export function settingsFromJson(text: string): WorkbookSettings {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`the saved settings are not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('the saved settings are not an object');
  const { profile, symbol } = doc as Record<string, unknown>;
  const out: WorkbookSettings = {};
  if (typeof profile === 'string' || (profile && typeof profile === 'object' && !Array.isArray(profile)))
    out.profile = profile as WorkbookSettings['profile'];
  if (typeof symbol === 'string' && symbol) out.symbol = symbol;
  return out;
}

/** Reads the workbook's settings part; null when the workbook has none. */
export async function readWorkbookSettings(context: Excel.RequestContext): Promise<WorkbookSettings | null> {
  const parts = context.workbook.customXmlParts.getByNamespace(SETTINGS_NAMESPACE);
  parts.load('items');
  await context.sync();
  if (!parts.items.length) return null;
  const xml = parts.items[0].getXml();
  await context.sync();
  return parseSettingsXml(xml.value);
}

/** Writes the settings part: replaces the first one's XML, removes any other copies, or adds one. */
export async function writeWorkbookSettings(context: Excel.RequestContext, doc: WorkbookSettings): Promise<void> {
  const parts = context.workbook.customXmlParts.getByNamespace(SETTINGS_NAMESPACE);
  parts.load('items');
  await context.sync();
  const xml = settingsXml(doc);
  if (parts.items.length) {
    parts.items[0].setXml(xml);
    for (const extra of parts.items.slice(1)) extra.delete();
  } else {
    context.workbook.customXmlParts.add(xml);
  }
  await context.sync();
}

type Run = <T>(batch: (context: Excel.RequestContext) => Promise<T>) => Promise<T>;

/** The workbook's custom XML part, through Excel.run. */
export function workbookStorage(run: Run = (batch) => Excel.run(batch)): SettingsStorage {
  return {
    where: 'this workbook',
    load: () => run((context) => readWorkbookSettings(context)),
    save: (doc) => run((context) => writeWorkbookSettings(context, doc)),
  };
}

/** localStorage (a plain browser), or memory when there is none. */
export function browserStorage(
  storage: Storage | null = safeLocalStorage(),
  where = storage ? 'this browser (not in Excel)' : 'memory only (not in Excel)',
): SettingsStorage {
  let memory: WorkbookSettings | null = null;
  return {
    where,
    async load() {
      if (!storage) return memory;
      const text = storage.getItem(BROWSER_KEY);
      return text ? settingsFromJson(text) : null;
    },
    async save(doc) {
      if (storage) storage.setItem(BROWSER_KEY, JSON.stringify(doc));
      else memory = doc;
    },
  };
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** The storage for where the add-in runs (`Office.onReady`'s host). */
export function storageFor(host: Office.HostType | null | undefined): SettingsStorage {
  if (typeof Excel === 'undefined' || typeof Office === 'undefined' || host !== Office.HostType.Excel)
    return browserStorage();
  // Custom XML parts need ExcelApi 1.5, which every Excel with a shared runtime has.
  if (Office.context?.requirements?.isSetSupported?.('ExcelApi', '1.5') === false)
    return browserStorage(safeLocalStorage(), 'this computer only (this Excel cannot keep it in the workbook)');
  return workbookStorage();
}

/** The settings-store patch for a loaded document. */
export function settingsPatch(doc: WorkbookSettings): Partial<AddinSettings> {
  return { profile: doc.profile, symbol: doc.symbol };
}

/** The document to save for the current settings. */
export function settingsDocument(s: AddinSettings): WorkbookSettings {
  const doc: WorkbookSettings = {};
  if (s.profile !== undefined) doc.profile = s.profile;
  if (s.symbol !== undefined) doc.symbol = s.symbol;
  return doc;
}

/**
 * Loads the stored settings into the shared store (so every IWM.* formula uses them).
 * A stored profile that no longer validates is skipped, with the reason in `problem`.
 */
export async function loadStoredSettings(
  storage: SettingsStorage,
  settings: SettingsStore,
): Promise<{ loaded: boolean; changed: boolean; problem?: string }> {
  const before = JSON.stringify(settings.get().profile) + JSON.stringify(settings.get().symbol);
  let doc: WorkbookSettings | null;
  try {
    doc = await storage.load();
  } catch (err) {
    return { loaded: false, changed: false, problem: `cannot read the saved settings: ${(err as Error).message}` };
  }
  if (!doc) return { loaded: false, changed: false };
  let problem: string | undefined;
  if (doc.profile !== undefined) {
    try {
      fromSetting(doc.profile);
    } catch (err) {
      problem = `the saved profile is not valid any more (${(err as Error).message}); using the default`;
      doc = { ...doc, profile: undefined };
    }
  }
  settings.update(settingsPatch(doc));
  const after = JSON.stringify(settings.get().profile) + JSON.stringify(settings.get().symbol);
  return { loaded: true, changed: before !== after, problem };
}
