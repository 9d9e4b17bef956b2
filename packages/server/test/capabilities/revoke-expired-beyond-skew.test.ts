// Review: PROTOCOL.md says revoking a capability token that expired more than VOUCH_CLOCK_SKEW ago answers 404
// NOT_FOUND, as its record is pruned then. Until the minute's housekeeping had actually pruned it, the revoke still
// answered 200 (and wrote a revocation, or said alreadyRevoked): the answer depended on when housekeeping last ran.
// Such a token is now treated exactly as a pruned one, by the admin's revoke and an issuer's alike.
import assert from 'node:assert/strict';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { admin, post } from '../registry/fixtures.ts';
import { boundToken, issue, revokeFrame } from './helpers.ts';

const X = 'agent:my-assistant:v1';

eachEngine(
  'revoking a token expired beyond the skew answers 404 before housekeeping prunes it, as after',
  async ({ open }) => {
    const storage = await open();
    const a = await makeApp(storage);
    try {
      const skewMs = a.ctx.config.clockSkewSeconds * 1000;
      const body = { agentId: X, resource: 'payments:invoices', action: 'read' };
      const first = await issue(a.app, body, admin(a.adminKey));
      const second = await issue(a.app, body, admin(a.adminKey));
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.equal(second.status, 201, JSON.stringify(second.body));
      const expMs = Date.parse(first.body.expiresAt!);
      assert.equal(Date.parse(second.body.expiresAt!), expMs);
      const revoke = (tokenId: string) => post(a.app, '/v1/tokens/revoke', { tokenId }, admin(a.adminKey));

      // Expired, but within the skew: still on record (a lagging process may still accept it), so it is revoked.
      a.clock.set(expMs + skewMs);
      const within = await revoke(first.body.tokenId!);
      assert.equal(within.status, 200, JSON.stringify(within.body));
      assert.equal((within.body as { alreadyRevoked: boolean }).alreadyRevoked, false);

      // One millisecond later housekeeping would prune both records: unknown, revoked or not, nothing written.
      a.clock.set(expMs + skewMs + 1);
      for (const tokenId of [first.body.tokenId!, second.body.tokenId!]) {
        const before = await tableCounts(storage);
        const res = await revoke(tokenId);
        assert.deepEqual([res.status, (res.body as { code?: string }).code], [404, 'NOT_FOUND'], JSON.stringify(res));
        assert.deepEqual(await tableCounts(storage), before);
      }
    } finally {
      await a.app.close();
    }
  },
);

eachEngine("an issuer's revoke of its token expired beyond the skew: 404 before housekeeping too", async ({ open }) => {
  const storage = await open();
  const a = await makeApp(storage);
  try {
    const frame = await revokeFrame(a);
    const { tokenId } = await boundToken(a, frame.acme, X);
    const row = await storage.db
      .selectFrom('capability_tokens')
      .select('expires_at')
      .where('jti', '=', tokenId)
      .executeTakeFirstOrThrow();
    a.clock.set(Number(row.expires_at) + a.ctx.config.clockSkewSeconds * 1000 + 1);
    await frame.refused({ tokenId, proof: await frame.sign(tokenId) }, 404, 'NOT_FOUND', 'fresh proof');
  } finally {
    await a.app.close();
  }
});
