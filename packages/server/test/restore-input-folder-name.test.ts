// restoreSqlite and an input named as a folder: `--input /backups/vouch.db/` (a trailing slash, or `/.`) was resolved
// to the file `/backups/vouch.db` and restored, where the system itself refuses that name for a file (ENOTDIR). It is
// now INPUT_INVALID before anything is opened or written, as vouch backup refuses such an output (OUTPUT_INVALID).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { RestoreError, restoreSqlite } from '../src/index.ts';
import { holdsLaterRow, quiet, restoreDeployment } from './helpers/restore-deployment.ts';

test('an input naming a file with a trailing slash is refused and nothing is changed', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  const before = (await readdir(config.dataDir)).sort();
  for (const input of [`${backup}${sep}`, `${backup}/.`, `${backup}//`]) {
    await assert.rejects(
      restoreSqlite(config, input, { force: true, now: new Date(0) }, quiet),
      (err: unknown) =>
        err instanceof RestoreError &&
        err.code === 'INPUT_INVALID' &&
        err.message.includes(input) &&
        /names a folder/.test(err.message),
      input,
    );
  }
  // A folder named with a trailing slash is refused the same way.
  await assert.rejects(
    restoreSqlite(config, `${dir}${sep}`, { force: true, now: new Date(0) }, quiet),
    (err: unknown) => err instanceof RestoreError && err.code === 'INPUT_INVALID',
  );
  assert.deepEqual((await readdir(config.dataDir)).sort(), before);
  assert.ok(holdsLaterRow(join(config.dataDir, 'vouch.db')), 'the database is as it was');
  // The same file, named as a file, is restored.
  const done = await restoreSqlite(config, backup, { force: true, now: new Date(0) }, quiet);
  assert.equal(holdsLaterRow(done.database), false);
});
