// The verifier's revocation list forgets an entry once its token can no longer pass (exp plus the skew, by the clock
// of the sync that prunes). A verification judges the token at the time it started; when a sync made meanwhile (by
// another verification, or syncRevocations) with a later clock reading dropped the token's entry, the check found
// nothing and a revoked token was answered valid. The entry's absence says nothing then: the token has expired by
// the clock that pruned it, and is refused as expired. Interleaving forced with a crypto provider that holds the
// signature check; time from the verifier's `now`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AIP_TYP, createAipVerifier, getDefaultCrypto } from '../src/index.ts';
import type { AipCheckResult, CryptoProvider } from '../src/index.ts';
import type { FetchLike } from '../src/aip/fetch-json.ts';
import { aipIssuer, NOW } from './aip-fixtures.ts';

const verdict = (r: AipCheckResult): string => (r.valid ? 'valid' : r.code);

test('a token whose revocation entry a concurrent sync pruned is not answered valid', async () => {
  const a = await aipIssuer();
  const token = await a.sign(a.identity, AIP_TYP.identity);
  const expMs = (a.identity.exp as number) * 1000;
  const skewMs = 60_000;
  const list = {
    revoked: [{ jti: a.identity.jti, exp: a.identity.exp, revoked_at: new Date(NOW).toISOString(), reason: null }],
    count: 1,
    cursor: '1',
    has_more: false,
  };
  const fetch: FetchLike = async () => ({
    status: 200,
    headers: { get: () => null },
    text: async () => JSON.stringify(list),
  });
  // Holds the next signature check until released.
  let hold: { reached: () => void; release: Promise<void> } | undefined;
  const base = getDefaultCrypto();
  const crypto: CryptoProvider = {
    ...base,
    sign: base.sign.bind(base),
    sha256: base.sha256.bind(base),
    async verify(alg, key, signature, data) {
      const h = hold;
      hold = undefined;
      if (h !== undefined) {
        h.reached();
        await h.release;
      }
      return base.verify(alg, key, signature, data);
    },
  };
  let now = NOW;
  const verifier = createAipVerifier({
    jwks: a.jwks,
    revocationsUrl: 'https://vouch.example/api/registry/revocations',
    fetch,
    crypto,
    now: () => now,
    clockSkewSeconds: 60,
    signatureCache: false,
  });
  assert.equal(verdict(await verifier.check(token)), 'TOKEN_REVOKED');

  // The last millisecond the token passes: it starts its verification, held at the signature check.
  now = expMs + skewMs - 1;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => {
    hold = { reached: resolve, release: new Promise<void>((r) => (release = r)) };
  });
  const first = verifier.check(token);
  await reached;
  // Meanwhile the clock reaches exp + skew and the list is synced again: the token's entry is pruned, at the first
  // millisecond it may be (a sync any later prunes it too).
  now = expMs + skewMs;
  await verifier.syncRevocations();
  assert.equal(verifier.isRevoked(a.identity.jti as string), false, 'pruned: the token can no longer pass');
  release();
  const answer = verdict(await first);
  assert.notEqual(answer, 'valid', 'a revoked token was answered valid');
  assert.equal(answer, 'JWT_EXPIRED');
});
