// A newer database is told as newer whatever its schema is called. Without VOUCH_DATABASE_SCHEMA the schema is the
// search_path's, which may be any name (a role "ops.vouch" with search_path "$user"): one with a dot in it was read
// back as schema "ops", table "vouch", the newer migrations were not found, and the refusal fell back to Kysely's
// "corrupted migrations".
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { openStorage, StorageError } from '../../src/storage/index.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';

const SKIP = { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 };

test('a newer database in a search_path schema with a dot in its name is refused as newer', SKIP, async (t) => {
  const url = TEST_DATABASE_URL!;
  const schema = `Ops.${freshSchema()}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-schema-name-'));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.after(async () => {
    await client.end();
    await dropSchema(url, schema);
    await rm(dataDir, { recursive: true, force: true });
  });
  await client.query(`create schema ${client.escapeIdentifier(schema)}`);
  const options = { dataDir, databaseUrl: `${url}?options=${encodeURIComponent(`-c search_path="${schema}"`)}` };
  const storage = await openStorage(options);
  try {
    const at = new Date().toISOString();
    await sql`insert into vouch_migration (name, timestamp) values (${'9999_from_a_later_version'}, ${at})`.execute(
      storage.db,
    );
  } finally {
    await storage.close();
  }
  const err = await openStorage(options).then(
    (s) => s.close().then(() => assert.fail('opened')),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StorageError, String(err));
  assert.equal(err.code, 'MIGRATION_FAILED');
  assert.match(err.message, /newer version of Vouch/);
  assert.match(err.message, /9999_from_a_later_version/);
  assert.doesNotMatch(err.message, /corrupt/);
});
