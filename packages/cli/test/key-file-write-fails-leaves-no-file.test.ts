// A key file that cannot be written whole (disk full, a file size limit, a crash) must not be left behind half
// written: `vouch keygen` and `vouch registry keygen` created the final file first and wrote into it, so a failed
// write left an empty or truncated "key" there, and the next run refused to overwrite it ("already exists").
// The failure is made real with a file size limit of 0 (`ulimit -f 0`): every write fails with EFBIG (Node ignores
// SIGXFSZ), as it would with ENOSPC on a full disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN, json, outcomeOf, runBin, tempDir } from './helpers.ts';

/** Runs the real `vouch` binary with a file size limit of 0 bytes. */
function runWithoutFileSpace(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const child = spawn('/bin/sh', ['-c', 'ulimit -f 0 && exec "$@"', 'sh', process.execPath, BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return outcomeOf(child);
}

for (const command of [['keygen'], ['registry', 'keygen']]) {
  test(`vouch ${command.join(' ')}: a failed write leaves no key file, and the next run writes one`, async (t) => {
    const dir = await tempDir(t, 'vouch-keyfile-efbig-');
    const failed = await runWithoutFileSpace([...command, '--output', 'k.json'], dir);
    assert.equal(failed.code, 2, failed.err);
    assert.match(failed.err, /EFBIG/);
    assert.deepEqual(await readdir(dir), [], 'neither the key file nor a temporary file is left');

    const retried = await runBin([...command, '--output', 'k.json'], {}, dir);
    assert.equal(retried.code, 0, retried.err);
    const written = await json(join(dir, 'k.json'));
    assert.match(String(written.publicKey), /^ed25519:/);
  });
}
