import type { VouchMigration } from './migration.ts';

/**
 * identity.app's signed messages and reports (issue 6). A signature row is keyed by its `signatureHash`, so the same
 * submission from any number of processes lands once; certifications are a counter on the row, bumped by one
 * UPDATE. Reports keep the effective penalty they carried; `report_locks` holds one row per reported agent and one
 * per anonymous client address, upserted first in each report's transaction so the 24-hour rules (once per reporter,
 * target and reason; the penalty cap; the anonymous hourly limit) are checked and written by one transaction at a
 * time per target and per address.
 */
export const signatures: VouchMigration = {
  async up(db) {
    await db.schema
      .createTable('signatures')
      .addColumn('signature_hash', 'text', (c) => c.primaryKey())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('did', 'text', (c) => c.notNull())
      .addColumn('payload_hash', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .addColumn('signed_at', 'bigint', (c) => c.notNull())
      .addColumn('public_note', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('certification_count', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('signatures_agent_idx').on('signatures').column('agent_id').execute();

    await db.schema
      .createTable('reports')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('target_agent_id', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('reporter_agent_id', 'text')
      // Anonymous reports: SHA-256 hex of the client address (the reporter for the once-per-24-h rule).
      .addColumn('reporter_address', 'text')
      .addColumn('signature_hash', 'text')
      .addColumn('details', 'text')
      .addColumn('signed_at', 'bigint')
      .addColumn('nominal_penalty', 'integer', (c) => c.notNull())
      .addColumn('penalty', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('reports_target_created_idx')
      .on('reports')
      .columns(['target_agent_id', 'created_at'])
      .execute();
    await db.schema
      .createIndex('reports_address_created_idx')
      .on('reports')
      .columns(['reporter_address', 'created_at'])
      .execute();

    await db.schema
      .createTable('report_locks')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('touched_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
