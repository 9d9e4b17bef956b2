// Gap found by mutation testing in revokeToken (service.ts): a token presented for revocation must name this server
// as its issuer, as verification requires. One signed with a key of this server but another `iss` (only a leaked key
// signs one) is refused with JWT_ISSUER_MISMATCH and nothing is written. Mutation caught: the `iss` check dropped.
import assert from 'node:assert/strict';
import { AIP_TYP, signJwt } from '@vouch/sdk';
import type { JwtClaims } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import { keyringOf } from '../../src/modules/tokens/keyring.ts';
import { ADMIN, post, registerAgent, T0, tokenApp } from './helpers.ts';

eachEngine(
  'revoking a token signed by this server but issued by someone else is JWT_ISSUER_MISMATCH',
  async ({ open }) => {
    const storage = await open();
    const t = await tokenApp(storage);
    const agent = await registerAgent(t);
    const s = T0 / 1000;
    const claims: JwtClaims = { iss: 'https://other.test', sub: agent.did, iat: s, exp: s + 3600, jti: 'foreign-iss' };
    claims['https://other.test/claims/token_type'] = 'identity';
    const { kid, privateKey } = await keyringOf(t.ctx).signingKey();
    const token = await signJwt(claims, privateKey, { kid, typ: AIP_TYP.identity });
    const before = await tableCounts(storage);
    const res = await post(t, '/api/registry/revoke', { token }, ADMIN);
    assert.equal((res.json() as { code: string }).code, 'JWT_ISSUER_MISMATCH', res.body);
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, res.body);
    assert.deepEqual(await tableCounts(storage), before, 'nothing written');
    await t.app.close();
  },
);
