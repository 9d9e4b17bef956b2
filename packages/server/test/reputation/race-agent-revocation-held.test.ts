// An agent revoked (by another process) while an ingestion batch naming it holds the agent it read: the batch reads
// its agents' revocation inside its transaction and, on PostgreSQL, holds their rows (FOR SHARE, agentStatusesHeld
// in agents/store.ts) to its commit, so the revocation (whose transaction begins with the agent's row FOR UPDATE)
// waits for the batch, and no event is stored for the agent after its revocation was answered. That row lock is
// the only one that orders the two: the reputation tables have no foreign key to `agents` (no FOR KEY SHARE from
// the batch's inserts), the revocation takes no advisory lock (the batch's are per agent, against other batches),
// and it touches neither the consent nor the integrator row the batch holds. revoked-mid-batch covers only a
// revocation committed before the batch's transaction; reading the statuses without holding them (mutation: drop
// `.forShare()` in agentStatusesHeld) answered the revocation first while the batch went on to store its event.
// SQLite begins every transaction with the write lock (`begin immediate`): one writer serializes them anyway.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { blockedBehind, pausingAfterSelect } from '../helpers/interleave.ts';
import { ingestEvents } from '../../src/modules/reputation/ingest.ts';
import { allow, createIntegrator, event, ingest, registerAgent, revokeAgent } from '../integrators/helpers.ts';

const ENV = { VOUCH_PUBLIC_URL: 'https://vouch.test', VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'silent' };
const METRICS = [{ metricKey: 'sale', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const }];

eachEngine('a revocation sent while a batch holds the agent it read is answered after the batch', async (ctx) => {
  if (ctx.engine !== 'postgres') return; // one writer: nothing can come between the read and the commit
  const s1 = await ctx.open();
  const s2 = await ctx.open();
  const a = await makeApp(s1, { env: ENV });
  const b = await makeApp(s2, { env: ENV, kek: a.kek, clock: a.clock });
  try {
    const key = await createIntegrator(a, 'shop', METRICS);
    const agent = await registerAgent(a);
    await allow(a, agent, 'shop');
    a.clock.advance(1000);
    const order: string[] = [];
    let revoke: Promise<void> | undefined;
    // The batch's consent read comes right after its read of the agents' statuses, in its transaction: everything
    // it checks has been read, nothing stored yet.
    const racing = pausingAfterSelect(s2, 'integrator_consents', async () => {
      // The batch's session, found by its lock on the table (any mode, so whether or not it holds the row).
      const held = await sql<{ pid: number }>`select distinct pid from pg_locks
        where relation = 'agents'::regclass and granted`.execute(s1.db);
      assert.equal(held.rows.length, 1, 'only the batch is reading agents');
      revoke = revokeAgent(a, agent.did).then(() => {
        order.push('revoke answered');
      });
      // Held: the revocation waits behind the batch. Not held: nothing stops it, and it is answered first.
      await Promise.race([blockedBehind(s1.db, held.rows[0]!.pid, 1).catch(() => undefined), revoke]);
    });
    const mv = [{ metricKey: 'sale', numberValue: 1 }];
    const answer = await ingestEvents({ ...b.ctx, storage: racing }, 'shop', [
      event('shop', agent, mv, { externalEventId: 'during-revoke' }),
    ]);
    order.push('batch answered');
    assert.ok(revoke !== undefined, 'the revocation was sent while the batch held the agent');
    await revoke;
    assert.deepEqual(order, ['batch answered', 'revoke answered'], 'the revocation waited for the batch');
    assert.deepEqual(
      answer.results.map((r) => [r.externalEventId, r.inserted]),
      [['during-revoke', true]],
    );
    // From now on the agent's events are refused.
    const late = await ingest(a, key, [event('shop', agent, mv)]);
    assert.equal(late.body.results[0]!.code, 'AGENT_REVOKED');
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
