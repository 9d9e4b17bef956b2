// A null options argument to an AIP verifier's verify or check (JavaScript callers, settings read from JSON) threw a
// raw TypeError ("Cannot read properties of null (reading 'audience')"): verify rejected with it, and check, which
// answers {valid: false, code} for every refusal, threw it instead. Null now means no per-call requirement, as an
// absent argument does; the nonce store still sees the session token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AIP_TYP, createAipVerifier, createMemoryNonceStore } from '../src/index.ts';
import { aipIssuer, ISS, NOW } from './aip-fixtures.ts';

const none = null as unknown as undefined;

test('verify and check take a null options argument as none', async () => {
  const issuer = await aipIssuer();
  const verifier = createAipVerifier({
    issuer: ISS,
    jwks: issuer.jwks,
    revocations: false,
    now: () => NOW,
    nonceStore: createMemoryNonceStore(() => NOW),
  });
  const identity = await issuer.sign(issuer.identity);
  assert.equal((await verifier.verify(identity, none)).tokenType, 'identity');
  assert.equal((await verifier.check(identity, none)).valid, true);
  const session = await issuer.sign(issuer.session, AIP_TYP.session);
  assert.equal((await verifier.check(session, none)).valid, true);
  assert.deepEqual(await verifier.check(session, none), {
    valid: false,
    error: 'This nonce has already been presented.',
    code: 'NONCE_REPLAYED',
  });
});
