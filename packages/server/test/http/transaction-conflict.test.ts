// A transaction PostgreSQL aborts to break a deadlock (40P01) or keep a snapshot consistent (40001) reaches the
// caller as 503 DATABASE_UNAVAILABLE with Retry-After, not as a 500: the conflict is real, raised by PostgreSQL
// itself on a route registered like a module's, and the aborted transaction wrote nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { AppContext } from '../../src/context.ts';
import type { VouchModule } from '../../src/module.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../../src/storage/index.ts';
import { makeApp } from '../helpers/app.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';

const policy = { config: { policy: { caller: 'public', rateLimit: 'default' } } } as const;

/** Resolves once `pid` waits for a lock, so the other side's next step closes the cycle. */
async function waitsForLock(db: Kysely<unknown>, pid: number): Promise<void> {
  for (;;) {
    const { rows } = await sql<{ waiting: boolean }>`
      select wait_event_type = 'Lock' as waiting from pg_stat_activity where pid = ${pid}`.execute(db);
    if (rows[0]?.waiting === true) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function pid(trx: Kysely<unknown>): Promise<number> {
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
  return rows[0]!.pid;
}

function conflictRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.storage.db as unknown as Kysely<unknown>;
  // Two transactions take two rows in opposite orders; PostgreSQL aborts one of them with 40P01.
  app.post('/test/deadlock', policy, async () => {
    let firstPid = 0;
    let secondHolds!: () => void;
    const secondHeld = new Promise<void>((resolve) => (secondHolds = resolve));
    let firstHolds!: () => void;
    const firstHeld = new Promise<void>((resolve) => (firstHolds = resolve));
    const first = db.transaction().execute(async (trx) => {
      firstPid = await pid(trx);
      await sql`update conflict_rows set n = n + 1 where id = 1`.execute(trx);
      firstHolds();
      await secondHeld;
      await sql`update conflict_rows set n = n + 1 where id = 2`.execute(trx);
    });
    const second = db.transaction().execute(async (trx) => {
      await firstHeld;
      await sql`update conflict_rows set n = n + 1 where id = 2`.execute(trx);
      secondHolds();
      await waitsForLock(db, firstPid);
      await sql`update conflict_rows set n = n + 1 where id = 1`.execute(trx);
    });
    const outcomes = await Promise.allSettled([first, second]);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    assert.ok(failed !== undefined, 'one side was aborted');
    throw failed.reason;
  });
  // A repeatable-read transaction updates a row another transaction changed after its snapshot: 40001.
  app.post('/test/serialization', policy, async () => {
    await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        await sql`select n from conflict_rows where id = 1`.execute(trx);
        await sql`update conflict_rows set n = n + 10 where id = 1`.execute(db);
        await sql`update conflict_rows set n = n + 100 where id = 1`.execute(trx);
      });
  });
}

const conflictModule: VouchModule = { name: 'conflict', routes: conflictRoutes };

// PostgreSQL only: SQLite serialises writers, and a lock it waits too long for is SQLITE_BUSY (tested elsewhere).
test(
  'a deadlock or serialization failure is a 503 to retry, not a 500',
  {
    skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false,
    timeout: 90_000,
  },
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-conflict-'));
    const schema = freshSchema();
    const storage = await openStorage({ dataDir, databaseUrl: TEST_DATABASE_URL, pgSchema: schema, pgPoolMax: 5 });
    t.after(async () => {
      await storage.close();
      await dropSchema(TEST_DATABASE_URL!, schema);
      await rm(dataDir, { recursive: true, force: true });
    });
    const db = storage.db as unknown as Kysely<unknown>;
    await sql`create table conflict_rows (id int primary key, n int not null)`.execute(db);
    await sql`insert into conflict_rows values (1, 0), (2, 0)`.execute(db);
    const { app, logs } = await makeApp(storage, { modules: [conflictModule] });

    for (const [url, code] of [
      ['/test/deadlock', '40P01'],
      ['/test/serialization', '40001'],
    ] as const) {
      const res = await app.inject({ method: 'POST', url });
      assert.equal(res.statusCode, 503, `${url}: ${res.body}`);
      assert.equal(res.headers['retry-after'], '1');
      const body = res.json() as { code: string; error: string };
      assert.equal(body.code, 'DATABASE_UNAVAILABLE');
      assert.match(body.error, /conflict with a concurrent one; retry/);
      assert.ok(!res.body.includes(code), 'no SQLSTATE or driver detail in the answer');
    }
    // The deadlock's survivor committed (one increment on each row); the aborted side and the serialization
    // failure's own update left nothing; the concurrent update of the serialization case committed.
    const { rows } = await sql<{ id: number; n: number }>`select id, n from conflict_rows order by id`.execute(db);
    assert.deepEqual(
      rows.map((r) => [r.id, r.n]),
      [
        [1, 11],
        [2, 1],
      ],
    );
    assert.doesNotMatch(logs.text(), /unhandled error/, 'an expected conflict is not logged as a server bug');
    await app.close();
  },
);
