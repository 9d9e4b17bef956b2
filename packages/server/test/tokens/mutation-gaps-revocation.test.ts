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
