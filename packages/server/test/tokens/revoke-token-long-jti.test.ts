// POST /api/registry/revoke with {token} whose jti is longer than any revocation by jti may name (body.jti: at most
// 128 characters; issued jtis have 22): such a token is signed by a server key, a leaked retired one say, with a jti
// no server issues. It is refused 400 JWT_CLAIM_INVALID, where its audit entry (target at most 1,024 characters) and
// PostgreSQL's index on the list's jti (about 2.7 kB) failed it with a 500 on both engines. A retired key's token
// with such a jti is refused TOKEN_UNKNOWN by the verify route without being looked up or remembered.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AIP_TYP, signJwt } from '@vouch/sdk';
import type { JwtClaims, PrivateKey } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { keyringOf } from '../../src/modules/tokens/keyring.ts';
import { ADMIN, ISS, issue, post, registerAgent, rejected, tokenApp } from './helpers.ts';

function jtiOf(length: number): string {
  return randomBytes(length).toString('base64url').slice(0, length);
}

eachEngine('a token whose jti is longer than 128 characters is 400 JWT_CLAIM_INVALID to revoke', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  await issue(t, agent, { expires_in: '24h' }); // keeps the old key published after the rotation
  const key: { kid: string; privateKey: PrivateKey } = await keyringOf(t.ctx).signingKey();
  const now = Math.floor(t.clock.now() / 1000);
  const sign = (jti: string): Promise<string> => {
    const claims: JwtClaims = { iss: ISS, sub: agent.did, iat: now, exp: now + 3600, jti };
    claims[`${ISS}/claims/token_type`] = 'identity';
    return signJwt(claims, key.privateKey, { kid: key.kid, typ: AIP_TYP.identity });
  };
  for (const length of [129, 1025, 3000]) {
    const res = await post(t, '/api/registry/revoke', { token: await sign(jtiOf(length)) }, ADMIN);
    assert.equal(res.statusCode, 400, `${length}: ${res.body}`);
    assert.equal((res.json() as { code: string }).code, 'JWT_CLAIM_INVALID', res.body);
  }
  const longest = jtiOf(128);
  const res = await post(t, '/api/registry/revoke', { token: await sign(longest) }, ADMIN);
  assert.equal(res.statusCode, 200, res.body);
  assert.equal((res.json() as { jti: string }).jti, longest);

  // The key retires (it may have leaked): its tokens with such a jti were never issued.
  t.clock.advance(60_000);
  assert.equal((await post(t, '/api/v1/admin/keys/rotate', {}, ADMIN)).statusCode, 201);
  await rejected(t, { token: await sign(jtiOf(3000)) }, 'TOKEN_UNKNOWN');
  await t.app.close();
});
