import type { VouchMigration } from './migration.ts';

/**
 * An index on `agent_signed_requests (expires_at)`, for the agents module's housekeeping: used requests were pruned
 * only per agent, on that agent's next signed request (through `(agent_id, expires_at)`), so an agent that stopped
 * signing left its last window of records for ever. A prune of the whole table by expiry needs this index to find
 * its rows without reading the table.
 */
export const signedRequestExpiryIndex: VouchMigration = {
  async up(db) {
    await db.schema
      .createIndex('agent_signed_requests_expires_idx')
      .on('agent_signed_requests')
      .column('expires_at')
      .execute();
  },
};
