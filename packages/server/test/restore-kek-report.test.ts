// restoreSqlite's `kek` says what is at the KEK file: `missing` only when there is no file, `unreadable` (with the
// reason in `kekProblem`) for one that is there but cannot be read or is not a key, so the operator is not told to
// put a file where one already is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { restoreSqlite } from '../src/index.ts';
import { quiet, restoreDeployment } from './helpers/restore-deployment.ts';

const now = new Date(Date.UTC(2026, 0, 31, 10));

test('a KEK file that is there but malformed, or a folder, is reported unreadable with the reason', async (t) => {
  const { config, backup } = await restoreDeployment(t);
  const kekFile = join(config.dataDir, 'kek.key');
  await writeFile(kekFile, 'not a key\n', { mode: 0o600 });
  const malformed = await restoreSqlite(config, backup, { force: true, now }, quiet);
  assert.equal(malformed.kek, 'unreadable');
  assert.match(malformed.kekProblem ?? '', /must hold 32 bytes written as 64 hex characters or as base64/);

  await rm(kekFile);
  await mkdir(kekFile);
  const folder = await restoreSqlite(config, backup, { force: true, now: new Date(now.getTime() + 1) }, quiet);
  assert.equal(folder.kek, 'unreadable');
  assert.match(folder.kekProblem ?? '', /is a directory, not a regular file/);

  await rm(kekFile, { recursive: true });
  const missing = await restoreSqlite(config, backup, { force: true, now: new Date(now.getTime() + 2) }, quiet);
  assert.equal(missing.kek, 'missing');
  assert.equal(missing.kekProblem, undefined);
});
