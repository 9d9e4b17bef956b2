// A SQLite open that fails after the file was opened (a file that is no database, a lock held past the busy timeout,
// a mode that cannot be set) closes the file again: Kysely's destroy() ends only a driver that ran a query, and the
// failures before the first migration query left the handle open for the life of the process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readlink, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, StorageError } from '../../src/storage/index.ts';

/** How many of this process's file descriptors are open on `file` (Linux: /proc/self/fd). */
async function openDescriptors(file: string): Promise<number> {
  let n = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(join('/proc/self/fd', fd)).catch(() => '');
    if (target === file) n++;
  }
  return n;
}

test(
  'a SQLite file that is no database is refused and left closed',
  { skip: process.platform === 'linux' ? false : 'reads /proc/self/fd' },
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-sqlite-closes-'));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const file = join(dataDir, 'vouch.db');
    await writeFile(file, 'this is not a SQLite database\n'.repeat(100));
    const err = await openStorage({ dataDir }).then(
      () => assert.fail('opened'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof StorageError, String(err));
    assert.equal(err.code, 'DATABASE_UNAVAILABLE');
    assert.equal(await openDescriptors(file), 0, 'the refused file is still open');
  },
);
