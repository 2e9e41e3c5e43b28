/**
 * The suite always ends by itself: a test file whose setup timed out while starting a server,
 * and whose test fails, still lets jest exit (with failure) instead of waiting on the socket.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
/** Only a hang reaches this; the run itself takes a few seconds. */
const KILL_AFTER_MS = 90_000;

test('a failing file with a late server still ends the jest run, as a failure', async () => {
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/jest/bin/jest.js'),
      '--ci',
      '--runInBand',
      '--testMatch',
      '**/late-server.fixture.ts',
      '--roots',
      '<rootDir>/test/support/fixtures',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, KILL_AFTER_MS);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  expect(killed).toBe(false);
  expect(code).toBe(1);
  expect(output).toMatch(/fails on purpose/);
  expect(output).toMatch(/Exceeded timeout of 500 ms for a hook/);
}, 120_000);
