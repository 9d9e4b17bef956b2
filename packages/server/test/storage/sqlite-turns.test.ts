// SQLite's one connection is handed to one waiter at a time, in arrival order (storage/lib/sqlite-turns.ts): a
// transaction holds it until it ends, whatever waits meanwhile runs afterwards in the order it asked, a failed
// transaction still hands it on (also one SQLite rolled back itself), and many reads in flight each get their own
// answer.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openStorage, type Storage } from '../../src/storage/index.ts';

async function sqlite(t: { after: (fn: () => Promise<void>) => void }): Promise<Storage> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-turns-'));
  const storage = await openStorage({ dataDir: dir });
  t.after(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });
  return storage;
}

const row = (jti: string) => ({ jti, revoked_at: 1, expires_at: 2, reason: jti, revoked_by: 'admin' });

test('a transaction holds the connection; what waits runs after it, in arrival order', async (t) => {
  const { db } = await sqlite(t);
  const order: string[] = [];
  let finish!: () => void;
  const held = new Promise<void>((resolve) => (finish = resolve));
  let started!: () => void;
  const inside = new Promise<void>((resolve) => (started = resolve));
  const trx = db.transaction().execute(async (x) => {
    await x.insertInto('capability_revocations').values(row('t')).execute();
    started();
    await held;
    order.push('transaction');
  });
  await inside;
  const waiters = ['a', 'b', 'c', 'd'].map(async (jti) => {
    await db.insertInto('capability_revocations').values(row(jti)).execute();
    order.push(jti);
  });
  // Give the waiters every chance to run: none may while the transaction holds the connection.
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(order, []);
  finish();
  await trx;
  await Promise.all(waiters);
  assert.deepEqual(order, ['transaction', 'a', 'b', 'c', 'd']);
  const rows = await db.selectFrom('capability_revocations').select('jti').orderBy('jti').execute();
  assert.deepEqual(
    rows.map((r) => r.jti),
    ['a', 'b', 'c', 'd', 't'],
  );
});

test('a failed transaction rolls back and hands the connection on', async (t) => {
  const { db } = await sqlite(t);
  const failing = db.transaction().execute(async (x) => {
    await x.insertInto('capability_revocations').values(row('gone')).execute();
    throw new Error('boom');
  });
  const after = db.insertInto('capability_revocations').values(row('kept')).execute();
  await assert.rejects(failing, /boom/);
  await after;
  const rows = await db.selectFrom('capability_revocations').select('jti').execute();
  assert.deepEqual(
    rows.map((r) => r.jti),
    ['kept'],
  );
});

test('200 reads in flight each get their own answer', async (t) => {
  const { db } = await sqlite(t);
  const jtis = Array.from({ length: 200 }, (_, i) => `j${i}`);
  await db.insertInto('capability_revocations').values(jtis.map(row)).execute();
  const answers = await Promise.all(
    jtis.map((jti) =>
      db.selectFrom('capability_revocations').select(['jti', 'reason']).where('jti', '=', jti).executeTakeFirst(),
    ),
  );
  assert.deepEqual(
    answers,
    jtis.map((jti) => ({ jti, reason: jti })),
  );
});

test('a transaction SQLite rolled back itself fails with its own error, not the failed rollback', async (t) => {
  const { db } = await sqlite(t);
  await db.insertInto('capability_revocations').values(row('taken')).execute();
  // OR ROLLBACK ends the whole transaction on the conflict, as SQLite does itself on a full disk (SQLITE_FULL) or an
  // I/O error: Kysely's rollback then finds no transaction, and its error replaced the one that matters (a 500).
  const failing = db.transaction().execute(async (x) => {
    await x.insertInto('capability_revocations').values(row('gone')).execute();
    await sql`insert or rollback into capability_revocations (jti, revoked_at, expires_at, reason, revoked_by)
      values ('taken', 1, 2, 'again', 'admin')`.execute(x);
  });
  await assert.rejects(failing, { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
  await db.insertInto('capability_revocations').values(row('after')).execute();
  const rows = await db.selectFrom('capability_revocations').select('jti').orderBy('jti').execute();
  assert.deepEqual(
    rows.map((r) => r.jti),
    ['after', 'taken'],
  );
});
