// A consent withdrawal racing an ingestion batch (docs/reputation.md, "Incremental, never recomputed on read", step 2):
// the batch reads its agents' consents inside its transaction and, on PostgreSQL, holds them (FOR SHARE) to its commit,
// so a revoke that comes after that read waits for the batch: no event is stored after a revoke has been answered.
// Only a revoke committed before the batch's transaction was tested, so reading the consents without holding them
// (mutation: drop `.forShare()` in integrators/store.ts findConsents) let the revoke be answered while the batch went
// on to store an event under the consent it had withdrawn. Two processes on one database; the revoke is sent by the
// other one at the moment the batch has read the consent. SQLite has one writer, which serializes them anyway.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { blockedBehind, pausingAfterSelect } from '../helpers/interleave.ts';
import { ingestEvents } from '../../src/modules/reputation/ingest.ts';
import { allow, createIntegrator, event, ingest, registerAgent, sendConsent } from '../integrators/helpers.ts';

const ENV = { VOUCH_PUBLIC_URL: 'https://vouch.test', VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'silent' };
const METRICS = [{ metricKey: 'sale', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const }];

eachEngine('a revoke sent while a batch holds the consent it read is answered after the batch', async (ctx) => {
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
    let revoke: Promise<number> | undefined;
    const racing = pausingAfterSelect(s2, 'integrator_consents', async () => {
      // The batch (process b) has read the agent's consent as allowed; process a sends the revoke now.
      const held = await sql<{ pid: number }>`select pid from pg_locks
        where relation = 'integrator_consents'::regclass and mode = 'RowShareLock' and granted`.execute(s1.db);
      revoke = sendConsent(a, agent, 'shop', 'revoke').then((res) => {
        order.push('revoke answered');
        return res.statusCode;
      });
      const holder = held.rows[0]?.pid;
      // Held: the revoke waits behind the batch. Not held: nothing stops it, and it is answered first.
      if (holder !== undefined) await Promise.race([blockedBehind(s1.db, holder, 1).catch(() => undefined), revoke]);
      else await revoke;
    });
    const answer = await ingestEvents({ ...b.ctx, storage: racing }, 'shop', [
      event('shop', agent, [{ metricKey: 'sale', numberValue: 1 }], { externalEventId: 'during-revoke' }),
    ]);
    order.push('batch answered');
    assert.ok(revoke !== undefined, 'the revoke was sent while the batch held the consent');
    assert.equal(await revoke, 200);
    assert.deepEqual(order, ['batch answered', 'revoke answered'], 'the revoke waited for the batch');
    assert.deepEqual(
      answer.results.map((r) => [r.externalEventId, r.inserted]),
      [['during-revoke', true]],
    );
    // From now on the integrator is refused.
    const late = await ingest(a, key, [event('shop', agent, [{ metricKey: 'sale', numberValue: 1 }])]);
    assert.equal(late.body.results[0]!.code, 'CONSENT_REQUIRED');
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
