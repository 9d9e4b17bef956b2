// backupSqlite and an output that names a folder: one that ends with a slash (`/backups/new/`, a folder the operator
// meant to write into) is refused rather than written as a file named like that folder, and an existing folder is
// refused as not a file, with or without --force, never told to try --force (which could not replace it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { BackupError, backupSqlite, loadConfig } from '../src/index.ts';
import { kekBoundDataDir, quiet } from './helpers/restore-deployment.ts';

test('an output ending with a slash is refused and nothing is written', async (t) => {
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-backup-output-folder-');
  const out = join(dir, 'out');
  await mkdir(out, { mode: 0o700 });
  const config = loadConfig({ VOUCH_DATA_DIR: dataDir });
  for (const output of [`${join(out, 'new')}${sep}`, `${join(out, 'vouch.db')}${sep}`, `${join(out, 'x')}/.`]) {
    for (const force of [false, true]) {
      await assert.rejects(
        backupSqlite(config, output, { force }, quiet),
        (err: unknown) => err instanceof BackupError && err.code === 'OUTPUT_INVALID' && /folder/.test(err.message),
        output,
      );
    }
  }
  assert.deepEqual(await readdir(out), []);
});

test('an existing folder as output is refused as not a file, without suggesting --force', async (t) => {
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-backup-output-folder-');
  const out = join(dir, 'out');
  await mkdir(out, { mode: 0o700 });
  const config = loadConfig({ VOUCH_DATA_DIR: dataDir });
  for (const force of [false, true]) {
    await assert.rejects(
      backupSqlite(config, out, { force }, quiet),
      (err: unknown) => err instanceof BackupError && err.code === 'OUTPUT_INVALID' && !/--force/.test(err.message),
      String(force),
    );
  }
  assert.deepEqual(await readdir(out), []);
});
