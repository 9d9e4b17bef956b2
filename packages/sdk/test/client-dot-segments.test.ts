// A path parameter of "." or ".." is refused before anything is sent: encodeURIComponent leaves them as they are,
// and URL parsing resolves them as path steps, so `registry.issuer('..')` asked GET /v1/registry/: another route
// than the caller named, with the client's credentials.
// Against a loopback server that records every request it gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVouchError, VouchClient } from '../src/index.ts';
import { respond, serveAnswers } from './answering-server.ts';

test('"." and ".." path parameters are INVALID_ARGUMENT and send nothing; names with dots still go out encoded', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"sequence":1,"status":"active"}'));
  const client = new VouchClient({
    baseUrl: s.url,
    retry: { retries: 0 },
    credentials: { adminKey: 'vouch_admin_test' },
  });
  for (const id of ['.', '..']) {
    await assert.rejects(client.registry.issuer(id), (err: unknown) => {
      assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), `issuer(${JSON.stringify(id)}): ${String(err)}`);
      return true;
    });
  }
  assert.deepEqual(s.requests, [], 'no request left the client');
  for (const id of ['...', '.hidden', 'a..b', '%2E%2E']) await client.registry.issuer(id);
  assert.deepEqual(s.requests, [
    'GET /v1/registry/issuers/...',
    'GET /v1/registry/issuers/.hidden',
    'GET /v1/registry/issuers/a..b',
    'GET /v1/registry/issuers/%252E%252E',
  ]);
});
