// When the verifier's revocation list is due for a sync and the issuer cannot answer, the sync is tried again at most
// every revocationsRetryIntervalMs, not on every verification: before, each verification asked the issuer again and
// waited for the failure (up to requestTimeoutMs when it hangs), a request per token against an issuer already in
// trouble. Meanwhile the staleness rule still decides: the last list serves while younger than
// revocationsMaxStaleMs, and after that verification fails closed (AIP_FETCH_FAILED), without a request per token.
// Against a real loopback issuer; time comes from the verifier's `now`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AIP_TYP, aipClaimName, createAipVerifier, generateKeyPair, signJwt } from '../src/index.ts';
import type { AipCheckResult, AipVerifierOptions, Jwks } from '../src/index.ts';

const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;
const issuerState = {
  revocations: 'ok' as 'ok' | '503',
  revokedJti: [] as string[],
  listRequests: 0,
  discovery: 'ok' as 'ok' | '503',
  discoveryRequests: 0,
};
let server: Server;
let issuer = '';
let token = '';
let jwks: Jwks;

before(async () => {
  const pair = await generateKeyPair('P-256');
  const jwk = { ...pair.publicJwk, kid: pair.thumbprint, alg: 'ES256', use: 'sig' };
  jwks = { keys: [jwk] };
  server = createServer((req, res) => {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const json = (v: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v));
    const busy = () => res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"busy","code":"BUSY"}');
    if (path === '/.well-known/agent-registry.json') {
      issuerState.discoveryRequests++;
      if (issuerState.discovery === '503') return void busy();
      return json({
        protocol: 'agent-identity-v2',
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        revocations_endpoint: `${issuer}/api/registry/revocations`,
      });
    }
    if (path === '/.well-known/jwks.json') return json(jwks);
    if (path !== '/api/registry/revocations') return void res.writeHead(404).end();
    issuerState.listRequests++;
    if (issuerState.revocations === '503') return void busy();
    const revoked = issuerState.revokedJti.map((jti) => ({ jti, exp: S + 86_400, revoked_at: S }));
    return json({ revoked, count: revoked.length, cursor: String(revoked.length), has_more: false });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const claims = { iss: issuer, sub: 'did:identity:abcdefghijklmnopqrstuvwxya', iat: S, exp: S + 86_400, jti: 'j-1' };
  token = await signJwt({ ...claims, [aipClaimName(issuer, 'token_type')]: 'identity' }, pair.privateKey, {
    kid: pair.thumbprint,
    typ: AIP_TYP.identity,
  });
});
after(() => server.close());

const verdict = (r: AipCheckResult): string => (r.valid ? 'valid' : r.code);

/** Resets the issuer to serving an empty list, and makes a verifier of it whose clock (at NOW) the test moves. */
function verifierOfIssuer(options: Omit<AipVerifierOptions, 'issuer' | 'now'>) {
  issuerState.revocations = 'ok';
  issuerState.revokedJti = [];
  const clock = { now: NOW };
  return { verifier: createAipVerifier({ issuer, now: () => clock.now, ...options }), clock };
}

test('a failed revocation sync is retried at most every revocationsRetryIntervalMs, stale list or not', async () => {
  const { verifier, clock } = verifierOfIssuer({
    revocationsMaxAgeMs: 30_000,
    revocationsMaxStaleMs: 300_000,
    revocationsRetryIntervalMs: 5_000,
  });
  assert.equal(verdict(await verifier.check(token)), 'valid');
  assert.equal(issuerState.listRequests, 1);

  // The list is due (older than 30 s) and the issuer fails: one attempt per 5 s, the last list serving meanwhile.
  issuerState.revocations = '503';
  issuerState.listRequests = 0;
  clock.now += 31_000;
  for (let i = 0; i < 10; i++) {
    assert.equal(verdict(await verifier.check(token)), 'valid', 'the list synced 31-35.5 s ago still serves');
    clock.now += 500;
  }
  assert.equal(issuerState.listRequests, 1, 'one sync attempt for ten verifications within 5 s');
  assert.equal(verdict(await verifier.check(token)), 'valid');
  assert.equal(issuerState.listRequests, 2, 'tried again once 5 s have passed');

  // Past revocationsMaxStaleMs it fails closed, still without a request per token.
  clock.now = NOW + 301_000;
  issuerState.listRequests = 0;
  for (let i = 0; i < 10; i++) {
    assert.equal(verdict(await verifier.check(token)), 'AIP_FETCH_FAILED', 'too stale: refused, never unchecked');
    clock.now += 400;
  }
  assert.equal(issuerState.listRequests, 1, 'refusals within 5 s of a failure do not ask the issuer again');
  const refused = await verifier.verify(token).then(
    () => assert.fail('verified'),
    (err: unknown) => err as Error & { code: string; cause?: Error & { code?: string } },
  );
  assert.equal(refused.code, 'AIP_FETCH_FAILED');
  assert.ok(refused.cause instanceof Error, 'the refusal carries the failed sync as its cause');

  // The issuer recovers (and has revoked the token meanwhile): the next attempt, 5 s after the last, sees it.
  issuerState.revocations = 'ok';
  issuerState.revokedJti = ['j-1'];
  clock.now += 5_000;
  assert.equal(verdict(await verifier.check(token)), 'TOKEN_REVOKED');
  assert.equal(issuerState.listRequests, 2);
  clock.now += 10_000;
  assert.equal(verdict(await verifier.check(token)), 'TOKEN_REVOKED');
  assert.equal(issuerState.listRequests, 2, 'a fresh list is not synced again before revocationsMaxAgeMs');
});

test('after a failed sync the last list serves until revocationsMaxStaleMs old, not a millisecond longer', async () => {
  const { verifier, clock } = verifierOfIssuer({ revocationsMaxStaleMs: 60_000, revocationsRetryIntervalMs: 0 });
  assert.equal(verdict(await verifier.check(token)), 'valid');
  issuerState.revocations = '503';
  clock.now = NOW + 60_000;
  assert.equal(verdict(await verifier.check(token)), 'valid', 'synced 60 s ago: still serves');
  clock.now += 1;
  assert.equal(verdict(await verifier.check(token)), 'AIP_FETCH_FAILED', 'older than revocationsMaxStaleMs');
});

test('a clock set back after a failed sync does not hold the next attempt back', async () => {
  const { verifier, clock } = verifierOfIssuer({ revocationsMaxAgeMs: 30_000 });
  assert.equal(verdict(await verifier.check(token)), 'valid');
  issuerState.revocations = '503';
  clock.now = NOW + 40_000;
  assert.equal(verdict(await verifier.check(token)), 'valid', 'the failed sync leaves the last list serving');
  // The issuer recovers with the token revoked, and the clock goes back 5 s: the failure is not "less than
  // revocationsRetryIntervalMs ago", and the list (synced 35 s before) is due, so the sync is tried at once.
  issuerState.revocations = 'ok';
  issuerState.revokedJti = ['j-1'];
  issuerState.listRequests = 0;
  clock.now = NOW + 35_000;
  assert.equal(verdict(await verifier.check(token)), 'TOKEN_REVOKED');
  assert.equal(issuerState.listRequests, 1);
});

test('a revocation list whose discovery fails is looked for at most every revocationsRetryIntervalMs', async (t) => {
  // Static keys: the discovery document is fetched only to find the revocation list.
  issuerState.discovery = '503';
  t.after(() => (issuerState.discovery = 'ok'));
  issuerState.discoveryRequests = 0;
  const { verifier, clock } = verifierOfIssuer({ jwks, revocationsRetryIntervalMs: 5_000 });
  for (let i = 0; i < 10; i++) {
    assert.equal(verdict(await verifier.check(token)), 'AIP_FETCH_FAILED', 'no list: refused, never unchecked');
    clock.now += 400;
  }
  assert.equal(issuerState.discoveryRequests, 1, 'one attempt for ten verifications within 5 s');
  issuerState.discovery = 'ok';
  clock.now = NOW + 5_000;
  assert.equal(verdict(await verifier.check(token)), 'valid', 'tried again once 5 s have passed');
  assert.equal(issuerState.discoveryRequests, 2);
});

test('syncRevocations() asks the issuer whenever called, and its success ends the wait after a failure', async () => {
  const { verifier, clock } = verifierOfIssuer({ revocationsMaxStaleMs: 60_000 });
  assert.equal(verdict(await verifier.check(token)), 'valid');
  issuerState.revocations = '503';
  clock.now += 61_000;
  issuerState.listRequests = 0;
  assert.equal(verdict(await verifier.check(token)), 'AIP_FETCH_FAILED');
  await assert.rejects(verifier.syncRevocations(), { code: 'AIP_FETCH_FAILED' });
  assert.equal(issuerState.listRequests, 2, 'an explicit sync is never throttled');
  issuerState.revocations = 'ok';
  await verifier.syncRevocations();
  assert.equal(verdict(await verifier.check(token)), 'valid', 'no wait left over from the failure');
  assert.equal(issuerState.listRequests, 3);
});

test('revocationsRetryIntervalMs must be a non-negative finite number (0: retry every time)', () => {
  for (const bad of [-1, Number.NaN, Infinity]) {
    assert.throws(() => createAipVerifier({ issuer: 'https://issuer.example', revocationsRetryIntervalMs: bad }), {
      code: 'INVALID_ARGUMENT',
    });
  }
});
