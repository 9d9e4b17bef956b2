import { sql } from 'kysely';
import type { VouchMigration } from './migration.ts';

/**
 * Agent identities (both seeds' registration routes), their key history, owners, the single-use secrets that link
 * them (owner API keys, linking keys, claim tokens, management tokens: SHA-256 hex only), tool manifests, voice
 * fingerprints, verified proofs and the agent-signed-request replay guard.
 * Uniqueness (public key across both routes and across rotations, slug, owner handle, every secret hash) is settled
 * by constraints, never by a read-then-write.
 */
export const agents: VouchMigration = {
  async up(db) {
    await db.schema
      .createTable('owners')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('handle', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('owners_handle_key', ['handle'])
      .execute();

    await db.schema
      .createTable('owner_api_keys')
      .addColumn('key_hash', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('owners.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema.createIndex('owner_api_keys_owner_idx').on('owner_api_keys').column('owner_id').execute();

    await db.schema
      .createTable('agents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('slug', 'text')
      .addColumn('name', 'text')
      .addColumn('description', 'text')
      .addColumn('public_key', 'text')
      .addColumn('code_hash', 'text')
      .addColumn('model_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('owner_id', 'text', (c) => c.references('owners.id'))
      .addColumn('claimed_at', 'bigint')
      .addColumn('verified_domain', 'text')
      .addColumn('registered_via', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .addColumn('revoked_by', 'text')
      .addColumn('revocation_reason', 'text')
      // Both engines let any number of rows hold NULL under a unique constraint.
      .addUniqueConstraint('agents_slug_key', ['slug'])
      .addUniqueConstraint('agents_public_key_key', ['public_key'])
      .addCheckConstraint('agents_status_check', sql`status in ('unclaimed', 'claimed', 'revoked')`)
      .execute();
    await db.schema.createIndex('agents_owner_idx').on('agents').column('owner_id').execute();

    // A key stays bound to the agent that first registered it, also after rotation: it can never be registered
    // again, by either route.
    await db.schema
      .createTable('agent_keys')
      .addColumn('public_key', 'text', (c) => c.primaryKey())
      .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('retired_at', 'bigint')
      .execute();
    await db.schema.createIndex('agent_keys_agent_idx').on('agent_keys').column('agent_id').execute();

    await db.schema
      .createTable('linking_keys')
      .addColumn('key_hash', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('owners.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .addColumn('agent_id', 'text', (c) => c.references('agents.id'))
      .execute();
    await db.schema.createIndex('linking_keys_owner_idx').on('linking_keys').column('owner_id').execute();

    await db.schema
      .createTable('claim_tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .addColumn('owner_id', 'text', (c) => c.references('owners.id'))
      .addUniqueConstraint('claim_tokens_agent_key', ['agent_id'])
      .execute();

    await db.schema
      .createTable('management_tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema.createIndex('management_tokens_agent_idx').on('management_tokens').column('agent_id').execute();

    await db.schema
      .createTable('tool_manifests')
      .addColumn('agent_id', 'text', (c) => c.primaryKey().references('agents.id'))
      .addColumn('tools', 'text', (c) => c.notNull())
      .addColumn('tool_descriptions', 'text', (c) => c.notNull())
      .addColumn('manifest_hash', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .addColumn('signature_kid', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('voice_fingerprints')
      .addColumn('agent_id', 'text', (c) => c.primaryKey().references('agents.id'))
      .addColumn('fingerprint_digest', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('sample_count', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('agent_proofs')
      .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('verified_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('agent_proofs_pkey', ['agent_id', 'type', 'value'])
      .execute();

    await db.schema
      .createTable('agent_signed_requests')
      .addColumn('digest', 'text', (c) => c.primaryKey())
      .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('agent_signed_requests_agent_idx')
      .on('agent_signed_requests')
      .columns(['agent_id', 'expires_at'])
      .execute();
  },
};
