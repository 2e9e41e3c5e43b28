/**
 * Every test file ends with nothing left running, even when its setup failed or timed out.
 *
 * A `beforeAll` that times out on a loaded machine leaves its promise running: the server
 * it was starting listens a moment later, the variable the `afterAll` would close is never
 * assigned, and the jest worker (so the whole run) then waits for that socket forever.
 * Tracking servers where they start listening, and resources where they are created,
 * closes them whatever the test file's own hooks managed to do.
 *
 * Loaded by jest's `setupFilesAfterEnv`, once per test file.
 */
import * as net from 'node:net';

type Closer = () => Promise<unknown> | unknown;

const TRACKED = Symbol.for('iwm.test.tracked-servers');
/** Shared by every test file of one jest worker (net.Server.prototype is patched once). */
interface Tracked {
  servers: Set<net.Server>;
  /** The current file has ended: a server that starts listening now is closed at once. */
  ended: boolean;
}
type Patched = typeof net.Server.prototype & { [TRACKED]?: Tracked };

function tracked(): Tracked {
  const proto = net.Server.prototype as Patched;
  if (!proto[TRACKED]) {
    const state: Tracked = { servers: new Set(), ended: false };
    const listen = proto.listen;
    // http.Server and https.Server inherit net.Server's listen, so one patch covers them all.
    proto.listen = function (this: net.Server, ...args: unknown[]) {
      state.servers.add(this);
      this.once('close', () => state.servers.delete(this));
      if (state.ended) this.once('listening', () => void closeServer(this));
      return (listen as (...a: unknown[]) => net.Server).apply(this, args);
    } as typeof proto.listen;
    proto[TRACKED] = state;
  }
  return proto[TRACKED];
}

const closers: Closer[] = [];
let ended = false;

/**
 * Registers a clean-up to run when the test file ends (browsers, child processes, temp
 * folders). Registered after the file ended (a setup that finished too late), it runs at once.
 */
export function onTeardown(close: Closer): void {
  if (ended)
    void Promise.resolve()
      .then(close)
      .catch(() => undefined);
  else closers.push(close);
}

const state = tracked();
state.ended = false;
const SERVER_CLOSE_MS = 5_000;

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, SERVER_CLOSE_MS);
    timer.unref();
    (server as net.Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

afterAll(async () => {
  ended = true;
  state.ended = true;
  for (const close of closers.splice(0).reverse()) {
    try {
      await close();
    } catch {
      // Best effort: the file's own hooks may have closed it already.
    }
  }
  const left = [...state.servers];
  state.servers.clear();
  // One still binding (its setup outlived the file) is closed as soon as it listens.
  for (const s of left) if (!s.listening) s.once('listening', () => void closeServer(s));
  await Promise.all(left.filter((s) => s.listening).map(closeServer));
}, 60_000);
