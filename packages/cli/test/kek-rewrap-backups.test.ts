// Backups taken before `vouch kek rewrap` hold the server keys sealed under the KEK it retires: restored, they open
// only with that file. The rewrap's report and the docs told the operator to destroy the old file once the new one
// is in place, which leaves every earlier backup unrestorable (a server on it stops with KEK_MISMATCH). The report
// now says so: keep the old file with those backups, or take a new backup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kekBoundDataDir } from '../../server/test/helpers/restore-deployment.ts';
import { runBin } from './helpers.ts';

test('vouch kek rewrap says that backups taken before it need the old KEK file', async (t) => {
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-kek-backups-');
  const newFile = join(dir, 'kek.new');
  await writeFile(newFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const done = await runBin(['kek', 'rewrap', '--new-kek-file', newFile, '--data-dir', dataDir], {}, dir);
  assert.equal(done.code, 0, done.err);
  const current = join(dataDir, 'kek.key');
  assert.match(
    done.out,
    new RegExp(
      `Backups taken before now are sealed under the old KEK: keep a copy of ${current} with them \\(as safely\\) ` +
        'for as long as you keep them, or take a new backup now',
    ),
  );
});
