import { sql } from 'kysely';
import type { VouchMigration } from './migration.ts';

const WEEK_MS = 7 * 86_400_000;

/**
 * Report penalties that end (docs/reputation.md, "Report penalties"): each report records its reporter's `standing`
 * (`established`: a signed report by an agent with an owner, registered a week or more before; `limited`: any other)
 * and `withdrawn_at`; each penalty records the agent whose report carried it and `withdrawn_at`, set when that agent is
 * revoked. The report checks read the penalized reports of a target through a partial index; the score reads the
 * agent's penalties in force through `(agent_id, at)`.
 *
 * Existing rows: a signed report is `established` if its reporter has an owner now and was registered a week before
 * the report; a penalty is linked to its report when exactly one report has its target, time and amount (they were
 * written together); the reports and penalties of agents already revoked are withdrawn as of their revocation, and
 * the stored totals are lowered to match, as the rebuild computes them.
 */
export const reportStanding: VouchMigration = {
  async up(db) {
    await db.schema
      .alterTable('reports')
      .addColumn('standing', 'text', (c) => c.notNull().defaultTo('limited'))
      .execute();
    await db.schema.alterTable('reports').addColumn('withdrawn_at', 'bigint').execute();
    await sql`update reports set standing = 'established' where kind = 'signed' and exists (select 1 from agents a
        where a.id = reports.reporter_agent_id and a.owner_id is not null
        and a.created_at <= reports.created_at - ${sql.lit(WEEK_MS)})`.execute(db);
    await sql`update reports set withdrawn_at = (select a.revoked_at from agents a where a.id = reports.reporter_agent_id)
        where exists (select 1 from agents a where a.id = reports.reporter_agent_id and a.status = 'revoked'
        and a.revoked_at is not null)`.execute(db);
    // A reporter's reports on a target; the revocation finds a reporter's reports by its prefix.
    await db.schema
      .createIndex('reports_reporter_target_idx')
      .on('reports')
      .columns(['reporter_agent_id', 'target_agent_id', 'created_at'])
      .execute();
    // The reports that carried a penalty: what the caps add up (at most 20 a day per target).
    await db.schema
      .createIndex('reports_target_penalized_idx')
      .on('reports')
      .columns(['target_agent_id', 'created_at'])
      .where(sql<boolean>`penalty > 0`)
      .execute();

    await db.schema.alterTable('reputation_penalties').addColumn('reporter_agent_id', 'text').execute();
    await db.schema.alterTable('reputation_penalties').addColumn('withdrawn_at', 'bigint').execute();
    const sameReport = sql`from reports r where r.target_agent_id = reputation_penalties.agent_id
        and r.created_at = reputation_penalties.at and r.penalty = reputation_penalties.penalty`;
    await sql`update reputation_penalties set reporter_agent_id = (select r.reporter_agent_id ${sameReport})
        where (select count(*) ${sameReport}) = 1`.execute(db);
    await sql`update reputation_penalties set withdrawn_at = (select a.revoked_at from agents a
        where a.id = reputation_penalties.reporter_agent_id)
        where exists (select 1 from agents a where a.id = reputation_penalties.reporter_agent_id
        and a.status = 'revoked' and a.revoked_at is not null)`.execute(db);
    const withdrawn = sql`from reputation_penalties p
        where p.agent_id = reputation_scores.agent_id and p.withdrawn_at is not null`;
    await sql`update reputation_scores set
        penalty = penalty - (select coalesce(sum(p.penalty), 0) ${withdrawn}),
        updated_at = case when (select max(p.withdrawn_at) ${withdrawn}) > updated_at
          then (select max(p.withdrawn_at) ${withdrawn}) else updated_at end
        where scope = 'global' and exists (select 1 ${withdrawn})`.execute(db);
    await db.schema
      .createIndex('reputation_penalties_agent_at_idx')
      .on('reputation_penalties')
      .columns(['agent_id', 'at'])
      .execute();
    await db.schema.dropIndex('reputation_penalties_agent_idx').execute();
    await db.schema
      .createIndex('reputation_penalties_reporter_idx')
      .on('reputation_penalties')
      .column('reporter_agent_id')
      .execute();
  },
};
