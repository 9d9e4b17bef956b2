// An AIP verifier's verify and check read their per-call requirements (audience, nonce, tokenType) as members of the
// options argument without checking that it was an object: `check(token, 'bank')` (a JavaScript caller passing the
// audience itself, as `verifyAipToken`'s option is named) read no audience at all and answered a session token for
// any other audience valid. A non-object options argument is now `INVALID_ARGUMENT`; null is still none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AIP_TYP, createAipVerifier, isVouchError } from '../src/index.ts';
import type { AipVerifyOptions } from '../src/index.ts';
import { aipIssuer, ISS, NOW } from './aip-fixtures.ts';

test('verify and check refuse options that are not an object, rather than requiring nothing', async () => {
  const issuer = await aipIssuer();
  const verifier = createAipVerifier({ issuer: ISS, jwks: issuer.jwks, revocations: false, now: () => NOW });
  // The fixture's session token is for the audience "shop".
  const session = await issuer.sign(issuer.session, AIP_TYP.session);
  assert.deepEqual(
    [(await verifier.check(session, { audience: 'bank' })).valid, (await verifier.check(session)).valid],
    [false, true],
  );
  for (const bad of ['bank', 42, true, ['bank'], () => 'bank']) {
    const opts = bad as unknown as AipVerifyOptions;
    const r = await verifier.check(session, opts);
    assert.deepEqual([r.valid, !r.valid && r.code], [false, 'INVALID_ARGUMENT'], JSON.stringify(String(bad)));
    await assert.rejects(verifier.verify(session, opts), (err) => isVouchError(err, 'INVALID_ARGUMENT'));
  }
});
