// The PostgreSQL introspector Vouch's pools use: it sees the current schema alone, so another session dropping and
// creating schemas at the same time can neither fail a migration nor make a table in another schema count as ours.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { openStorage } from '../../src/storage/index.ts';
import { CurrentSchemaPostgresDialect } from '../../src/storage/lib/schema-introspector.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SKIP = { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 };

function kyselyIn(schema: string): Kysely<unknown> {
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1, options: `-c search_path=${schema}` });
  return new Kysely<unknown>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
}

/** Drops and creates schemas (with tables) in a loop on its own connection until `stop()`. */
function churnSchemas(): { stop(): Promise<number> } {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  const names = [freshSchema('churn_'), freshSchema('churn_')];
  let running = true;
  const done = (async () => {
    await client.connect();
    let rounds = 0;
    while (running) {
      const name = names[rounds++ % names.length]!;
      await client.query(`drop schema if exists ${name} cascade`);
      await client.query(
        `create schema ${name}; create table ${name}.vouch_migration (name text); create table ${name}.b (x int)`,
      );
    }
    await client.query(`drop schema if exists ${names.join(', ')} cascade`);
    await client.end();
    return rounds;
  })();
  return {
    async stop() {
      running = false;
      return done;
    },
  };
}

test('lists the tables and columns of the current schema only', SKIP, async () => {
  const ours = freshSchema();
  const other = freshSchema();
  const db = kyselyIn(ours);
  try {
    await sql`create schema ${sql.id(ours)}`.execute(db);
    await sql`create schema ${sql.id(other)}`.execute(db);
    await sql`create table ${sql.id(other, 'vouch_migration')} (name text)`.execute(db);
    await sql`create table ${sql.id(ours, 'items')} (id bigint generated always as identity primary key,
      label text not null default 'x', note varchar(10))`.execute(db);
    await sql`create view ${sql.id(ours, 'labels')} as select label from ${sql.id(ours, 'items')}`.execute(db);
    await sql`create table ${sql.id(ours, 'kysely_migration')} (name text)`.execute(db);

    assert.deepEqual(await db.introspection.getSchemas(), [{ name: ours }]);
    const tables = await db.introspection.getTables();
    assert.deepEqual(
      tables.map((t) => [t.schema, t.name, t.isView]),
      [
        [ours, 'items', false],
        [ours, 'labels', true],
      ],
      "another schema's vouch_migration is not ours; Kysely's own bookkeeping is hidden unless asked for",
    );
    assert.deepEqual(tables[0]!.columns, [
      {
        name: 'id',
        dataType: 'int8',
        dataTypeSchema: 'pg_catalog',
        isAutoIncrementing: true,
        isNullable: false,
        hasDefaultValue: false,
      },
      {
        name: 'label',
        dataType: 'text',
        dataTypeSchema: 'pg_catalog',
        isAutoIncrementing: false,
        isNullable: false,
        hasDefaultValue: true,
      },
      {
        name: 'note',
        dataType: 'varchar',
        dataTypeSchema: 'pg_catalog',
        isAutoIncrementing: false,
        isNullable: true,
        hasDefaultValue: false,
      },
    ]);
    const all = await db.introspection.getTables({ withInternalKyselyTables: true });
    assert.deepEqual(
      all.map((t) => t.name),
      ['items', 'kysely_migration', 'labels'],
    );
    assert.deepEqual((await db.introspection.getMetadata()).tables, tables);
  } finally {
    await db.destroy();
    await dropSchema(TEST_DATABASE_URL!, ours);
    await dropSchema(TEST_DATABASE_URL!, other);
  }
});

test('a database whose search_path names no existing schema has no schemas and no tables', SKIP, async () => {
  const db = kyselyIn(freshSchema());
  try {
    assert.deepEqual(await db.introspection.getSchemas(), []);
    assert.deepEqual(await db.introspection.getTables(), []);
  } finally {
    await db.destroy();
  }
});

test('servers start and migrate while another session drops and creates schemas', SKIP, async () => {
  const churn = churnSchemas();
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-introspect-'));
  const schemas: string[] = [];
  try {
    for (let i = 0; i < 6; i++) {
      const schema = freshSchema();
      schemas.push(schema);
      // First start creates and migrates; the second finds every migration applied.
      for (const round of [1, 2]) {
        const storage = await openStorage({
          dataDir,
          databaseUrl: TEST_DATABASE_URL,
          pgSchema: schema,
          pgPoolMax: 1,
        });
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from vouch_migration`.execute(storage.db);
        assert.ok(rows[0]!.n > 0, `round ${round}`);
        await storage.close();
      }
    }
  } finally {
    const rounds = await churn.stop();
    assert.ok(rounds > 0, 'the other session churned meanwhile');
    for (const schema of schemas) await dropSchema(TEST_DATABASE_URL!, schema);
    await rm(dataDir, { recursive: true, force: true });
  }
});
