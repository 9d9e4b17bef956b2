// An agent revoked while a batch naming it is under way: the batch checked the agent before its transaction, so the
// transaction reads the agent's revocation again (held on PostgreSQL, as the consents are). Nothing is stored for an
// agent after its revocation was answered; the batch's other agents are not affected.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import { beforeNextTransaction } from '../helpers/interleave.ts';
import { ingestEvents } from '../../src/modules/reputation/ingest.ts';
import { allow, createIntegrator, event, registerAgent, repApp, revokeAgent } from '../integrators/helpers.ts';

const METRICS = [{ metricKey: 'sale', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const }];

eachEngine(
  'an agent revoked after the batch checked it, before its transaction: nothing stored for it',
  async ({ open }) => {
    const storage = await open();
    const t = await repApp(storage);
    await createIntegrator(t, 'shop', METRICS);
    const agent = await registerAgent(t);
    const bystander = await registerAgent(t);
    await allow(t, agent, 'shop');
    await allow(t, bystander, 'shop');
    t.clock.advance(1000);
    const mv = [{ metricKey: 'sale', numberValue: 1 }];
    const retried = event('shop', agent, mv, { externalEventId: 'stored-before' });
    assert.equal((await ingestEvents(t.ctx, 'shop', [retried])).count, 1);
    const scoreBefore = await storage.db
      .selectFrom('reputation_scores')
      .selectAll()
      .where('agent_id', '=', agent.id)
      .execute();

    const before = await tableCounts(storage);
    // The batch has found the agent active; the revocation is recorded and answered before its transaction begins.
    beforeNextTransaction(t.ctx.storage.db, () => revokeAgent(t, agent.did));
    const answer = await ingestEvents(t.ctx, 'shop', [
      event('shop', agent, mv, { externalEventId: 'after-revoke' }),
      retried,
      event('shop', bystander, mv, { externalEventId: 'bystander' }),
    ]);
    assert.deepEqual(
      answer.results.map((r) => [r.externalEventId, r.inserted, r.code]),
      [
        ['after-revoke', false, 'AGENT_REVOKED'],
        ['stored-before', false, undefined], // already stored: a retry stays a retry
        ['bystander', true, undefined],
      ],
    );
    assert.equal(answer.count, 1);
    const after = await tableCounts(storage);
    assert.equal(after.reputation_events, before.reputation_events! + 1, 'only the bystander event is stored');
    const scoreAfter = await storage.db
      .selectFrom('reputation_scores')
      .selectAll()
      .where('agent_id', '=', agent.id)
      .execute();
    assert.deepEqual(scoreAfter, scoreBefore, "the revoked agent's reputation did not move");
    await t.app.close();
  },
);
