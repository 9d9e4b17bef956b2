// POST /api/registry/revoke with {token} whose jti is the empty string: only a leaked key signs one (every verifier
// refuses it, JWT_CLAIM_INVALID), and no list entry or audit target can name it. It was a 500 (the audit entry's
// target must be 1 or more characters); it is 400 JWT_CLAIM_INVALID like every other jti no server issues, and
// nothing is recorded.
import assert from 'node:assert/strict';
import { AIP_TYP, signJwt } from '@vouch/sdk';
import type { JwtClaims } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { keyringOf } from '../../src/modules/tokens/keyring.ts';
import { ADMIN, ISS, post, registerAgent, T0, tokenApp } from './helpers.ts';

const S = T0 / 1000;

eachEngine('revoking a token whose jti is empty is 400 JWT_CLAIM_INVALID, not a 500', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const claims: JwtClaims = { iss: ISS, sub: agent.did, iat: S, exp: S + 3600, jti: '' };
  claims[`${ISS}/claims/token_type`] = 'identity';
  const { kid, privateKey } = await keyringOf(t.ctx).signingKey();
  const token = await signJwt(claims, privateKey, { kid, typ: AIP_TYP.identity });
  const res = await post(t, '/api/registry/revoke', { token }, ADMIN);
  assert.equal(res.statusCode, 400, res.body);
  assert.equal((res.json() as { code: string }).code, 'JWT_CLAIM_INVALID', res.body);
  const list = (await t.app.inject({ method: 'GET', url: '/api/registry/revocations' })).json() as {
    revoked: unknown[];
  };
  assert.deepEqual(list.revoked, []);
  await t.app.close();
});
