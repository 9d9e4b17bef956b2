// Above 200,000 live revocations the verify cache stops holding the list and asks the database per token
// (verify-cache.ts): the token's jti then reaches a query. A jti no server issues (a control character: PostgreSQL
// cannot even compare a text holding U+0000; longer than the 128 characters of a revocation by jti) comes only from a
// leaked active key's signer, and is refused as the retired-key check refuses it (isIssuableJti), before any read:
// 401 JWT_CLAIM_INVALID on both engines and in either mode of the cache, never a 500, and no nonce recorded.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { AIP_TYP, signJwt } from '@vouch/sdk';
import type { JwtClaims } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { keyringOf } from '../../src/modules/tokens/keyring.ts';
import type { TestApp } from '../helpers/app.ts';
import { ADMIN, ISS, registerAgent, rejected, T0, tokenApp, verify } from './helpers.ts';

const S = T0 / 1000;
const LIVE_REVOCATIONS = 200_001;

async function signed(t: TestApp, sub: string, jti: string, session = false): Promise<string> {
  const claims: JwtClaims = { iss: ISS, sub, iat: S, exp: S + 3600, jti };
  claims[`${ISS}/claims/token_type`] = session ? 'session' : 'identity';
  if (session) Object.assign(claims, { aud: 'shop', nonce: `n-${jti.length}` });
  const { kid, privateKey } = await keyringOf(t.ctx).signingKey();
  return signJwt(claims, privateKey, { kid, typ: session ? AIP_TYP.session : AIP_TYP.identity });
}

const JUNK = ['a\u0000b', '\u0000', 'tab\there', 'del\u007f', 'x'.repeat(129)];

eachEngine(
  'an unstorable jti is JWT_CLAIM_INVALID, also when the verify cache asks the database per token',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const good = await signed(t, agent.did, 'good-jti');

    // The cache as it starts: the list held in memory.
    assert.equal((await verify(t, { token: good })).status, 200);
    for (const jti of JUNK) {
      await rejected(t, { token: await signed(t, agent.did, jti) }, 'JWT_CLAIM_INVALID');
      await rejected(t, { token: await signed(t, agent.did, jti, true) }, 'JWT_CLAIM_INVALID', ADMIN);
    }

    // More live revocations than the cache holds: written in one statement, then read at the next sync.
    const expiresAt = T0 + 3_600_000;
    await sql`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${LIVE_REVOCATIONS})
      INSERT INTO token_revocations (jti, seq, revoked_at, expires_at, reason, agent_did, revoked_by)
      SELECT 'bulk-' || i, i, ${T0}, ${expiresAt}, NULL, NULL, 'test' FROM n`.execute(t.ctx.storage.db);
    t.clock.advance(1000);
    await rejected(t, { token: await signed(t, agent.did, 'bulk-7') }, 'TOKEN_REVOKED');
    assert.equal((await verify(t, { token: good })).status, 200);
    for (const jti of JUNK) {
      await rejected(t, { token: await signed(t, agent.did, jti) }, 'JWT_CLAIM_INVALID');
      await rejected(t, { token: await signed(t, agent.did, jti, true) }, 'JWT_CLAIM_INVALID', ADMIN);
    }
    const nonces = await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM token_nonces`.execute(t.ctx.storage.db);
    assert.equal(Number(nonces.rows[0]!.n), 0);
    await t.app.close();
  },
  { timeout: 120_000 },
);
