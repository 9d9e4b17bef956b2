// backupSqlite reported "the server keys in it are sealed under the KEK in <file>" without looking at that file: with
// VOUCH_KEK_FILE naming another key, or no file at all, the operator was told to keep a file beside the backup that
// cannot open it, and learnt so only at the restore, when the right key may be gone. `kek` now says what the file
// is to the backup, as a restore's report does: `matches`, `differs`, `missing`, or `unreadable` with `kekProblem`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backupSqlite, loadConfig } from '../src/index.ts';
import { kekBoundDataDir, quiet } from './helpers/restore-deployment.ts';

test('a backup says whether the KEK file it names is the one its server keys are sealed under', async (t) => {
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-backup-kek-');
  const matches = await backupSqlite(
    loadConfig({ VOUCH_DATA_DIR: dataDir }),
    join(dir, 'a.db'),
    { force: false },
    quiet,
  );
  assert.equal(matches.kek, 'matches');
  assert.equal(matches.kekProblem, undefined);

  const other = join(dir, 'other.key');
  await writeFile(other, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const config = (kekFile: string) => loadConfig({ VOUCH_DATA_DIR: dataDir, VOUCH_KEK_FILE: kekFile });
  const differs = await backupSqlite(config(other), join(dir, 'b.db'), { force: false }, quiet);
  assert.equal(differs.kek, 'differs');
  assert.equal(differs.kekFile, other);

  const missing = await backupSqlite(config(join(dir, 'absent.key')), join(dir, 'c.db'), { force: false }, quiet);
  assert.equal(missing.kek, 'missing');

  const malformed = join(dir, 'malformed.key');
  await writeFile(malformed, 'not a key\n', { mode: 0o600 });
  const unreadable = await backupSqlite(config(malformed), join(dir, 'd.db'), { force: false }, quiet);
  assert.equal(unreadable.kek, 'unreadable');
  assert.match(unreadable.kekProblem ?? '', /must hold 32 bytes/);
});
