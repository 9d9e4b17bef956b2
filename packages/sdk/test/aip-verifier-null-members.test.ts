// createAipVerifier took a member set to null (settings read from JSON) as given: `jwks: null` made a verifier of
// static keys holding none (every token JWT_KID_UNKNOWN, the issuer's JWKS never fetched), `revocationsUrl: null`
// fetched the URL "null" (every verification AIP_FETCH_FAILED), and `nonceStore: null` threw a raw TypeError for each
// session token with a nonce. A null member is now an absent one. Against a loopback issuer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveAnswers } from './answering-server.ts';
import { AIP_PROTOCOL, AIP_TYP, aipClaimName, createAipVerifier, isVouchError } from '../src/index.ts';
import type { AipVerifierOptions } from '../src/index.ts';
import { aipIssuer, ISS, NOW } from './aip-fixtures.ts';

test('null jwks, revocationsUrl and nonceStore are absent ones', async (t) => {
  const issuer = await aipIssuer();
  let url = '';
  const s = await serveAnswers(t, (req, res) => {
    const body = req.url!.startsWith('/.well-known/agent-registry.json')
      ? { protocol: AIP_PROTOCOL, issuer: url, jwks_uri: `${url}/jwks`, revocations_endpoint: `${url}/revocations` }
      : req.url === '/jwks'
        ? issuer.jwks
        : { revoked: [], cursor: 'c1', has_more: false };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  url = s.url;
  const nulls = { jwks: null, revocationsUrl: null, nonceStore: null } as unknown as AipVerifierOptions;
  const verifier = createAipVerifier({ ...nulls, issuer: url, now: () => NOW });
  // The fixture's session token (with a nonce), issued by the loopback issuer.
  const claims = { ...issuer.session, iss: url, [aipClaimName(url, 'token_type')]: 'session' };
  delete claims[aipClaimName(ISS, 'token_type')];
  const token = await issuer.sign(claims, AIP_TYP.session);
  assert.deepEqual(await verifier.check(token), { valid: true, claims });
  assert.deepEqual(s.seen, ['/.well-known/agent-registry.json', '/jwks', '/revocations']);
  // Without an issuer, null keys and a null revocation URL are still missing ones.
  assert.throws(
    () => createAipVerifier({ ...nulls }),
    (err: unknown) => isVouchError(err, 'INVALID_ARGUMENT'),
  );
  assert.throws(
    () => createAipVerifier({ ...nulls, jwks: issuer.jwks }),
    (err: unknown) => isVouchError(err, 'INVALID_ARGUMENT'),
  );
});
