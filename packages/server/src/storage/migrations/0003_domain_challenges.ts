import type { VouchMigration } from './migration.ts';

/**
 * Domain-verification challenges: one current token per agent and domain, replaced once it has expired.
 * No foreign key to `agents`: domain verification reaches agents only through the agents module's port.
 */
export const domainChallenges: VouchMigration = {
  async up(db) {
    await db.schema
      .createTable('domain_challenges')
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('domain', 'text', (c) => c.notNull())
      .addColumn('token', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('domain_challenges_pkey', ['agent_id', 'domain'])
      .execute();
    await db.schema
      .createIndex('domain_challenges_expires_at_idx')
      .on('domain_challenges')
      .column('expires_at')
      .execute();
  },
};
