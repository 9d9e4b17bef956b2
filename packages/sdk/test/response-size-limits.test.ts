// A hostile or broken server cannot make the SDK buffer an unbounded body: the client reads at most
// `maxResponseBytes` (default 16 MiB) and the offline verifier 4 MiB per document, refusing a larger Content-Length up
// front and cancelling a stream as soon as it passes the cap. Against a real loopback server that counts what it
// managed to send before the client hung up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { ServerResponse, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAipVerifier, isVouchError, VouchApiError, VouchClient } from '../src/index.ts';

const MiB = 1024 * 1024;
let server: Server;
let base = '';
/** Bytes the server wrote for the last streamed body, and when its response closed (finished or cut off). */
const streamed = { bytes: 0, closed: Promise.resolve() };

/** Writes `total` bytes of a JSON string member with backpressure, stopping if the client goes away. */
function streamJson(res: ServerResponse, status: number, total: number): void {
  streamed.bytes = 0;
  streamed.closed = new Promise((resolve) => res.once('close', resolve));
  res.writeHead(status, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 'a');
  res.write('{"keys":[],"pad":"');
  const pump = () => {
    while (streamed.bytes < total && !res.destroyed) {
      const part = chunk.subarray(0, Math.min(chunk.length, total - streamed.bytes));
      streamed.bytes += part.length;
      if (!res.write(part)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end('"}');
  };
  pump();
}

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://x');
    const size = Number(url.searchParams.get('size') ?? '0');
    switch (url.pathname) {
      case '/api/v1/admin/keys': // a streamed 2xx body of `size` bytes, no Content-Length
        return streamJson(res, 200, size);
      case '/declared': // a Content-Length far over the cap, then nothing more until the client hangs up
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(size) });
        return void res.write('{"keys":[');
      case '/error': // a long error body: dropped, the status still makes the error
        return streamJson(res, 500, size);
      case '/.well-known/agent-registry.json':
        return res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            protocol: 'agent-identity-v2',
            issuer: base,
            jwks_uri: `${base}/.well-known/jwks.json`,
            revocations_endpoint: `${base}/api/registry/revocations`,
          }),
        );
      case '/.well-known/jwks.json':
        return streamJson(res, 200, 64 * MiB);
      default:
        return res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function tooLarge(max: number) {
  return (err: unknown) => {
    assert.ok(err instanceof VouchApiError, String(err));
    assert.equal(err.code, 'RESPONSE_TOO_LARGE', err.message);
    assert.equal(err.status, 200);
    assert.match(err.message, new RegExp(`answered more than ${max} bytes \\(maxResponseBytes\\)`));
    return true;
  };
}

test('VouchClient stops reading a 2xx body at 16 MiB by default and cancels the stream', async () => {
  const client = new VouchClient({ baseUrl: base, retry: { retries: 0 }, timeoutMs: 20_000 });
  await assert.rejects(
    client.http.call({ method: 'GET', path: '/api/v1/admin/keys', auth: [] }, { query: { size: 64 * MiB } }),
    tooLarge(16 * MiB),
  );
  await streamed.closed;
  assert.ok(streamed.bytes < 48 * MiB, `the client hung up early, after ${streamed.bytes / MiB} MiB of 64`);
});

test('maxResponseBytes: a Content-Length over it is refused before reading; error bodies are capped at 64 KiB', async () => {
  const client = new VouchClient({ baseUrl: base, retry: { retries: 0 }, maxResponseBytes: 4096, timeoutMs: 5000 });
  const get = (path: string, size: number) => client.http.call({ method: 'GET', path, auth: [] }, { query: { size } });
  assert.equal((await get('/api/v1/admin/keys', 1024)).status, 200, 'under the cap');
  await assert.rejects(get('/api/v1/admin/keys', 8192), tooLarge(4096));
  // The server sends the headers and 9 bytes of a declared 1 GiB: only the header can refuse it without a timeout.
  await assert.rejects(get('/declared', 1024 * MiB), tooLarge(4096));
  await assert.rejects(get('/error', 4 * MiB), (err: unknown) => {
    assert.ok(err instanceof VouchApiError);
    assert.deepEqual([err.code, err.status, err.body], ['HTTP_ERROR', 500, undefined]);
    return true;
  });
  assert.throws(() => new VouchClient({ baseUrl: base, maxResponseBytes: -1 }), { code: 'INVALID_ARGUMENT' });
});

test('createAipVerifier stops reading a document at 4 MiB and cancels the stream', async () => {
  const verifier = createAipVerifier({ issuer: base, now: () => Date.UTC(2026, 0, 1) });
  await assert.rejects(verifier.refreshKeys(), (err: unknown) => {
    assert.ok(isVouchError(err, 'AIP_RESPONSE_INVALID'), String(err));
    assert.match(err.message, /answered more than 4194304 bytes/);
    return true;
  });
  await streamed.closed;
  assert.ok(streamed.bytes < 32 * MiB, `the verifier hung up early, after ${streamed.bytes / MiB} MiB of 64`);
});
