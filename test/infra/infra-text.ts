/**
 * Reading the deployment files as text, for the structural tests of test/infra. The Bicep
 * cannot be compiled here (its compiler is a downloaded binary), so infra/main.bicep is kept
 * regular and read with small patterns; the settings the app reads come from the app's own
 * source, so a new IWM_* variable fails the test until the Bicep has it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

export const ROOT = join(__dirname, '..', '..');

export function readText(relativePath: string): string {
  return readFileSync(join(ROOT, relativePath), 'utf8');
}

export interface BicepParam {
  name: string;
  /** The decorator lines right above it (`@secure()`, `@description(...)`, ...). */
  decorators: string[];
  /** The text after the type: `= 'sample'`, or '' for a required parameter. */
  defaultValue: string;
}

/** Every `param` of a Bicep file with the decorator lines directly above it. */
export function bicepParams(bicep: string): BicepParam[] {
  const lines = bicep.split('\n');
  const out: BicepParam[] = [];
  lines.forEach((line, i) => {
    const m = /^param (\w+) [^=]+?(=.*)?$/.exec(line);
    if (!m) return;
    const decorators: string[] = [];
    for (let j = i - 1; j >= 0 && lines[j].trim() !== '' && !lines[j].startsWith('param '); j--)
      decorators.unshift(lines[j].trim());
    out.push({ name: m[1], decorators, defaultValue: (m[2] ?? '').trim() });
  });
  return out;
}

/** Keys written as `  NAME: value` lines (the app settings objects of the Bicep). */
export function bicepKeys(bicep: string, pattern: RegExp): Set<string> {
  const keys = new Set<string>();
  for (const m of bicep.matchAll(/^\s+([A-Za-z_][A-Za-z0-9_]*)\s*:/gm)) if (pattern.test(m[1])) keys.add(m[1]);
  return keys;
}

const SETTING = /\bIWM_[A-Z][A-Z0-9_]*\b/g;

/** The .ts files reachable by relative imports from the given entry files. */
function importClosure(entries: string[]): string[] {
  const seen = new Set<string>();
  const todo = [...entries];
  while (todo.length) {
    const file = todo.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imported of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!imported.fileName.startsWith('.')) continue;
      const base = resolve(dirname(file), imported.fileName);
      const hit = [`${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f));
      if (hit) todo.push(hit);
    }
  }
  return [...seen];
}

/**
 * IWM_* names in a file's string literals (`env, 'IWM_STORE'`, messages naming a variable)
 * and property reads (`env.IWM_DATA_DIR`). Comments and identifiers (a constant such as
 * `IWM_BETA` in the sample generator) are not settings.
 */
export function settingNamesIn(source: string): string[] {
  const file = ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) out.push(...(node.text.match(SETTING) ?? []));
    else if (ts.isPropertyAccessExpression(node)) out.push(...(node.name.text.match(SETTING) ?? []));
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/**
 * Every IWM_* variable the deployed Functions app reads: the names in the files its entry
 * points (api/src/functions/*.ts) import. The local host and the CLI (api/src/host,
 * api/src/cli) are not reached, so their local-only variables are not expected on Azure.
 */
export function settingsReadByFunctionsApp(): string[] {
  const dir = join(ROOT, 'api', 'src', 'functions');
  const files = importClosure(readdirSync(dir).map((f) => join(dir, f)));
  return [...new Set(files.flatMap((f) => settingNamesIn(readFileSync(f, 'utf8'))))].sort();
}
