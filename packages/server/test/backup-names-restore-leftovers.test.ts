// vouch backup names the temporary files an interrupted restore left beside the database, and removes none
// (docs/operations.md, "Backup and restore"); no test held it: dropping the call left every backup test passing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backupSqlite, loadConfig } from '../src/index.ts';
import { restoreTempName } from '../src/restore-leftovers.ts';
import { kekBoundDataDir } from './helpers/restore-deployment.ts';

test('a backup names a restore leftover beside the database and leaves it', async (t) => {
  const { dir, dataDir } = await kekBoundDataDir(t, 'vouch-backup-restore-leftover-');
  const leftover = restoreTempName(join(dataDir, 'vouch.db'));
  await writeFile(leftover, 'a copy a killed restore left', { mode: 0o600 });
  const out = join(dir, 'out');
  await mkdir(out, { mode: 0o700 });
  const warned: string[] = [];
  const warnings = { warn: (_: unknown, message: string) => void warned.push(message) };
  await backupSqlite(loadConfig({ VOUCH_DATA_DIR: dataDir }), join(out, 'vouch.db'), { force: false }, warnings);
  assert.equal(warned.length, 1, warned.join('\n'));
  assert.ok(warned[0]!.includes(leftover), warned[0]);
  assert.ok((await readdir(dataDir)).includes(leftover.split('/').at(-1)!));
});
