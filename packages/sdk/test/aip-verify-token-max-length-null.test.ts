// verifyAipToken read its maxLength option twice: through `?? MAX_TOKEN_LENGTH` for the token's checks, but passed as
// it was to decodeJwt when no issuer is given (the keys alone pin it), where only an absent value takes the default.
// A null maxLength (a JavaScript caller, settings read from JSON) then refused every token as JWT_TOO_LARGE ("longer
// than null characters") without an issuer and verified it with one. Both reads now take null as the default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyAipToken } from '../src/index.ts';
import { aipIssuer, NOW } from './aip-fixtures.ts';

const nullLength = null as unknown as undefined;

test('verifyAipToken reads a null maxLength as the default, with or without an issuer', async () => {
  const issuer = await aipIssuer();
  const token = await issuer.sign(issuer.identity);
  const withIssuer = await verifyAipToken(token, { ...issuer.opts, maxLength: nullLength });
  assert.equal(withIssuer.tokenType, 'identity');
  const keysOnly = await verifyAipToken(token, { resolveKey: issuer.resolveKey, now: NOW, maxLength: nullLength });
  assert.equal(keysOnly.tokenType, 'identity');
  assert.equal(keysOnly.jti, withIssuer.jti);
});
