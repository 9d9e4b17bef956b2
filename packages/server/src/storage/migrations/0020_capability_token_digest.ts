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
 * Existing rows are hashed here, in batches. PostgreSQL then sets the column NOT NULL and drops `token`; SQLite
 * cannot make an added column NOT NULL, so it copies the table into one of the same shape as PostgreSQL's (columns in
 * the same order) and replaces it. An instance of the previous version still running during a rollout can no longer
 * issue or intercept capability tokens (it writes and reads `token`) until it is replaced.
 */
export const capabilityTokenDigest: VouchMigration = {
  async up(db, engine) {
    await db.schema.alterTable('capability_tokens').addColumn('token_sha256', 'text').execute();
    for (;;) {
      const { rows } = await sql<{ jti: string; token: string }>`select jti, token from capability_tokens
        where token_sha256 is null limit ${BATCH}`.execute(db);
      if (rows.length === 0) break;
      const digests = sql.join(
        rows.map((r) => sql`when ${r.jti} then ${sha256HexSync(r.token)}`),
        sql` `,
      );
      const jtis = sql.join(rows.map((r) => r.jti));
      await sql`update capability_tokens set token_sha256 = case jti ${digests} end where jti in (${jtis})`.execute(db);
    }
    if (engine === 'postgres') {
      await db.schema
        .alterTable('capability_tokens')
        .alterColumn('token_sha256', (c) => c.setNotNull())
        .execute();
      await db.schema.alterTable('capability_tokens').dropColumn('token').execute();
      return;
    }
    await rebuildOnSqlite(db);
  },
};

/** The columns kept, in order: 0008's without `token`, 0009's `vouch_agent_id`, then the digest. */
const KEPT = [
  'jti',
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

async function rebuildOnSqlite(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('capability_tokens_0020')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('issuer_id', 'text')
    .addColumn('parent_jti', 'text')
    .addColumn('depth', 'integer', (c) => c.notNull())
    .addColumn('cnf_jwk', 'text')
    .addColumn('issued_by', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('vouch_agent_id', 'text')
    .addColumn('token_sha256', 'text', (c) => c.notNull())
    .execute();
  const columns = sql.join(KEPT.map((c) => sql.id(c)));
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
