// A CONNECT request (a tunnel, which this server never opens) reaches Node's `connect` event, not Fastify: with no
// listener Node drops the connection without a word. It is answered 405 in the API's JSON, and nothing is tunnelled.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { listeningApps, sendRawAnswer } from '../helpers/raw-http.ts';

const listening = listeningApps('vouch-connect-');
let port: number;

before(async () => {
  ({ port } = await listening());
});

/** Sends raw bytes on a fresh loopback connection and reads everything until the server closes it. */
async function sendRaw(bytes: string): Promise<string> {
  return (await sendRawAnswer(port, bytes)).raw;
}

test('CONNECT is answered 405 METHOD_NOT_ALLOWED in JSON and the connection closed, the tunnel bytes unread', async () => {
  const raw = await sendRaw('CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\nSSH-2.0-tunnelled-bytes\r\n');
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no answer: ${JSON.stringify(raw)}`);
  const [status, ...lines] = raw.slice(0, end).split('\r\n');
  assert.match(status!, /^HTTP\/1\.1 405 /, raw);
  const headers = Object.fromEntries(
    lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  assert.equal(headers['content-type'], 'application/json; charset=utf-8', raw);
  assert.equal(headers['allow'], '', raw);
  assert.equal(headers['connection'], 'close', raw);
  assert.equal(headers['cache-control'], 'no-store', raw);
  assert.equal(headers['x-content-type-options'], 'nosniff', raw);
  assert.match(headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/, raw);
  const body = raw.slice(end + 4);
  assert.equal(Number(headers['content-length']), Buffer.byteLength(body, 'latin1'), raw);
  const json = JSON.parse(body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json).sort(), ['code', 'error']);
  assert.equal(json.code, 'METHOD_NOT_ALLOWED');
  // Neither the target nor the bytes after the head come back.
  assert.ok(!raw.includes('127.0.0.1:22') && !raw.includes('SSH-2.0'), raw);
  // The server goes on serving.
  const ok = await sendRaw('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(ok, /^HTTP\/1\.1 200 /);
});

test('a request asking to upgrade the connection is served as an ordinary request', async () => {
  const raw = await sendRaw(
    'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, close\r\nUpgrade: websocket\r\n\r\n',
  );
  assert.match(raw, /^HTTP\/1\.1 200 /, raw);
});
