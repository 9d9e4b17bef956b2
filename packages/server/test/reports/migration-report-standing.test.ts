// Migration 0012 on reports and penalties written before it: standings, penalties linked to their reporter, and the
// reports of agents already revoked withdrawn, with the stored totals lowered as the rebuild computes them.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { getGlobalScore } from '../../src/modules/reputation/service.ts';
import { rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import { reportStanding } from '../../src/storage/migrations/0012_report_standing.ts';
import { SIG_ENV } from '../signatures/helpers.ts';
import { agents, DAY, establishedAgents, expectCreated, report, signedReport } from './helpers.ts';

eachEngine(
  'migration 0012 classifies, links and withdraws the reports and penalties stored before it',
  async ({ open, engine }) => {
    const storage = await open();
    const { app, ctx, clock } = await makeApp(storage, { env: SIG_ENV });
    try {
      const [established] = await establishedAgents(app, clock, 1);
      const [target, other, revoked] = await agents(app, 3);
      await expectCreated(await report(app, await signedReport(established!, target!.did, 'spam', clock.now())));
      clock.advance(1000);
      await expectCreated(await report(app, await signedReport(revoked!, target!.did, 'spam', clock.now())));
      await expectCreated(await report(app, await signedReport(revoked!, other!.did, 'spam', clock.now())));
      await expectCreated(await report(app, { did: target!.did, reason: 'other' }, '10.1.1.1'));
      assert.equal(await getGlobalScore(ctx, target!.id), 38);

      // As before the migration: no standing, no links, no withdrawals; and `revoked` revoked without them.
      const db = storage.db;
      for (const index of [
        'reports_reporter_target_idx',
        'reports_target_penalized_idx',
        'reputation_penalties_agent_at_idx',
        'reputation_penalties_reporter_idx',
      ]) {
        await db.schema.dropIndex(index).execute();
      }
      await db.schema
        .createIndex('reputation_penalties_agent_idx')
        .on('reputation_penalties')
        .column('agent_id')
        .execute();
      for (const [table, column] of [
        ['reports', 'standing'],
        ['reports', 'withdrawn_at'],
        ['reputation_penalties', 'reporter_agent_id'],
        ['reputation_penalties', 'withdrawn_at'],
      ] as const) {
        await db.schema.alterTable(table).dropColumn(column).execute();
      }
      const revokedAt = clock.now() + DAY;
      await sql`update agents set status = 'revoked', revoked_at = ${revokedAt} where id = ${revoked!.id}`.execute(db);

      await reportStanding.up(db as unknown as Kysely<unknown>, engine);

      const sorted = <T>(rows: T[]): string[] => rows.map((r) => JSON.stringify(r)).sort();
      const reports = await db
        .selectFrom('reports')
        .select(['reporter_agent_id', 'target_agent_id', 'standing', 'withdrawn_at'])
        .execute();
      assert.deepEqual(
        sorted(reports.map((r) => ({ ...r, withdrawn_at: r.withdrawn_at === null ? null : Number(r.withdrawn_at) }))),
        sorted([
          {
            reporter_agent_id: established!.id,
            target_agent_id: target!.id,
            standing: 'established',
            withdrawn_at: null,
          },
          { reporter_agent_id: revoked!.id, target_agent_id: target!.id, standing: 'limited', withdrawn_at: revokedAt },
          { reporter_agent_id: revoked!.id, target_agent_id: other!.id, standing: 'limited', withdrawn_at: revokedAt },
          { reporter_agent_id: null, target_agent_id: target!.id, standing: 'limited', withdrawn_at: null },
        ]),
      );
      const penalties = await db
        .selectFrom('reputation_penalties')
        .select(['agent_id', 'reporter_agent_id', 'withdrawn_at'])
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        penalties.map((p) => ({ ...p, withdrawn_at: p.withdrawn_at === null ? null : Number(p.withdrawn_at) })),
        [
          { agent_id: target!.id, reporter_agent_id: established!.id, withdrawn_at: null },
          { agent_id: target!.id, reporter_agent_id: revoked!.id, withdrawn_at: revokedAt },
          { agent_id: other!.id, reporter_agent_id: revoked!.id, withdrawn_at: revokedAt },
          { agent_id: target!.id, reporter_agent_id: null, withdrawn_at: null },
        ],
      );
      assert.equal(await getGlobalScore(ctx, target!.id), 43);
      assert.equal(await getGlobalScore(ctx, other!.id), 50);
      assert.equal((await rebuildReputation(ctx, { dryRun: true })).consistent, true);
    } finally {
      await app.close();
    }
  },
);
