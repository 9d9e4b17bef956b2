// A session token presented to its audience (the admin, or the integrator whose slug is its `aud`) has its nonce
// recorded in token_nonces: audience, nonce, jti and the token's expiry in whole milliseconds. A token signed with the
// active key carries whatever its signer chose only after that key leaked, yet the answer must stay a verdict: a
// claim no issued token has (an exp that is not whole seconds, a nonce or audience other than the 1–256 printable
// ASCII characters issuance accepts) is 401 JWT_CLAIM_INVALID on both engines, for
// the audience and for anyone else alike, never a 500 on PostgreSQL and a stored row on SQLite.
import assert from 'node:assert/strict';
import { AIP_TYP, signJwt } from '@vouch/sdk';
import type { JwtClaims } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { keyringOf } from '../../src/modules/tokens/keyring.ts';
import type { TestApp } from '../helpers/app.ts';
import { ADMIN, ISS, issue, registerAgent, rejected, T0, tokenApp, verify } from './helpers.ts';

const S = T0 / 1000;

async function signed(t: TestApp, claims: JwtClaims, typ: string = AIP_TYP.session): Promise<string> {
  const { kid, privateKey } = await keyringOf(t.ctx).signingKey();
  return signJwt(claims, privateKey, { kid, typ });
}

eachEngine(
  'a session token whose nonce record no issued token makes is JWT_CLAIM_INVALID, not a 500',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const base: JwtClaims = {
      iss: ISS,
      sub: agent.did,
      iat: S,
      exp: S + 3600,
      jti: 'ok-jti',
      aud: 'shop',
      nonce: 'n-1',
    };
    base[`${ISS}/claims/token_type`] = 'session';
    const refused: Array<[string, JwtClaims]> = [
      ['fractional exp', { ...base, jti: 'frac-ms', exp: S + 3600.0001 }],
      ['half-second exp', { ...base, jti: 'frac-half', nonce: 'n-2', exp: S + 3600.5 }],
      ['NUL in nonce', { ...base, jti: 'nul-nonce', nonce: 'a\u0000b' }],
      ['NUL in aud', { ...base, jti: 'nul-aud', aud: 'sh\u0000op' }],
      ['long nonce', { ...base, jti: 'long-nonce', nonce: 'x'.repeat(4000) }],
      ['space in nonce', { ...base, jti: 'space-nonce', nonce: 'a b' }],
    ];
    for (const [what, claims] of refused) {
      const token = await signed(t, claims);
      for (const headers of [ADMIN, {}]) {
        const r = await verify(t, { token }, headers);
        assert.equal(r.status, 401, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
        assert.equal(r.body.code, 'JWT_CLAIM_INVALID', `${what}: ${JSON.stringify(r.body)}`);
      }
    }
    // An identity token is refused for its exp alike: the verdict does not depend on who asks or on the token's type.
    const identity: JwtClaims = { iss: ISS, sub: agent.did, iat: S, exp: S + 3600.5, jti: 'frac-identity' };
    identity[`${ISS}/claims/token_type`] = 'identity';
    await rejected(t, { token: await signed(t, identity, AIP_TYP.identity) }, 'JWT_CLAIM_INVALID');

    // What issuance makes still passes, and its nonce is consumed once.
    const good = await signed(t, { ...base, jti: 'good', nonce: 'n-good' });
    assert.equal((await verify(t, { token: good }, ADMIN)).status, 200);
    await rejected(t, { token: good }, 'NONCE_REPLAYED', ADMIN);
    await t.app.close();
  },
);

eachEngine(
  'an audience and a nonce of the 256 characters issuance takes verify, and the nonce is consumed',
  async ({ open }) => {
    const t = await tokenApp(await open());
    try {
      const agent = await registerAgent(t);
      const audience = 'a'.repeat(256);
      const { token } = await issue(t, agent, { token_type: 'session', audience, nonce: 'n'.repeat(256) });
      const r = await verify(t, { token, audience }, ADMIN);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      await rejected(t, { token, audience }, 'NONCE_REPLAYED', ADMIN);
      // One character more is what no issuance makes: refused for every caller.
      const base: JwtClaims = { iss: ISS, sub: agent.did, iat: S, exp: S + 3600, jti: 'long-aud', aud: `${audience}a` };
      base[`${ISS}/claims/token_type`] = 'session';
      await rejected(t, { token: await signed(t, base) }, 'JWT_CLAIM_INVALID');
      await rejected(
        t,
        { token: await signed(t, { ...base, jti: 'long-nonce', aud: 'shop', nonce: 'n'.repeat(257) }) },
        'JWT_CLAIM_INVALID',
      );
    } finally {
      await t.app.close();
    }
  },
);
