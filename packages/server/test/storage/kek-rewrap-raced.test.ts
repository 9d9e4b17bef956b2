// Two re-wraps of one database from the same current KEK to two different new ones, the second landing between the
// first's read of the KEK check value and its update of it. On PostgreSQL that read takes no lock: the first must find
// the check value changed (KEK_MISMATCH, "changed meanwhile") and change nothing, leaving the database sealed under the
// key the second operator was told is now in use. On SQLite the first holds the write lock from its start, so the
// second waits for it and then finds the database sealed under the first's key.
import { randomBytes } from 'node:crypto';
import { strict as assert } from 'node:assert';
import { checkKek, ensureServerKey, listServerKeys, rewrapKek, StorageError } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { assertSignsWith } from '../helpers/keys.ts';
import { pausingAfterSelect } from '../helpers/interleave.ts';

const T0 = 1_750_000_000_000;

async function rewraps(storage: Storage): Promise<number> {
  const rows = await storage.db.selectFrom('audit_log').select('id').where('action', '=', 'kek.rewrap').execute();
  return rows.length;
}

eachEngine('a re-wrap raced by another from the same KEK changes nothing and says so', async ({ open, engine }) => {
  const a = await open();
  const b = await open();
  const [oldKek, firstKek, secondKek] = [randomBytes(32), randomBytes(32), randomBytes(32)];
  await checkKek(a, oldKek, T0);
  await ensureServerKey(a, oldKek, 'tokens', 'ES256', T0);
  await ensureServerKey(a, oldKek, 'capability', 'EdDSA', T0);

  let other: Promise<unknown> | undefined;
  const racing = pausingAfterSelect(a, 'meta', async () => {
    other = rewrapKek(b, oldKek, secondKek, T0 + 2).then(
      () => 'done',
      (err: unknown) => err,
    );
    // PostgreSQL: the other re-wrap runs to its commit (nothing of this one's holds it up). SQLite: it waits for
    // this one's write lock.
    if (engine === 'postgres') assert.equal(await other, 'done');
  });
  const first = await rewrapKek(racing, oldKek, firstKek, T0 + 1).then(
    () => 'done',
    (err: unknown) => err,
  );
  assert.ok(other !== undefined, 'the other re-wrap ran in between');
  const second = await other;

  const [winner, loser, lost] = engine === 'postgres' ? [secondKek, first, firstKek] : [firstKek, second, secondKek];
  assert.ok(loser instanceof StorageError, String(loser));
  assert.equal(loser.code, 'KEK_MISMATCH');
  if (engine === 'postgres') assert.match(loser.message, /changed meanwhile; nothing was re-sealed/);
  // The database is sealed under the winner's key alone: every key opens under it, the check value is its, and one
  // re-wrap is recorded.
  const keys = await listServerKeys(a, winner);
  assert.equal(keys.length, 2);
  keys.forEach(assertSignsWith);
  await checkKek(a, winner, T0 + 3);
  await assert.rejects(checkKek(a, lost, T0 + 3), { code: 'KEK_MISMATCH' });
  assert.equal(await rewraps(a), 1);
});
