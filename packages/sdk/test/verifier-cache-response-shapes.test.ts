// fetchVerifierCache checks the shape of what it stores: a revocation page that is not `{revoked: [{jti, exp}],
// cursor, has_more}`, or a discovery document / vouch-keys.json without their `keys`, fails with
// AIP_RESPONSE_INVALID. Before, such an answer threw a bare TypeError, or (a `revoked` list of anything but entries)
// gave a cache that called itself complete while holding no revoked jti: revoked tokens then verified offline.
// Against a real loopback server that answers each document as a test says.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchVerifierCache, isVouchError, VouchClient } from '../src/index.ts';

type Answer = (res: ServerResponse) => void;
const json =
  (v: unknown): Answer =>
  (res) =>
    void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v));
const html: Answer = (res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>index</html>');
const GOOD_PAGE = { revoked: [{ jti: 'j-1', revoked_at: '2026-01-01T00:00:00.000Z', exp: 0, reason: null }] };

/** What each document answers; tests replace members. */
let answers: Record<string, Answer> = {};
function reset(): void {
  answers = {
    '/.well-known/agent-registry.json': json({ issuer: 'http://issuer.example', keys: [] }),
    '/.well-known/vouch-keys.json': json({ keys: [] }),
    '/api/registry/revocations': json({ ...GOOD_PAGE, count: 1, cursor: '1', has_more: false }),
  };
}
let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    const answer = answers[new URL(req.url ?? '/', 'http://x').pathname];
    if (answer === undefined) return void res.writeHead(404).end();
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function client(): VouchClient {
  return new VouchClient({ baseUrl: base, retry: { retries: 0 }, now: () => Date.UTC(2026, 0, 1) });
}

function invalidResponse(pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(isVouchError(err, 'AIP_RESPONSE_INVALID'), `expected AIP_RESPONSE_INVALID, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  };
}

test('a well-formed server still gives a cache', async () => {
  reset();
  const cache = await fetchVerifierCache(client());
  assert.deepEqual(cache.revocations, { jtis: ['j-1'], cursor: '1' });
});

test('a revocation page of the wrong shape is AIP_RESPONSE_INVALID, never a TypeError or an empty "complete" list', async () => {
  const pages: Array<[string, Answer, RegExp]> = [
    ['an empty object', json({}), /no "revoked" array/],
    ['an HTML page', html, /not a JSON object/],
    ['JSON null', json(null), /not a JSON object/],
    ['revoked as a string', json({ revoked: 'abcdef', count: 6, cursor: '1', has_more: false }), /no "revoked"/],
    [
      'entries without jti',
      json({ revoked: [{ id: 'j-1', exp: 0 }], count: 1, cursor: '1', has_more: false }),
      /lacks a string "jti"/,
    ],
    ['entries that are not objects', json({ revoked: ['j-1'], count: 1, cursor: '1', has_more: false }), /entry/],
    ['no cursor', json({ ...GOOD_PAGE, count: 1, has_more: false }), /no valid "cursor"/],
  ];
  for (const [what, answer, pattern] of pages) {
    reset();
    answers['/api/registry/revocations'] = answer;
    await assert.rejects(fetchVerifierCache(client()), invalidResponse(pattern), what);
  }
});

test('a discovery document or vouch-keys.json without its keys is AIP_RESPONSE_INVALID', async () => {
  const cases: Array<[string, string, Answer]> = [
    ['discovery as HTML', '/.well-known/agent-registry.json', html],
    ['discovery without keys', '/.well-known/agent-registry.json', json({ issuer: 'http://issuer.example' })],
    ['discovery without issuer', '/.well-known/agent-registry.json', json({ keys: [] })],
    ['vouch-keys as JSON null', '/.well-known/vouch-keys.json', json(null)],
    ['vouch-keys with keys as an object', '/.well-known/vouch-keys.json', json({ keys: {} })],
  ];
  for (const [what, path, answer] of cases) {
    reset();
    answers[path] = answer;
    await assert.rejects(fetchVerifierCache(client()), invalidResponse(/discovery document|vouch-keys/), what);
  }
});

test('a signature record that is not JSON is AIP_RESPONSE_INVALID, as every other document of the cache', async () => {
  reset();
  answers['/api/v1/signatures/verify'] = html;
  await assert.rejects(
    fetchVerifierCache(client(), { signatures: ['a'.repeat(64)] }),
    invalidResponse(/signature record/),
  );
  answers['/api/v1/signatures/verify'] = json({ payloadHash: 'b'.repeat(64) });
  const cache = await fetchVerifierCache(client(), { signatures: ['a'.repeat(64)] });
  assert.deepEqual(cache.signatures, { ['a'.repeat(64)]: { payloadHash: 'b'.repeat(64) } });
});
