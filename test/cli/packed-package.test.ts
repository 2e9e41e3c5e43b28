/**
 * The package as a user gets it: `npm pack`, install the tarball into an empty folder, run
 * the installed `iwm-signals`. A file missing from package.json's `files` (api/package.json
 * was: the CLI could not start) fails here, not on a user's machine. Also the launcher's
 * errors: "not built" only when the compiled entry is absent, the real error otherwise.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../api/src/cli/main';
import { generateSample } from '../../api/src/data/sample';
import { csvOf } from '../support/csv-fixture';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'iwm-signals.js');
// npm pack and npm install on a loaded 2-core machine: minutes, not seconds. No duration is asserted.
const SETUP_MS = 600_000;

/** The environment without the caller's IWM_* settings, so only what a test sets applies. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('IWM_')) env[k] = v;
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], cwd: string, env = cleanEnv()): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: SETUP_MS });
}

function mustRun(cmd: string, args: string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

describe('the packed package', () => {
  let dir: string;
  let dataDir: string;
  let installed: string;

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'api', 'dist', 'cli', 'main.js')))
      throw new Error('api/dist is not built: run "npm run build" first (npm test does)');
    dir = mkdtempSync(join(tmpdir(), 'iwm-pack-'));
    // --ignore-scripts: pack what `npm run build` compiled; `prepare` would rebuild api/dist
    // under the feet of other test files that run the compiled CLI at the same time.
    const packed = JSON.parse(mustRun('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], ROOT));
    const tarball = join(dir, packed[0].filename);
    const prefix = join(dir, 'install');
    mkdirSync(prefix);
    mustRun('npm', ['install', tarball, '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline'], dir);
    installed = join(prefix, 'node_modules', '.bin', 'iwm-signals');
    // Small real data (400 sessions): the command reads it through the same store and service as the API.
    const sample = generateSample({ seed: 11, sessions: 400, members: 0 });
    dataDir = join(dir, 'market');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'IWM.csv'), csvOf(sample.primary));
    writeFileSync(join(dataDir, 'SPY.csv'), csvOf(sample.benchmark));
  }, SETUP_MS);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('its iwm-signals prints the same reading as the source tree', async () => {
    const argv = ['signal', '--json', '--source', 'csv', '--data-dir', dataDir, '--store', 'memory'];
    const r = run(installed, argv, dir);
    // On failure, show what the command said (its log lines go to stderr too).
    expect([r.status, r.status === 0 ? '' : r.stderr]).toEqual([0, '']);
    const reading = JSON.parse(r.stdout);

    const out: string[] = [];
    const code = await runCli(argv, { out: (t) => out.push(t), err: () => {}, env: cleanEnv() });
    expect(code).toBe(0);
    const expected = JSON.parse(out.join('\n'));
    expect(reading.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(reading.date).toBe(expected.date);
    expect(reading.close).toBe(expected.close);
    expect(reading.composite).toEqual(expected.composite);
    expect(reading.meta.source).toBe('csv');
  });

  test('its status reports the version from the shipped api/package.json', () => {
    const r = run(installed, ['status', '--json', '--source', 'csv', '--data-dir', dataDir, '--store', 'memory'], dir);
    expect([r.status, r.status === 0 ? '' : r.stderr]).toEqual([0, '']);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(JSON.parse(r.stdout).version).toBe(require('../../api/package.json').version);
  });
});

describe('the launcher bin/iwm-signals.js', () => {
  let dir: string;
  beforeEach(() => {
    // A copy of the launcher beside a hand-made api/dist, so each case sets up what is missing.
    dir = mkdtempSync(join(tmpdir(), 'iwm-bin-'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(BIN, join(dir, 'bin', 'iwm-signals.js'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const launch = () => run(process.execPath, [join(dir, 'bin', 'iwm-signals.js'), 'status'], dir);

  test('says the CLI is not built only when the compiled entry file is absent', () => {
    const r = launch();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the compiled CLI is missing');
    expect(r.stderr).toContain(join('api', 'dist', 'cli', 'main.js'));
  });

  test('shows the real error when a module the CLI requires cannot load', () => {
    mkdirSync(join(dir, 'api', 'dist', 'cli'), { recursive: true });
    writeFileSync(join(dir, 'api', 'dist', 'cli', 'main.js'), "require('../../package.json');\n");
    expect(readdirSync(join(dir, 'api'))).toEqual(['dist']);
    const r = launch();
    expect(r.status).toBe(1);
    expect(r.stderr).not.toContain('the compiled CLI is missing');
    expect(r.stderr).toContain("Cannot find module '../../package.json'");
    expect(r.stderr).toContain(join('api', 'dist', 'cli', 'main.js'));
  });

  test('shows a syntax error in the compiled CLI as itself', () => {
    mkdirSync(join(dir, 'api', 'dist', 'cli'), { recursive: true });
    writeFileSync(join(dir, 'api', 'dist', 'cli', 'main.js'), 'exports.runCli = (;\n');
    const r = launch();
    expect(r.status).toBe(1);
    expect(r.stderr).not.toContain('the compiled CLI is missing');
    expect(r.stderr).toContain('SyntaxError');
  });
});
