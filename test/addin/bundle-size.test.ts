/**
 * The add-in bundles that `npm run build:addin` writes to dist/ (npm test builds them before
 * jest) are production builds, and fit their size budget (bundle-budget.json, the one place
 * the numbers live): the local host and Excel load these files at every start of the add-in.
 * A production build means minified, with no source maps (no sourceMappingURL, no .map file
 * in dist/; IWM_SOURCE_MAPS=1 adds them, npm test does not set it). Each check is a function
 * of the files, also run on a broken set.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const REPO = join(__dirname, '..', '..');
const DIST = join(REPO, 'dist');
const BUDGET_FILE = 'bundle-budget.json';
const BUDGET = JSON.parse(readFileSync(join(REPO, BUDGET_FILE), 'utf8')) as {
  bundles: Record<string, { raw: number; gzip: number }>;
};
const REBUILD = 'run `npm run build:addin` (npm test does)';

const bytes = (n: number) => `${n.toLocaleString('en-US')} bytes`;

/** Every file under a folder, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'));
}

/** Why the bundles are not a production build within budget (empty when they are). */
function bundleProblems(files: Record<string, Buffer>, budget = BUDGET.bundles): string[] {
  const problems: string[] = [];
  const maps = Object.keys(files).filter((f) => f.endsWith('.map'));
  if (maps.length)
    problems.push(`dist/ holds source maps (${maps.join(', ')}): a development build or IWM_SOURCE_MAPS=1; ${REBUILD}`);
  for (const [name, limit] of Object.entries(budget)) {
    const body = files[name];
    if (!body) {
      problems.push(`dist/${name} is missing: ${REBUILD}`);
      continue;
    }
    const text = body.toString('utf8');
    if (/sourceMappingURL=/.test(text))
      problems.push(`dist/${name} links a source map: not a production build; ${REBUILD}`);
    // A development build is readable: thousands of lines, webpack's /***/ module markers.
    if (text.split('\n').length > 50 || text.includes('/***/'))
      problems.push(`dist/${name} is not minified (a development build): ${REBUILD}`);
    const gzip = gzipSync(body).length;
    const what = `Find what grew (npx webpack --mode production --json > stats.json, then a stats viewer), trim it, or raise the budget in ${BUDGET_FILE} with the reason in the commit message.`;
    if (body.length > limit.raw)
      problems.push(
        `dist/${name} is ${bytes(body.length)}, over its budget of ${bytes(limit.raw)} (${BUDGET_FILE}). ${what}`,
      );
    if (gzip > limit.gzip)
      problems.push(
        `dist/${name} is ${bytes(gzip)} gzipped, over its budget of ${bytes(limit.gzip)} gzipped (${BUDGET_FILE}). ${what}`,
      );
  }
  return problems;
}

function readDist(): Record<string, Buffer> {
  // Fails (never skips) without a build: the budget is only checked on real bundles.
  if (!existsSync(join(DIST, 'taskpane.html')))
    throw new Error(`dist/ has no add-in build (no dist/taskpane.html): ${REBUILD}`);
  return Object.fromEntries(filesUnder(DIST).map((f) => [f, readFileSync(join(DIST, f))]));
}

test('dist/ holds production bundles within their size budget', () => {
  expect(bundleProblems(readDist())).toEqual([]);
});

test('the budget covers both bundles, each with a raw and a gzip size', () => {
  expect(Object.keys(BUDGET.bundles).sort()).toEqual(['functions.js', 'taskpane.js']);
  for (const limit of Object.values(BUDGET.bundles)) {
    expect(Number.isInteger(limit.raw) && limit.raw > 0).toBe(true);
    expect(Number.isInteger(limit.gzip) && limit.gzip > 0 && limit.gzip < limit.raw).toBe(true);
  }
});

describe('each check fails on a broken build', () => {
  const minified = (n: number) => Buffer.from(`(()=>{${'var a=1;'.repeat(n)}})();`);
  const good = { 'functions.js': minified(10), 'taskpane.js': minified(10) };

  test('a good set passes', () => expect(bundleProblems(good)).toEqual([]));

  test.each<[string, Record<string, Buffer>, RegExp]>([
    ['a missing bundle', { 'functions.js': minified(10) }, /dist\/taskpane\.js is missing: run `npm run build:addin`/],
    ['a .map file', { ...good, 'functions.js.map': Buffer.from('{}') }, /source maps \(functions\.js\.map\)/],
    [
      'a sourceMappingURL',
      { ...good, 'taskpane.js': Buffer.from('x();\n//# sourceMappingURL=taskpane.js.map') },
      /taskpane\.js links a source map/,
    ],
    [
      'a development bundle',
      { ...good, 'functions.js': Buffer.from('/***/ "x":\n/***/ (() => {\n'.repeat(40)) },
      /functions\.js is not minified/,
    ],
  ])('%s', (_what, files, message) => {
    expect(bundleProblems(files).join('\n')).toMatch(message);
  });

  test('a bundle over its raw or gzip budget names the bundle, its size, the budget and what to do', () => {
    const tight = { 'functions.js': { raw: 50, gzip: 1000 }, 'taskpane.js': { raw: 10_000, gzip: 20 } };
    const problems = bundleProblems(good, tight).join('\n');
    expect(problems).toMatch(/dist\/functions\.js is \d+ bytes, over its budget of 50 bytes \(bundle-budget\.json\)/);
    expect(problems).toMatch(/dist\/taskpane\.js is \d+ bytes gzipped, over its budget of 20 bytes gzipped/);
    expect(problems).toMatch(/raise the budget in bundle-budget\.json/);
  });
});
