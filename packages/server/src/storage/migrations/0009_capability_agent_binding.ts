import { sql } from 'kysely';
import type { VouchMigration } from './migration.ts';

/**
 * Capability tokens record the Vouch agent their `sub` named when they were issued (`vouch_agent_id`, the agent's
 * internal id; null when `sub` named no agent of this server). A slug can be released and taken by another agent: the
 * intercept checks the recorded agent's status and that the slug still names it, not whoever holds the slug now.
 *
 * Existing tokens are backfilled with the agent their `sub` names at migration time (DID, internal id or slug), the
 * same agent an intercept would have looked up before this migration; the rest stay null, "not a Vouch agent".
 */
export const capabilityAgentBinding: VouchMigration = {
  async up(db) {
    await db.schema.alterTable('capability_tokens').addColumn('vouch_agent_id', 'text').execute();
    // `did:identity:` is 13 characters; ids (26 characters) and slugs (never 26, no ':') cannot be confused.
    await sql`update capability_tokens set vouch_agent_id = (select a.id from agents a where a.id = case
        when substr(capability_tokens.agent_id, 1, 13) = 'did:identity:' then substr(capability_tokens.agent_id, 14)
        else capability_tokens.agent_id end)`.execute(db);
    await sql`update capability_tokens set vouch_agent_id = (select a.id from agents a
        where a.slug = capability_tokens.agent_id) where vouch_agent_id is null`.execute(db);
  },
};
