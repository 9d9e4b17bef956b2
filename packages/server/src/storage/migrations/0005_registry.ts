import type { VouchMigration } from './migration.ts';

/**
 * Trust registry (issue 4): the document this server serves or follows (one row per role, its sequence guarding
 * every change) and the governance proposals collecting co-signatures.
 */
export const registry: VouchMigration = {
  async up(db) {
    await db.schema
      .createTable('registry_documents')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('sequence', 'bigint', (c) => c.notNull())
      .addColumn('chain_hash', 'text', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('registry_proposals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('base_sequence', 'bigint', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('subject', 'text')
      .addColumn('proposal', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('applied_sequence', 'bigint')
      .execute();
    await db.schema
      .createIndex('registry_proposals_status_base_idx')
      .on('registry_proposals')
      .columns(['status', 'base_sequence'])
      .execute();
  },
};
