// preparedRead: a read compiled once per handle answers each call with that call's parameters, on both engines,
// inside a transaction too; a query that binds anything besides its parameters is refused on its first call.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { preparedRead } from '../../src/storage/index.ts';

const byJti = preparedRead((db, jti: string) =>
  db.selectFrom('capability_revocations').select(['jti', 'reason']).where('jti', '=', jti),
);

eachEngine('a prepared read answers every call with its own parameters', async ({ open }) => {
  const storage = await open();
  const db = storage.db;
  const row = (jti: string) => ({ jti, revoked_at: 1, expires_at: 2, reason: `r-${jti}`, revoked_by: 'admin' });
  await db
    .insertInto('capability_revocations')
    .values([row('a'), row('b')])
    .execute();
  assert.deepEqual(await byJti(db, 'a'), [{ jti: 'a', reason: 'r-a' }]);
  assert.deepEqual(await byJti(db, 'b'), [{ jti: 'b', reason: 'r-b' }]);
  assert.deepEqual(await byJti(db, 'c'), []);
  // A value that would change the statement's text if it were pasted into it is only ever a parameter.
  assert.deepEqual(await byJti(db, "a' or '1'='1"), []);
  // A transaction's handle compiles its own, and sees its own writes.
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('capability_revocations').values(row('c')).execute();
    assert.deepEqual(await byJti(trx, 'c'), [{ jti: 'c', reason: 'r-c' }]);
    assert.deepEqual(await byJti(trx, 'a'), [{ jti: 'a', reason: 'r-a' }]);
  });
  assert.deepEqual(await byJti(db, 'c'), [{ jti: 'c', reason: 'r-c' }]);
});

eachEngine('a query that binds more than its parameters is refused on its first call', async ({ open }) => {
  const storage = await open();
  const limited = preparedRead((db, jti: string) =>
    db.selectFrom('capability_revocations').select('jti').where('jti', '=', jti).limit(1),
  );
  await assert.rejects(() => limited(storage.db, 'a'), /binds 2 values, not exactly its 1 parameters/);
  const swapped = preparedRead((db, a: string, b: string) =>
    db.selectFrom('capability_revocations').select('jti').where('jti', '=', b).where('reason', '=', a),
  );
  await assert.rejects(() => swapped(storage.db, 'x', 'y'), /binds 2 values, not exactly its 2 parameters/);
});
