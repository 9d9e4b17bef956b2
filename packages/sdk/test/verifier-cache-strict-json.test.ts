// fetchVerifierCache read its documents with the client's JSON.parse: a repeated member was taken as its last
// occurrence (a revocation page `{"revoked": [...], "revoked": []}` read as empty), where the online verifier
// (AipVerifier's getJson) refuses it. The cache's fetches are now parsed strictly too: AIP_RESPONSE_INVALID, the code
// the online path gives. Against a real loopback server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchVerifierCache, isVouchError, VouchClient } from '../src/index.ts';

const PAGE = '{"revoked":[{"jti":"j-1","revoked_at":"2026-01-01T00:00:00.000Z","exp":0,"reason":null}]';
const GOOD: Record<string, string> = {
  '/.well-known/agent-registry.json': '{"issuer":"http://issuer.example","keys":[]}',
  '/.well-known/vouch-keys.json': '{"keys":[]}',
  '/api/registry/revocations': `${PAGE},"count":1,"cursor":"1","has_more":false}`,
  '/api/v1/signatures/verify': '{"payloadHash":"00","signedAt":1}',
  '/.well-known/agent-trust.json': '{"version":1}',
};
let answers: Record<string, string> = {};
let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    const body = answers[new URL(req.url ?? '/', 'http://x').pathname];
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function fetchCache() {
  const client = new VouchClient({ baseUrl: base, retry: { retries: 0 }, now: () => Date.UTC(2026, 0, 1) });
  return fetchVerifierCache(client, { signatures: ['a'.repeat(64)] });
}

test('a well-formed server still gives a cache', async () => {
  answers = { ...GOOD };
  const cache = await fetchCache();
  assert.deepEqual(cache.revocations, { jtis: ['j-1'], cursor: '1' });
  assert.deepEqual(cache.trustRegistry, { version: 1 });
});

test('a repeated member in any document is AIP_RESPONSE_INVALID, never its last occurrence', async () => {
  const bad: Record<string, string> = {
    '/.well-known/agent-registry.json': '{"issuer":"http://issuer.example","keys":[],"issuer":"http://other.example"}',
    '/.well-known/vouch-keys.json': '{"keys":[],"keys":[]}',
    '/api/registry/revocations': `${PAGE},"revoked":[],"count":1,"cursor":"1","has_more":false}`,
    '/api/v1/signatures/verify': '{"payloadHash":"00","signedAt":1,"signedAt":2}',
  };
  for (const [path, body] of Object.entries(bad)) {
    answers = { ...GOOD, [path]: body };
    await assert.rejects(
      fetchCache(),
      (err: unknown) => isVouchError(err, 'AIP_RESPONSE_INVALID') || assert.fail(`${path}: ${String(err)}`),
      path,
    );
  }
});

test('a registry document with a repeated member is not cached', async () => {
  answers = { ...GOOD, '/.well-known/agent-trust.json': '{"version":1,"version":2}' };
  const cache = await fetchCache();
  assert.equal(cache.trustRegistry, undefined);
});
