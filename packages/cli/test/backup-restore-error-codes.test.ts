// Every `vouch kek rewrap` refusal, and `vouch backup`'s DATABASE_UNAVAILABLE, end with their stable code in
// parentheses; backup's and restore's own refusals (BackupError, RestoreError) were printed without theirs, so a
// script could tell "a server still has the database open" (TARGET_IN_USE: stop it and retry) from "that is no
// backup" (INPUT_INVALID) only by matching English. Each now ends with its code, as the others do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runClean, tempDir } from './helpers.ts';

test('vouch backup and vouch restore refusals end with their stable code', async (t) => {
  const dir = await tempDir(t, 'vouch-backup-codes-');
  const dataDir = join(dir, 'data');
  await mkdir(dataDir, { mode: 0o700 });
  const output = join(dir, 'exists.db');
  await writeFile(output, 'an earlier backup\n', { mode: 0o600 });

  const exists = await runClean({}, 'backup', '--data-dir', dataDir, '--output', output);
  assert.equal(exists.code, 2, exists.err);
  assert.match(exists.err, /^vouch: The output .*exists\.db exists: .*--force to replace it \(OUTPUT_EXISTS\)\n$/);

  const notDb = await runClean({}, 'restore', '--data-dir', dataDir, '--input', output);
  assert.equal(notDb.code, 2, notDb.err);
  assert.match(notDb.err, /^vouch: The input .*is not a SQLite database .*nothing was changed \(INPUT_INVALID\)\n$/);
});
