// Replacing the key-encryption key: every sealed server private key is opened under the old KEK and sealed again
// under the new one, with the KEK check value, in one transaction. Nothing else in the database is sealed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { constantTimeEqual } from '@vouch/sdk';
import { recordAudit } from './audit.ts';
import { StorageError, translateErrors } from './errors.ts';
import { CHECK_META_KEY, kekCheckValue } from './kek.ts';
import { cannotConnect, cannotOpenSqlite, describeCause } from './lib/error-cause.ts';
import { explicitSslMode } from './lib/pg-sslmode.ts';
import { MIGRATION_TABLE } from './lib/migrate.ts';
import { SQLITE_FILE } from './lib/sqlite.ts';
import { assertNonNegativeInteger } from './lib/validate.ts';
import type { OpenStorageOptions, Storage } from './open.ts';
import { open, seal } from './secret-box.ts';

/** What a re-wrap did. */
export interface KekRewrap {
  /** How many server keys (active and retired) were sealed again. */
  keys: number;
}

/**
 * Re-seals every server key from `oldKek` to `newKek` and makes `newKek` the database's KEK, all or nothing.
 * Throws `KEK_MISMATCH` (nothing changed) when `oldKek` is not the database's KEK, `KEK_UNCHANGED` when the two are
 * the same key, and `SEALED_INVALID` (nothing changed) when a stored key does not open under `oldKek`.
 *
 * Run it with every server stopped: a process still running with the old KEK cannot seal new keys afterwards
 * (rotations check the KEK in their transaction and refuse), and it must restart with the new key file.
 *
 * @example
 * ```ts
 * const { keys } = await rewrapKek(storage, await readKek(oldFile), await readKek(newFile), Date.now());
 * ```
 */
export async function rewrapKek(
  storage: Storage,
  oldKek: Buffer,
  newKek: Buffer,
  nowMs: number,
  audit: { actor: string } = { actor: 'cli' },
): Promise<KekRewrap> {
  for (const k of [oldKek, newKek]) {
    if (!Buffer.isBuffer(k) || k.length !== 32) {
      throw new StorageError('KEK_INVALID', 'A key-encryption key must be exactly 32 bytes.');
    }
  }
  assertNonNegativeInteger('nowMs', nowMs);
  assertKeysDiffer(oldKek, newKek);
  const oldCheck = kekCheckValue(oldKek);
  return translateErrors(() =>
    storage.db.transaction().execute(async (trx) => {
      // The check row first: its row lock orders this against rotations, which read it FOR SHARE (assertKekCurrent).
      const check = await trx.selectFrom('meta').select('value').where('key', '=', CHECK_META_KEY).executeTakeFirst();
      assertSealedUnderOld(check?.value, oldKek, newKek);
      const moved = await trx
        .updateTable('meta')
        .set({ value: kekCheckValue(newKek) })
        .where('key', '=', CHECK_META_KEY)
        .where('value', '=', oldCheck)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) {
        throw new StorageError('KEK_MISMATCH', 'The key-encryption key changed meanwhile; nothing was re-sealed.');
      }
      const rows = await trx
        .selectFrom('server_keys')
        .select(['kid', 'purpose', 'private_sealed'])
        .orderBy('kid')
        .execute();
      for (const row of rows) {
        const der = openNamed(oldKek, row);
        try {
          await trx
            .updateTable('server_keys')
            .set({ private_sealed: seal(newKek, der, row.kid) })
            .where('kid', '=', row.kid)
            .execute();
        } finally {
          der.fill(0);
        }
      }
      await recordAudit(trx, {
        at: nowMs,
        actor: audit.actor,
        action: 'kek.rewrap',
        target: 'server_keys',
        details: { resealed: rows.length },
      });
      return { keys: rows.length };
    }),
  );
}

/** Opens a row's private key; one that does not open is `SEALED_INVALID` naming it, as a start names it. */
function openNamed(kek: Buffer, row: { kid: string; purpose: string; private_sealed: string }): Buffer {
  try {
    return open(kek, row.private_sealed, row.kid);
  } catch (err) {
    if (!(err instanceof StorageError) || err.code !== 'SEALED_INVALID') throw err;
    const reason = err.message.charAt(0).toLowerCase() + err.message.slice(1);
    throw new StorageError('SEALED_INVALID', `The ${row.purpose} key ${row.kid}: ${reason}`, { cause: err });
  }
}

/** Throws `KEK_UNCHANGED` when the two keys are one: a re-wrap would change nothing. */
export function assertKeysDiffer(oldKek: Buffer, newKek: Buffer): void {
  if (constantTimeEqual(oldKek, newKek)) {
    throw new StorageError('KEK_UNCHANGED', 'The new key-encryption key is the one already in use.');
  }
}

/**
 * Throws `KEK_MISMATCH` unless `check` (the database's KEK check value, undefined when it has none) is `oldKek`'s;
 * one that is `newKek`'s says an earlier re-wrap to it completed.
 */
export function assertSealedUnderOld(check: string | undefined, oldKek: Buffer, newKek: Buffer): void {
  if (check !== undefined && constantTimeEqual(check, kekCheckValue(newKek))) {
    // A re-wrap to this key already committed (a session that dropped before it printed): the new file is the only
    // key that opens the server keys now, and must not be thrown away as a failed attempt.
    throw new StorageError(
      'KEK_MISMATCH',
      'This database is already sealed under the new key-encryption key (an earlier re-wrap to it completed); ' +
        'nothing changed: keep the new file and put it in place of the current one.',
    );
  }
  if (check === undefined || !constantTimeEqual(check, kekCheckValue(oldKek))) {
    throw new StorageError('KEK_MISMATCH', 'The current key-encryption key is not the one this database uses.');
  }
}

/**
 * Throws `DATABASE_UNAVAILABLE` unless `opts` names a Vouch database that has been set up: its migration table and
 * its KEK check value exist; returns that check value (kekCheckValue). Reads only, creating nothing: openStorage would create and migrate a schema (or a
 * SQLite file) that a mistyped VOUCH_DATABASE_SCHEMA or data directory names, before the re-wrap could refuse.
 *
 * @example
 * ```ts
 * await assertVouchDatabase({ dataDir: './data' });
 * const storage = await openStorage({ dataDir: './data' });
 * ```
 */
export async function assertVouchDatabase(opts: OpenStorageOptions): Promise<string> {
  if (opts.databaseUrl === undefined) return assertSqliteDatabase(opts.dataDir);
  return assertPostgresDatabase(opts.databaseUrl, opts.pgSchema);
}

function assertSqliteDatabase(dataDir: string): string {
  const file = join(dataDir, SQLITE_FILE);
  const absent = new StorageError('DATABASE_UNAVAILABLE', `There is no Vouch database in ${dataDir}.`);
  if (!existsSync(file)) throw absent;
  let raw: BetterSqlite3.Database;
  try {
    raw = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw cannotOpenSqlite(err, file);
  }
  try {
    const tables = raw
      .prepare("select name from sqlite_master where type = 'table' and name in (?, 'meta')")
      .all(MIGRATION_TABLE);
    const row =
      tables.length === 2
        ? (raw.prepare('select value from meta where key = ?').get(CHECK_META_KEY) as { value: string } | undefined)
        : undefined;
    if (row === undefined) throw absent;
    return row.value;
  } catch (err) {
    // Saying why, as the server's start does: a file that is no database failed here with SQLite's bare message.
    throw err === absent ? absent : cannotOpenSqlite(err, file);
  } finally {
    raw.close();
  }
}

async function assertPostgresDatabase(url: string, schema: string | undefined): Promise<string> {
  const client = new pg.Client({ connectionString: explicitSslMode(url), connectionTimeoutMillis: 10_000 });
  // A connection the server drops emits 'error'; the query in progress fails with it anyway.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw cannotConnect(err, url);
  }
  try {
    // The schema the server would use: VOUCH_DATABASE_SCHEMA, or the connection's current schema (null when the
    // search_path names none that exists).
    const { rows } = await client.query<{ name: string | null; tables: boolean }>(
      `select s.name,
              case when s.name is null then false
                   else to_regclass(format('%I.%I', s.name, $2::text)) is not null
                        and to_regclass(format('%I.%I', s.name, 'meta')) is not null
              end as tables
         from (select coalesce($1::text, current_schema()) as name) s`,
      [schema ?? null, MIGRATION_TABLE],
    );
    const name = rows[0]?.name ?? undefined;
    const check =
      name !== undefined && rows[0]!.tables
        ? (
            await client.query<{ value: string }>(
              `select value from ${client.escapeIdentifier(name)}.meta where key = $1`,
              [CHECK_META_KEY],
            )
          ).rows[0]?.value
        : undefined;
    if (check === undefined) {
      const where =
        schema !== undefined
          ? `${schema} (VOUCH_DATABASE_SCHEMA)`
          : `${name ?? 'the current schema'} (the search_path's schema; VOUCH_DATABASE_SCHEMA is not set)`;
      throw new StorageError('DATABASE_UNAVAILABLE', `There is no Vouch database at ${where}; nothing was created.`);
    }
    return check;
  } catch (err) {
    if (err instanceof StorageError) throw err;
    throw new StorageError(
      'DATABASE_UNAVAILABLE',
      `The PostgreSQL database did not answer (${describeCause(err, url)}).`,
      {
        cause: err,
      },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
