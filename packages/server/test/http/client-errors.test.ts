// Requests Node's HTTP parser refuses before Fastify sees them (malformed, headers too large, timed out) are answered
// with the API's `{error, code}` JSON over a real loopback socket, and nothing the client sent is echoed or logged.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { TestApp } from '../helpers/app.ts';
import { listeningApps, parseRawAnswer, sendRawAnswer } from '../helpers/raw-http.ts';
import type { RawAnswer } from '../helpers/raw-http.ts';

const MARKER = 'raw-bytes-marker-5c1e';

const listening = listeningApps('vouch-client-errors-');
let vouch: TestApp;
let port: number;

before(async () => {
  // Trace: whatever any layer logs about a refused request is captured, to prove the raw bytes are not in it.
  ({ vouch, port } = await listening({ VOUCH_LOG_LEVEL: 'trace' }));
});

/** Everything the server sends on one connection until it closes it. */
function collect(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    // A reset after the answer still leaves the answer: what was read is what the client saw.
    socket.on('error', () => {});
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

/** Sends raw bytes on a fresh loopback connection and reads the answer until the server closes the connection. */
function sendRaw(bytes: string): Promise<RawAnswer> {
  return sendRawAnswer(port, bytes);
}

/** A client connection and the server's side of it. */
async function connectPair(): Promise<{ client: Socket; server: Socket }> {
  const accepted = new Promise<Socket>((resolve) => vouch.app.server.once('connection', resolve));
  const client = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => client.once('connect', resolve));
  return { client, server: await accepted };
}

function assertVouchError(res: RawAnswer, status: number, code: string): void {
  assert.equal(res.status, status, res.raw);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  assert.equal(body.code, code, res.raw);
  assert.deepEqual(Object.keys(body).sort(), ['code', 'error']);
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(res.headers['connection'], 'close');
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  // Like every other answer (Fastify's, the 417 and the CONNECT 405): the id a client quotes to an operator.
  assert.match(res.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/, res.raw);
  assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.body, 'latin1'));
  assert.equal(typeof body.error, 'string');
  assert.ok((body.error as string).length > 0);
}

test('a malformed header is answered 400 VALIDATION_FAILED and the connection is closed', async () => {
  const res = await sendRaw('GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
  assertVouchError(res, 400, 'VALIDATION_FAILED');
});

test('a garbage request line is answered 400 VALIDATION_FAILED', async () => {
  const res = await sendRaw('NOT AN HTTP REQUEST\r\n\r\n');
  assertVouchError(res, 400, 'VALIDATION_FAILED');
});

test("a header block larger than Node's maximum header size is answered 431 HEADERS_TOO_LARGE", async () => {
  const big = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${MARKER}${'a'.repeat(20 * 1024)}\r\n\r\n`;
  const res = await sendRaw(big);
  assertVouchError(res, 431, 'HEADERS_TOO_LARGE');
  assert.ok(!res.raw.includes(MARKER));
});

test('a request timeout (as Node reports it on the connection) is answered 408 REQUEST_TIMEOUT', async () => {
  // Node checks request timeouts every 30 s by default, so the test raises the event Node raises, with the same
  // error code, on a real connection whose request is incomplete: this drives the handler the app installed.
  const { client, server } = await connectPair();
  const done = collect(client);
  client.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
  const err = Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
  vouch.app.server.emit('clientError', err, server);
  assertVouchError(parseRawAnswer(await done), 408, 'REQUEST_TIMEOUT');
});

test('the raw request bytes are echoed in neither the answer nor the logs', async () => {
  const before = vouch.logs.lines.length;
  const res = await sendRaw(`GET / HTTP/1.1\r\nHost: x\r\nBad ${MARKER} Header\r\n\r\n`);
  assertVouchError(res, 400, 'VALIDATION_FAILED');
  assert.ok(!res.raw.includes(MARKER), res.raw);
  const logged = vouch.logs.lines.slice(before).join('\n');
  assert.match(logged, /client error/, 'the refusal is logged (at trace here), so the checks below see the line');
  assert.ok(!logged.includes(MARKER), logged);
  // The packet is not logged in any form, e.g. as the byte list a Buffer serializes to.
  assert.ok(!/rawPacket/.test(logged), logged);
});

test('a connection whose response already started is closed without another response written on it', async () => {
  const { client, server } = await connectPair();
  const done = collect(client);
  // What Node's socket holds while a response is in flight, once its head has been written.
  (server as Socket & { _httpMessage?: unknown })._httpMessage = { headersSent: true };
  vouch.app.server.emit('clientError', Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD' }), server);
  assert.equal(await done, '');
});

test('a connection the peer reset (ECONNRESET) is closed without an answer written on it', async () => {
  const { client, server } = await connectPair();
  const done = collect(client);
  // Node reports a reset while its socket may still look writable: the peer is gone, nobody reads an answer.
  vouch.app.server.emit('clientError', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), server);
  assert.equal(await done, '');
  assert.ok(server.destroyed);
});

test('an HTTP/1.1 request without Host is answered 400 VALIDATION_FAILED in JSON, not a bare 400', async () => {
  // RFC 9112 §3.2 asks a 400 for it; Node's own check answered one with no body and none of the API's headers.
  const res = await sendRaw('GET /healthz HTTP/1.1\r\nAccept: application/json\r\n\r\n');
  assert.equal(res.status, 400, res.raw);
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8', res.raw);
  assert.equal(res.headers['connection'], 'close', res.raw);
  assert.equal(res.headers['cache-control'], 'no-store', res.raw);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', res.raw);
  assert.match(res.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/, res.raw);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  assert.equal(body.code, 'VALIDATION_FAILED');
  assert.match(String(body.error), /Host/);
  // HTTP/1.0 has no Host requirement: answered as before.
  assert.equal((await sendRaw('GET /healthz HTTP/1.0\r\n\r\n')).status, 200);
});

test('a request with two Host header lines is answered 400 VALIDATION_FAILED, not served for the first', async () => {
  // RFC 9112 §3.2 asks a 400 for more than one Host line. Node keeps the first and drops the rest, so a proxy that
  // routed on the second one and this server would each believe a different host (the public URL's checks, logs).
  for (const hosts of ['Host: a.example\r\nHost: b.example', 'Host: x\r\nhOST: x']) {
    const res = await sendRaw(`GET /healthz HTTP/1.1\r\n${hosts}\r\nAccept: application/json\r\n\r\n`);
    assert.equal(res.status, 400, res.raw);
    assert.equal(res.headers['connection'], 'close', res.raw);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    assert.equal(body.code, 'VALIDATION_FAILED');
    assert.match(String(body.error), /one Host header/);
  }
  // One Host line, in any case, and a header merely ending in "host" are served as before.
  assert.equal(
    (await sendRaw('GET /healthz HTTP/1.1\r\nhost: x\r\nX-Forwarded-Host: y\r\nConnection: close\r\n\r\n')).status,
    200,
  );
});

test('an Expect other than 100-continue is answered 417 EXPECTATION_FAILED in JSON, not a bare 417', async () => {
  // Node answers such a request itself (RFC 9110 §10.1.1) with no body and none of the API's headers.
  const res = await sendRaw(
    'POST /api/registry/verify HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\n',
  );
  assert.equal(res.status, 417, res.raw);
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8', res.raw);
  assert.equal(res.headers['connection'], 'close', res.raw);
  assert.equal(res.headers['cache-control'], 'no-store', res.raw);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', res.raw);
  assert.match(res.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/, res.raw);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  assert.equal(body.code, 'EXPECTATION_FAILED');
  assert.ok(!res.raw.includes('200-ok'), 'the expectation is not echoed');
  // 100-continue is still taken: the body follows and the route answers.
  const ok = await sendRaw('GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n');
  assert.match(ok.raw, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
});
