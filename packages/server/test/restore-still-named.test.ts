// restoreSqlite clears the header of the database it replaced only once that file has no name left: a file still named
// elsewhere (another hard link to it) is someone's database, not a leftover only a racing process could reach. And
// that file, under any of its names, is the database itself as input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { link, mkdir, rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { RestoreError, restoreSqlite } from '../src/index.ts';
import { holdsLaterRow, quiet, restoreDeployment } from './helpers/restore-deployment.ts';

test('a restore over a vouch.db that is a symbolic link keeps the file it named as the kept copy', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  const elsewhere = join(dir, 'disk');
  await mkdir(elsewhere, { mode: 0o700 });
  const real = join(elsewhere, 'vouch.db');
  await rename(join(config.dataDir, 'vouch.db'), real);
  await symlink(real, join(config.dataDir, 'vouch.db'));

  // The file the link names is restored in place (restore-linked-database.test.ts); what it held is kept beside it.
  const done = await restoreSqlite(config, backup, { force: true, now: new Date(0) }, quiet);
  assert.equal(done.previous, `${real}.before-restore-1970-01-01T00-00-00-000Z`);
  assert.ok(holdsLaterRow(done.previous));
  assert.equal(holdsLaterRow(real), false);
  assert.equal(holdsLaterRow(join(config.dataDir, 'vouch.db')), false);
});

test('a restore over a vouch.db with another hard link leaves that name readable', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  const other = join(dir, 'snapshot.db');
  await link(join(config.dataDir, 'vouch.db'), other);

  await restoreSqlite(config, backup, { force: true, now: new Date(0) }, quiet);
  assert.ok(holdsLaterRow(other), 'the other name of the replaced file is not cleared');
  assert.equal(holdsLaterRow(join(config.dataDir, 'vouch.db')), false);
});

test('the file a linked vouch.db names is refused as input: it is the database being restored', async (t) => {
  const { dir, config } = await restoreDeployment(t);
  const elsewhere = join(dir, 'disk');
  await mkdir(elsewhere, { mode: 0o700 });
  const real = join(elsewhere, 'real.db');
  await rename(join(config.dataDir, 'vouch.db'), real);
  await symlink(real, join(config.dataDir, 'vouch.db'));
  const other = join(dir, 'other.db');
  await link(real, other);

  for (const input of [real, other]) {
    await assert.rejects(
      restoreSqlite(config, input, { force: true, now: new Date(0) }, quiet),
      (err: unknown) =>
        err instanceof RestoreError &&
        err.code === 'INPUT_INVALID' &&
        /is the database being restored/.test(err.message),
      input,
    );
  }
  assert.ok(holdsLaterRow(real));
});
