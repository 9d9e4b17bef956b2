import { sql } from 'kysely';
import type { VouchMigration } from './migration.ts';

/**
 * Domain proofs are re-checked (docs/PROTOCOL.md, "Domain proofs"): each `agent_proofs` row of type `domain` keeps the
 * `token` that proved it (published in DNS or on the site, so not a secret), `succeeded_at` (the last check that
 * found it), `checked_at` (the last check, whatever its outcome) and `claimed_until` (a re-check in progress, so that
 * several processes on one PostgreSQL never check one proof at once). The re-check pass reads the due proofs through
 * `(type, checked_at)`.
 *
 * Existing proofs: both times become the proof's `verified_at`, and the token is the agent's stored challenge for that
 * domain when there still is one (challenges are kept until a week after they expire). A proof without a token cannot
 * be re-checked: each of its re-checks fails, so it lapses once its grace (`VOUCH_DOMAIN_PROOF_GRACE`) since
 * `verified_at` has passed, unless the agent proves the domain again through the challenge flow.
 */
export const domainRecheck: VouchMigration = {
  async up(db) {
    await db.schema.alterTable('agent_proofs').addColumn('token', 'text').execute();
    await db.schema
      .alterTable('agent_proofs')
      .addColumn('succeeded_at', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('agent_proofs')
      .addColumn('checked_at', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('agent_proofs').addColumn('claimed_until', 'bigint').execute();
    await sql`update agent_proofs set succeeded_at = verified_at, checked_at = verified_at,
        token = (select c.token from domain_challenges c
          where c.agent_id = agent_proofs.agent_id and c.domain = agent_proofs.value)
        where type = 'domain'`.execute(db);
    await db.schema
      .createIndex('agent_proofs_type_checked_at_idx')
      .on('agent_proofs')
      .columns(['type', 'checked_at'])
      .execute();
  },
};
