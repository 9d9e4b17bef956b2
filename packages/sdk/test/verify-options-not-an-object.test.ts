// verifyToken (offline, over a verifier cache) and the offline verifier's verifyToken and verifyAgentCredential read
// their requirements (audience, nonce, tokenType; agentId, resource, action) as members of the options argument
// without checking it was an object: `verifyToken(token, cache, 'bank')` (the audience passed itself) required no
// audience and answered a session token for "shop" valid, and the offline verifier spread a string into
// {0: 'b', 1: 'a', ...}. A non-object options argument is now INVALID_ARGUMENT; null is still none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AIP_TYP, createOfflineVerifier, verifyToken, type VerifierCache } from '../src/index.ts';
import { aipIssuer, ISS } from './aip-fixtures.ts';

const BAD: unknown[] = ['bank', 42, true, ['bank'], () => 'bank'];

async function fixture() {
  const issuer = await aipIssuer();
  const cache = {
    discovery: { issuer: ISS, keys: issuer.jwks.keys },
    revocations: { jtis: [] },
    vouchKeys: { keys: [] },
  } as unknown as VerifierCache;
  // With no clock given the functions read Date.now(): the token is dated from it. Its audience is "shop".
  const iat = Math.floor(Date.now() / 1000) - 60;
  const session = await issuer.sign({ ...issuer.session, iat, exp: iat + 3_600 }, AIP_TYP.session);
  return { cache, session };
}

test('verifyToken refuses options that are not an object, rather than requiring nothing', async () => {
  const { cache, session } = await fixture();
  assert.deepEqual(
    [(await verifyToken(session, cache, { audience: 'bank' })).valid, (await verifyToken(session, cache)).valid],
    [false, true],
  );
  for (const bad of BAD) {
    const r = await verifyToken(session, cache, bad as never);
    assert.deepEqual([r.valid, !r.valid && r.code], [false, 'INVALID_ARGUMENT'], String(bad));
  }
});

test("the offline verifier's verifyToken and verifyAgentCredential refuse options that are not an object", async () => {
  const { cache, session } = await fixture();
  const offline = createOfflineVerifier(cache);
  assert.deepEqual(
    [(await offline.verifyToken(session, { audience: 'bank' })).valid, (await offline.verifyToken(session)).valid],
    [false, true],
  );
  for (const bad of BAD) {
    const r = await offline.verifyToken(session, bad as never);
    assert.deepEqual([r.valid, !r.valid && r.code], [false, 'INVALID_ARGUMENT'], String(bad));
    const c = await offline.verifyAgentCredential('x.y.z', bad as never);
    assert.deepEqual([c.valid, !c.valid && c.code], [false, 'INVALID_ARGUMENT'], String(bad));
    assert.match(!c.valid ? c.error : '', /options/, String(bad));
  }
});
