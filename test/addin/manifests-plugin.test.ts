/**
 * The webpack side of the manifests (scripts/manifests-plugin.js) in a real, tiny webpack
 * compilation: it finishes functions.json, emits both manifests and the help page, and a
 * production build still pointing at localhost fails with a message naming IWM_ADDIN_URL.
 * (The full add-in build is the same plugin over the real functions; too slow for a test.)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import webpack from 'webpack';

/* eslint-disable @typescript-eslint/no-require-imports */
const { ManifestsPlugin } = require('../../scripts/manifests-plugin') as {
  ManifestsPlugin: new (o: object) => webpack.WebpackPluginInstance;
};
const { flavour } = require('../../scripts/manifests') as { flavour: (p: boolean, url?: string) => object };
/* eslint-enable @typescript-eslint/no-require-imports */

const METADATA = { functions: [{ id: 'TREND', name: 'TREND', description: 'trend', parameters: [], result: {} }] };

/** Stands in for CustomFunctionsMetadataPlugin: puts functions.json into the compilation. */
const metadataAsset: webpack.WebpackPluginInstance = {
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('metadata', (compilation) => {
      compilation.emitAsset('functions.json', new compiler.webpack.sources.RawSource(JSON.stringify(METADATA)));
    });
  },
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iwm-manifests-'));
  writeFileSync(join(dir, 'entry.js'), 'module.exports = 1;\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(production: boolean, url: string | undefined, env: Record<string, string>): Promise<webpack.Stats> {
  const compiler = webpack({
    mode: production ? 'production' : 'development',
    context: dir,
    entry: './entry.js',
    output: { path: join(dir, 'dist'), clean: true },
    plugins: [metadataAsset, new ManifestsPlugin({ flavour: flavour(production, url), env })],
  });
  return new Promise((resolve, reject) =>
    compiler.run((err, stats) => compiler.close(() => (err || !stats ? reject(err) : resolve(stats)))),
  );
}

test('a production build with localhost URLs fails naming IWM_ADDIN_URL; asked for, it passes', async () => {
  const refused = await build(true, undefined, {});
  expect(refused.hasErrors()).toBe(true);
  expect(refused.toString({ all: false, errors: true })).toMatch(/production build refused.*IWM_ADDIN_URL/s);
  const allowed = await build(true, undefined, { IWM_ALLOW_LOCAL_PROD: '1' });
  expect(allowed.hasErrors()).toBe(false);
}, 60_000);

test('emits both manifests, the help page and the finished functions.json for the flavour', async () => {
  const stats = await build(true, 'https://contoso.example/addin/', {});
  expect(stats.hasErrors()).toBe(false);
  const out = (f: string) => readFileSync(join(dir, 'dist', f), 'utf8');
  const fns = JSON.parse(out('functions.json')) as {
    allowCustomDataForDataTypeAny: boolean;
    functions: { helpUrl: string }[];
  };
  expect(fns.allowCustomDataForDataTypeAny).toBe(true);
  expect(fns.functions[0].helpUrl).toBe('https://contoso.example/addin/help/functions.html#TREND');
  expect(out('manifest.xml')).toContain(
    '<bt:Url id="Functions.Script.Url" DefaultValue="https://contoso.example/addin/functions.js" />',
  );
  expect(JSON.parse(out('manifest.json'))).toMatchObject({ validDomains: ['contoso.example'] });
  // (A production build minifies the page: attribute quotes may go.)
  expect(out('help/functions.html')).toMatch(/<section id="?TREND"?>/);
}, 60_000);
