// `vouch backup` named the KEK file to keep with the backup without looking at it; now it says when that file is not
// the key the backup's server keys are sealed under, or is not there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kekBoundDataDir } from '../../server/test/helpers/restore-deployment.ts';
import { runBin } from './helpers.ts';

test('vouch backup says when the KEK file is not the one the backup needs', async (t) => {
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-backup-kek-');
  const ok = await runBin(['backup', '--output', join(dir, 'a.db'), '--data-dir', dataDir], {}, dir);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /sealed under the KEK in .*kek\.key, which is not in the backup/);

  const other = join(dir, 'other.key');
  await writeFile(other, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const env = { VOUCH_KEK_FILE: other };
  const differs = await runBin(['backup', '--output', join(dir, 'b.db'), '--data-dir', dataDir], env, dir);
  assert.equal(differs.code, 0, differs.err);
  assert.match(differs.out, /The KEK in .*other\.key is NOT the one the server keys in it are sealed under/);
  assert.doesNotMatch(differs.out, /sealed under the KEK in/);

  const absent = await runBin(
    ['backup', '--output', join(dir, 'c.db'), '--data-dir', dataDir],
    { VOUCH_KEK_FILE: join(dir, 'absent.key') },
    dir,
  );
  assert.equal(absent.code, 0, absent.err);
  assert.match(absent.out, /There is no KEK at .*absent\.key/);
});
