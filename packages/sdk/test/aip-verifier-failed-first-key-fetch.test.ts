// A verifier that has no keys yet, facing an issuer that cannot answer, asks for the keys at most once every
// keysMinRefreshIntervalMs and meanwhile refuses at once with AIP_FETCH_FAILED. Before, every verification — of any
// token, junk included, since the keys are fetched before the token is read — sent a new request to the issuer and
// waited for its failure (up to requestTimeoutMs when it hangs): the flood the unknown-kid and refresh limits exist to
// prevent. An explicit refreshKeys() still asks at once. Against a real loopback issuer; time is the verifier's `now`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AIP_TYP, aipClaimName, createAipVerifier, generateKeyPair, signJwt } from '../src/index.ts';
import type { AipCheckResult } from '../src/index.ts';

const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;
const state = { down: true, requests: 0 };
let server: Server;
let issuer = '';
let token = '';

before(async () => {
  const pair = await generateKeyPair('P-256');
  const jwk = { ...pair.publicJwk, kid: pair.thumbprint, alg: 'ES256', use: 'sig' };
  server = createServer((req, res) => {
    req.resume();
    state.requests++;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const json = (v: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v));
    if (state.down) return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"code":"BUSY"}');
    if (path === '/.well-known/agent-registry.json') {
      return json({
        protocol: 'agent-identity-v2',
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        revocations_endpoint: `${issuer}/api/registry/revocations`,
      });
    }
    if (path === '/.well-known/jwks.json') return json({ keys: [jwk] });
    if (path === '/api/registry/revocations') return json({ revoked: [], count: 0, cursor: '0', has_more: false });
    return void res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const claims = { iss: issuer, sub: 'did:identity:abcdefghijklmnopqrstuvwxya', iat: S, exp: S + 3600, jti: 'j-1' };
  token = await signJwt({ ...claims, [aipClaimName(issuer, 'token_type')]: 'identity' }, pair.privateKey, {
    kid: pair.thumbprint,
    typ: AIP_TYP.identity,
  });
});
after(() => {
  server.close();
});

function verdict(r: AipCheckResult): string {
  return r.valid ? 'valid' : r.code;
}

test('with no keys yet, a failing issuer is asked at most every keysMinRefreshIntervalMs', async () => {
  state.down = true;
  state.requests = 0;
  let now = NOW;
  const verifier = createAipVerifier({ issuer, now: () => now, keysMinRefreshIntervalMs: 30_000 });
  for (const t of [token, 'junk', token, 'a.b.c', token]) {
    assert.equal(verdict(await verifier.check(t)), 'AIP_FETCH_FAILED');
    now += 1000;
  }
  assert.equal(state.requests, 1, 'one attempt for five verifications within 30 s');

  await assert.rejects(verifier.refreshKeys(), { code: 'AIP_FETCH_FAILED' });
  assert.equal(state.requests, 2, 'an explicit refresh is never held back');

  state.down = false;
  assert.equal(verdict(await verifier.check(token)), 'AIP_FETCH_FAILED', 'still within 30 s of the last attempt');
  assert.equal(state.requests, 2);
  now += 30_000;
  assert.equal(verdict(await verifier.check(token)), 'valid', 'tried again once the interval has passed');
});

test('the first fetch is not held back when it never failed', async () => {
  state.down = false;
  const verifier = createAipVerifier({ issuer, now: () => NOW });
  assert.equal(verdict(await verifier.check(token)), 'valid');
});
