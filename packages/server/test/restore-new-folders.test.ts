// restoreSqlite creates the data directory as a server start would, and a refusal removes every folder it created,
// not only the last: `--data-dir /srv/new/vouch` with a bad backup leaves no /srv/new behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, RestoreError, restoreSqlite } from '../src/index.ts';

const quiet = { warn: () => undefined };

test('a refused restore into folders it created removes all of them', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-restore-folders-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const input = join(dir, 'not-a-database.db');
  await writeFile(input, 'not a database at all, but long enough to have a header of sorts'.repeat(10));
  const config = loadConfig({ VOUCH_DATA_DIR: join(dir, 'new', 'deeper', 'data') });

  await assert.rejects(
    restoreSqlite(config, input, { force: false, now: new Date(0) }, quiet),
    (err: unknown) => err instanceof RestoreError && err.code === 'INPUT_INVALID',
  );
  assert.deepEqual(await readdir(dir), ['not-a-database.db']);
});
