import assert from 'node:assert/strict';
import { connect } from 'node:net';

/** An answer read off a raw socket: the bytes, the status, the headers (names lower-cased) and the body. */
export interface RawAnswer {
  raw: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Splits the first answer in `raw` into its status, headers and what follows its head. */
export function parseRawAnswer(raw: string): RawAnswer {
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no complete response head in ${JSON.stringify(raw)}`);
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { raw, status: Number(statusLine!.split(' ')[1]), headers, body: raw.slice(end + 4) };
}

/**
 * Sends raw bytes on a fresh loopback connection to `port` and reads everything until the server closes it: for
 * requests a client library will not send (a malformed head, a `*` target, CONNECT). The bytes should end the
 * exchange (`Connection: close`, or a request the server answers by closing).
 */
export function sendRawAnswer(port: number, bytes: string): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    // A reset after the answer still leaves the answer: what was read is what the client saw.
    socket.on('error', () => {});
    socket.on('close', () => resolve(parseRawAnswer(Buffer.concat(chunks).toString('latin1'))));
    socket.write(bytes);
  });
}
