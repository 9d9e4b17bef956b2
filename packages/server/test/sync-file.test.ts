// syncFile, the one file flush backup, restore and kek rewrap share: a file Vouch wrote is flushed through a writable
// handle and every failure stops the caller; someone else's file (a KEK file) is flushed read-only, and only a platform
// that cannot flush files at all is tolerated there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncFile } from '../src/files/sync.ts';
import { cannotSeeSyncs } from './helpers/fsync.ts';

interface Flush {
  /** The handle's access mode from /proc/self/fdinfo: 0 read-only, 2 read-write. */
  access: number;
}

/** Runs `fn` with FileHandle.sync replaced: it records each flush's access mode, then fails with `code` if given. */
async function withSync(code: string | undefined, fn: () => Promise<void>): Promise<Flush[]> {
  const scratch = await mkdtemp(join(tmpdir(), 'vouch-sync-file-probe-'));
  const probe = await open(join(scratch, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  await rm(scratch, { recursive: true, force: true });
  const original = proto.sync;
  const flushes: Flush[] = [];
  proto.sync = async function (this: { fd: number }) {
    const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${this.fd}`, 'utf8'))?.[1];
    flushes.push({ access: Number.parseInt(flags ?? 'NaN', 8) & 3 });
    if (code !== undefined) throw Object.assign(new Error(`${code}: refused`), { code });
    return original.call(this);
  };
  try {
    await fn();
  } finally {
    proto.sync = original;
  }
  return flushes;
}

async function scratchFile(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'vouch-sync-file-'));
  t.after(() => rm(folder, { recursive: true, force: true }));
  const file = join(folder, 'file');
  await writeFile(file, 'bytes');
  return file;
}

test('syncFile flushes a file Vouch wrote through a writable handle, someone else’s read-only', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const file = await scratchFile(t);
  assert.deepEqual(await withSync(undefined, () => syncFile(file)), [{ access: 2 }]);
  assert.deepEqual(await withSync(undefined, () => syncFile(file, { notOurs: true })), [{ access: 0 }]);
});

test('syncFile: a platform that cannot flush files is tolerated only for someone else’s file', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const file = await scratchFile(t);
  for (const code of ['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']) {
    assert.equal((await withSync(code, () => syncFile(file, { notOurs: true }))).length, 1, code);
    await assert.rejects(
      withSync(code, () => syncFile(file)),
      (err: NodeJS.ErrnoException) => err.code === code,
    );
  }
});

test('syncFile: a failing disk (EIO) stops the caller whoever wrote the file', async (t) => {
  if (cannotSeeSyncs(t)) return;
  const file = await scratchFile(t);
  for (const opts of [{}, { notOurs: true }]) {
    await assert.rejects(
      withSync('EIO', () => syncFile(file, opts)),
      (err: NodeJS.ErrnoException) => err.code === 'EIO',
    );
  }
});

test('syncFile never creates the file it is asked to flush', async (t) => {
  const file = await scratchFile(t);
  for (const opts of [{}, { notOurs: true }]) {
    await assert.rejects(syncFile(`${file}.absent`, opts), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
  }
  await assert.rejects(open(`${file}.absent`, 'r'), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
});
