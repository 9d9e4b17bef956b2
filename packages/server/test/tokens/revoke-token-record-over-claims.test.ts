// POST /api/registry/revoke with {token}: when the server has a record of the token's jti, the record says whose
// token it is and when it expires, not the presented token's claims. Only a leaked key signs a token whose sub or exp
// differ from the record of its jti, and its holder must not steer either: an owner naming its own agent in `sub`
// would revoke another owner's token, and an early `exp` would have the revocation listed, cached and kept only until
// then, while the token issued under that jti passes until its own expiry.
import assert from 'node:assert/strict';
import { AIP_TYP, signJwt } from '@vouch/sdk';
import type { JwtClaims } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { keyringOf } from '../../src/modules/tokens/keyring.ts';
import { pruneTokenState } from '../../src/modules/tokens/service.ts';
import { ADMIN, createOwner, ISS, issue, post, registerAgent, rejected, T0, tokenApp, verify } from './helpers.ts';

const S = T0 / 1000;

/** An identity token signed with the server's active key (as a leaked key's holder would): `sub`, `jti`, `exp`. */
async function forged(t: TestApp, sub: string, jti: string, exp: number): Promise<string> {
  const claims: JwtClaims = { iss: ISS, sub, iat: S, exp, jti };
  claims[`${ISS}/claims/token_type`] = 'identity';
  const { kid, privateKey } = await keyringOf(t.ctx).signingKey();
  return signJwt(claims, privateKey, { kid, typ: AIP_TYP.identity });
}

eachEngine(
  "an owner cannot revoke another owner's token by presenting its jti under its own agent's sub",
  async ({ open }) => {
    const storage = await open();
    const t = await tokenApp(storage);
    const mallory = await createOwner(t);
    const victim = await createOwner(t);
    const malloryAgent = await registerAgent(t, { owner: mallory });
    const victimAgent = await registerAgent(t, { owner: victim });
    const real = await issue(t, victimAgent);
    const token = await forged(t, malloryAgent.did, real.jti, real.exp);

    const before = await tableCounts(storage);
    const res = await post(t, '/api/registry/revoke', { token }, mallory.headers);
    assert.equal(res.statusCode, 403, res.body);
    assert.equal((res.json() as { code: string }).code, 'FORBIDDEN');
    assert.deepEqual(await tableCounts(storage), before, 'nothing written');
    assert.equal((await verify(t, { token: real.token })).status, 200, "the victim's token still passes");

    // Its own owner may revoke it by the same token: the record names that owner's agent.
    const own = await post(t, '/api/registry/revoke', { token }, victim.headers);
    assert.equal(own.statusCode, 200, own.body);
    await rejected(t, { token: real.token }, 'TOKEN_REVOKED');
    await t.app.close();
  },
);

eachEngine(
  'a revocation by a token whose exp is earlier than its record lasts until the recorded expiry',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const real = await issue(t, agent); // identity, 24 h
    const token = await forged(t, agent.did, real.jti, S + 60);
    const res = await post(t, '/api/registry/revoke', { token }, ADMIN);
    assert.equal(res.statusCode, 200, res.body);

    const list = await t.app.inject({ method: 'GET', url: '/api/registry/revocations' });
    const entries = (list.json() as { revoked: Array<{ jti: string; exp: number }> }).revoked;
    assert.deepEqual(
      entries.map((e) => [e.jti, e.exp]),
      [[real.jti, real.exp]],
    );

    // Past the presented exp plus twice the skew (60 s), housekeeping done: the real token is still refused.
    t.clock.advance(60 * 60_000);
    await pruneTokenState(t.ctx);
    await rejected(t, { token: real.token }, 'TOKEN_REVOKED');
    await t.app.close();
  },
);
