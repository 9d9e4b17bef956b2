// The applied migrations are recorded with the wall-clock time of their run (Kysely's `timestamp` column), and Kysely
// orders them by that time when it checks that the applied ones are the first ones of the list. A clock stepped back
// (NTP correcting it at boot, when servers start; a host whose clock was ahead; a database moved between hosts)
// between two migrations left them recorded out of name order, and every later start failed with "corrupted
// migrations" although nothing was wrong with the database. The order that matters is the names' order.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { MIGRATIONS, StorageError } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';

eachEngine('applied migrations recorded out of time order (a clock stepped back) still open', async ({ open }) => {
  const storage = await open();
  // The last migration ran after the clock stepped back a second: it is recorded as earlier than the others.
  const last = MIGRATIONS.at(-1)![0];
  await sql`update vouch_migration set timestamp = ${'2026-01-01T00:00:01.000Z'}`.execute(storage.db);
  await sql`update vouch_migration set timestamp = ${'2026-01-01T00:00:00.000Z'} where name = ${last}`.execute(
    storage.db,
  );
  const again = await open();
  await again.ping();
});

eachEngine('a database with a gap in its applied migrations is refused, nothing changed', async ({ open }) => {
  const storage = await open();
  // Not a state any Vouch leaves, but the name order is what is checked: a recorded migration missing before a later
  // one is refused rather than run after it.
  const middle = MIGRATIONS[MIGRATIONS.length - 3]![0];
  await sql`delete from vouch_migration where name = ${middle}`.execute(storage.db);
  const err = await open().then(
    () => assert.fail('opened'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StorageError, String(err));
  assert.equal(err.code, 'MIGRATION_FAILED');
  assert.match(err.message, new RegExp(`${middle}.*never applied`));
  const { rows } = await sql<{ n: number }>`select count(*) as n from vouch_migration`.execute(storage.db);
  assert.equal(Number(rows[0]!.n), MIGRATIONS.length - 1);
});
