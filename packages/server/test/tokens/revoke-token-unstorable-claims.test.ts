// POST /api/registry/revoke with {token}: the token carries a valid signature by one of the server's keys, but a
// published retired key may have leaked (docs/PROTOCOL.md, "Keys"), so its claims are whatever its signer chose. A jti
// or sub no server issues (control characters: PostgreSQL cannot store U+0000) or an exp no list can carry (past the
// range of a millisecond time) is 400 JWT_CLAIM_INVALID on both engines, never a 500 on PostgreSQL and a stored row on
// SQLite; a fractional exp is listed rounded up, so that no verifier forgets the entry while the token still passes.
import assert from 'node:assert/strict';
import { AIP_TYP, signJwt } from '@vouch/sdk';
import type { JwtClaims } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { keyringOf } from '../../src/modules/tokens/keyring.ts';
import type { TestApp } from '../helpers/app.ts';
import { ADMIN, ISS, post, registerAgent, T0, tokenApp } from './helpers.ts';

const S = T0 / 1000;

async function signed(t: TestApp, claims: JwtClaims): Promise<string> {
  const { kid, privateKey } = await keyringOf(t.ctx).signingKey();
  return signJwt(claims, privateKey, { kid, typ: AIP_TYP.identity });
}

eachEngine('revoking a token whose claims cannot be listed is 400 JWT_CLAIM_INVALID, not a 500', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const base: JwtClaims = { iss: ISS, sub: agent.did, iat: S, exp: S + 3600, jti: 'ok-jti' };
  base[`${ISS}/claims/token_type`] = 'identity';
  const refused: JwtClaims[] = [
    { ...base, jti: 'a\u0000b' },
    { ...base, jti: 'line\nfeed' },
    { ...base, jti: 'unstorable-sub', sub: 'did:identity:\u0000' },
    { ...base, jti: 'far-future', iat: 1e16, exp: 1e16 },
    { ...base, jti: 'far-past', iat: -1e16, exp: -1e16 },
  ];
  for (const claims of refused) {
    const res = await post(t, '/api/registry/revoke', { token: await signed(t, claims) }, ADMIN);
    assert.equal(res.statusCode, 400, `${JSON.stringify(claims.jti)}: ${res.body}`);
    assert.equal((res.json() as { code: string }).code, 'JWT_CLAIM_INVALID', res.body);
  }

  const fractional = await signed(t, { ...base, jti: 'fractional-exp', exp: S + 3600.0001 });
  const res = await post(t, '/api/registry/revoke', { token: fractional }, ADMIN);
  assert.equal(res.statusCode, 200, res.body);
  const list = (await t.app.inject({ method: 'GET', url: '/api/registry/revocations' })).json() as {
    revoked: Array<{ jti: string; exp: number }>;
  };
  assert.deepEqual(
    list.revoked.map((r) => [r.jti, r.exp]),
    [['fractional-exp', S + 3601]],
  );
  await t.app.close();
});
