// A path parameter of "." or ".." is refused before anything is sent: encodeURIComponent leaves them as they are,
// and URL parsing resolves them as path steps, so `registry.issuer('..')` asked GET /v1/registry/: another route
// than the caller named, with the client's credentials.
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
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"sequence":1,"status":"active"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('"." and ".." path parameters are INVALID_ARGUMENT and send nothing; names with dots still go out encoded', async () => {
  const client = new VouchClient({
    baseUrl: base,
    retry: { retries: 0 },
    credentials: { adminKey: 'vouch_admin_test' },
  });
  for (const id of ['.', '..']) {
    await assert.rejects(client.registry.issuer(id), (err: unknown) => {
      assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), `issuer(${JSON.stringify(id)}): ${String(err)}`);
      return true;
    });
  }
  assert.deepEqual(seen, [], 'no request left the client');
  for (const id of ['...', '.hidden', 'a..b', '%2E%2E']) await client.registry.issuer(id);
  assert.deepEqual(seen, [
    'GET /v1/registry/issuers/...',
    'GET /v1/registry/issuers/.hidden',
    'GET /v1/registry/issuers/a..b',
    'GET /v1/registry/issuers/%252E%252E',
  ]);
});
