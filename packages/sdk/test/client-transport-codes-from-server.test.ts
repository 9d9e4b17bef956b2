// The client retries an idempotent call when no answer came (its own NETWORK_ERROR and REQUEST_TIMEOUT, status 0),
// never because a server's error body names one of those codes: a 4xx whose body says `"code": "NETWORK_ERROR"` is
// the server's refusal, passed through verbatim with its status and sent once. Before, such an answer was taken
// for a lost one and sent again `retries` times. Against a loopback server that answers what it likes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VouchApiError, VouchClient } from '../src/index.ts';

const answer = { status: 400, code: 'NETWORK_ERROR' };
let requests = 0;
let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    requests++;
    res
      .writeHead(answer.status, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: 'the server says so', code: answer.code }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

test("a 4xx whose body names a transport code is the server's refusal: not retried, code and status kept", async () => {
  const waits: number[] = [];
  const client = new VouchClient({
    baseUrl: base,
    retry: { retries: 2 },
    sleep: async (ms) => void waits.push(ms),
    random: () => 0.5,
  });
  for (const [status, code] of [
    [400, 'NETWORK_ERROR'],
    [404, 'REQUEST_TIMEOUT'],
    [403, 'NETWORK_ERROR'],
  ] as const) {
    Object.assign(answer, { status, code });
    requests = 0;
    waits.length = 0;
    await assert.rejects(client.server.health(), (err: unknown) => {
      assert.ok(err instanceof VouchApiError, String(err));
      assert.deepEqual([err.code, err.status, err.message], [code, status, 'the server says so']);
      return true;
    });
    assert.equal(requests, 1, `${status} ${code}: sent once`);
    assert.deepEqual(waits, []);
  }

  // A 503 is retried as any 503 is, whatever its body says.
  Object.assign(answer, { status: 503, code: 'NETWORK_ERROR' });
  requests = 0;
  await assert.rejects(client.server.health(), { code: 'NETWORK_ERROR', status: 503 });
  assert.equal(requests, 3);
});
