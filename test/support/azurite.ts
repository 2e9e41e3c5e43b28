/**
 * Starts a private Azurite (Azure Storage emulator) for one test file: in memory, on ports
 * the OS picks, so test files running in parallel jest workers never share state or ports.
 *
 * Azurite 3.35 accepts port 0 and prints the port it bound ("... successfully listening at
 * http://127.0.0.1:41234") even with --silent (which only silences the access log), so the
 * ports are read from its output rather than guessed beforehand, which would race with
 * other workers. It is spawned with `node <bin>` rather than npx to skip npm's start-up.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { onTeardown } from './teardown';

export interface Azurite {
  connectionString: string;
  blobPort: number;
  tablePort: number;
  stop(): Promise<void>;
}

/** Microsoft's published development-storage account (a well-known, public test key). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

function azuriteBin(): string {
  const pkgPath = require.resolve('azurite/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin: Record<string, string> };
  return path.resolve(path.dirname(pkgPath), pkg.bin.azurite);
}

/** Resolves once something accepts TCP connections on the port. */
async function waitForPort(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} does not accept connections`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startAzurite(): Promise<Azurite> {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'azurite-'));
  const args = [
    azuriteBin(),
    '--silent',
    // --location is refused together with --inMemoryPersistence; the cwd (a temp folder)
    // catches anything Azurite still writes (debug logs).
    '--inMemoryPersistence',
    '--blobHost',
    '127.0.0.1',
    '--tableHost',
    '127.0.0.1',
    '--queueHost',
    '127.0.0.1',
    '--blobPort',
    '0',
    '--tablePort',
    '0',
    '--queuePort',
    '0',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
  ];
  const child = spawn(process.execPath, args, { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Stopped when the test file ends even if its setup timed out before it got the handle.
  onTeardown(() => stop());
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const stop = async (): Promise<void> => {
    if (!hasExited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(workspace, { recursive: true, force: true });
  };

  const ports = new Promise<{ blob: number; table: number }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no listening ports after ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    const check = () => {
      const blob = /Blob service is successfully listening at http:\/\/[^:]+:(\d+)/.exec(stdout);
      const table = /Table service is successfully listening at http:\/\/[^:]+:(\d+)/.exec(stdout);
      if (blob && table) {
        clearTimeout(timer);
        resolve({ blob: Number(blob[1]), table: Number(table[1]) });
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      check();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`azurite exited with code ${code}`));
    });
  });

  try {
    const { blob, table } = await ports;
    const deadline = Date.now() + START_TIMEOUT_MS;
    await waitForPort(blob, deadline);
    await waitForPort(table, deadline);
    const host = (port: number) => `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
    const connectionString =
      `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
      `BlobEndpoint=${host(blob)};TableEndpoint=${host(table)};`;
    return { connectionString, blobPort: blob, tablePort: table, stop };
  } catch (err) {
    await stop();
    throw new Error(
      `Azurite did not start: ${(err as Error).message}\n--- stderr ---\n${stderr.slice(-4000)}\n` +
        `--- stdout ---\n${stdout.slice(-4000)}`,
      { cause: err },
    );
  }
}
