// The verify cache (modules/tokens/verify-cache.ts): verification reads no revocation or agent row per token, and
// still refuses a revoked token at once after a revocation in this process, and within REVOCATION_SYNC_MS (app
// clock) after one written by another process.
import assert from 'node:assert/strict';
import { AGENT_CACHE_MS, REVOCATION_SYNC_MS } from '../../src/modules/tokens/verify-cache.ts';
import { eachEngine } from '../helpers/storage.ts';
import { countQueries, selectsFrom } from '../helpers/query-count.ts';
import { issue, registerAgent, rejected, revokeAgent, tokenApp, verify, ADMIN, post } from './helpers.ts';

eachEngine(
  'revocations reach the verify cache: at once from this process, within the sync bound from another',
  async ({ open }) => {
    const t = await tokenApp(await open());
    try {
      const agent = await registerAgent(t);
      const [a, b, c] = [await issue(t, agent), await issue(t, agent), await issue(t, agent)];
      for (const x of [a, b, c]) assert.equal((await verify(t, { token: x.token })).status, 200);

      // This process: refused on the next verification, the clock standing still.
      assert.equal((await post(t, '/api/registry/revoke', { jti: a.jti }, ADMIN)).statusCode, 200);
      await rejected(t, { token: a.token }, 'TOKEN_REVOKED');

      // Another process (a row written behind this one's back, the way a second server on PostgreSQL writes it).
      const db = t.ctx.storage.db;
      const seq = await db
        .updateTable('token_revocation_seq')
        .set((eb) => ({ value: eb('value', '+', 1) }))
        .where('name', '=', 'revocations')
        .returning('value')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('token_revocations')
        .values({
          jti: b.jti,
          seq: Number(seq.value),
          revoked_at: t.clock.now(),
          expires_at: b.exp * 1000,
          reason: 'elsewhere',
          agent_did: agent.did,
          revoked_by: 'admin',
        })
        .execute();
      // Within the bound the cached answer may stand (not asserted: another app in this test process may have made
      // this cache re-read already); once the bound has passed it is refused.
      t.clock.advance(REVOCATION_SYNC_MS);
      await rejected(t, { token: b.token }, 'TOKEN_REVOKED');

      // An agent revoked in this process: its token is refused at once.
      await revokeAgent(t, agent.did);
      await rejected(t, { token: c.token }, 'TOKEN_REVOKED');
    } finally {
      await t.app.close();
    }
  },
);

eachEngine('when a cached agent expires, concurrent verifications share one agent read', async ({ open }) => {
  const storage = await open();
  // Counts the agent reads the app sends.
  const agentReads = countQueries(storage, (node) => selectsFrom(node, 'agents'));
  const t = await tokenApp(agentReads.storage);
  try {
    const agent = await registerAgent(t);
    const tokens = await Promise.all(Array.from({ length: 3 }, () => issue(t, agent)));
    assert.equal((await verify(t, { token: tokens[0]!.token })).status, 200);
    t.clock.advance(AGENT_CACHE_MS);
    const before = agentReads.counted();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => verify(t, { token: tokens[i % tokens.length]!.token })),
    );
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
    assert.equal(agentReads.counted() - before, 1, 'one read for the 40 verifications after the cached agent expired');
  } finally {
    await t.app.close();
  }
});
