// Migrations on both engines: a fresh database gets the same schema on SQLite and on PostgreSQL (columns, types,
// NOT NULL, indexes, foreign keys, checks), and a database left at any earlier migration, with rows in every table,
// reaches that same schema, keeps its rows, and ends with the same data on both engines.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { sha256HexSync } from '@vouch/sdk';
import { MIGRATIONS, openStorage } from '../../src/storage/index.ts';
import type { Engine, OpenStorageOptions, Storage } from '../../src/storage/index.ts';
import { migrateToLatest } from '../../src/storage/lib/migrate.ts';
import { CurrentSchemaPostgresDialect } from '../../src/storage/lib/schema-introspector.ts';
import type { Database } from '../../src/storage/schema.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';

const BOOKKEEPING = /^vouch_migration/;
/** Ids the database assigns: SQLite AUTOINCREMENT, PostgreSQL identity (migrations 0001, 0007). */
const GENERATED = new Set(['audit_log.id', 'reputation_events.seq', 'reputation_penalties.seq']);

interface Column {
  name: string;
  type: string;
  notNull: boolean;
  hasDefault: boolean;
}
interface Described {
  columns: Record<string, Column[]>;
  /** `table(columns) unique? where?`, sorted. */
  indexes: string[];
  /** `table.column -> table.column`, sorted. */
  foreignKeys: string[];
}

/** One engine's database, opened around the storage layer (to stop at any migration). */
interface Raw {
  engine: Engine;
  db: Kysely<unknown>;
  options: OpenStorageOptions;
  close(): Promise<void>;
}

async function rawDatabase(engine: Engine): Promise<Raw> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-migrations-'));
  if (engine === 'sqlite') {
    const file = new BetterSqlite3(join(dataDir, 'vouch.db'));
    file.pragma('foreign_keys = ON');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: file }) });
    return {
      engine,
      db,
      options: { dataDir },
      async close() {
        await db.destroy();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  const schema = freshSchema();
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1, options: `-c search_path=${schema}` });
  const db = new Kysely<unknown>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
  await sql`create schema ${sql.id(schema)}`.execute(db);
  return {
    engine,
    db,
    options: { dataDir, databaseUrl: TEST_DATABASE_URL, pgSchema: schema, pgPoolMax: 2 },
    async close() {
      await db.destroy();
      await dropSchema(TEST_DATABASE_URL!, schema);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Applies the first `count` migrations, as a server of that version would have, through the server's own migrator
 * (its bookkeeping pinned to this schema, looked up in this schema alone, so another test dropping its own schema
 * meanwhile cannot fail it).
 */
async function migrateTo(raw: Raw, count: number): Promise<void> {
  await migrateToLatest(raw.db as Kysely<Database>, raw.engine, raw.options.pgSchema, MIGRATIONS.slice(0, count));
}

const normalType = (t: string) => t.toLowerCase().replace(/^character varying.*|^varchar.*/, 'varchar');

async function describe(engine: Engine, db: Kysely<unknown>): Promise<Described> {
  const columns: Record<string, Column[]> = {};
  const indexes: string[] = [];
  const foreignKeys: string[] = [];
  if (engine === 'sqlite') {
    const tables = await sql<{ name: string }>`select name from sqlite_master
      where type = 'table' and name not like 'sqlite_%'`.execute(db);
    for (const { name: table } of tables.rows) {
      if (BOOKKEEPING.test(table)) continue;
      const cols = await sql<{ name: string; type: string; notnull: number; dflt_value: unknown; pk: number }>`
        select * from pragma_table_info(${table})`.execute(db);
      columns[table] = cols.rows.map((c) => ({
        name: c.name,
        type: GENERATED.has(`${table}.${c.name}`) ? 'generated' : normalType(c.type),
        notNull: c.notnull === 1 || c.pk > 0,
        hasDefault: c.dflt_value !== null,
      }));
      const list = await sql<{ name: string; unique: number; partial: number; origin: string }>`
        select * from pragma_index_list(${table})`.execute(db);
      for (const i of list.rows) {
        const cols = await sql<{ name: string }>`select name from pragma_index_info(${i.name}) order by seqno`.execute(
          db,
        );
        const where = i.partial === 1 ? ' where' : '';
        indexes.push(`${table}(${cols.rows.map((c) => c.name).join(',')})${i.unique === 1 ? ' unique' : ''}${where}`);
      }
      // A rowid primary key (the generated ids) has no index of its own on SQLite; PostgreSQL's has one.
      for (const c of columns[table]!) if (c.type === 'generated') indexes.push(`${table}(${c.name}) unique`);
      const fks = await sql<{ from: string; table: string; to: string }>`
        select * from pragma_foreign_key_list(${table})`.execute(db);
      for (const f of fks.rows) foreignKeys.push(`${table}.${f.from} -> ${f.table}.${f.to}`);
    }
  } else {
    const cols = await sql<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
      column_default: string | null;
    }>`select table_name, column_name, data_type, is_nullable, column_default from information_schema.columns
      where table_schema = current_schema() order by table_name, ordinal_position`.execute(db);
    for (const c of cols.rows) {
      if (BOOKKEEPING.test(c.table_name)) continue;
      const generated = GENERATED.has(`${c.table_name}.${c.column_name}`);
      (columns[c.table_name] ??= []).push({
        name: c.column_name,
        type: generated ? 'generated' : normalType(c.data_type),
        notNull: c.is_nullable === 'NO',
        hasDefault: c.column_default !== null,
      });
    }
    const idx = await sql<{ table: string; def: string }>`select tablename as table, indexdef as def from pg_indexes
      where schemaname = current_schema()`.execute(db);
    for (const { table, def } of idx.rows) {
      if (BOOKKEEPING.test(table)) continue;
      const m = /USING btree \((.*?)\)( WHERE .*)?$/.exec(def);
      assert.ok(m !== null, def);
      const cols = m[1]!.split(',').map((c) => c.trim().replace(/"/g, ''));
      indexes.push(`${table}(${cols.join(',')})${/^CREATE UNIQUE/.test(def) ? ' unique' : ''}${m[2] ? ' where' : ''}`);
    }
    const fks = await sql<{ def: string; table: string }>`select conrelid::regclass::text as table,
      pg_get_constraintdef(oid) as def from pg_constraint
      where connamespace = current_schema()::regnamespace and contype = 'f'`.execute(db);
    for (const { table, def } of fks.rows) {
      const m = /^FOREIGN KEY \((\w+)\) REFERENCES (\w+)\((\w+)\)$/.exec(def);
      assert.ok(m !== null, def);
      foreignKeys.push(`${table.replace(/^.*\./, '')}.${m[1]} -> ${m[2]}.${m[3]}`);
    }
  }
  indexes.sort();
  foreignKeys.sort();
  return { columns, indexes, foreignKeys };
}

/** A value for one column of row `i`: text columns hold `v<i>`, so every reference finds the row it names. */
function valueFor(table: string, column: Column, i: number): unknown {
  if (table === 'agents' && column.name === 'status') return 'claimed';
  switch (column.type) {
    case 'bigint':
      return 1_750_000_000_000 + i;
    case 'integer':
      return i;
    case 'double precision':
      return i + 0.25;
    default:
      return `v${i}`;
  }
}

/** Two rows in every table, parents first; returns what was written, by table. */
async function fillEveryTable(raw: Raw): Promise<Record<string, Array<Record<string, unknown>>>> {
  const { columns } = await describe(raw.engine, raw.db);
  const written: Record<string, Array<Record<string, unknown>>> = {};
  let pending = Object.keys(columns).sort();
  while (pending.length > 0) {
    const failed: string[] = [];
    for (const table of pending) {
      const rows = [1, 2].map((i) =>
        Object.fromEntries(
          columns[table]!.filter((c) => c.type !== 'generated').map((c) => [c.name, valueFor(table, c, i)]),
        ),
      );
      // A table whose parent is not filled yet fails its foreign key and comes again in the next round.
      try {
        await raw.db
          .insertInto(table as never)
          .values(rows as never)
          .onConflict((oc) => oc.doNothing())
          .execute();
        written[table] = rows;
      } catch {
        failed.push(table);
      }
    }
    assert.ok(failed.length < pending.length, `cannot fill ${failed.join(', ')}`);
    pending = failed;
  }
  return written;
}

/** Every row of every table, each as sorted JSON, tables by name: comparable across engines. */
async function dump(storage: Storage): Promise<Record<string, string[]>> {
  const { columns } = await describe(storage.engine, storage.db as unknown as Kysely<unknown>);
  const out: Record<string, string[]> = {};
  for (const table of Object.keys(columns).sort()) {
    const rows = await storage.db
      .selectFrom(table as never)
      .selectAll()
      .execute();
    out[table] = rows.map((r) => JSON.stringify(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)))).sort();
  }
  return out;
}

/** Applies the tests' step to each engine (PostgreSQL only when configured). */
function engines(): Engine[] {
  return TEST_DATABASE_URL === undefined ? ['sqlite'] : ['sqlite', 'postgres'];
}

test('a fresh database has the same schema on SQLite and PostgreSQL', async (t) => {
  if (TEST_DATABASE_URL === undefined) return t.skip(PG_SKIP_REASON);
  const described: Described[] = [];
  for (const engine of engines()) {
    const raw = await rawDatabase(engine);
    try {
      await migrateTo(raw, MIGRATIONS.length);
      described.push(await describe(engine, raw.db));
    } finally {
      await raw.close();
    }
  }
  const [sqlite, postgres] = described;
  assert.deepEqual(Object.keys(sqlite!.columns).sort(), Object.keys(postgres!.columns).sort());
  for (const table of Object.keys(sqlite!.columns)) {
    assert.deepEqual(sqlite!.columns[table], postgres!.columns[table], table);
  }
  assert.deepEqual(sqlite!.indexes, postgres!.indexes);
  assert.deepEqual(sqlite!.foreignKeys, postgres!.foreignKeys);
});

test(
  'from every earlier migration, with rows in every table: the fresh schema, every row kept, the same data on both engines',
  { timeout: 240_000 },
  async () => {
    const freshSchemas = new Map<Engine, Described>();
    for (const engine of engines()) {
      const fresh = await rawDatabase(engine);
      try {
        await migrateTo(fresh, MIGRATIONS.length);
        freshSchemas.set(engine, await describe(engine, fresh.db));
      } finally {
        await fresh.close();
      }
    }
    for (let at = 1; at < MIGRATIONS.length; at++) {
      const step = `from ${MIGRATIONS[at - 1]![0]}`;
      const dumps: Array<Record<string, string[]>> = [];
      for (const engine of engines()) {
        const raw = await rawDatabase(engine);
        try {
          await migrateTo(raw, at);
          const written = await fillEveryTable(raw);
          assert.ok(Object.keys(written).length >= 3, `${step} [${engine}]: nothing filled`);
          // Two servers of the new version start at once: one migrates, the other finds nothing left to do.
          const [storage, second] = await Promise.all([openStorage(raw.options), openStorage(raw.options)]);
          await second.close();
          try {
            assert.deepEqual(
              await describe(engine, storage.db as unknown as Kysely<unknown>),
              freshSchemas.get(engine),
              `${step} [${engine}]: the schema differs from a fresh database's`,
            );
            for (const [table, rows] of Object.entries(written)) {
              const stored = await storage.db
                .selectFrom(table as never)
                .selectAll()
                .execute();
              for (const row of rows) {
                // Migration 0011 moves every note written before it to `unverified_note`; 0020 keeps a capability
                // token's SHA-256 instead of its text (the column stays, emptied).
                const expected =
                  table === 'signatures' && 'public_note' in row && !('unverified_note' in row)
                    ? { ...row, public_note: null, unverified_note: row.public_note }
                    : table === 'capability_tokens' && !('token_sha256' in row)
                      ? { ...row, token: null, token_sha256: sha256HexSync(row.token as string) }
                      : row;
                const match = stored.find((s) =>
                  Object.entries(expected).every(([k, v]) => (s as Record<string, unknown>)[k] === v),
                );
                assert.ok(match, `${step} [${engine}]: ${table} lost ${JSON.stringify(expected)}`);
              }
            }
            dumps.push(await dump(storage));
          } finally {
            await storage.close();
          }
        } finally {
          await raw.close();
        }
      }
      if (dumps.length === 2) assert.deepEqual(dumps[1], dumps[0], `${step}: PostgreSQL's data differs from SQLite's`);
    }
  },
);
