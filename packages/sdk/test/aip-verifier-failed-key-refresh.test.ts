// When the verifier's keys are older than keysMaxAgeMs and the issuer cannot answer, the verifier keeps its last good
// keys (a failed refresh never empties them) and tries again at most every keysMinRefreshIntervalMs, not on every
// verification: before, each verification fetched the JWKS again and waited for the failure (up to
// requestTimeoutMs when the issuer hangs), a request per token against an issuer already in trouble. A bad answer
// (a 304 never asked for, the wrong shape, a redirect elsewhere) counts as a failure and is not cached. Against a
// real loopback issuer; time comes from the verifier's `now`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AIP_TYP, aipClaimName, createAipVerifier, generateKeyPair, signJwt } from '../src/index.ts';
import type { AipCheckResult } from '../src/index.ts';

const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;
type Mode = 'ok' | '503' | 'unasked-304' | 'wrong-shape' | 'redirect';
const issuerState = { jwks: 'ok' as Mode, jwksRequests: 0 };
let server: Server;
let elsewhere: Server;
let issuer = '';
let elsewhereUrl = '';
let token = '';

function listen(s: Server): Promise<string> {
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );
}

before(async () => {
  const pair = await generateKeyPair('P-256');
  const jwk = { ...pair.publicJwk, kid: pair.thumbprint, alg: 'ES256', use: 'sig' };
  const other = await generateKeyPair('P-256');
  const otherJwk = { ...other.publicJwk, kid: pair.thumbprint, alg: 'ES256', use: 'sig' }; // same kid, another key
  elsewhere = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [otherJwk] }));
  });
  elsewhereUrl = await listen(elsewhere);
  server = createServer((req, res) => {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const json = (v: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v));
    if (path === '/.well-known/agent-registry.json') {
      return json({
        protocol: 'agent-identity-v2',
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        revocations_endpoint: `${issuer}/api/registry/revocations`,
      });
    }
    if (path === '/api/registry/revocations') return json({ revoked: [], count: 0, cursor: '0', has_more: false });
    if (path !== '/.well-known/jwks.json') return void res.writeHead(404).end();
    issuerState.jwksRequests++;
    switch (issuerState.jwks) {
      case 'ok':
        return json({ keys: [jwk] });
      case '503':
        return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"busy","code":"BUSY"}');
      case 'unasked-304':
        return void res.writeHead(304).end();
      case 'wrong-shape':
        return json({ keys: { [pair.thumbprint]: jwk } });
      case 'redirect':
        return void res.writeHead(302, { location: `${elsewhereUrl}/.well-known/jwks.json` }).end();
    }
  });
  issuer = await listen(server);
  const claims = { iss: issuer, sub: 'did:identity:abcdefghijklmnopqrstuvwxya', iat: S, exp: S + 86_400, jti: 'j-1' };
  token = await signJwt({ ...claims, [aipClaimName(issuer, 'token_type')]: 'identity' }, pair.privateKey, {
    kid: pair.thumbprint,
    typ: AIP_TYP.identity,
  });
});
after(() => {
  server.close();
  elsewhere.close();
});

function verdict(r: AipCheckResult): string {
  return r.valid ? 'valid' : r.code;
}

test('a failed key refresh keeps the old keys and is retried at most every keysMinRefreshIntervalMs', async () => {
  issuerState.jwks = 'ok';
  let now = NOW;
  const verifier = createAipVerifier({
    issuer,
    now: () => now,
    keysMaxAgeMs: 600_000,
    keysMinRefreshIntervalMs: 30_000,
  });
  assert.equal(verdict(await verifier.check(token)), 'valid');
  assert.equal(issuerState.jwksRequests, 1);

  for (const mode of ['503', 'unasked-304', 'wrong-shape', 'redirect'] as const) {
    issuerState.jwks = mode;
    issuerState.jwksRequests = 0;
    now += 600_000; // the keys are due for a refresh
    for (let i = 0; i < 5; i++) {
      assert.equal(verdict(await verifier.check(token)), 'valid', `${mode}: the last good keys still verify`);
      now += 1000;
    }
    assert.equal(issuerState.jwksRequests, 1, `${mode}: one refresh attempt for five verifications within 30 s`);
    now += 30_000;
    assert.equal(verdict(await verifier.check(token)), 'valid', mode);
    assert.equal(issuerState.jwksRequests, 2, `${mode}: tried again once the interval has passed`);
  }

  // The issuer recovers: the next due refresh succeeds and counts as fresh again.
  issuerState.jwks = 'ok';
  issuerState.jwksRequests = 0;
  now += 30_000;
  assert.equal(verdict(await verifier.check(token)), 'valid');
  assert.equal(issuerState.jwksRequests, 1);
  now += 60_000;
  assert.equal(verdict(await verifier.check(token)), 'valid');
  assert.equal(issuerState.jwksRequests, 1, 'fresh keys are not re-fetched before keysMaxAgeMs');
});

test('refreshKeys() asks the issuer whenever it is called, and a redirect to other keys is refused', async () => {
  issuerState.jwks = 'ok';
  const verifier = createAipVerifier({ issuer, now: () => NOW });
  await verifier.refreshKeys();
  issuerState.jwks = 'redirect';
  issuerState.jwksRequests = 0;
  await assert.rejects(verifier.refreshKeys(), { code: 'AIP_FETCH_FAILED' });
  await assert.rejects(verifier.refreshKeys(), { code: 'AIP_FETCH_FAILED' });
  assert.equal(issuerState.jwksRequests, 2, 'an explicit refresh is never throttled');
  assert.equal(verdict(await verifier.check(token)), 'valid', 'the keys from elsewhere were never taken');
});
