/**
 * Structural checks of manifest.xml (the add-in only XML manifest). Microsoft's
 * `office-addin-manifest validate` needs an online service, so what it would reject, and
 * what makes a shared runtime silently fail to load, is checked here instead
 * (docs: PLATFORM.md, "Excel custom functions"):
 *  - well-formed XML, GUID Id, four-part numeric Version;
 *  - every resid is defined exactly once in Resources, is at most 32 characters and names
 *    a resource of the kind its element needs; every defined resource is used;
 *  - one long-lived Runtime whose resid is also the CustomFunctions Page, the
 *    FunctionFile and every ShowTaskpane action's SourceLocation;
 *  - the custom functions namespace is IWM; the requirement sets are declared;
 *  - every URL is https under the dev prefix https://localhost:3000/ (swapped for the
 *    production host at release), the AppDomain is that bare origin;
 *  - every icon exists under assets/ as a PNG of its declared size, and matches what
 *    scripts/make-icons.js draws;
 *  - element order follows the schema where the manifest has siblings.
 * Each check is a function of the manifest text, and a table of mutations at the end
 * proves each one fails on a broken manifest.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const REPO = join(__dirname, '..', '..');
const MANIFEST = readFileSync(join(REPO, 'manifest.xml'), 'utf8');
const DEV_PREFIX = 'https://localhost:3000/';
const DEV_ORIGIN = 'https://localhost:3000';
const MAX_RESID = 32;

type XNode = { [key: string]: unknown };

// ---- Parsing helpers ----------------------------------------------------------------------

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false });
const orderedParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', preserveOrder: true });

function parse(xml: string): XNode {
  return parser.parse(xml) as XNode;
}

/** The children named `name`; text-only children come back as { '#text': value }. */
function kids(n: XNode, name: string): XNode[] {
  const v = n[name];
  const all: unknown[] = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return all.map((k) => (k !== null && typeof k === 'object' ? (k as XNode) : { '#text': k }));
}

function kid(n: XNode, name: string): XNode {
  const all = kids(n, name);
  if (all.length !== 1) throw new Error(`expected one <${name}>, found ${all.length}`);
  return all[0];
}

function text(n: unknown): string {
  if (typeof n === 'string') return n.trim();
  if (n && typeof n === 'object' && '#text' in n) return String((n as XNode)['#text']).trim();
  return '';
}

const attr = (n: XNode, name: string): string | undefined => n[`@_${name}`] as string | undefined;
const isElementKey = (k: string) => !k.startsWith('@_') && k !== '#text';

/** Every element below `node` (depth first), with its name and its ancestors' names. */
function* elements(node: XNode, path: string[] = []): Generator<{ name: string; node: XNode; path: string[] }> {
  for (const key of Object.keys(node).filter(isElementKey)) {
    for (const child of kids(node, key)) {
      yield { name: key, node: child, path };
      yield* elements(child, [...path, key]);
    }
  }
}

interface Manifest {
  app: XNode;
  overrides: XNode;
  resources: XNode;
}

function load(xml: string): Manifest {
  const app = kid(parse(xml), 'OfficeApp');
  const overrides = kid(app, 'VersionOverrides');
  return { app, overrides, resources: kid(overrides, 'Resources') };
}

const RESOURCE_KINDS = ['bt:Images', 'bt:Urls', 'bt:ShortStrings', 'bt:LongStrings'] as const;
type ResourceKind = (typeof RESOURCE_KINDS)[number];

interface Definition {
  id: string;
  kind: ResourceKind;
  value: string;
}

function definitions(m: Manifest): Definition[] {
  return RESOURCE_KINDS.flatMap((kind) =>
    kids(m.resources, kind).flatMap((group) =>
      Object.keys(group)
        .filter(isElementKey)
        .flatMap((item) =>
          kids(group, item).map((d) => ({ id: attr(d, 'id') ?? '', kind, value: attr(d, 'DefaultValue') ?? '' })),
        ),
    ),
  );
}

interface Reference {
  element: string;
  resid: string;
  node: XNode;
}

/** Every resid attribute in VersionOverrides outside Resources. */
function references(m: Manifest): Reference[] {
  const { Resources: _resources, ...rest } = m.overrides;
  return [...elements(rest)]
    .filter((e) => attr(e.node, 'resid') !== undefined)
    .map((e) => ({ element: e.name, resid: attr(e.node, 'resid') as string, node: e.node }));
}

function definition(m: Manifest, id: string): Definition {
  const found = definitions(m).filter((d) => d.id === id);
  if (found.length !== 1) throw new Error(`resid ${id} is defined ${found.length} times`);
  return found[0];
}

function customFunctions(m: Manifest): XNode {
  const points = [...elements(m.overrides)].filter(
    (e) => e.name === 'ExtensionPoint' && attr(e.node, 'xsi:type') === 'CustomFunctions',
  );
  expect(points).toHaveLength(1);
  return points[0].node;
}

function desktop(m: Manifest): XNode {
  return kid(kid(kid(m.overrides, 'Hosts'), 'Host'), 'DesktopFormFactor');
}

/** Width and height from a PNG's IHDR; throws when the bytes are not a PNG. */
function pngSize(buf: Buffer): { width: number; height: number } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (buf.length < 24 || !buf.subarray(0, 8).equals(signature) || buf.toString('ascii', 12, 16) !== 'IHDR') {
    throw new Error('not a PNG');
  }
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** IHDR plus the inflated image data: equal for equal pixels whatever zlib produced. */
function pngContent(buf: Buffer): { ihdr: Buffer; pixels: Buffer } {
  let ihdr: Buffer = Buffer.alloc(0);
  const idat: Buffer[] = [];
  for (let o = 8; o < buf.length;) {
    const len = buf.readUInt32BE(o);
    const type = buf.toString('ascii', o + 4, o + 8);
    const data = buf.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    o += 12 + len;
  }
  return { ihdr, pixels: inflateSync(Buffer.concat(idat)) };
}

/** Local path of an icon URL, which must be a PNG directly under assets/. */
function localAsset(url: string): string {
  const rel = url.startsWith(DEV_PREFIX) ? url.slice(DEV_PREFIX.length) : url;
  expect({ url, underAssets: url.startsWith(DEV_PREFIX) && /^assets\/[\w-]+\.png$/.test(rel) }).toEqual({
    url,
    underAssets: true,
  });
  return join(REPO, rel);
}

// ---- Checks -------------------------------------------------------------------------------

const EXPECTED_KIND: Record<string, ResourceKind> = {
  'bt:Image': 'bt:Images',
  SourceLocation: 'bt:Urls',
  Runtime: 'bt:Urls',
  FunctionFile: 'bt:Urls',
  LearnMoreUrl: 'bt:Urls',
  Label: 'bt:ShortStrings',
  Title: 'bt:ShortStrings',
  Namespace: 'bt:ShortStrings',
  Description: 'bt:LongStrings',
};

// Schema order of siblings, for the elements this manifest uses (a child not listed fails).
const ORDER: { element: string; type?: string; children: string[] }[] = [
  {
    element: 'OfficeApp',
    children: [
      'Id',
      'AlternateId',
      'Version',
      'ProviderName',
      'DefaultLocale',
      'DisplayName',
      'Description',
      'IconUrl',
      'HighResolutionIconUrl',
      'SupportUrl',
      'AppDomains',
      'Hosts',
      'Requirements',
      'DefaultSettings',
      'Permissions',
      'AllowSnapshot',
      'VersionOverrides',
    ],
  },
  { element: 'VersionOverrides', children: ['Description', 'Requirements', 'Hosts', 'Resources'] },
  { element: 'Host', type: 'Workbook', children: ['Runtimes', 'AllFormFactors', 'DesktopFormFactor'] },
  { element: 'ExtensionPoint', type: 'CustomFunctions', children: ['Script', 'Page', 'Metadata', 'Namespace'] },
  { element: 'DesktopFormFactor', children: ['GetStarted', 'FunctionFile', 'ExtensionPoint'] },
  { element: 'GetStarted', children: ['Title', 'Description', 'LearnMoreUrl'] },
  { element: 'Group', children: ['Label', 'Icon', 'Control'] },
  { element: 'Control', type: 'Button', children: ['Label', 'Supertip', 'Icon', 'Action'] },
  { element: 'Supertip', children: ['Title', 'Description'] },
  { element: 'Action', type: 'ShowTaskpane', children: ['TaskpaneId', 'SourceLocation'] },
  { element: 'Resources', children: ['bt:Images', 'bt:Urls', 'bt:ShortStrings', 'bt:LongStrings'] },
];

type Ordered = { [key: string]: Ordered[] | Record<string, string> };

function* orderedElements(nodes: Ordered[]): Generator<{ name: string; type?: string; children: string[] }> {
  for (const n of nodes) {
    const name = Object.keys(n).find((k) => k !== ':@');
    if (!name || name.startsWith('#') || name.startsWith('?')) continue;
    const childNodes = n[name] as Ordered[];
    const attrs = (n[':@'] ?? {}) as Record<string, string>;
    const children = childNodes.map((c) => Object.keys(c).find((k) => k !== ':@') ?? '').filter((k) => k !== '#text');
    yield { name, type: attrs['@_xsi:type'], children };
    yield* orderedElements(childNodes);
  }
}

const checks = {
  parses(xml: string) {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(() => load(xml)).not.toThrow();
  },

  idIsGuid(xml: string) {
    expect(text(load(xml).app.Id)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i,
    );
  },

  versionIsFourPart(xml: string) {
    expect(text(load(xml).app.Version)).toMatch(/^\d{1,5}\.\d{1,5}\.\d{1,5}\.\d{1,5}$/);
  },

  residsDefinedOnce(xml: string) {
    const m = load(xml);
    const refs = references(m);
    expect(refs.length).toBeGreaterThan(0);
    const defs = definitions(m);
    for (const { resid } of refs) {
      expect({ resid, definitions: defs.filter((d) => d.id === resid).length }).toEqual({ resid, definitions: 1 });
      expect({ resid, tooLong: resid.length > MAX_RESID }).toEqual({ resid, tooLong: false });
    }
    for (const d of defs) {
      expect({ id: d.id, definitions: defs.filter((o) => o.id === d.id).length }).toEqual({ id: d.id, definitions: 1 });
      expect(d.id.length).toBeLessThanOrEqual(MAX_RESID);
    }
  },

  residsUsed(xml: string) {
    const m = load(xml);
    const used = new Set(references(m).map((r) => r.resid));
    expect(definitions(m).filter((d) => !used.has(d.id))).toEqual([]);
  },

  residKinds(xml: string) {
    const m = load(xml);
    for (const r of references(m)) {
      expect({ element: r.element, resid: r.resid, kind: definition(m, r.resid).kind }).toEqual({
        element: r.element,
        resid: r.resid,
        kind: EXPECTED_KIND[r.element] ?? 'an element this test knows',
      });
    }
  },

  sharedRuntime(xml: string) {
    const m = load(xml);
    const host = kid(kid(m.overrides, 'Hosts'), 'Host');
    const runtimes = kids(kid(host, 'Runtimes'), 'Runtime');
    expect(runtimes).toHaveLength(1);
    expect(attr(runtimes[0], 'lifetime')).toBe('long');
    const shared = attr(runtimes[0], 'resid');
    const dff = desktop(m);
    const showTaskpane = [...elements(dff)].filter(
      (e) => e.name === 'Action' && attr(e.node, 'xsi:type') === 'ShowTaskpane',
    );
    expect(showTaskpane.length).toBeGreaterThan(0);
    const uses = {
      page: attr(kid(kid(customFunctions(m), 'Page'), 'SourceLocation'), 'resid'),
      functionFile: attr(kid(dff, 'FunctionFile'), 'resid'),
      showTaskpane: showTaskpane.map((a) => attr(kid(a.node, 'SourceLocation'), 'resid')),
    };
    expect(uses).toEqual({ page: shared, functionFile: shared, showTaskpane: showTaskpane.map(() => shared) });
    // The page Office opens by default is the shared runtime's page.
    const defaultPage = attr(kid(kid(m.app, 'DefaultSettings'), 'SourceLocation'), 'DefaultValue');
    expect(definition(m, shared ?? '').value).toBe(defaultPage);
  },

  namespaceIsIwm(xml: string) {
    const m = load(xml);
    const resid = attr(kid(customFunctions(m), 'Namespace'), 'resid') ?? '';
    expect(resid).toBe('Functions.Namespace');
    expect(definition(m, resid)).toMatchObject({ kind: 'bt:ShortStrings', value: 'IWM' });
  },

  urlsAreHttps(xml: string) {
    const m = load(xml);
    const urls: { where: string; url: string }[] = [
      ...['IconUrl', 'HighResolutionIconUrl', 'SupportUrl'].map((name) => ({
        where: name,
        url: attr(kid(m.app, name), 'DefaultValue') ?? '',
      })),
      ...[...elements(m.app)]
        .filter((e) => e.name === 'SourceLocation' && attr(e.node, 'DefaultValue') !== undefined)
        .map((e) => ({ where: e.path.join('/'), url: attr(e.node, 'DefaultValue') as string })),
      ...definitions(m)
        .filter((d) => d.kind === 'bt:Urls' || d.kind === 'bt:Images')
        .map((d) => ({ where: d.id, url: d.value })),
    ];
    expect(urls.length).toBeGreaterThanOrEqual(10);
    for (const { where, url } of urls) {
      expect({ where, url: new URL(url).protocol }).toEqual({ where, url: 'https:' });
      expect({ where, devPrefix: url.startsWith(DEV_PREFIX) }).toEqual({ where, devPrefix: true });
    }
    const domains = kids(kid(m.app, 'AppDomains'), 'AppDomain').map(text);
    expect(domains.length).toBeGreaterThan(0);
    for (const d of domains) {
      expect(new URL(d).protocol).toBe('https:');
      expect(d).toBe(new URL(d).origin); // no path, no trailing slash
    }
    expect(domains).toContain(DEV_ORIGIN);
  },

  iconsExist(xml: string) {
    const m = load(xml);
    const declared = new Map<string, number>(); // URL -> size in px
    const declare = (url: string, size: number) => {
      expect({ url, size: declared.get(url) ?? size }).toEqual({ url, size });
      declared.set(url, size);
    };
    declare(attr(kid(m.app, 'IconUrl'), 'DefaultValue') ?? '', 32);
    declare(attr(kid(m.app, 'HighResolutionIconUrl'), 'DefaultValue') ?? '', 64);
    for (const r of references(m).filter((r) => r.element === 'bt:Image')) {
      declare(definition(m, r.resid).value, Number(attr(r.node, 'size')));
    }
    expect([...declared.values()].sort((a, b) => a - b)).toEqual([16, 32, 64, 80]);
    for (const [url, size] of declared) {
      const file = localAsset(url);
      expect({ url, exists: existsSync(file) }).toEqual({ url, exists: true });
      expect({ url, ...pngSize(readFileSync(file)) }).toEqual({ url, width: size, height: size });
    }
  },

  requirementSets(xml: string) {
    const sets = kids(kid(kid(load(xml).app, 'Requirements'), 'Sets'), 'Set').map((s) => attr(s, 'Name'));
    expect(sets).toEqual(expect.arrayContaining(['SharedRuntime', 'CustomFunctionsRuntime']));
  },

  schemaOrder(xml: string) {
    const all = [...orderedElements(orderedParser.parse(xml) as Ordered[])];
    for (const rule of ORDER) {
      const matching = all.filter((e) => e.name === rule.element && (!rule.type || e.type === rule.type));
      expect({ rule: rule.element, found: matching.length > 0 }).toEqual({ rule: rule.element, found: true });
      for (const e of matching) {
        const positions = e.children.map((c) => rule.children.indexOf(c));
        expect({ element: e.name, unknown: e.children.filter((_, i) => positions[i] < 0) }).toEqual({
          element: e.name,
          unknown: [],
        });
        const sorted = [...positions].sort((a, b) => a - b);
        expect({ element: e.name, order: positions }).toEqual({ element: e.name, order: sorted });
      }
    }
  },
};

type CheckName = keyof typeof checks;

describe('manifest.xml', () => {
  it.each(Object.keys(checks) as CheckName[])('%s', (name) => {
    checks[name](MANIFEST);
  });

  it('declares the icons scripts/make-icons.js draws (pixel for pixel)', () => {
    const out = mkdtempSync(join(tmpdir(), 'iwm-icons-'));
    try {
      execFileSync(process.execPath, [join(REPO, 'scripts', 'make-icons.js'), out], { stdio: 'pipe' });
      for (const size of [16, 32, 64, 80]) {
        const name = `icon-${size}.png`;
        const fresh = pngContent(readFileSync(join(out, name)));
        const committed = pngContent(readFileSync(join(REPO, 'assets', name)));
        expect({ name, same: fresh.ihdr.equals(committed.ihdr) && fresh.pixels.equals(committed.pixels) }).toEqual({
          name,
          same: true,
        });
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('is the development flavour that scripts/manifests.js renders (no hand edits)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { renderXml, flavour } = require('../../scripts/manifests') as {
      renderXml: (f: unknown) => string;
      flavour: (production: boolean) => unknown;
    };
    expect(MANIFEST).toBe(renderXml(flavour(false)));
  });

  it('reads PNG sizes only from PNGs', () => {
    expect(pngSize(readFileSync(join(REPO, 'assets', 'icon-16.png')))).toEqual({ width: 16, height: 16 });
    expect(() => pngSize(Buffer.from(MANIFEST))).toThrow('not a PNG');
  });
});

// ---- Each check fails on a broken manifest --------------------------------------------------

function mutate(xml: string, from: string | RegExp, to: string): string {
  const out = xml.replace(from, to);
  if (out === xml) throw new Error(`mutation did not apply: ${from}`);
  return out;
}

const MUTATIONS: { check: CheckName; what: string; apply: (xml: string) => string }[] = [
  { check: 'parses', what: 'unclosed root', apply: (x) => mutate(x, '</OfficeApp>', '</OfficeAp>') },
  { check: 'idIsGuid', what: 'truncated GUID', apply: (x) => mutate(x, /(<Id>[0-9a-f-]+)[0-9a-f]<\/Id>/, '$1</Id>') },
  {
    check: 'versionIsFourPart',
    what: 'three-part Version',
    apply: (x) => mutate(x, /<Version>[^<]+/, '<Version>1.0.0'),
  },
  {
    check: 'residsDefinedOnce',
    what: 'undefined resid',
    apply: (x) => mutate(x, '<FunctionFile resid="Taskpane.Url"', '<FunctionFile resid="Taskpane.Missing"'),
  },
  {
    check: 'residsDefinedOnce',
    what: 'resid defined twice',
    apply: (x) => mutate(x, /(<bt:Url id="Taskpane.Url"[^>]*>)/, '$1$1'),
  },
  {
    check: 'residsDefinedOnce',
    what: 'resid of 33 characters',
    apply: (x) => x.split('GetStarted.LearnMoreUrl').join('GetStarted.LearnMoreUrl.ABCDEFGHI'),
  },
  {
    check: 'residsUsed',
    what: 'unused string',
    apply: (x) => mutate(x, '</bt:ShortStrings>', '<bt:String id="Unused.Label" DefaultValue="x" /></bt:ShortStrings>'),
  },
  {
    check: 'residKinds',
    what: 'Label pointing at a long string',
    apply: (x) => mutate(x, '<Label resid="CommandsGroup.Label"', '<Label resid="GetStarted.Description"'),
  },
  {
    check: 'sharedRuntime',
    what: 'Page on another resid',
    apply: (x) => mutate(x, /(<Page>\s*<SourceLocation resid=")Taskpane\.Url/, '$1GetStarted.LearnMoreUrl'),
  },
  {
    check: 'sharedRuntime',
    what: 'ShowTaskpane on another resid',
    apply: (x) =>
      mutate(
        x,
        /(<TaskpaneId>[^<]*<\/TaskpaneId>\s*<SourceLocation resid=")Taskpane\.Url/,
        '$1GetStarted.LearnMoreUrl',
      ),
  },
  {
    check: 'sharedRuntime',
    what: 'FunctionFile on another resid',
    apply: (x) => mutate(x, '<FunctionFile resid="Taskpane.Url"', '<FunctionFile resid="GetStarted.LearnMoreUrl"'),
  },
  { check: 'sharedRuntime', what: 'short lifetime', apply: (x) => mutate(x, 'lifetime="long"', 'lifetime="short"') },
  {
    check: 'namespaceIsIwm',
    what: 'other namespace',
    apply: (x) => mutate(x, /(id="Functions.Namespace" DefaultValue=")IWM"/, '$1CONTOSO"'),
  },
  {
    check: 'urlsAreHttps',
    what: 'http resource URL',
    apply: (x) => mutate(x, /(id="Functions.Metadata.Url" DefaultValue=")https:/, '$1http:'),
  },
  {
    check: 'urlsAreHttps',
    what: 'http SupportUrl',
    apply: (x) => mutate(x, /(<SupportUrl DefaultValue=")https:/, '$1http:'),
  },
  {
    check: 'urlsAreHttps',
    what: 'http DefaultSettings',
    apply: (x) => mutate(x, /(<DefaultSettings>\s*<SourceLocation DefaultValue=")https:/, '$1http:'),
  },
  {
    check: 'urlsAreHttps',
    what: 'AppDomain with a trailing slash',
    apply: (x) => mutate(x, `<AppDomain>${DEV_ORIGIN}</AppDomain>`, `<AppDomain>${DEV_ORIGIN}/</AppDomain>`),
  },
  {
    check: 'urlsAreHttps',
    what: 'URL off the dev prefix',
    apply: (x) => mutate(x, `${DEV_PREFIX}functions.js`, 'https://example.com/functions.js'),
  },
  {
    check: 'iconsExist',
    what: '16 px slot pointing at the 32 px file',
    apply: (x) => mutate(x, /(id="Icon.16x16" DefaultValue="[^"]*)icon-16\.png/, '$1icon-32.png'),
  },
  {
    check: 'iconsExist',
    what: 'missing icon file',
    apply: (x) => mutate(x, /(id="Icon.80x80" DefaultValue="[^"]*)icon-80\.png/, '$1icon-81.png'),
  },
  {
    check: 'iconsExist',
    what: 'high-resolution icon of the wrong size',
    apply: (x) => mutate(x, /(<HighResolutionIconUrl DefaultValue="[^"]*)icon-64\.png/, '$1icon-80.png'),
  },
  {
    check: 'iconsExist',
    what: 'icon outside assets/',
    apply: (x) => mutate(x, /(id="Icon.80x80" DefaultValue=")[^"]*/, `$1${DEV_PREFIX}taskpane.html`),
  },
  {
    check: 'requirementSets',
    what: 'no SharedRuntime set',
    apply: (x) => mutate(x, /<Set Name="SharedRuntime"[^>]*>/, ''),
  },
  {
    check: 'requirementSets',
    what: 'no CustomFunctionsRuntime set',
    apply: (x) => mutate(x, /<Set Name="CustomFunctionsRuntime"[^>]*>/, ''),
  },
  {
    check: 'schemaOrder',
    what: 'Permissions before Hosts',
    apply: (x) =>
      mutate(
        mutate(x, '<Permissions>ReadWriteDocument</Permissions>', ''),
        '<AppDomains>',
        '<Permissions>ReadWriteDocument</Permissions><AppDomains>',
      ),
  },
  {
    check: 'schemaOrder',
    what: 'Page before Script',
    apply: (x) => mutate(x, /(<Script>[\s\S]*?<\/Script>)(\s*)(<Page>[\s\S]*?<\/Page>)/, '$3$2$1'),
  },
  {
    check: 'schemaOrder',
    what: 'Runtimes after AllFormFactors',
    apply: (x) =>
      mutate(x, /(<Runtimes>[\s\S]*?<\/Runtimes>)(\s*)(<AllFormFactors>[\s\S]*?<\/AllFormFactors>)/, '$3$2$1'),
  },
];

describe('each manifest check fails on a broken manifest', () => {
  it('covers every check', () => {
    expect(new Set(MUTATIONS.map((m) => m.check))).toEqual(new Set(Object.keys(checks)));
  });

  it.each(MUTATIONS.map((m) => [m.check, m.what, m.apply] as const))('%s: %s', (check, _what, apply) => {
    const broken = apply(MANIFEST);
    expect(() => checks[check](broken)).toThrow();
  });
});
