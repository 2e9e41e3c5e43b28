/**
 * What Azure will see: every route of the table and the nightly timer are registered by
 * the files in api/src/functions with the intended route, methods and auth level, and
 * nothing else is. The Functions host's core module is stubbed (jest moduleNameMapper) so
 * registrations are recorded instead of skipped.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_METHODS, ROUTES } from '../../api/src/http/routes';
import { REFRESH_SCHEDULE } from '../../api/src/http/azure';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const core = require('@azure/functions-core') as {
  registered: { metadata: { name: string; bindings: Record<string, Record<string, unknown>> } }[];
};

const FUNCTIONS_DIR = join(__dirname, '../../api/src/functions');

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => {});
  for (const f of readdirSync(FUNCTIONS_DIR)
    .filter((f) => f.endsWith('.ts'))
    .sort())
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(join(FUNCTIONS_DIR, f));
});

function trigger(name: string) {
  const reg = core.registered.find((r) => r.metadata.name === name);
  if (!reg) throw new Error(`${name} is not registered`);
  return Object.values(reg.metadata.bindings).find((b) => String(b.type).endsWith('Trigger')) as Record<
    string,
    unknown
  >;
}

test('one file per trigger: each file registers exactly one function', () => {
  const files = readdirSync(FUNCTIONS_DIR).filter((f) => f.endsWith('.ts'));
  expect(core.registered).toHaveLength(files.length);
  expect(new Set(core.registered.map((r) => r.metadata.name)).size).toBe(files.length);
});

test.each(ROUTES.map((r) => [r.name, r] as const))('route %s is registered as in the route table', (name, spec) => {
  const t = trigger(name);
  expect(t.type).toBe('httpTrigger');
  expect(t.route).toBe(spec.route);
  expect(t.authLevel).toBe(spec.authLevel);
  expect([...(t.methods as string[])].sort()).toEqual([...ALL_METHODS].sort());
});

test('data routes need a function key; status and openapi are anonymous', () => {
  const levels = Object.fromEntries(ROUTES.map((r) => [r.route, r.authLevel]));
  expect(levels).toEqual({
    'v1/signal': 'function',
    'v1/batch': 'function',
    'v1/history': 'function',
    'v1/levels': 'function',
    'v1/debrief': 'function',
    'v1/backtest': 'function',
    'v1/calendar': 'function',
    'v1/status': 'anonymous',
    'v1/openapi.json': 'anonymous',
  });
});

test('unknown routes fall to an anonymous catch-all', () => {
  const t = trigger('notFound');
  expect(t.route).toBe('{*path}');
  expect(t.authLevel).toBe('anonymous');
});

test('the nightly refresh timer runs after the US close on weekdays', () => {
  const t = trigger('nightlyRefresh');
  expect(t.type).toBe('timerTrigger');
  expect(t.schedule).toBe(REFRESH_SCHEDULE);
  expect(t.schedule).toBe('0 30 22 * * 1-5');
  expect(t.runOnStartup).toBe(false);
});

test('the deployable app folder points Azure at the compiled function files', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const appPkg = require('../../api/package.json');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const rootPkg = require('../../package.json');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const host = require('../../api/host.json');
  expect(appPkg.main).toBe('dist/functions/*.js');
  expect(host.version).toBe('2.0');
  expect(host.extensionBundle.version).toBe('[4.*, 5.0.0)');
  expect(host.extensions.http.routePrefix).toBe('api');
  // The app's runtime dependencies are the root's (same ranges), so what is tested is what ships.
  expect(appPkg.dependencies).toEqual(rootPkg.dependencies);
  expect(appPkg.version).toBe(rootPkg.version);
});
