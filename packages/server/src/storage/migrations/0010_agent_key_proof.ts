import type { VouchMigration } from './migration.ts';

/**
 * `agents.key_proven_at`: when the holder of the agent's current key last proved it holds the private key (a signed
 * registration statement naming this server, or the new key's signature of a rotation statement). Null for keys
 * registered without a proof, as both seeds' clients register them; existing agents stay null.
 */
export const agentKeyProof: VouchMigration = {
  async up(db) {
    await db.schema.alterTable('agents').addColumn('key_proven_at', 'bigint').execute();
  },
};
