/**
 * The manifests and the finished functions metadata, as scripts/manifests.js and
 * scripts/functions-metadata.js build them for webpack (the same functions, called here):
 *  - manifest.json of both flavours validates against the Microsoft 365 app manifest schema
 *    shipped in @microsoft/app-manifest (no network), and a two-character function id fails it;
 *  - dev and production differ in Id and name, and each URL follows the flavour's host;
 *  - functions.json: READING allows data types, every id has 3+ upper-case characters, is
 *    unique, and has a helpUrl that is an anchor of the help page;
 *  - a production build with localhost URLs is refused, naming IWM_ADDIN_URL.
 */
import { generateCustomFunctionsMetadata } from 'custom-functions-metadata';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import schema from '@microsoft/app-manifest/build/json-schemas/teams/v1.23/MicrosoftTeams.schema.json';

// CommonJS build scripts (webpack loads them): typed loosely here on purpose.
/* eslint-disable @typescript-eslint/no-require-imports */
const manifests = require('../../scripts/manifests') as {
  FLAVOURS: Record<'production' | 'development', { id: string; name: string }>;
  UNIFIED_SCHEMA_VERSION: string;
  flavour: (production: boolean, url?: string) => Flavour;
  renderXml: (f: Flavour) => string;
  renderJson: (f: Flavour, metadata: Metadata) => UnifiedManifest;
  localUrls: (text: string) => string[];
  productionProblem: (m: Record<string, string>, env: Record<string, string | undefined>) => string | null;
};
const { finishMetadata, metadataProblems, renderHelp } = require('../../scripts/functions-metadata') as {
  finishMetadata: (m: Metadata, f: Flavour) => Metadata;
  metadataProblems: (m: Metadata) => string[];
  renderHelp: (m: Metadata) => string;
};
/* eslint-enable @typescript-eslint/no-require-imports */

interface Flavour {
  id: string;
  name: string;
  url: string;
  production: boolean;
}
interface Fn {
  id: string;
  name: string;
  helpUrl?: string;
  description?: string;
  parameters: unknown[];
  result: { dimensionality?: string };
}
interface Metadata {
  allowCustomDataForDataTypeAny?: boolean;
  functions: Fn[];
}
interface UnifiedManifest {
  id: string;
  name: { short: string };
  validDomains: string[];
  extensions: { runtimes: { customFunctions: { allowCustomDataForDataTypeAny: boolean; functions: Fn[] } }[] }[];
}

const PROD_URL = 'https://contoso.z13.web.core.windows.net/';
let generated: Metadata;

beforeAll(async () => {
  const result = await generateCustomFunctionsMetadata(
    [path.resolve(__dirname, '../../src/functions/functions.ts')],
    true,
  );
  expect(result.errors).toEqual([]);
  generated = JSON.parse(result.metadataJson) as Metadata;
}, 60_000);

/**
 * The validator ManifestUtil.validateManifestAgainstSchema builds (ajv draft-04 with the
 * uri/email/regex formats, from the package's own dependencies), rebuilt here because the
 * package's index loads an ES-module-only dependency that Jest on Node 20 cannot require.
 */
const fromAppManifest = createRequire(require.resolve('@microsoft/app-manifest/package.json'));
type AjvError = { instancePath: string; message?: string; params?: unknown };
type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
const Ajv04 = (fromAppManifest('ajv-draft-04') as { default: new (o: object) => { compile(s: object): Validator } })
  .default;
const addFormats = (fromAppManifest('ajv-formats') as { default: (ajv: unknown, formats: string[]) => void }).default;
const ajv = new Ajv04({ allErrors: true, strictTypes: false });
addFormats(ajv, ['uri', 'email', 'regex']);
const schemaCheck = ajv.compile(schema);

async function validate(m: UnifiedManifest): Promise<string[]> {
  if (schemaCheck(m)) return [];
  return (schemaCheck.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
const dev = () => manifests.flavour(false);
const prod = () => manifests.flavour(true, PROD_URL);
const unified = (f: Flavour) => manifests.renderJson(f, finishMetadata(generated, f));

describe('manifest.json (unified manifest)', () => {
  test('both flavours validate against the schema shipped in @microsoft/app-manifest', async () => {
    expect(manifests.UNIFIED_SCHEMA_VERSION).toBe('1.23');
    expect(await validate(unified(dev()))).toEqual([]);
    expect(await validate(unified(prod()))).toEqual([]);
  });

  test('the schema check can fail: a two-character id, a missing name, a long description', async () => {
    const m = unified(dev());
    const fns = m.extensions[0].runtimes[0].customFunctions.functions;
    fns[0] = { ...fns[0], id: 'RS', name: 'RS' };
    expect((await validate(m)).join('\n')).toMatch(/functions\/0\/id must NOT have fewer than 3 characters/);
    const noName = { ...unified(dev()), name: undefined } as unknown as UnifiedManifest;
    expect((await validate(noName)).join('\n')).toMatch(/name/);
    const long = unified(dev());
    const first = long.extensions[0].runtimes[0].customFunctions.functions;
    first[0] = { ...first[0], description: 'x'.repeat(129) };
    expect((await validate(long)).join('\n')).toMatch(/description must NOT have more than 128 characters/);
  });

  test('lists every function of functions.json, with data types allowed', () => {
    const cf = unified(dev()).extensions[0].runtimes[0].customFunctions;
    expect(cf.allowCustomDataForDataTypeAny).toBe(true);
    expect(cf.functions.map((f) => f.id)).toEqual(generated.functions.map((f) => f.id));
    for (const f of cf.functions) expect(f.description?.length ?? 0).toBeLessThanOrEqual(128);
  });
});

describe('flavours', () => {
  test('dev and production have their own Id and name', () => {
    const { development, production } = manifests.FLAVOURS;
    expect(development.id).not.toBe(production.id);
    expect(production.name).toBe('IWM Signal Analyzer');
    expect(development.name).toBe('IWM Signal Analyzer (dev)');
    const xml = manifests.renderXml(prod());
    expect(xml).toContain(`<Id>${production.id}</Id>`);
    expect(xml).toContain('<DisplayName DefaultValue="IWM Signal Analyzer" />');
    expect(unified(prod())).toMatchObject({ id: production.id, name: { short: 'IWM Signal Analyzer' } });
    expect(unified(dev())).toMatchObject({ id: development.id, name: { short: 'IWM Signal Analyzer (dev)' } });
  });

  test('every URL of a production manifest is on its host; none is local', () => {
    const xml = manifests.renderXml(prod());
    const json = JSON.stringify(unified(prod()));
    for (const text of [xml, json]) {
      expect(manifests.localUrls(text)).toEqual([]);
      const urls = (text.match(/https:\/\/[^\s"'<>]+/g) ?? []).filter((u) => !u.includes('schemas.microsoft.com'));
      expect(urls.length).toBeGreaterThanOrEqual(10);
      for (const u of urls.filter((u) => !u.includes('developer.microsoft.com/json-schemas'))) {
        expect(u.startsWith(PROD_URL.slice(0, -1))).toBe(true);
      }
    }
    expect(unified(prod()).validDomains).toEqual(['contoso.z13.web.core.windows.net']);
    // The dev flavour: 12 localhost URLs in manifest.xml (3 top-level icons/support, the
    // AppDomain, DefaultSettings, 3 images, 4 bt:Urls), the bare host in validDomains.
    expect(manifests.localUrls(manifests.renderXml(dev()))).toHaveLength(12);
    expect(manifests.localUrls(JSON.stringify(unified(dev())))).toContain('localhost:3000');
  });

  test('a production build with local URLs is refused, naming IWM_ADDIN_URL, unless asked for', () => {
    const local = manifests.flavour(true);
    const texts = { 'manifest.xml': manifests.renderXml(local), 'manifest.json': JSON.stringify(unified(local)) };
    const problem = manifests.productionProblem(texts, {});
    expect(problem).toMatch(/IWM_ADDIN_URL/);
    expect(problem).toMatch(/manifest\.xml: https:\/\/localhost:3000\//);
    expect(manifests.productionProblem(texts, { IWM_ALLOW_LOCAL_PROD: '1' })).toBeNull();
    // 127.0.0.1 is as local as localhost.
    const loopback = manifests.flavour(true, 'https://127.0.0.1:8443/');
    expect(manifests.productionProblem({ 'manifest.xml': manifests.renderXml(loopback) }, {})).toMatch(/127\.0\.0\.1/);
    const remote = { 'manifest.xml': manifests.renderXml(prod()), 'manifest.json': JSON.stringify(unified(prod())) };
    expect(manifests.productionProblem(remote, {})).toBeNull();
    expect(() => manifests.flavour(true, 'http://contoso.example/')).toThrow(/https/);
  });
});

describe('functions.json as shipped', () => {
  test('ids: 3+ characters, upper case, unique; READING allows data types; helpUrl per function', () => {
    const m = finishMetadata(generated, prod());
    expect(metadataProblems(m)).toEqual([]);
    expect(m.allowCustomDataForDataTypeAny).toBe(true);
    expect(m.functions.map((f) => f.id)).toContain('RELSTRENGTH');
    expect(m.functions.map((f) => f.id)).not.toContain('RS');
    const html = renderHelp(m);
    for (const f of m.functions) {
      expect(f.helpUrl).toBe(`${PROD_URL}help/functions.html#${f.id}`);
      expect(html).toContain(`<section id="${f.id}">`);
    }
  });

  test('the id rules can fail', () => {
    const fn = (id: string, name = id): Fn => ({ id, name, parameters: [], result: {} });
    expect(metadataProblems({ functions: [fn('RS')] }).join()).toMatch(/RS must be 3 to 64/);
    expect(metadataProblems({ functions: [fn('Trend')] }).join()).toMatch(/upper case/);
    expect(metadataProblems({ functions: [fn('TREND'), fn('TREND')] }).join()).toMatch(/declared twice/);
    expect(metadataProblems({ functions: [fn('TREND', 'TR')] }).join()).toMatch(/name TR/);
  });
});
