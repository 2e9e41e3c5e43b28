/**
 * The Functions app folder (api/) as a deployment uploads it: .funcignore leaves out the
 * TypeScript sources and node_modules, and api/package-lock.json pins, for the remote build
 * on Azure, the same versions the root lockfile installs for the tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ignore from 'ignore';

const API = join(__dirname, '..', '..', 'api');
const ROOT_LOCK = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package-lock.json'), 'utf8'));
const API_LOCK = JSON.parse(readFileSync(join(API, 'package-lock.json'), 'utf8'));
const API_PKG = JSON.parse(readFileSync(join(API, 'package.json'), 'utf8'));
const FUNCIGNORE = readFileSync(join(API, '.funcignore'), 'utf8');

type Lock = { packages: Record<string, { version?: string; dependencies?: Record<string, string> }> };

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else out.push(relative(API, full).split(sep).join('/'));
  }
  return out;
}

/** The files a deployment uploads: those the ignore rules do not match. */
function shipped(rules: string, files: string[]): string[] {
  const ig = ignore().add(rules);
  return files.filter((f) => !ig.ignores(f));
}

/** The app is compiled JavaScript plus the three files the Functions host and the remote build read. */
const isAppFile = (f: string) =>
  ['host.json', 'package.json', 'package-lock.json'].includes(f) || /^dist\/.+\.js$/.test(f);

/** Packages of `lock` whose version is not one the root lockfile (the tests' install) has. */
function versionsNotInRoot(lock: Lock, root: Lock): string[] {
  const tested = new Set<string>();
  for (const [path, p] of Object.entries(root.packages)) if (path) tested.add(`${nameOf(path)}@${p.version}`);
  return Object.entries(lock.packages)
    .filter(([path]) => path)
    .map(([path, p]) => `${nameOf(path)}@${p.version}`)
    .filter((id) => !tested.has(id));
}

function nameOf(lockPath: string): string {
  return lockPath.slice(lockPath.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

describe('api/.funcignore', () => {
  // The folder as it is (src/, and dist/ when built) plus what a developer's machine adds.
  const files = [...filesUnder(API).filter((f) => !f.startsWith('node_modules/')), 'node_modules/zod/index.js'];
  const extras = ['local.settings.json', 'dist/cli/main.js.map', 'dist/cli/main.d.ts'];

  test('uploads only the compiled app, host.json, package.json and the lockfile', () => {
    const up = shipped(FUNCIGNORE, [...files, ...extras]);
    expect(up.filter((f) => !isAppFile(f))).toEqual([]);
    for (const f of ['host.json', 'package.json', 'package-lock.json']) expect(up).toContain(f);
    expect(files.some((f) => f.startsWith('src/'))).toBe(true);
  });

  test('would fail if the sources or node_modules were uploaded', () => {
    const withoutSrc = FUNCIGNORE.replace(/^src\/$/m, '');
    expect(shipped(withoutSrc, files).filter((f) => !isAppFile(f))).toContain('src/functions/signal.ts');
    const withoutModules = FUNCIGNORE.replace(/^node_modules\/$/m, '');
    expect(shipped(withoutModules, files).filter((f) => !isAppFile(f))).toEqual(['node_modules/zod/index.js']);
  });

  test('keeps the compiled function files when they are built', () => {
    const built = files.filter((f) => /^dist\/functions\/.+\.js$/.test(f));
    if (!built.length) throw new Error('api/dist is not built: run "npm run build" first (npm test does)');
    expect(shipped(FUNCIGNORE, built)).toEqual(built);
  });
});

describe('api/package-lock.json', () => {
  test('locks exactly the dependencies api/package.json declares', () => {
    expect(API_LOCK.packages[''].dependencies).toEqual(API_PKG.dependencies);
    expect(API_LOCK.packages[''].version).toBe(API_PKG.version);
  });

  test('resolves the versions the tests run against (the root lockfile)', () => {
    expect(versionsNotInRoot(API_LOCK, ROOT_LOCK)).toEqual([]);
    // The check can fail: a version the root does not install is reported.
    const drifted: Lock = structuredClone(API_LOCK);
    drifted.packages['node_modules/zod'].version = '0.0.1';
    expect(versionsNotInRoot(drifted, ROOT_LOCK)).toEqual(['zod@0.0.1']);
  });

  test('keeps engines >=20 for local use (Azure runs Node 22: infra/main.bicep)', () => {
    expect(API_PKG.engines.node).toBe('>=20');
    expect(API_LOCK.packages[''].engines.node).toBe('>=20');
  });
});
