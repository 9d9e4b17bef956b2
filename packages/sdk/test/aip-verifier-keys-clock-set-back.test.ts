// The verifier re-fetches the issuer's keys when older than keysMaxAgeMs, so that a key the issuer withdrew (a
// rotation with --compromised) stops verifying within that bound. The age was `now - fetchedAt`, negative once the
// clock was set back (an NTP step, a VM resumed from a snapshot): the keys then passed for fresh until the clock
// caught up with the fetch, and tokens of the withdrawn key kept verifying for as long as the clock had gone back.
// Keys fetched "in the future" have no known age: they are fetched again. Time from the verifier's `now`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AIP_TYP, aipClaimName, createAipVerifier, generateKeyPair, signJwt } from '../src/index.ts';
import type { AipCheckResult } from '../src/index.ts';
import type { FetchLike } from '../src/aip/fetch-json.ts';
import { DID, NOW, S } from './aip-fixtures.ts';

const ISSUER = 'https://vouch.example';
const verdict = (r: AipCheckResult): string => (r.valid ? 'valid' : r.code);

test('a clock set back does not keep a withdrawn key: keys of unknown age are fetched again', async () => {
  const pair = await generateKeyPair('P-256');
  const jwks = { keys: [{ ...pair.publicJwk, kid: pair.thumbprint, alg: 'ES256', use: 'sig' }] };
  const claims = { iss: ISSUER, sub: DID, iat: S, exp: S + 86_400, jti: 'j-1' };
  const token = await signJwt({ ...claims, [aipClaimName(ISSUER, 'token_type')]: 'identity' }, pair.privateKey, {
    kid: pair.thumbprint,
    typ: AIP_TYP.identity,
  });
  let jwksRequests = 0;
  const fetch: FetchLike = async (url) => {
    const doc = url.endsWith('/jwks.json')
      ? (jwksRequests++, jwks)
      : {
          protocol: 'agent-identity-v2',
          issuer: ISSUER,
          jwks_uri: `${ISSUER}/.well-known/jwks.json`,
          revocations_endpoint: `${ISSUER}/api/registry/revocations`,
        };
    return { status: 200, headers: { get: () => null }, text: async () => JSON.stringify(doc) };
  };
  let now = NOW + 3_600_000;
  const verifier = createAipVerifier({
    issuer: ISSUER,
    fetch,
    now: () => now,
    revocations: false,
    keysMaxAgeMs: 600_000,
  });
  assert.equal(verdict(await verifier.check(token)), 'valid');
  assert.equal(jwksRequests, 1);

  // The issuer withdraws the key; the clock steps back an hour. The keys' age is unknown: they must be fetched.
  jwks.keys = [];
  now = NOW;
  assert.equal(verdict(await verifier.check(token)), 'JWT_KID_UNKNOWN');
  assert.equal(jwksRequests, 2);
});
