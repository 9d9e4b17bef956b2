// restoreSqlite copied the whole input into the data directory before finding that it was not a SQLite database at
// all (a pg_dump file, an archive given by mistake, which may be large), and told an empty file it was "a SQLite
// database but not a Vouch database". The open input's first bytes are now checked before anything is written: no
// SQLite header, INPUT_INVALID at once; what has one is copied and checked as before (the copy is what counts: the
// input may change meanwhile).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RestoreError, restoreSqlite } from '../src/index.ts';
import { holdsLaterRow, restoreDeployment } from './helpers/restore-deployment.ts';

test('an input without SQLite header is refused before it is copied', async (t) => {
  const { dir, config } = await restoreDeployment(t);
  // A folder group members may write draws a warning once the restore's copy is created there: none must be.
  await chmod(config.dataDir, 0o770);
  const before = (await readdir(config.dataDir)).sort();
  const inputs = {
    'dump.pgdump': Buffer.concat([Buffer.from('PGDMP'), Buffer.alloc(1 << 21, 7)]),
    'empty.db': Buffer.alloc(0),
    'short.db': Buffer.from('SQLite format 3'),
  };
  for (const [name, bytes] of Object.entries(inputs)) {
    const input = join(dir, name);
    await writeFile(input, bytes);
    const warned: string[] = [];
    await assert.rejects(
      restoreSqlite(
        config,
        input,
        { force: true, now: new Date(0) },
        { warn: (_: unknown, message: string) => void warned.push(message) },
      ),
      (err: unknown) =>
        err instanceof RestoreError &&
        err.code === 'INPUT_INVALID' &&
        err.message.includes(input) &&
        /is not a SQLite database \(it does not begin with SQLite's header\)/.test(err.message),
      name,
    );
    assert.deepEqual(warned, [], `${name}: nothing was written in the data directory`);
  }
  assert.deepEqual((await readdir(config.dataDir)).sort(), before);
  assert.ok(holdsLaterRow(join(config.dataDir, 'vouch.db')));
});
