// A session token still passes for the clock skew after its `exp`, so its nonce must be remembered that long: the
// verifier hands the nonce store the time until which the token can still be accepted (`exp` plus the skew), not
// the bare `exp`. Before, a store that kept a nonce exactly "until expiresAt", as AipNonceStore promises to, forgot it
// while the token still verified, and the token could be presented again in that last minute; the memory store's
// fixed ten-minute margin hid it, except with a skew above ten minutes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AIP_TYP, createAipVerifier, createMemoryNonceStore } from '../src/index.ts';
import type { AipCheckResult, AipNonceStore } from '../src/index.ts';
import { aipIssuer, NOW } from './aip-fixtures.ts';

function verdict(r: AipCheckResult): string {
  return r.valid ? 'valid' : r.code;
}

/** A nonce store that keeps each nonce until the `expiresAt` it is given, and not a millisecond longer. */
function exactStore(now: () => number): AipNonceStore {
  const seen = new Map<string, number>();
  return {
    consume(audience, nonce, expiresAt) {
      const key = JSON.stringify([audience, nonce]);
      const until = seen.get(key);
      if (until !== undefined && until > now()) return false;
      seen.set(key, expiresAt);
      return true;
    },
  };
}

test('a nonce is remembered while its token can still pass within the clock skew', async () => {
  const a = await aipIssuer();
  const session = await a.sign(a.session, AIP_TYP.session);
  const expMs = (a.session.exp as number) * 1000;
  let now = NOW;
  const verifier = createAipVerifier({
    jwks: a.jwks,
    revocations: false,
    now: () => now,
    clockSkewSeconds: 60,
    nonceStore: exactStore(() => now),
  });
  assert.equal(verdict(await verifier.check(session, { audience: 'shop' })), 'valid');
  now = expMs + 30_000; // past exp, within the skew: the token itself still passes
  assert.equal(verdict(await verifier.check(session, { audience: 'shop' })), 'NONCE_REPLAYED');
  now = expMs + 60_000;
  assert.equal(verdict(await verifier.check(session, { audience: 'shop' })), 'JWT_EXPIRED');
});

test('the memory nonce store covers a clock skew longer than ten minutes', async () => {
  const a = await aipIssuer();
  const session = await a.sign(a.session, AIP_TYP.session);
  const expMs = (a.session.exp as number) * 1000;
  let now = NOW;
  const verifier = createAipVerifier({
    jwks: a.jwks,
    revocations: false,
    now: () => now,
    clockSkewSeconds: 900,
    nonceStore: createMemoryNonceStore(() => now),
  });
  assert.equal(verdict(await verifier.check(session, { audience: 'shop' })), 'valid');
  now = expMs + 700_000; // 11 min 40 s past exp, within the 15 min skew
  assert.equal(verdict(await verifier.check(session, { audience: 'shop' })), 'NONCE_REPLAYED');
});
