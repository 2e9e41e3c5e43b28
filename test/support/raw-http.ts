/**
 * HTTP/1.1 over a raw socket: the request goes out byte for byte as written (fetch and
 * http.request refuse or repair what these tests must send: unknown methods, bad
 * framing, oversized headers, a body that never ends), and the answer is parsed by hand.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Problem } from '../../api/src/contracts/problem';

export interface RawReply {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  /** Whether the server closed the connection after answering. */
  closed: boolean;
}

export interface RawTarget {
  port: number;
  /** PEM CA to trust: connect with TLS (servername localhost). */
  ca?: Buffer | string;
}

function connect(target: RawTarget): net.Socket {
  return target.ca
    ? tls.connect({ host: '127.0.0.1', port: target.port, ca: target.ca, servername: 'localhost' })
    : net.connect(target.port, '127.0.0.1');
}

/** Parses the response at the start of `bytes` and how many bytes it took; null while incomplete. */
function parseReply(bytes: Buffer, closed: boolean): { reply: RawReply; used: number } | null {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = bytes.subarray(end + 4);
  const length = headers['content-length'] === undefined ? null : Number(headers['content-length']);
  if (length === null ? !closed : rest.length < length) return null;
  const body = rest.subarray(0, length ?? rest.length);
  return {
    reply: { status: Number(statusLine.split(' ')[1]), headers, body: body.toString('utf8'), closed },
    used: end + 4 + body.length,
  };
}

/** Every complete response in `bytes`, in order. */
function parseReplies(bytes: Buffer, closed: boolean): RawReply[] {
  const out: RawReply[] = [];
  for (let rest = bytes, next; (next = parseReply(rest, closed)); rest = rest.subarray(next.used)) out.push(next.reply);
  return out;
}

/**
 * Sends `chunks` (the socket stays open after the last one, as a stalled client's would)
 * and resolves with the responses once `enough` of them are complete (then `closed` is
 * false) or once the server closes the connection (then `closed` is true).
 */
function exchange(target: RawTarget, enough: (replies: RawReply[]) => boolean, chunks: (string | Buffer)[]) {
  return new Promise<RawReply[]>((resolve) => {
    const socket = connect(target);
    let bytes = Buffer.alloc(0);
    const finish = (closed: boolean) => {
      socket.destroy();
      resolve(parseReplies(bytes, closed).map((r) => ({ ...r, closed })));
    };
    socket.on('data', (d: Buffer) => {
      bytes = Buffer.concat([bytes, d]);
      if (enough(parseReplies(bytes, false))) finish(false);
    });
    socket.on('close', () => finish(true));
    // A reset after the answer is fine (the server closes while the client may still send).
    socket.on('error', () => undefined);
    for (const c of chunks) socket.write(c);
  });
}

/**
 * The first response to `chunks`; when it says `connection: close`, only once the server
 * has closed the connection too (a server that never closes fails the test by timeout).
 */
export async function rawRequest(target: RawTarget, ...chunks: (string | Buffer)[]): Promise<RawReply> {
  const [first] = await exchange(
    target,
    (replies) => replies.length > 0 && replies[0].headers.connection?.toLowerCase() !== 'close',
    chunks,
  );
  if (!first) throw new Error('the server closed the connection without a complete response');
  return first;
}

/** Every response the server sends to `chunks` before it closes the connection. */
export function rawReplies(target: RawTarget, ...chunks: (string | Buffer)[]): Promise<RawReply[]> {
  return exchange(target, () => false, chunks);
}

/** The reply's body as a problem document, checking the media type and that the status matches. */
export function problemOf(reply: RawReply): Problem {
  expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(reply.body) as Problem;
  expect(problem.status).toBe(reply.status);
  return problem;
}
