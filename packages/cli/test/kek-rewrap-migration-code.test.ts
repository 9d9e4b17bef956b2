// `vouch kek rewrap` over a database a newer Vouch migrated is refused by openStorage with MIGRATION_FAILED. The CLI
// passed on only KEK_*, SEALED_* and DATABASE_* refusals with their code, so this one was printed without it, though
// every refusal of kek rewrap ends with its stable code (docs/operations.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { checkKek, openStorage, readKek } from '../../server/src/storage/index.ts';
import { writeTestKek } from '../../server/test/helpers/app.ts';
import { runClean, tempDir } from './helpers.ts';

test('kek rewrap: a database migrated by a newer Vouch is exit 2 ending with (MIGRATION_FAILED)', async (t) => {
  const dataDir = join(await tempDir(t), 'data');
  const storage = await openStorage({ dataDir });
  writeTestKek(join(dataDir, 'kek.key'));
  await checkKek(storage, await readKek(join(dataDir, 'kek.key')), 1);
  await sql`insert into vouch_migration (name, timestamp) values (${'9999_from_a_later_version'}, ${'now'})`.execute(
    storage.db,
  );
  await storage.close();
  const newFile = join(dataDir, 'kek.new');
  await writeFile(newFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });

  const r = await runClean({ VOUCH_DATA_DIR: dataDir }, 'kek', 'rewrap', '--new-kek-file', newFile);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.out, '');
  assert.match(r.err, /^vouch: The database was migrated by a newer version of Vouch .* \(MIGRATION_FAILED\)\n$/);
});
