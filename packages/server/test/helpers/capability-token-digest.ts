// A database as a server of migration 0019 left `capability_tokens` (each token's compact text in `token`, no
// digest), so that the next open() runs 0020 over it; tests that rewind further back start here.
import type { Kysely } from 'kysely';
import type { Storage } from '../../src/storage/index.ts';

type Row = Record<string, unknown>;

/**
 * Undoes migration 0020: `capability_tokens` gets 0019's shape back (0008's `token` NOT NULL, 0009's `vouch_agent_id`,
 * no digest column nor its index), `token` holding `texts[jti]` for each row (every row must have one), then `extra`
 * rows (0019's shape, `token` included).
 */
export async function rewindTo0019(
  storage: Storage,
  texts: Record<string, string> = {},
  extra: readonly Row[] = [],
): Promise<void> {
  const db = storage.db as unknown as Kysely<Record<string, Row>>;
  const rows = await db.selectFrom('capability_tokens').selectAll().execute();
  const old = rows.map(({ token_sha256: _digest, ...r }) => {
    const token = texts[r.jti as string];
    if (token === undefined) throw new Error(`rewindTo0019: no text for token ${String(r.jti)}`);
    return { ...r, token };
  });
  await db.schema.dropTable('capability_tokens').execute();
  // 0021 changed no table (it rewrote slug readings): its record goes too, so that 0020 runs again in order.
  await db
    .deleteFrom('vouch_migration')
    .where('name', 'in', ['0020_capability_token_digest', '0021_slug_v_runs'])
    .execute();
  await db.schema
    .createTable('capability_tokens')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('issuer_id', 'text')
    .addColumn('parent_jti', 'text')
    .addColumn('depth', 'integer', (c) => c.notNull())
    .addColumn('cnf_jwk', 'text')
    .addColumn('issued_by', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('vouch_agent_id', 'text')
    .execute();
  await db.schema
    .createIndex('capability_tokens_expires_at_idx')
    .on('capability_tokens')
    .column('expires_at')
    .execute();
  const all = [...old, ...extra];
  for (let i = 0; i < all.length; i += 300) {
    await db
      .insertInto('capability_tokens')
      .values(all.slice(i, i + 300))
      .execute();
  }
}
