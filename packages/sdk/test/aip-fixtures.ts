// Shared by the AIP token tests: one issuer with an ES256 key, an identity and a session token's claims, and an
// assertion on the refusal code.
import assert from 'node:assert/strict';
import { AIP_TYP, aipClaimName, aipKeysFromJwks, generateKeyPair, isVouchError, signJwt } from '../src/index.ts';
import type { JwtClaims, VouchErrorCode } from '../src/index.ts';

export const ISS = 'https://vouch.example';
export const NOW = Date.UTC(2026, 0, 1);
export const S = NOW / 1000;
export const DID = 'did:identity:abcdefghijklmnopqrstuvwxya';

/** Asserts that `p` rejects with a VouchError of `code`. */
export async function rejects(p: Promise<unknown>, code: VouchErrorCode): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isVouchError(err), String(err));
    assert.equal(err.code, code, err.message);
    return true;
  });
}

/** A fresh issuer key published as an active ES256 JWK, a signer, and valid identity and session claims. */
export async function aipIssuer() {
  const pair = await generateKeyPair('P-256');
  const jwk = { ...pair.publicJwk, kid: pair.thumbprint, alg: 'ES256', use: 'sig', status: 'active' };
  const jwks = { keys: [jwk] };
  const { resolveKey } = aipKeysFromJwks(jwks);
  const sign = (claims: JwtClaims, typ: string = AIP_TYP.identity) =>
    signJwt(claims, pair.privateKey, { kid: pair.thumbprint, typ });
  const identity: JwtClaims = { iss: ISS, sub: DID, iat: S, exp: S + 3600, jti: 'j-1' };
  identity[aipClaimName(ISS, 'token_type')] = 'identity';
  const session: JwtClaims = { ...identity, jti: 'j-2', aud: 'shop', nonce: 'n-1' };
  session[aipClaimName(ISS, 'token_type')] = 'session';
  return { pair, jwk, jwks, resolveKey, sign, identity, session, opts: { resolveKey, issuer: ISS, now: NOW } };
}
