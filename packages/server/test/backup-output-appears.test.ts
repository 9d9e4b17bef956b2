// backupSqlite checks that the output is absent before it copies the database, which takes a while; a file that
// appears there meanwhile (another backup to the same name, a file an operator put there) is not replaced without
// --force: the backup is moved into place with a hard link, which fails where a rename would replace the file, and
// the refusal leaves that file as it is and no temporary file beside it. With --force it is replaced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError, backupSqlite, loadConfig } from '../src/index.ts';
import { kekBoundDataDir } from './helpers/restore-deployment.ts';

test('a file that appears at the output during a backup is kept, unless --force', async (t) => {
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-backup-output-appears-');
  const config = loadConfig({ VOUCH_DATA_DIR: dataDir });
  // A folder group members may write: the backup warns about it once it has made its temporary file there, before it
  // copies the database. The warning is the moment another writer's file lands at the output.
  const out = join(dir, 'out');
  await mkdir(out);
  await chmod(out, 0o770);
  const output = join(out, 'vouch.db');
  const theirs = 'another backup, written meanwhile\n';
  const appearing = {
    warn: (fields: { folder?: string }) => {
      // Synchronous: the file is there before the backup goes on.
      if (fields.folder === out) writeFileSync(output, theirs);
    },
  };

  await assert.rejects(
    backupSqlite(config, output, { force: false }, appearing),
    (err: unknown) => err instanceof BackupError && err.code === 'OUTPUT_EXISTS' && /--force/.test(err.message),
  );
  assert.equal(await readFile(output, 'utf8'), theirs);
  assert.deepEqual(await readdir(out), ['vouch.db']);

  // --force replaces the file that appeared.
  const done = await backupSqlite(config, output, { force: true }, appearing);
  assert.equal(done.file, output);
  assert.ok((await readFile(output)).subarray(0, 16).equals(Buffer.from('SQLite format 3\0', 'latin1')));
  assert.deepEqual(await readdir(out), ['vouch.db']);
});
