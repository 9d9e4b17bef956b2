// A path parameter that is not well-formed UTF-16 (a lone surrogate, e.g. half of an emoji cut by `slice`) is refused
// with INVALID_ARGUMENT before anything is sent. Before, encodeURIComponent threw a bare URIError ("URI malformed"),
// which is no VouchError: callers switching on `err.code` saw undefined.
// Against a loopback server that records every request it gets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isVouchError, VouchClient } from '../src/index.ts';

const seen: string[] = [];
let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"slug":"x"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('a path parameter with a lone surrogate is INVALID_ARGUMENT and sends nothing; a whole emoji goes out encoded', async () => {
  const client = new VouchClient({ baseUrl: base, retry: { retries: 0 } });
  const emoji = '\u{1F600}';
  for (const slug of [emoji.slice(0, 1), `bot${emoji.slice(1)}`]) {
    await assert.rejects(client.identity.get(slug), (err: unknown) => {
      assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), `get(${JSON.stringify(slug)}): ${String(err)}`);
      assert.match((err as Error).message, /"slug"/);
      return true;
    });
  }
  assert.deepEqual(seen, [], 'no request left the client');
  await client.identity.get(`bot${emoji}`);
  assert.deepEqual(seen, ['GET /v1/identity/bot%F0%9F%98%80']);
});
