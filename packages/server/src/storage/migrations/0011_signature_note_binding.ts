import { sql } from 'kysely';
import type { VouchMigration } from './migration.ts';

/**
 * A signature's `publicNote` is the agent's only when its signature covers the note
 * (`"<payloadHash>:<signedAt>:<sha256hex(note)>"`); a note sent with a signature over `"<payloadHash>:<signedAt>"`
 * alone could have been attached by anyone who saw the signature first, and is kept apart as `unverified_note`.
 *
 * Every note recorded before this migration came with a signature that did not cover it: all move to
 * `unverified_note`, so no page goes on presenting them as the agent's words.
 */
export const signatureNoteBinding: VouchMigration = {
  async up(db) {
    await db.schema.alterTable('signatures').addColumn('unverified_note', 'text').execute();
    await sql`update signatures set unverified_note = public_note, public_note = null
        where public_note is not null`.execute(db);
  },
};
