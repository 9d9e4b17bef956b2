import type { VouchMigration } from './migration.ts';

/**
 * Agent identity tokens (AIP): what was issued (to revoke by jti and to know when a retired signing key has no live
 * token left), the revocation list with its commit-ordered sequence, consumed session nonces and used issuance
 * proofs. Races are settled by primary keys and by the one counter row every revocation updates.
 */
export const tokens: VouchMigration = {
  async up(db) {
    await db.schema
      .createTable('issued_tokens')
      .addColumn('jti', 'text', (c) => c.primaryKey())
      .addColumn('kid', 'text', (c) => c.notNull())
      .addColumn('agent_did', 'text', (c) => c.notNull())
      .addColumn('token_type', 'text', (c) => c.notNull())
      .addColumn('audience', 'text')
      .addColumn('issued_by', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('issued_tokens_kid_exp_idx')
      .on('issued_tokens')
      .columns(['kid', 'expires_at'])
      .execute();
    await db.schema
      .createIndex('issued_tokens_agent_exp_idx')
      .on('issued_tokens')
      .columns(['agent_did', 'expires_at'])
      .execute();
    await db.schema.createIndex('issued_tokens_expires_at_idx').on('issued_tokens').column('expires_at').execute();

    // `seq` comes from token_revocation_seq, updated in the revoking transaction: the row lock serializes
    // revocations, so sequence order is commit order and a poller's cursor never skips a row that commits late.
    await db.schema
      .createTable('token_revocations')
      .addColumn('jti', 'text', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('agent_did', 'text')
      .addColumn('revoked_by', 'text', (c) => c.notNull())
      .addUniqueConstraint('token_revocations_seq_key', ['seq'])
      .execute();
    await db.schema
      .createIndex('token_revocations_expires_at_idx')
      .on('token_revocations')
      .column('expires_at')
      .execute();

    await db.schema
      .createTable('token_revocation_seq')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'bigint', (c) => c.notNull())
      .execute();
    await db
      .insertInto('token_revocation_seq' as never)
      .values({ name: 'revocations', value: 0 } as never)
      .execute();

    await db.schema
      .createTable('token_nonces')
      .addColumn('audience', 'text', (c) => c.notNull())
      .addColumn('nonce', 'text', (c) => c.notNull())
      .addColumn('jti', 'text', (c) => c.notNull())
      .addColumn('consumed_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('token_nonces_pkey', ['audience', 'nonce'])
      .execute();
    await db.schema.createIndex('token_nonces_expires_at_idx').on('token_nonces').column('expires_at').execute();

    await db.schema
      .createTable('token_issue_proofs')
      .addColumn('proof_digest', 'text', (c) => c.primaryKey())
      .addColumn('agent_did', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('token_issue_proofs_expires_at_idx')
      .on('token_issue_proofs')
      .column('expires_at')
      .execute();
  },
};
