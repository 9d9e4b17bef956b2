// createAipVerifier took its nonceStore as given: one without a consume function (an object of the wrong shape, a
// string: settings read from JSON) was accepted, and every session token with a nonce then threw a raw TypeError
// ("store.consume is not a function") out of verify and check alike, after its signature had been checked. It is now
// refused when the verifier is made, as VouchError INVALID_ARGUMENT naming nonceStore; null is still no store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AIP_TYP, createAipVerifier, createMemoryNonceStore, isVouchError } from '../src/index.ts';
import type { AipVerifierOptions } from '../src/index.ts';
import { aipIssuer, NOW } from './aip-fixtures.ts';

test('a nonceStore without a consume function is INVALID_ARGUMENT when the verifier is made', async () => {
  const a = await aipIssuer();
  const session = await a.sign(a.session, AIP_TYP.session);
  for (const bad of [{}, { consume: 'yes' }, 'memory', 42, true]) {
    const options = {
      jwks: a.jwks,
      revocations: false,
      now: () => NOW,
      nonceStore: bad,
    } as unknown as AipVerifierOptions;
    let verifier;
    try {
      verifier = createAipVerifier(options);
    } catch (err) {
      assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), String(err));
      assert.equal(err.message, 'nonceStore must be an object with a consume function.');
      continue;
    }
    // Made anyway: what its first session token gets.
    const outcome = await verifier.check(session, { audience: 'shop' }).catch((err: unknown) => String(err));
    assert.fail(`${JSON.stringify(bad)}: the verifier was made; a session token then gave ${JSON.stringify(outcome)}`);
  }
  // A real store, and null (no store), are taken.
  const store = createAipVerifier({
    jwks: a.jwks,
    revocations: false,
    now: () => NOW,
    nonceStore: createMemoryNonceStore(() => NOW),
  });
  assert.equal((await store.check(session, { audience: 'shop' })).valid, true);
  assert.equal((await store.check(session, { audience: 'shop' })).valid, false);
  const none = { jwks: a.jwks, revocations: false, now: () => NOW, nonceStore: null } as unknown as AipVerifierOptions;
  assert.equal((await createAipVerifier(none).check(session, { audience: 'shop' })).valid, true);
});
