// Once the copy is renamed into place, vouch backup flushes the output's folder so that the name survives a crash of
// the machine. A flush that failed there (EIO: a failing disk) was thrown as it came, a bare Error: the CLI printed
// it without the stable code every refusal of vouch backup ends with (docs/operations.md). It is OUTPUT_UNWRITABLE,
// saying the file is there and whole but its name may not survive a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError, backupSqlite, loadConfig } from '../src/index.ts';
import { cannotSeeSyncs, recordingSyncs } from './helpers/fsync.ts';
import { kekBoundDataDir, quiet } from './helpers/restore-deployment.ts';

test('a backup whose output folder cannot be flushed is OUTPUT_UNWRITABLE, naming what is left', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-backup-folder-flush-');
  const out = join(dir, 'out');
  await mkdir(out, { mode: 0o700 });
  const output = join(out, 'vouch.db');
  let rejected: unknown;
  await recordingSyncs(
    async () => {
      await backupSqlite(loadConfig({ VOUCH_DATA_DIR: dataDir }), output, { force: false }, quiet).then(
        () => assert.fail('the backup was reported written'),
        (err: unknown) => void (rejected = err),
      );
    },
    async (path) => {
      if (path === out) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    },
  );
  assert.ok(rejected instanceof BackupError, String(rejected));
  assert.equal(rejected.code, 'OUTPUT_UNWRITABLE');
  assert.match(rejected.message, /EIO/);
  assert.ok(rejected.message.includes(output), rejected.message);
  assert.match(rejected.message, /crash/);
  // The copy itself was flushed and renamed: it is the one file there, no temporary name left.
  assert.deepEqual(await readdir(out), ['vouch.db']);
});
