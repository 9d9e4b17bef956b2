// Gaps found by mutation testing in token revocation (service.ts revokeToken): the check made again under the
// revocation counter's lock (a revocation of the same jti that committed in between), and the issuer check of a
// token presented for revocation.
import assert from 'node:assert/strict';
import { AIP_TYP, signJwt } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import { beforeNextTransaction } from '../helpers/interleave.ts';
import { keyringOf } from '../../src/modules/tokens/keyring.ts';
import { revokeToken } from '../../src/modules/tokens/service.ts';
import { ADMIN, ISS, issue, post, registerAgent, tokenApp } from './helpers.ts';

const ADMIN_PRINCIPAL = { caller: 'admin', id: 'admin' } as const;

eachEngine(
  'a revocation of the same jti committed just before this one makes it idempotent, not a failure',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const { jti } = await issue(t, agent);
    // The first call finds no revocation, then, just before its transaction, another one of the same jti commits.
    let other: { jti: string; alreadyRevoked: boolean } | undefined;
    beforeNextTransaction(t.ctx.storage.db, async () => {
      other = await revokeToken(t.ctx, ADMIN_PRINCIPAL, { jti, reason: 'first' });
    });
    const late = await revokeToken(t.ctx, ADMIN_PRINCIPAL, { jti, reason: 'second' });
    assert.deepEqual(other, { jti, alreadyRevoked: false });
    assert.deepEqual(late, { jti, alreadyRevoked: true });
    const rows = await t.ctx.storage.db.selectFrom('token_revocations').select(['jti', 'seq', 'reason']).execute();
    assert.deepEqual(
      rows.map((r) => [r.jti, Number(r.seq), r.reason]),
      [[jti, 1, 'first']],
    );
    const audit = await t.ctx.storage.db
      .selectFrom('audit_log')
      .select('target')
      .where('action', '=', 'token.revoke')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.target),
      [jti],
    );
    await t.app.close();
  },
);

eachEngine('a token presented for revocation must name this server as its issuer', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  await issue(t, agent);
  // Signed by this server's own key (e.g. under an earlier VOUCH_PUBLIC_URL), but naming another issuer.
  const { kid, privateKey } = await keyringOf(t.ctx).signingKey();
  const now = Math.floor(t.clock.now() / 1000);
  const foreign = await signJwt(
    { iss: 'https://other.example', sub: agent.did, iat: now, exp: now + 3600, jti: 'foreign-iss' },
    privateKey,
    { kid, typ: AIP_TYP.identity },
  );
  const before = await tableCounts(t.ctx.storage);
  const res = await post(t, '/api/registry/revoke', { token: foreign }, ADMIN);
  assert.equal(res.statusCode, 400, res.body);
  assert.equal((res.json() as { code: string }).code, 'JWT_ISSUER_MISMATCH');
  assert.deepEqual(await tableCounts(t.ctx.storage), before, 'nothing written');
  // The same claims naming this server are revocable.
  const ours = await signJwt({ iss: ISS, sub: agent.did, iat: now, exp: now + 3600, jti: 'our-iss' }, privateKey, {
    kid,
    typ: AIP_TYP.identity,
  });
  assert.equal((await post(t, '/api/registry/revoke', { token: ours }, ADMIN)).statusCode, 200);
  await t.app.close();
});

eachEngine(
  'a token presented for revocation must be one a verifier could accept: iat, and a lifetime within 24 h',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    await issue(t, agent);
    // Minted with this server's key (as a leaked retired key would be): a verifier refuses such a token for good, so
    // a revocation of it would be a row kept until its chosen expiry, for nothing.
    const { kid, privateKey } = await keyringOf(t.ctx).signingKey();
    const now = Math.floor(t.clock.now() / 1000);
    const sign = (claims: Record<string, unknown>) =>
      signJwt({ iss: ISS, sub: agent.did, ...claims }, privateKey, { kid, typ: AIP_TYP.identity });
    const day = 24 * 3600;
    const before = await tableCounts(t.ctx.storage);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ iat: now, exp: now + day + 1, jti: 'too-long' }, 'TOKEN_LIFETIME_EXCEEDED'],
      // Half a second over is over too: no whole-second rounding lets a lifetime past 24 h through.
      [{ iat: now, exp: now + day + 0.5, jti: 'half-second-over' }, 'TOKEN_LIFETIME_EXCEEDED'],
      [{ iat: now, exp: now + 100 * 365 * day, jti: 'a-century' }, 'TOKEN_LIFETIME_EXCEEDED'],
      [{ exp: now + 3600, jti: 'no-iat' }, 'JWT_CLAIM_INVALID'],
    ];
    for (const [claims, code] of cases) {
      const res = await post(t, '/api/registry/revoke', { token: await sign(claims) }, ADMIN);
      assert.equal(res.statusCode, 400, `${claims.jti}: ${res.body}`);
      assert.equal((res.json() as { code: string }).code, code, String(claims.jti));
    }
    assert.deepEqual(await tableCounts(t.ctx.storage), before, 'nothing written');
    // A full 24 h lifetime is revocable, and so is a token dated ahead (it verifies once its iat comes): kept to its exp.
    const later = now + 365 * day;
    for (const claims of [
      { iat: now, exp: now + day, jti: 'full-day' },
      { iat: later, exp: later + 3600, jti: 'dated-ahead' },
    ]) {
      const res = await post(t, '/api/registry/revoke', { token: await sign(claims) }, ADMIN);
      assert.equal(res.statusCode, 200, `${claims.jti}: ${res.body}`);
    }
    const listed = await t.app.inject({ method: 'GET', url: '/api/registry/revocations' });
    const exps = Object.fromEntries(
      (listed.json() as { revoked: Array<{ jti: string; exp: number }> }).revoked.map((r) => [r.jti, r.exp]),
    );
    assert.deepEqual(exps, { 'full-day': now + day, 'dated-ahead': later + 3600 });
    await t.app.close();
  },
);
