// restoreSqlite creates the data directory as a server start would, and a refusal removes every folder it created,
// not only the last: `--data-dir /srv/new/vouch` with a bad backup leaves no /srv/new behind, and only those: an empty
// /srv that was there stays. (An input without SQLite's header is refused before any folder is made, so the first
// test alone held neither: dropping the removal, or its stop at the first folder made, left it passing.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
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

test('a refused restore removes the folders it created, and no folder above them that was already there', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-restore-folders-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // A SQLite database, but not a Vouch one: refused by the check of its copy, once the folders are made.
  const input = join(dir, 'other.db');
  const other = new BetterSqlite3(input);
  other.exec('create table t (x integer)');
  other.close();
  // Empty, as a folder made for the deployment beforehand is: it was not this restore's to remove.
  await mkdir(join(dir, 'srv'));
  const config = loadConfig({ VOUCH_DATA_DIR: join(dir, 'srv', 'new', 'deeper', 'data') });

  await assert.rejects(
    restoreSqlite(config, input, { force: false, now: new Date(0) }, quiet),
    (err: unknown) => err instanceof RestoreError && err.code === 'INPUT_INVALID' && /not a Vouch/.test(err.message),
  );
  assert.deepEqual((await readdir(dir)).sort(), ['other.db', 'srv']);
  assert.deepEqual(await readdir(join(dir, 'srv')), []);
});
