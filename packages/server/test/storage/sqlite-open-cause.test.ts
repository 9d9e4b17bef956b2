// A SQLite database that cannot be opened or prepared says why, as a PostgreSQL one does (its errno or SQLSTATE):
// "Cannot prepare the SQLite database at <file>." alone read the same for a corrupt file, a full disk and a file the
// process may not change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertVouchDatabase, openStorage, StorageError } from '../../src/storage/index.ts';

test('a SQLite file that is no database, or that cannot be opened, is DATABASE_UNAVAILABLE saying why', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-sqlite-cause-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const notADatabase = join(dir, 'garbage');
  await mkdir(notADatabase);
  await writeFile(join(notADatabase, 'vouch.db'), 'this is not a SQLite database\n'.repeat(100));
  const aDirectory = join(dir, 'directory');
  await mkdir(join(aDirectory, 'vouch.db'), { recursive: true });
  const cases: Array<[string, RegExp]> = [
    [notADatabase, /SQLITE_NOTADB: file is not a database/],
    [aDirectory, /SQLITE_(CANTOPEN: unable to open database file|IOERR_READ: disk I\/O error)/],
  ];
  for (const [dataDir, why] of cases) {
    // The server's start, and `vouch kek rewrap`'s check that the settings name a Vouch database.
    for (const attempt of [() => openStorage({ dataDir }), () => assertVouchDatabase({ dataDir })]) {
      const err = await attempt().then(
        () => assert.fail('opened'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof StorageError, String(err));
      assert.equal(err.code, 'DATABASE_UNAVAILABLE');
      assert.match(err.message, why);
      assert.ok(err.message.includes(join(dataDir, 'vouch.db')), 'the file is named');
    }
  }
});
