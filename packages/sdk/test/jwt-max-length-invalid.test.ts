// maxLength (decodeJws, decodeJwt, verifyJws, verifyJwt, verifyAipToken) bounds the work a token can cause, but only
// absent values took the 8,192-character default: NaN (`token.length > NaN` is false) silently removed the bound, a
// negative value or 0 refused every token as JWT_TOO_LARGE, null refused every token through decodeJws/decodeJwt.
// Now null and undefined mean the default and anything that is not a positive safe integer throws INVALID_ARGUMENT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeJws,
  decodeJwt,
  formatPublicKey,
  generateKeyPair,
  isVouchError,
  keysFromJwks,
  signJwt,
  verifyAipToken,
  verifyJws,
  verifyJwt,
} from '../src/index.ts';
import { aipIssuer, NOW as AIP_NOW } from './aip-fixtures.ts';

const ISS = 'https://vouch.example';
const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;
const BAD: unknown[] = [NaN, -1, 0, 1.5, Infinity, -Infinity, '100', 2 ** 53, true, {}];

function invalid(err: unknown): boolean {
  assert.ok(isVouchError(err), String(err));
  assert.equal(err.code, 'INVALID_ARGUMENT');
  assert.match(err.message, /maxLength/);
  return true;
}

test('a maxLength that is not a positive safe integer throws INVALID_ARGUMENT everywhere', async () => {
  const pair = await generateKeyPair('P-256');
  const jwk = { ...formatPublicKey(pair.publicKey, 'jwk'), kid: pair.thumbprint, alg: 'ES256', use: 'sig' };
  const resolveKey = keysFromJwks({ keys: [jwk] });
  const claims = { iss: ISS, sub: 'did:identity:abc', iat: S, exp: S + 600, jti: 'j1' };
  const token = await signJwt(claims, pair.privateKey, { kid: pair.thumbprint });
  const aip = await aipIssuer();
  const aipToken = await aip.sign(aip.identity);
  for (const bad of BAD) {
    const maxLength = bad as number;
    assert.throws(() => decodeJws(token, maxLength), invalid, `decodeJws ${String(bad)}`);
    assert.throws(() => decodeJwt(token, maxLength), invalid, `decodeJwt ${String(bad)}`);
    await assert.rejects(verifyJws(token, { resolveKey, maxLength }), invalid, `verifyJws ${String(bad)}`);
    await assert.rejects(verifyJwt(token, { resolveKey, issuer: ISS, now: NOW, maxLength }), invalid);
    await assert.rejects(verifyAipToken(aipToken, { ...aip.opts, maxLength }), invalid);
    const keysOnly = { resolveKey: aip.resolveKey, now: AIP_NOW, maxLength };
    await assert.rejects(verifyAipToken(aipToken, keysOnly), invalid, `verifyAipToken ${String(bad)}`);
  }
});

test('null and undefined maxLength mean the default; a positive integer still bounds exactly', async () => {
  const pair = await generateKeyPair('P-256');
  const claims = { iss: ISS, sub: 'did:identity:abc', iat: S, exp: S + 600, jti: 'j1' };
  const token = await signJwt(claims, pair.privateKey, { kid: pair.thumbprint });
  const none = null as unknown as number;
  assert.equal(decodeJws(token, none).header.kid, pair.thumbprint);
  assert.equal(decodeJwt(token, none).claims.jti, 'j1');
  assert.equal(decodeJws(token, undefined).header.kid, pair.thumbprint);
  assert.equal(decodeJws(token, token.length).header.kid, pair.thumbprint);
  assert.throws(
    () => decodeJws(token, token.length - 1),
    (err: unknown) => isVouchError(err) && err.code === 'JWT_TOO_LARGE',
  );
  const long = `${'a'.repeat(8193)}.b.c`;
  assert.throws(
    () => decodeJws(long, none),
    (err: unknown) => isVouchError(err) && err.code === 'JWT_TOO_LARGE',
  );
});
