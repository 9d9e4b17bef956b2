// restoreSqlite over a vouch.db that is a symbolic link restores the file the link names, where the operator put the
// database (its disk, its folder), and leaves the link as it was: the copy, the kept file and the removed companions
// are all beside that file, so the rename stays on one file system.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, readlink, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig, restoreSqlite } from '../src/index.ts';
import { holdsLaterRow, quiet, restoreDeployment } from './helpers/restore-deployment.ts';

test('a restore over a vouch.db that is a symbolic link replaces the file it names and keeps the link', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  const disk = join(dir, 'disk');
  await mkdir(disk, { mode: 0o700 });
  const real = join(disk, 'real.db');
  const database = join(config.dataDir, 'vouch.db');
  await rename(database, real);
  await symlink(real, database);
  // Left by a process that stopped uncleanly, beside the file (where SQLite keeps a linked database's companions).
  await writeFile(`${real}-shm`, Buffer.alloc(32768));

  const done = await restoreSqlite(config, backup, { force: true, now: new Date(0) }, quiet);
  // Before any of them is opened here (SQLite would make -shm files beside them).
  assert.deepEqual((await readdir(config.dataDir)).sort(), ['kek.key', 'vouch.db']);
  assert.deepEqual((await readdir(disk)).sort(), ['real.db', 'real.db.before-restore-1970-01-01T00-00-00-000Z']);
  assert.ok((await lstat(database)).isSymbolicLink(), 'the link is left in place');
  assert.equal(await readlink(database), real);
  assert.equal(done.database, database);
  assert.equal(holdsLaterRow(real), false, 'the file the link names is the restored database');
  assert.equal(done.previous, `${real}.before-restore-1970-01-01T00-00-00-000Z`);
  assert.ok(holdsLaterRow(done.previous!));
});

test('a restore over a dangling vouch.db link creates the file it names', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  const disk = join(dir, 'disk');
  await mkdir(disk, { mode: 0o700 });
  const database = join(config.dataDir, 'vouch.db');
  const real = join(disk, 'vouch.db');
  await rename(database, join(dir, 'moved-away.db'));
  await symlink(real, database);

  const done = await restoreSqlite(config, backup, { force: false, now: new Date(0) }, quiet);
  assert.equal(done.previous, null);
  assert.ok((await lstat(database)).isSymbolicLink());
  assert.equal(holdsLaterRow(real), false);
  assert.deepEqual(await readdir(disk), ['vouch.db']);
});

test('a relative vouch.db link is followed from the folder it lies in, not from the name the data directory has', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  // VOUCH_DATA_DIR names <dir>/data-link, a link to <dir>/deep/data, where vouch.db links to ../disk/vouch.db: the
  // kernel finds <dir>/deep/disk/vouch.db. Taking `..` from the name as given would lead to <dir>/disk, here a folder
  // that exists and holds no database.
  const deep = join(dir, 'deep');
  await mkdir(join(deep, 'disk'), { recursive: true, mode: 0o700 });
  await rename(config.dataDir, join(deep, 'data'));
  await symlink(join(deep, 'data'), join(dir, 'data-link'));
  const real = join(deep, 'disk', 'vouch.db');
  await rename(join(deep, 'data', 'vouch.db'), real);
  await symlink(join('..', 'disk', 'vouch.db'), join(deep, 'data', 'vouch.db'));
  await mkdir(join(dir, 'disk'), { mode: 0o700 });
  const linked = loadConfig({ VOUCH_DATA_DIR: join(dir, 'data-link') });

  await assert.rejects(restoreSqlite(linked, backup, { force: false, now: new Date(0) }, quiet), {
    code: 'TARGET_EXISTS',
  });
  const done = await restoreSqlite(linked, backup, { force: true, now: new Date(0) }, quiet);
  assert.equal(holdsLaterRow(real), false, 'the file the kernel finds is the restored database');
  assert.equal(done.previous, `${real}.before-restore-1970-01-01T00-00-00-000Z`);
  assert.ok(holdsLaterRow(done.previous!));
  assert.deepEqual(await readdir(join(dir, 'disk')), [], 'nothing was written where the name alone leads');
});
