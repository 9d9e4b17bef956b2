// A retired token key may have leaked (docs/PROTOCOL.md, "Keys"): whoever holds it signs what they like, and the
// public verify route then looks the token's jti up among the issued tokens. A jti no server ever issues (one with a
// control character: PostgreSQL cannot even compare a text with NUL) is a token it did not issue, refused
// TOKEN_UNKNOWN as any other, never a 500 on one engine and a verdict on the other.
import assert from 'node:assert/strict';
import { AIP_TYP, signJwt } from '@vouch/sdk';
import type { JwtClaims } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { keyringOf } from '../../src/modules/tokens/keyring.ts';
import { ADMIN, ISS, issue, post, registerAgent, rejected, tokenApp } from './helpers.ts';

eachEngine("a retired key's token with a jti no server issues is TOKEN_UNKNOWN, not a 500", async ({ open }) => {
  const t = await tokenApp(await open());
  const victim = await registerAgent(t);
  await issue(t, victim, { expires_in: '24h' }); // keeps the old key published after the rotation
  const leaked = await keyringOf(t.ctx).signingKey();
  t.clock.advance(60_000);
  const res = await post(t, '/api/v1/admin/keys/rotate', {}, ADMIN);
  assert.equal(res.statusCode, 201, res.body);
  const now = Math.floor(t.clock.now() / 1000);
  for (const jti of ['a\u0000b', '\u0000', 'tab\there', 'del\u007f']) {
    const claims: JwtClaims = { iss: ISS, sub: victim.did, iat: now - 120, exp: now + 3000, jti };
    claims[`${ISS}/claims/token_type`] = 'identity';
    const token = await signJwt(claims, leaked.privateKey, { kid: leaked.kid, typ: AIP_TYP.identity });
    await rejected(t, { token }, 'TOKEN_UNKNOWN');
  }
  await t.app.close();
});
