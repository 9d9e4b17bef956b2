// signJwt wrote any `typ` option into the header as given: a number or an object became a header typ that no verifier
// checking typ accepts (a typ is a string, RFC 7515 4.1.9), and null wrote "typ": null. A typ that is not a string is
// now INVALID_ARGUMENT, nothing signed; null is an absent typ, as a null option is elsewhere in the SDK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJws, generateKeyPair, isVouchError, signJwt } from '../src/index.ts';

test('signJwt refuses a typ that is not a string; a null typ is left out', async () => {
  const pair = await generateKeyPair('P-256');
  const kid = pair.thumbprint;
  const claims = { iss: 'https://vouch.example', sub: 'agent', iat: 1, exp: 2, jti: 'j1' };
  for (const typ of [5, {}, ['a+jwt'], true]) {
    await assert.rejects(
      signJwt(claims, pair.privateKey, { kid, typ: typ as unknown as string }),
      (e: unknown) => isVouchError(e, 'INVALID_ARGUMENT') && /typ/.test(e.message),
      JSON.stringify(typ),
    );
  }
  const none = decodeJws(await signJwt(claims, pair.privateKey, { kid, typ: null as unknown as string })).header;
  assert.deepEqual(none, { alg: 'ES256', kid });
  const given = decodeJws(await signJwt(claims, pair.privateKey, { kid, typ: 'a+jwt' })).header;
  assert.deepEqual(given, { alg: 'ES256', kid, typ: 'a+jwt' });
});
