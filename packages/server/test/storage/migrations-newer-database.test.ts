// A database a newer Vouch has migrated is refused by an older one saying so: Kysely's own "corrupted migrations:
// previously executed migration ... is missing" read like a damaged database, and a restore from backup (losing
// everything since) is what an operator does about a corrupt one. An older instance restarting during a rolling
// upgrade, or a downgrade, meets exactly this.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { MIGRATIONS, StorageError } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';

eachEngine('a database migrated by a newer version is refused as newer, not as corrupt', async ({ open }) => {
  const storage = await open();
  await sql`insert into vouch_migration (name, timestamp) values (${'9999_from_a_later_version'}, ${new Date().toISOString()})`.execute(
    storage.db,
  );
  const err = await open().then(
    () => assert.fail('opened'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StorageError, String(err));
  assert.equal(err.code, 'MIGRATION_FAILED');
  assert.match(err.message, /newer version of Vouch/);
  assert.match(err.message, /9999_from_a_later_version/);
  assert.match(err.message, new RegExp(MIGRATIONS.at(-1)![0]), 'it names the newest migration this version knows');
  assert.doesNotMatch(err.message, /corrupt/);
  // Nothing was changed: the database still opens once the newer migration is known again (here: removed).
  await sql`delete from vouch_migration where name = ${'9999_from_a_later_version'}`.execute(storage.db);
  await open();
});
