// signJwt, verifyJws, verifyJwt and verifyAipToken take a required options argument; a null one (a JavaScript caller,
// settings read from JSON) threw a raw TypeError ("Cannot read properties of null"). A missing or non-object options
// argument now throws VouchError INVALID_ARGUMENT naming what the options must hold; the options stay required.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, isVouchError, signJwt, verifyAipToken, verifyJws, verifyJwt } from '../src/index.ts';
import type { SignJwtOptions, VerifyAipTokenOptions, VerifyJwsOptions, VerifyJwtOptions } from '../src/index.ts';

const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;

function invalid(names: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(isVouchError(err), String(err));
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.match(err.message, names);
    return true;
  };
}

test('a null, undefined or non-object options argument is INVALID_ARGUMENT naming what is required', async () => {
  const pair = await generateKeyPair('P-256');
  const claims = { iss: 'https://vouch.example', sub: 'did:identity:abc', iat: S, exp: S + 600, jti: 'j1' };
  const token = await signJwt(claims, pair.privateKey, { kid: pair.thumbprint });
  for (const bad of [null, undefined, 'kid', 42]) {
    const label = String(bad);
    await assert.rejects(signJwt(claims, pair.privateKey, bad as unknown as SignJwtOptions), invalid(/kid/), label);
    await assert.rejects(verifyJws(token, bad as unknown as VerifyJwsOptions), invalid(/resolveKey/), label);
    await assert.rejects(verifyJwt(token, bad as unknown as VerifyJwtOptions), invalid(/resolveKey.*issuer/), label);
    const aipOptions = bad as unknown as VerifyAipTokenOptions;
    await assert.rejects(verifyAipToken(token, aipOptions), invalid(/resolveKey.*now/), label);
  }
});
