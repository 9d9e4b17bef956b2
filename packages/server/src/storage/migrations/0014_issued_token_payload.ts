import type { VouchMigration } from './migration.ts';

/**
 * `issued_tokens.payload_sha256`: the SHA-256 (hex) of the token's payload segment as signed. A token signed by a
 * retired key is accepted by the server only if its payload is the one recorded for its `jti` (docs/PROTOCOL.md,
 * "Keys"), so whoever holds a leaked retired key can neither mint new tokens nor re-mint an issued one with other
 * claims. Existing rows keep NULL: their tokens are matched on the recorded columns instead (kid, sub, type,
 * audience, iat, exp) and have all expired within 24 hours.
 */
export const issuedTokenPayload: VouchMigration = {
  async up(db) {
    await db.schema.alterTable('issued_tokens').addColumn('payload_sha256', 'text').execute();
  },
};
