import type { VouchMigration } from './migration.ts';

/**
 * An index on `agents (created_at, id)`, the order of the anonymous agent listings (`GET /api/registry/agents`, the
 * discovery document): without it every page sorted the whole table, tens of milliseconds a request at 200,000
 * agents, and a page after a cursor scanned it too.
 */
export const agentsListingIndex: VouchMigration = {
  async up(db) {
    await db.schema.createIndex('agents_created_idx').on('agents').columns(['created_at', 'id']).execute();
  },
};
