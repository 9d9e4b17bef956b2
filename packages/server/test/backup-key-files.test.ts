// backupSqlite refuses an output that is one of the deployment's key files (the KEK, wherever VOUCH_KEK_FILE puts it,
// <data dir>/admin.key, the registry root key file), as it refuses the database itself: a --force backup renamed
// over the KEK file would leave every sealed server key in the database unusable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError, backupSqlite, loadConfig } from '../src/index.ts';
import { kekBoundDataDir, quiet } from './helpers/restore-deployment.ts';

test('a backup onto the KEK file, the admin key or the registry root key file is refused and writes nothing', async (t) => {
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-backup-key-files-');
  await writeFile(join(dataDir, 'admin.key'), 'vouch_admin_test\n', { mode: 0o600 });
  const secrets = join(dir, 'secrets');
  await mkdir(secrets, { mode: 0o700 });
  const rootKey = join(secrets, 'root.key.json');
  await writeFile(rootKey, '{"root":"key"}\n', { mode: 0o600 });
  // VOUCH_KEK_FILE through a symbolic link: the file it names is the KEK too.
  const kek = join(secrets, 'kek.key');
  await rename(join(dataDir, 'kek.key'), kek);
  await symlink(kek, join(secrets, 'kek-link.key'));
  const config = loadConfig({
    VOUCH_DATA_DIR: dataDir,
    VOUCH_KEK_FILE: join(secrets, 'kek-link.key'),
    VOUCH_REGISTRY_ROOT_KEY_FILE: rootKey,
  });
  // <data dir>/kek.key is not this deployment's KEK (VOUCH_KEK_FILE names another), but is a key file left there.
  await writeFile(join(dataDir, 'kek.key'), `${'ab'.repeat(32)}\n`, { mode: 0o600 });
  const files = [kek, join(secrets, 'kek-link.key'), join(dataDir, 'admin.key'), join(dataDir, 'kek.key'), rootKey];
  const before = await Promise.all(files.map((f) => readFile(f)));
  const listed = { data: await readdir(dataDir), secrets: await readdir(secrets) };

  for (const output of files) {
    await assert.rejects(
      backupSqlite(config, output, { force: true }, quiet),
      (err: unknown) => err instanceof BackupError && err.code === 'OUTPUT_INVALID' && /key file/.test(err.message),
      output,
    );
  }
  const after = await Promise.all(files.map((f) => readFile(f)));
  assert.deepEqual(after, before);
  assert.deepEqual({ data: await readdir(dataDir), secrets: await readdir(secrets) }, listed);
});
