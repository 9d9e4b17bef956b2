// A running server whose database misbehaves answers 503 in bounded time and keeps running: a connection lost while
// it runs a query (a restart, a failover, pg_terminate_backend), a lock held elsewhere past VOUCH_PG_LOCK_TIMEOUT_MS,
// a pool whose connections all stay busy, a statement an operator cancels, and on SQLite a full disk. Real PostgreSQL
// (a lock held by a session of the test's own), real SQLite limits.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { openStorage, StorageError, toStorageError } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { makeApp, TEST_ADMIN_KEY } from '../helpers/app.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';

const pgOnly = { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 };

/** A PostgreSQL storage in a fresh schema, a session of the test's own on the same database, and cleanup. */
async function pgWorld(lockTimeoutMs: number) {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-db-faults-'));
  const schema = freshSchema();
  const storage = await openStorage({
    dataDir,
    databaseUrl: TEST_DATABASE_URL,
    pgSchema: schema,
    pgPoolMax: 2,
    pgLockTimeoutMs: lockTimeoutMs,
  });
  const other = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await other.connect();
  return {
    storage,
    schema,
    other,
    async close() {
      await other.end().catch(() => undefined);
      await storage.close();
      await dropSchema(TEST_DATABASE_URL!, schema);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The backends waiting for a lock on `table`: polled, since PostgreSQL announces no event for it. */
async function waitersOn(other: pg.Client, schema: string, table: string, count = 1): Promise<number[]> {
  for (;;) {
    const { rows } = await other.query<{ pid: number }>(
      'select pid from pg_locks where relation = $1::regclass and not granted',
      [`"${schema}".${table}`],
    );
    if (rows.length >= count) return rows.map((r) => r.pid);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * A query of `w.storage` waiting on the lock of `meta` that `w.other` takes (in a transaction left open): its
 * backend's pid, and what it fails with.
 */
async function queryBlockedOnMeta(
  w: Awaited<ReturnType<typeof pgWorld>>,
): Promise<{ pid: number; failed: Promise<unknown> }> {
  await w.other.query('begin');
  await w.other.query(`lock table "${w.schema}".meta in access exclusive mode`);
  const failed = sql`select count(*) from meta`.execute(w.storage.db).then(
    () => assert.fail('the query answered through the lock'),
    (err: unknown) => err,
  );
  const [pid] = await waitersOn(w.other, w.schema, 'meta');
  return { pid: pid!, failed };
}

test(
  'a connection lost while its query runs fails that query as DATABASE_UNAVAILABLE; the process and pool go on',
  pgOnly,
  async () => {
    // No lock timeout, so the query waits on the lock until its backend is terminated.
    const w = await pgWorld(0);
    try {
      const { pid, failed } = await queryBlockedOnMeta(w);
      // Before the fix the client's 'error' event, unheard while the query ran, killed the process (this test file).
      await w.other.query('select pg_terminate_backend($1)', [pid]);
      const err = toStorageError(await failed);
      assert.ok(err instanceof StorageError, String(err));
      assert.equal(err.code, 'DATABASE_UNAVAILABLE');
      await w.other.query('rollback');
      // The pool replaces the connection. The backend's FATAL message can fail the query before the socket closes,
      // so the dead client may go back to the pool once and fail one more query (503 too) before it is dropped.
      let failures = 0;
      let successes = 0;
      while (successes < 3) {
        try {
          await sql`select count(*) from meta`.execute(w.storage.db);
          successes++;
        } catch (e) {
          assert.equal((toStorageError(e) as StorageError).code, 'DATABASE_UNAVAILABLE');
          assert.ok(++failures <= 2, 'the pool keeps handing out a dead connection');
        }
      }
      await w.storage.ping();
    } finally {
      await w.close();
    }
  },
);

test(
  'a lock held elsewhere is a 503 after VOUCH_PG_LOCK_TIMEOUT_MS, not a request that never ends',
  pgOnly,
  async () => {
    const w = await pgWorld(200);
    const app = await makeApp(w.storage as Storage);
    try {
      const admin = { 'x-api-key': TEST_ADMIN_KEY };
      assert.equal(
        (await app.app.inject({ method: 'GET', url: '/api/v1/admin/keys', headers: admin })).statusCode,
        200,
      );
      await w.other.query('begin');
      await w.other.query(`lock table "${w.schema}".server_keys in access exclusive mode`);
      const res = await app.app.inject({ method: 'GET', url: '/api/v1/admin/keys', headers: admin });
      assert.equal(res.statusCode, 503, res.body);
      assert.equal((res.json() as { code: string }).code, 'DATABASE_UNAVAILABLE');
      assert.equal(res.headers['retry-after'], '5');
      await w.other.query('rollback');
      assert.equal(
        (await app.app.inject({ method: 'GET', url: '/api/v1/admin/keys', headers: admin })).statusCode,
        200,
      );
    } finally {
      await app.app.close();
      await w.close();
    }
  },
);

test(
  'a statement cancelled by an operator (pg_cancel_backend, as a statement_timeout does) is DATABASE_UNAVAILABLE',
  pgOnly,
  async () => {
    const w = await pgWorld(0);
    try {
      const { pid, failed } = await queryBlockedOnMeta(w);
      await w.other.query('select pg_cancel_backend($1)', [pid]);
      const err = await failed;
      // 57014 query_canceled: the connection stays usable, and nothing was done; a retry may succeed.
      assert.equal((err as { code?: unknown }).code, '57014');
      const mapped = toStorageError(err);
      assert.ok(mapped instanceof StorageError, String(err));
      assert.equal(mapped.code, 'DATABASE_UNAVAILABLE');
      await w.other.query('rollback');
      await w.storage.ping();
    } finally {
      await w.close();
    }
  },
);

test('a full SQLite disk is a 503 with the real cause, not a 500 about a rollback', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-db-full-'));
  const storage = await openStorage({ dataDir });
  const app = await makeApp(storage);
  try {
    const admin = { 'x-api-key': TEST_ADMIN_KEY };
    const rotate = () => app.app.inject({ method: 'POST', url: '/api/v1/admin/keys/rotate', headers: admin });
    assert.equal((await rotate()).statusCode, 201);
    // SQLite's own limit on the file: a write past it fails as SQLITE_FULL, as on a full disk.
    const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(storage.db);
    await sql.raw(`pragma max_page_count = ${rows[0]!.page_count}`).execute(storage.db);
    const keysBefore = await storage.db.selectFrom('server_keys').select('kid').execute();
    let refused = 0;
    // Each rotation writes a key and an audit entry; the file fills within a few.
    for (let i = 0; i < 50 && refused === 0; i++) {
      const res = await rotate();
      if (res.statusCode === 201) continue;
      assert.equal(res.statusCode, 503, res.body);
      assert.equal((res.json() as { code: string }).code, 'DATABASE_UNAVAILABLE');
      refused++;
    }
    assert.equal(refused, 1, 'the file filled up');
    // Nothing half-written: one active key, and every key row is whole.
    const keys = await storage.db.selectFrom('server_keys').select(['kid', 'status', 'purpose']).execute();
    assert.ok(keys.length >= keysBefore.length);
    assert.equal(keys.filter((k) => k.purpose === 'tokens' && k.status === 'active').length, 1);
    await sql.raw('pragma max_page_count = 1073741823').execute(storage.db);
    assert.equal((await rotate()).statusCode, 201, 'room again: the next rotation applies');
  } finally {
    await app.app.close();
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test(
  'a request that finds every pooled connection busy past the connect timeout is a 503 DATABASE_UNAVAILABLE, not a 500',
  pgOnly,
  async () => {
    // No lock timeout: the pool's two connections wait on the lock until the test lets them go.
    const w = await pgWorld(0);
    const app = await makeApp(w.storage as Storage);
    try {
      const admin = { 'x-api-key': TEST_ADMIN_KEY };
      await w.other.query('begin');
      await w.other.query(`lock table "${w.schema}".meta in access exclusive mode`);
      const held = [0, 1].map(() => sql`select count(*) from meta`.execute(w.storage.db).catch((err: unknown) => err));
      await waitersOn(w.other, w.schema, 'meta', 2);
      // pg's pool refuses a checkout queued longer than connectionTimeoutMillis (10 s) with a plain Error.
      const res = await app.app.inject({ method: 'GET', url: '/api/v1/admin/keys', headers: admin });
      assert.equal(res.statusCode, 503, res.body);
      assert.equal((res.json() as { code: string }).code, 'DATABASE_UNAVAILABLE');
      assert.equal(res.headers['retry-after'], '5');
      await w.other.query('rollback');
      for (const r of await Promise.all(held)) assert.ok(!(r instanceof Error), String(r));
      const again = await app.app.inject({ method: 'GET', url: '/api/v1/admin/keys', headers: admin });
      assert.equal(again.statusCode, 200, again.body);
    } finally {
      await app.app.close();
      await w.close();
    }
  },
);
