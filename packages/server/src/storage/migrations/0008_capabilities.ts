import type { VouchMigration } from './migration.ts';

/**
 * Capability tokens (issue 7): every token the gateway issued, as its compact text (never re-serialized), with the
 * fields delegation and issuer revocation read back; revoked token ids (an intercept looks up the token and its
 * `par` ancestors by primary key in one query); proofs of possession already used.
 */
export const capabilities: VouchMigration = {
  async up(db) {
    await db.schema
      .createTable('capability_tokens')
      .addColumn('jti', 'text', (c) => c.primaryKey())
      .addColumn('token', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('issuer_id', 'text')
      .addColumn('parent_jti', 'text')
      .addColumn('depth', 'integer', (c) => c.notNull())
      .addColumn('cnf_jwk', 'text')
      .addColumn('issued_by', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('capability_tokens_expires_at_idx')
      .on('capability_tokens')
      .column('expires_at')
      .execute();

    await db.schema
      .createTable('capability_revocations')
      .addColumn('jti', 'text', (c) => c.primaryKey())
      .addColumn('revoked_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('revoked_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('capability_revocations_expires_at_idx')
      .on('capability_revocations')
      .column('expires_at')
      .execute();

    await db.schema
      .createTable('capability_proofs')
      .addColumn('proof_digest', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('capability_proofs_expires_at_idx')
      .on('capability_proofs')
      .column('expires_at')
      .execute();
  },
};
