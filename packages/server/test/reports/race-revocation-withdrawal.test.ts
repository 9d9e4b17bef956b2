// A reporter revoked while an ingestion batch scores the same targets: the revocation withdraws the reporter's
// penalties from each target's global score row, the batch adds its events to the same rows. Both must answer 200
// (never a deadlock surfacing as a 500) and the stored scores must equal the rebuild. On PostgreSQL the interleaving is
// forced: a third session holds the first target's score row until the revocation and then the batch (which scores
// the targets in the other order) wait behind it.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { blockedBehind } from '../helpers/interleave.ts';
import { makeApp } from '../helpers/app.ts';
import { rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import { allow, createIntegrator, event, ingest, registerAgent } from '../integrators/helpers.ts';
import type { TestAgent } from '../integrators/helpers.ts';
import { ADMIN } from '../tokens/helpers.ts';
import { signText } from '../agents/helpers.ts';

const ENV = { VOUCH_PUBLIC_URL: 'https://vouch.test', VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'silent' };
const METRICS = [{ metricKey: 'sale', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const }];

eachEngine(
  "a reporter's revocation racing a batch that scores its targets: both land, no deadlock",
  async ({ open, engine }) => {
    const s1 = await open();
    const s2 = await open();
    const a = await makeApp(s1, { env: ENV });
    const b = await makeApp(s2, { env: ENV, kek: a.kek, clock: a.clock });
    try {
      const key = await createIntegrator(a, 'shop', METRICS);
      // Which of the two deadlocked transactions PostgreSQL aborts varies (an aborted batch is retried, an aborted
      // revocation is a 500): three rounds, so a deadlock is all but sure to abort a revocation at least once.
      for (let round = 0; round < 3; round++) {
        const [t1, t2, reporter] = [await registerAgent(a), await registerAgent(a), await registerAgent(a)];
        await allow(a, t1!, 'shop');
        await allow(a, t2!, 'shop');
        // The reporter reports t1, then t2: its revocation takes the penalties back in that order.
        for (const target of [t1!, t2!]) {
          const signedAt = a.clock.now();
          const signature = await signText(reporter!.key, `report:${target.did}:spam:${signedAt}`);
          const res = await a.app.inject({
            method: 'POST',
            url: '/api/v1/agents/report',
            payload: { did: target.did, reason: 'spam', reporterDid: reporter!.did, signature, signedAt },
          });
          assert.equal(res.statusCode, 201, res.body);
          a.clock.advance(1000);
        }
        const revoke = () =>
          a.app.inject({
            method: 'POST',
            url: `/api/v1/agents/${reporter!.did}/revoke`,
            headers: ADMIN,
            payload: { reason: 'sybil' },
          });
        // The batch scores t2 first, then t1.
        const mv = [{ metricKey: 'sale', numberValue: 1 }];
        const batch = () => ingest(b, key, [event('shop', t2!, mv), event('shop', t1!, mv)]);

        let revocation: Awaited<ReturnType<typeof revoke>>;
        let ingestion: Awaited<ReturnType<typeof batch>>;
        if (engine !== 'postgres') {
          [revocation, ingestion] = await Promise.all([revoke(), batch()]);
        } else {
          ({ revocation, ingestion } = await s1.db.connection().execute(async (conn) => {
            await sql`begin`.execute(conn);
            const holder = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn)).rows[0]!.pid;
            await sql`select agent_id from reputation_scores where agent_id = ${t1!.id} and scope = 'global'
            for update`.execute(conn);
            const revocation = revoke();
            await blockedBehind(s1.db, holder, 1);
            const ingestion = batch();
            await blockedBehind(s1.db, holder, 2);
            await sql`commit`.execute(conn);
            return { revocation: await revocation, ingestion: await ingestion };
          }));
        }
        assert.equal(revocation.statusCode, 200, revocation.body);
        assert.equal(ingestion.status, 200, JSON.stringify(ingestion.body));
        assert.equal(ingestion.body.count, 2);
        const report = await rebuildReputation(a.ctx, { dryRun: true });
        assert.equal(report.consistent, true, 'the stored scores equal the rebuild');
        for (const target of [t1!, t2!] as TestAgent[]) {
          const row = await s1.db
            .selectFrom('reputation_scores')
            .select('penalty')
            .where('agent_id', '=', target.id)
            .where('scope', '=', 'global')
            .executeTakeFirstOrThrow();
          assert.equal(Number(row.penalty), 0, "the revoked reporter's penalty was withdrawn");
        }
      }
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
  { timeout: 60_000 },
);
