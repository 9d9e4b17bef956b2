import type { VouchMigration } from './migration.ts';

/**
 * `signatures.signer_public_key`: the agent's key (standard base64 of its 32 bytes) that the signature verified with
 * when it was recorded. Verify answers it as `signerPublicKey`, so a signature made before the agent rotated its key
 * can still be checked offline (the agent's current key never verifies it). Rows recorded before keep NULL: a
 * verifier falls back to the agent's current key, as before.
 */
export const signatureSignerKey: VouchMigration = {
  async up(db) {
    await db.schema.alterTable('signatures').addColumn('signer_public_key', 'text').execute();
  },
};
