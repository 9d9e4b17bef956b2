import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { sha256HexSync } from '@vouch/sdk';
import type { VouchMigration } from './migration.ts';

/** Rows hashed per statement in the backfill (three parameters each, well under SQLite's limit). */
const BATCH = 300;

/**
 * Capability tokens are bearer credentials: `capability_tokens` records each one as `token_sha256`, the SHA-256 hex
 * of its UTF-8 compact text (what `hashSecret` computes: API keys and other tokens are stored so), instead of the text
 * itself (`token`, 0008), which gave whoever read the database or a backup tokens to present. The intercept compares
 * the presented text's digest with it, so only the exact text recorded is still accepted.
 *
 * Additive, so that a rolling upgrade never fails a request: both columns are nullable and `token` stays, because an
 * instance of the previous version still running writes and reads it (its inserts name no `token_sha256`). Existing
 * rows get their digest and lose their text here, in batches; PostgreSQL drops `token`'s NOT NULL, SQLite (which
 * cannot) copies the table into one of the same shape as PostgreSQL's (columns in the same order) and replaces it.
 * The text an older instance records after this is replaced by its digest by the capability housekeeping
 * (`scrubTokenText`), which finds such rows by the partial index `capability_tokens_text_idx`.
 */
export const capabilityTokenDigest: VouchMigration = {
  async up(db, engine) {
    await db.schema.alterTable('capability_tokens').addColumn('token_sha256', 'text').execute();
    if (engine === 'postgres') {
      await db.schema
        .alterTable('capability_tokens')
        .alterColumn('token', (c) => c.dropNotNull())
        .execute();
    } else {
      await rebuildOnSqlite(db);
    }
    // The rows that still hold text, for the backfill below and the housekeeping's scrub every minute: empty but for
    // an older instance's rows mid-rollout, so neither reads the whole table.
    await db.schema
      .createIndex('capability_tokens_text_idx')
      .on('capability_tokens')
      .column('jti')
      .where(sql.ref('token'), 'is not', null)
      .execute();
    for (;;) {
      const { rows } = await sql<{ jti: string; token: string }>`select jti, token from capability_tokens
        where token is not null limit ${BATCH}`.execute(db);
      if (rows.length === 0) break;
      const digests = sql.join(
        rows.map((r) => sql`when ${r.jti} then ${sha256HexSync(r.token)}`),
        sql` `,
      );
      const jtis = sql.join(rows.map((r) => r.jti));
      await sql`update capability_tokens set token_sha256 = case jti ${digests} end, token = null
        where jti in (${jtis})`.execute(db);
    }
  },
};

/** The columns, in order: 0008's, 0009's `vouch_agent_id`, then the digest (PostgreSQL's order after the ALTERs). */
const COLUMNS = [
  'jti',
  'token',
  'agent_id',
  'issuer_id',
  'parent_jti',
  'depth',
  'cnf_jwk',
  'issued_by',
  'issued_at',
  'expires_at',
  'vouch_agent_id',
  'token_sha256',
];

/** Replaces the table by one whose `token` is nullable (SQLite has no ALTER COLUMN). */
async function rebuildOnSqlite(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('capability_tokens_0020')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('token', 'text')
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('issuer_id', 'text')
    .addColumn('parent_jti', 'text')
    .addColumn('depth', 'integer', (c) => c.notNull())
    .addColumn('cnf_jwk', 'text')
    .addColumn('issued_by', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('vouch_agent_id', 'text')
    .addColumn('token_sha256', 'text')
    .execute();
  const columns = sql.join(COLUMNS.map((c) => sql.id(c)));
  await sql`insert into capability_tokens_0020 (${columns}) select ${columns} from capability_tokens`.execute(db);
  // Its index goes with it; nothing references the table.
  await db.schema.dropTable('capability_tokens').execute();
  await db.schema.alterTable('capability_tokens_0020').renameTo('capability_tokens').execute();
  await db.schema
    .createIndex('capability_tokens_expires_at_idx')
    .on('capability_tokens')
    .column('expires_at')
    .execute();
}
