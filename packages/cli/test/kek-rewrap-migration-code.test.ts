// `vouch kek rewrap` over a database a newer Vouch migrated is refused by openStorage with MIGRATION_FAILED. The CLI
// passed on only KEK_*, SEALED_* and DATABASE_* refusals with their code, so this one was printed without it, though
// every refusal of kek rewrap ends with its stable code (docs/operations.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { kekDeployment, rewrapToNewKek } from './kek-deployment.ts';

test('kek rewrap: a database migrated by a newer Vouch is exit 2 ending with (MIGRATION_FAILED)', async (t) => {
  const { dataDir, storage } = await kekDeployment(t);
  await sql`insert into vouch_migration (name, timestamp) values (${'9999_from_a_later_version'}, ${'now'})`.execute(
    storage.db,
  );
  await storage.close();

  const r = await rewrapToNewKek(dataDir);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.out, '');
  assert.match(r.err, /^vouch: The database was migrated by a newer version of Vouch .* \(MIGRATION_FAILED\)\n$/);
});
