// The copy a backup or a restore writes is flushed to disk before it is named as the output or the database. A flush
// that fails (EIO: a failing disk) was thrown as it came, a bare Error without the stable code that every refusal of
// vouch backup and vouch restore ends with (docs/operations.md): it is OUTPUT_UNWRITABLE and TARGET_UNWRITABLE, and
// nothing is left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError, backupSqlite, RestoreError, restoreSqlite } from '../src/index.ts';
import { cannotSeeSyncs, recordingSyncs } from './helpers/fsync.ts';
import { holdsLaterRow, kekBoundDataDir, quiet, restoreDeployment } from './helpers/restore-deployment.ts';

const EIO = () => Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });

test('a backup whose copy cannot be flushed is OUTPUT_UNWRITABLE and leaves no file', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-backup-flush-');
  const { loadConfig } = await import('../src/index.ts');
  const out = join(dir, 'out');
  await mkdir(out, { mode: 0o700 });
  let rejected: unknown;
  await recordingSyncs(
    async () => {
      await backupSqlite(loadConfig({ VOUCH_DATA_DIR: dataDir }), join(out, 'vouch.db'), { force: false }, quiet).then(
        () => assert.fail('the backup was reported written'),
        (err: unknown) => void (rejected = err),
      );
    },
    async (path) => {
      if (/\.vouch\.db\.backup-[0-9a-f]+\.tmp$/.test(path)) throw EIO();
    },
  );
  assert.ok(rejected instanceof BackupError, String(rejected));
  assert.equal(rejected.code, 'OUTPUT_UNWRITABLE');
  assert.match(rejected.message, /EIO/);
  assert.deepEqual(await readdir(out), []);
});

test('a restore whose copy cannot be flushed is TARGET_UNWRITABLE and changes nothing', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const { config, backup } = await restoreDeployment(t);
  const before = (await readdir(config.dataDir)).sort();
  let rejected: unknown;
  await recordingSyncs(
    async () => {
      await restoreSqlite(config, backup, { force: true, now: new Date(0) }, quiet).then(
        () => assert.fail('the restore was reported done'),
        (err: unknown) => void (rejected = err),
      );
    },
    async (path) => {
      if (/\.vouch\.db\.restore-[0-9a-f]+\.tmp$/.test(path)) throw EIO();
    },
  );
  assert.ok(rejected instanceof RestoreError, String(rejected));
  assert.equal(rejected.code, 'TARGET_UNWRITABLE');
  assert.match(rejected.message, /EIO/);
  assert.deepEqual((await readdir(config.dataDir)).sort(), before);
  assert.ok(holdsLaterRow(join(config.dataDir, 'vouch.db')));
});
