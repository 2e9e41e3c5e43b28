/**
 * The workbook's settings part (custom XML, own namespace, JSON inside) against
 * office-addin-mock's Excel, and the browser/memory fallback outside Excel.
 */
import { OfficeMockObject } from 'office-addin-mock';
import { SettingsStore } from '../../src/common/settings';
import {
  BROWSER_KEY,
  SETTINGS_NAMESPACE,
  browserStorage,
  loadStoredSettings,
  parseSettingsXml,
  readWorkbookSettings,
  settingsDocument,
  settingsFromJson,
  settingsXml,
  storageFor,
  workbookStorage,
  writeWorkbookSettings,
  type SettingsStorage,
  type WorkbookSettings,
} from '../../src/common/workbook-settings';

interface FakePart {
  xml: string;
  deleted?: boolean;
  getXml(): { value: string };
  setXml(xml: string): void;
  delete(): void;
}

function part(xml: string): FakePart {
  return {
    xml,
    getXml() {
      return { value: this.xml };
    },
    setXml(next: string) {
      this.xml = next;
    },
    delete() {
      this.deleted = true;
    },
  };
}

/**
 * A workbook whose customXmlParts holds `parts` under our namespace. office-addin-mock
 * wraps seed properties (so `items` must be loaded and synced before it can be read), not
 * what functions return, hence the collection is a property that getByNamespace hands back.
 */
function workbook(parts: FakePart[]) {
  const asked: string[] = [];
  const added: string[] = [];
  const mock = new OfficeMockObject({
    workbook: {
      customXmlParts: {
        scoped: { items: parts },
        getByNamespace: function (namespace: string) {
          asked.push(namespace);
          return this.scoped;
        },
        add(xml: string) {
          added.push(xml);
        },
      },
    },
  });
  return { context: mock as unknown as Excel.RequestContext, asked, added };
}

const DOC: WorkbookSettings = {
  profile: { preset: 'iwm', rs: { period: 12 }, macro: { enabled: false }, name: 'Q&A <draft> "1" \'x\' é' },
  symbol: 'IWM',
};

describe('the XML of the part', () => {
  test('round-trips JSON with characters XML must escape', () => {
    const xml = settingsXml(DOC);
    expect(xml).toContain(`xmlns="${SETTINGS_NAMESPACE}"`);
    expect(xml).not.toMatch(/<draft>/);
    expect(parseSettingsXml(xml)).toEqual(DOC);
  });

  test('reads what Excel may hand back: a prefix, numeric entities, CDATA', () => {
    const json = JSON.stringify({ profile: 'standard' });
    expect(
      parseSettingsXml(
        `<?xml version="1.0" standalone="no"?>\n<ns0:settings xmlns:ns0="${SETTINGS_NAMESPACE}">\n  <ns0:json>${json.replace(/"/g, '&#34;')}</ns0:json>\n</ns0:settings>`,
      ),
    ).toEqual({ profile: 'standard' });
    expect(parseSettingsXml(`<settings><json><![CDATA[${json}]]></json></settings>`)).toEqual({ profile: 'standard' });
  });

  test('bad content is an error that says what is wrong; stray fields are dropped', () => {
    expect(() => parseSettingsXml('<settings/>')).toThrow(/no <json> element/);
    expect(() => parseSettingsXml('<settings><json>{oops</json></settings>')).toThrow(/not valid JSON/);
    expect(() => settingsFromJson('[1]')).toThrow(/not an object/);
    expect(settingsFromJson('{"profile":[1],"symbol":7,"other":1}')).toEqual({});
  });
});

describe('in Excel (office-addin-mock)', () => {
  test('a workbook without the part reads as null; saving adds one part under our namespace', async () => {
    const wb = workbook([]);
    expect(await readWorkbookSettings(wb.context)).toBeNull();
    expect(wb.asked).toEqual([SETTINGS_NAMESPACE]);
    await writeWorkbookSettings(wb.context, DOC);
    expect(wb.added).toHaveLength(1);
    expect(parseSettingsXml(wb.added[0])).toEqual(DOC);
  });

  test('saving over an existing part replaces its XML and removes duplicates; reading returns it', async () => {
    const first = part(settingsXml({ profile: 'standard' }));
    const copy = part(settingsXml({ profile: 'iwm' }));
    const wb = workbook([first, copy]);
    expect(await readWorkbookSettings(wb.context)).toEqual({ profile: 'standard' });
    await writeWorkbookSettings(wb.context, DOC);
    expect(wb.added).toEqual([]);
    expect(parseSettingsXml(first.xml)).toEqual(DOC);
    expect(first.deleted).toBeUndefined();
    expect(copy.deleted).toBe(true);
    expect(await readWorkbookSettings(wb.context)).toEqual(DOC);
  });

  test('workbookStorage runs each operation in its own Excel.run batch', async () => {
    const wb = workbook([]);
    let runs = 0;
    const storage = workbookStorage(async (batch) => {
      runs++;
      return batch(wb.context);
    });
    expect(storage.where).toBe('this workbook');
    await storage.save({ profile: 'standard' });
    expect(runs).toBe(1);
    expect(parseSettingsXml(wb.added[0])).toEqual({ profile: 'standard' });
  });
});

describe('outside Excel and loading into the shared settings', () => {
  function fakeLocalStorage(): Storage {
    const m = new Map<string, string>();
    return {
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => void m.set(k, v),
      removeItem: (k: string) => void m.delete(k),
      clear: () => m.clear(),
      key: (i: number) => [...m.keys()][i] ?? null,
      get length() {
        return m.size;
      },
    };
  }

  test('localStorage when there is one, memory otherwise', async () => {
    const ls = fakeLocalStorage();
    const browser = browserStorage(ls);
    expect(browser.where).toMatch(/this browser/);
    expect(await browser.load()).toBeNull();
    await browser.save(DOC);
    expect(JSON.parse(ls.getItem(BROWSER_KEY)!)).toEqual(DOC);
    expect(await browserStorage(ls).load()).toEqual(DOC);

    const memory = browserStorage(null);
    expect(memory.where).toMatch(/memory/);
    await memory.save({ profile: 'standard' });
    expect(await memory.load()).toEqual({ profile: 'standard' });
  });

  test('storageFor: the workbook in Excel, the browser outside it or in an Excel without custom XML parts', () => {
    expect(storageFor(null).where).toMatch(/not in Excel/);
    const g = globalThis as Record<string, unknown>;
    let supported = true;
    g.Office = {
      HostType: { Excel: 'Excel' },
      context: {
        requirements: { isSetSupported: (set: string, v: string) => set === 'ExcelApi' && v === '1.5' && supported },
      },
    };
    g.Excel = {};
    try {
      expect(storageFor('Excel' as unknown as Office.HostType).where).toBe('this workbook');
      expect(storageFor(null).where).toMatch(/not in Excel/);
      supported = false;
      expect(storageFor('Excel' as unknown as Office.HostType).where).toMatch(/cannot keep it in the workbook/);
    } finally {
      delete g.Office;
      delete g.Excel;
    }
  });

  test('loadStoredSettings applies the profile and symbol and says whether they changed', async () => {
    const settings = new SettingsStore();
    const storage = browserStorage(null);
    expect(await loadStoredSettings(storage, settings)).toEqual({ loaded: false, changed: false });
    await storage.save({ profile: { preset: 'standard', rs: { period: 3 } }, symbol: 'IWM' });
    expect(await loadStoredSettings(storage, settings)).toEqual({ loaded: true, changed: true, problem: undefined });
    expect(settings.get().profile).toEqual({ preset: 'standard', rs: { period: 3 } });
    expect(settings.get().symbol).toBe('IWM');
    expect(settingsDocument(settings.get())).toEqual({
      profile: { preset: 'standard', rs: { period: 3 } },
      symbol: 'IWM',
    });
    expect((await loadStoredSettings(storage, settings)).changed).toBe(false);
  });

  test('a saved profile that no longer validates is skipped with the reason; unreadable storage too', async () => {
    const settings = new SettingsStore();
    const storage = browserStorage(null);
    await storage.save({ profile: { trend: { fastPeriod: 9999 } } });
    const result = await loadStoredSettings(storage, settings);
    expect(result.loaded).toBe(true);
    expect(result.problem).toMatch(/trend\.fastPeriod must be an integer between 2 and 500/);
    expect(settings.get().profile).toBeUndefined();

    const broken: SettingsStorage = {
      where: 'nowhere',
      load: () => Promise.reject(new Error('the part is locked')),
      save: () => Promise.resolve(),
    };
    expect(await loadStoredSettings(broken, settings)).toEqual({
      loaded: false,
      changed: false,
      problem: 'cannot read the saved settings: the part is locked',
    });
  });
});
