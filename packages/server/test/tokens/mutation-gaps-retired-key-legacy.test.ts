// Gaps found by mutation testing in the retired-key check (retired-key-tokens.ts): a record from before migration 0014
// has no payload digest, so its columns are all that ties a token of a retired (possibly leaked) key to what was
// issued. Each of them must match: agent, token type, audience, iat (exp is covered in retired-key.test.ts).
import assert from 'node:assert/strict';
import { AIP_TYP, decodeJwt, signJwt } from '@vouch/sdk';
import type { JwtClaims } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { keyringOf } from '../../src/modules/tokens/keyring.ts';
import { ADMIN, ISS, issue, post, registerAgent, rejected, tokenApp, verify } from './helpers.ts';

const TYPE_CLAIM = `${ISS}/claims/token_type`;

eachEngine(
  'a pre-0014 record (no payload digest) refuses its jti re-minted with another agent, type, audience or iat',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const other = await registerAgent(t);
    const session = await issue(t, agent, { token_type: 'session', audience: 'shop', nonce: 'n-1' });
    const identity = await issue(t, agent, { expires_in: '6h' });
    await t.ctx.storage.db
      .updateTable('issued_tokens')
      .set({ payload_sha256: null })
      .where('jti', 'in', [session.jti, identity.jti])
      .execute();
    const leaked = await keyringOf(t.ctx).signingKey();
    t.clock.advance(60_000);
    assert.equal((await post(t, '/api/v1/admin/keys/rotate', {}, ADMIN)).statusCode, 201);
    const sign = (claims: JwtClaims, typ: string) => signJwt(claims, leaked.privateKey, { kid: leaked.kid, typ });

    const s = decodeJwt(session.token).claims;
    const id = decodeJwt(identity.token).claims;
    const cases: Array<[string, JwtClaims, string]> = [
      ['another agent', { ...id, sub: other.did }, AIP_TYP.identity],
      ['another audience', { ...s, aud: 'bank' }, AIP_TYP.session],
      ['another iat', { ...id, iat: (id.iat as number) - 60 }, AIP_TYP.identity],
      ['an identity jti as a session token', { ...id, aud: 'shop', [TYPE_CLAIM]: 'session' }, AIP_TYP.session],
    ];
    for (const [what, claims, typ] of cases) {
      const r = await verify(t, { token: await sign(claims, typ) });
      assert.equal(r.status, 401, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, 'TOKEN_UNKNOWN', `${what}: ${JSON.stringify(r.body)}`);
    }
    // Re-signed unchanged, they are the tokens issued: accepted, as the genuine ones are.
    assert.equal((await verify(t, { token: await sign(id, AIP_TYP.identity) })).body.valid, true);
    assert.equal((await verify(t, { token: identity.token })).body.valid, true);
    assert.equal((await verify(t, { token: session.token, audience: 'shop' })).body.valid, true);
    await rejected(t, { token: await sign({ ...s, aud: 'bank' }, AIP_TYP.session), audience: 'bank' }, 'TOKEN_UNKNOWN');
    await t.app.close();
  },
);
