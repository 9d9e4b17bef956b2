import { sql } from 'kysely';
import { AUDIT_IMMUTABLE_MARKER } from '../errors.ts';
import type { VouchMigration } from './migration.ts';

/** meta, server_keys, audit_log (append-only, enforced by triggers) and rate_limits. */
export const foundation: VouchMigration = {
  async up(db, engine) {
    await db.schema
      .createTable('meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('server_keys')
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('alg', 'text', (c) => c.notNull())
      .addColumn('generation', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('private_sealed', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('retired_at', 'bigint')
      // The race guard of ensureServerKey: two processes can both generate, only one row per generation lands.
      .addUniqueConstraint('server_keys_purpose_generation_key', ['purpose', 'generation'])
      .execute();

    // SQLite AUTOINCREMENT and a PostgreSQL identity both guarantee ids are never reused, so ids order entries.
    await db.schema
      .createTable('audit_log')
      .$call((t) =>
        engine === 'postgres'
          ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
          : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()),
      )
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text')
      .addColumn('details', 'text')
      .addColumn('request_id', 'text')
      .execute();
    await db.schema.createIndex('audit_log_action_id_idx').on('audit_log').columns(['action', 'id']).execute();

    const refusal = sql.lit(`${AUDIT_IMMUTABLE_MARKER}: audit_log entries cannot be changed or deleted`);
    if (engine === 'postgres') {
      await sql`create function audit_log_refuse_change() returns trigger language plpgsql as $$
        begin raise exception ${refusal}; end $$`.execute(db);
      await sql`create trigger audit_log_no_update_delete before update or delete on audit_log
        for each row execute function audit_log_refuse_change()`.execute(db);
      await sql`create trigger audit_log_no_truncate before truncate on audit_log
        for each statement execute function audit_log_refuse_change()`.execute(db);
    } else {
      await sql`create trigger audit_log_no_update before update on audit_log
        begin select raise(abort, ${refusal}); end`.execute(db);
      await sql`create trigger audit_log_no_delete before delete on audit_log
        begin select raise(abort, ${refusal}); end`.execute(db);
    }

    await db.schema
      .createTable('rate_limits')
      .addColumn('bucket', 'text', (c) => c.notNull())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('rate_limits_pkey', ['bucket', 'window_start'])
      .execute();
    await db.schema.createIndex('rate_limits_expires_at_idx').on('rate_limits').column('expires_at').execute();
  },
};
