// Which database failures mean "the database cannot serve this now" (DATABASE_UNAVAILABLE, answered 503 with
// Retry-After) and which stay raw: each SQLSTATE storage/errors.ts lists, raised by a real PostgreSQL statement
// (PL/pgSQL RAISE, so the driver builds its own error object), and SQLite's read-only refusal. A code dropped from the
// list answered a crowded, starting or failing-over database with 500 INTERNAL.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openStorage, StorageError, toStorageError } from '../../src/storage/index.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';

const UNAVAILABLE = [
  ['57P01', 'admin shutdown'],
  ['57P02', 'crash shutdown'],
  ['57P03', 'cannot connect now (starting, recovering)'],
  ['53300', 'too many connections'],
  ['55P03', 'lock not available (lock_timeout)'],
  ['57014', 'query canceled (statement_timeout)'],
  ['25P03', 'idle-in-transaction session timeout'],
  ['53100', 'disk full'],
  ['53200', 'out of memory'],
  ['08006', 'connection failure (class 08)'],
] as const;
/** The request's own failure, or one its module handles (a conflict, a deadlock retried): not the database's state. */
const RAW = ['23505', '40P01', '40001', '22003', '42P01'] as const;

test(
  'each PostgreSQL SQLSTATE of a database that cannot serve now is DATABASE_UNAVAILABLE; others stay raw',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false },
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-codes-'));
    const schema = freshSchema();
    const storage = await openStorage({ dataDir, databaseUrl: TEST_DATABASE_URL, pgSchema: schema, pgPoolMax: 2 });
    t.after(async () => {
      await storage.close();
      await dropSchema(TEST_DATABASE_URL!, schema);
      await rm(dataDir, { recursive: true, force: true });
    });
    const raised = (code: string) =>
      sql
        .raw(`do $$ begin raise exception 'raised by the test' using errcode = '${code}'; end $$`)
        .execute(storage.db)
        .then(
          () => assert.fail(`${code} raised nothing`),
          (err: unknown) => err,
        );
    for (const [code, what] of UNAVAILABLE) {
      const err = await raised(code);
      assert.equal((err as { code?: unknown }).code, code, what);
      const mapped = toStorageError(err);
      assert.ok(mapped instanceof StorageError, `${code} (${what}) stayed raw`);
      assert.equal(mapped.code, 'DATABASE_UNAVAILABLE', what);
    }
    for (const code of RAW) {
      const err = await raised(code);
      assert.equal(toStorageError(err), err, code);
    }
    await storage.ping();
  },
);

test('a write SQLite refuses as read-only (SQLITE_READONLY) is DATABASE_UNAVAILABLE', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-codes-'));
  const storage = await openStorage({ dataDir });
  t.after(async () => {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  await sql`pragma query_only = 1`.execute(storage.db);
  const err = await sql`delete from rate_limits`.execute(storage.db).then(
    () => assert.fail('wrote'),
    (e: unknown) => e,
  );
  assert.equal((err as { code?: unknown }).code, 'SQLITE_READONLY');
  const mapped = toStorageError(err);
  assert.ok(mapped instanceof StorageError);
  assert.equal(mapped.code, 'DATABASE_UNAVAILABLE');
});
