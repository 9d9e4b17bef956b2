// The verifier's revocation list is synced before a verification when older than revocationsMaxAgeMs, and after a
// failed sync serves only while younger than revocationsMaxStaleMs. Its age was `now - syncedAt`, negative once the
// clock was set back (an NTP step, a VM resumed from a snapshot): the list then passed for fresh until the clock
// caught up with the last sync, and a token revoked meanwhile was answered valid for as long as the clock had gone
// back (an hour here), with no request to the issuer. A list synced "in the future" has no known age: it counts as
// too old, so it is synced again, and refused if that fails. Time from the verifier's `now`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AIP_TYP, createAipVerifier } from '../src/index.ts';
import type { AipCheckResult } from '../src/index.ts';
import type { FetchLike } from '../src/aip/fetch-json.ts';
import { aipIssuer, NOW } from './aip-fixtures.ts';

const verdict = (r: AipCheckResult): string => (r.valid ? 'valid' : r.code);

/** An issuer's revocation list served by a fake fetch, and a verifier of it whose clock starts an hour after NOW. */
async function setBackFixture() {
  const a = await aipIssuer();
  const token = await a.sign(a.identity, AIP_TYP.identity);
  const issuer = { revoked: [] as Array<Record<string, unknown>>, requests: 0, down: false };
  const fetch: FetchLike = async () => {
    issuer.requests++;
    if (issuer.down) throw new Error('connection refused');
    const list = { revoked: issuer.revoked, count: issuer.revoked.length, cursor: '1', has_more: false };
    return { status: 200, headers: { get: () => null }, text: async () => JSON.stringify(list) };
  };
  const clock = { now: NOW + 3_600_000 };
  const verifier = createAipVerifier({
    jwks: a.jwks,
    revocationsUrl: 'https://vouch.example/api/registry/revocations',
    fetch,
    now: () => clock.now,
    revocationsMaxAgeMs: 30_000,
    revocationsMaxStaleMs: 300_000,
  });
  assert.equal(verdict(await verifier.check(token)), 'valid');
  assert.equal(issuer.requests, 1);
  const revoke = () => issuer.revoked.push({ jti: a.identity.jti, exp: a.identity.exp, revoked_at: 'x', reason: null });
  return { token, issuer, clock, verifier, revoke };
}

test('a clock set back does not make the revocation list pass for fresh: it is synced again', async () => {
  const { token, issuer, clock, verifier, revoke } = await setBackFixture();
  // The clock steps back an hour; the issuer revokes the token. The list's age is unknown: it must be synced.
  clock.now = NOW;
  revoke();
  assert.equal(verdict(await verifier.check(token)), 'TOKEN_REVOKED');
  assert.equal(issuer.requests, 2);
  // Synced by the new clock: from then on the usual bound applies (no request within revocationsMaxAgeMs).
  clock.now = NOW + 29_000;
  assert.equal(verdict(await verifier.check(token)), 'TOKEN_REVOKED');
  assert.equal(issuer.requests, 2);
});

test('a clock set back with the issuer unreachable refuses, rather than serving a list of unknown age', async () => {
  const { token, issuer, clock, verifier } = await setBackFixture();
  clock.now = NOW;
  issuer.down = true;
  assert.equal(verdict(await verifier.check(token)), 'AIP_FETCH_FAILED');
  assert.equal(issuer.requests, 2);
});
