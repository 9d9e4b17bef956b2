// POST /api/registry/revoke with {token} checks the header's typ as verify does (docs/PROTOCOL.md, "Revoke": steps
// 1–3 of "Verify"): a JWS signed by a server token key whose typ is not an AIP token's is no token any verifier
// accepts, so it is 400 JWT_TYP_MISMATCH and nothing is listed or audited. No test held the typ check: revokeToken
// without it passed every test and stored the revocation.
import assert from 'node:assert/strict';
import { signJwt } from '@vouch/sdk';
import type { JwtClaims } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { keyringOf } from '../../src/modules/tokens/keyring.ts';
import { ADMIN, ISS, post, registerAgent, T0, tokenApp } from './helpers.ts';

const S = T0 / 1000;

eachEngine(
  'revoking a server-signed JWS whose typ is not an AIP token type is 400 JWT_TYP_MISMATCH',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const { kid, privateKey } = await keyringOf(t.ctx).signingKey();
    for (const typ of ['JWT', 'at+jwt']) {
      const claims: JwtClaims = { iss: ISS, sub: agent.did, iat: S, exp: S + 3600, jti: `typ-${typ}` };
      claims[`${ISS}/claims/token_type`] = 'identity';
      const token = await signJwt(claims, privateKey, { kid, typ });
      const res = await post(t, '/api/registry/revoke', { token }, ADMIN);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal((res.json() as { code: string }).code, 'JWT_TYP_MISMATCH', res.body);
    }
    const list = (await t.app.inject({ method: 'GET', url: '/api/registry/revocations' })).json() as {
      revoked: unknown[];
    };
    assert.deepEqual(list.revoked, []);
    const audit = (
      await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit?action=token.revoke', headers: ADMIN })
    ).json() as { entries: unknown[] };
    assert.deepEqual(audit.entries, []);
    await t.app.close();
  },
);
