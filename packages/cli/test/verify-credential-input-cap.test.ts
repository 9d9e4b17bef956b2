// `vouch registry verify-credential <file>` reads at most 16 KiB + 1 byte of the file: a credential is a few
// kilobytes, and the whole file used to be read before the cap was applied (a 3 GiB file failed with Node's "File
// size is greater than 2 GiB", after reading it where it could). A pipe or device path (`<(…)`, /dev/stdin) is read
// the same way, up to the cap, instead of being taken for the credential itself; /dev/zero ends promptly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { draftRegistry, ISSUERS, ok, outcomeOf, spawnVouch, tempDir } from './helpers.ts';

/** Runs the binary and kills it after 20 s: a command reading without end fails the test instead of hanging it. */
async function promptly(args: string[], cwd: string) {
  const child = spawnVouch(args, {}, cwd);
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    return await outcomeOf(child);
  } finally {
    clearTimeout(timer);
  }
}

test('a credential file over 16 KiB is refused unread, also a 3 GiB one', async (t) => {
  const dir = await tempDir(t, 'vouch-cred-cap-');
  const over = join(dir, 'over.jwt');
  await writeFile(over, 'a'.repeat(16 * 1024 + 1));
  const huge = join(dir, 'huge.jwt');
  // Sparse: no disk space taken, but a reader of the whole file reads 3 GiB.
  const h = await open(huge, 'w');
  await h.truncate(3 * 1024 * 1024 * 1024);
  await h.close();
  for (const [file, name] of [
    [over, 'over.jwt'],
    [huge, 'huge.jwt'],
  ] as const) {
    const r = await promptly(['registry', 'verify-credential', file], dir);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err, `vouch: ${name}: more than 16 KiB, too large to be a credential.\n`);
  }
});

test('/dev/zero and an endless FIFO as the credential file are refused once past 16 KiB', async (t) => {
  const dir = await tempDir(t, 'vouch-cred-cap-');
  const r = await promptly(['registry', 'verify-credential', '/dev/zero'], dir);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.err, 'vouch: /dev/zero: more than 16 KiB, too large to be a credential.\n');

  const fifo = join(dir, 'cred.fifo');
  execFileSync('mkfifo', [fifo]);
  const writer = createWriteStream(fifo);
  writer.on('error', () => undefined); // EPIPE once the CLI stops reading
  // Writes until a write fails (the CLI closed its end): an endless input.
  const feed = (err?: Error | null): void => {
    if (!err) writer.write('a'.repeat(64 * 1024), feed);
  };
  feed();
  const fromFifo = await promptly(['registry', 'verify-credential', fifo], dir);
  writer.destroy();
  assert.equal(fromFifo.code, 2, fromFifo.err);
  assert.equal(fromFifo.err, 'vouch: cred.fifo: more than 16 KiB, too large to be a credential.\n');
});

test('a credential read through a FIFO (process substitution) verifies as from a file', async (t) => {
  const base = await tempDir(t, 'vouch-cred-fifo-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '3', '--dir', reg, ...ISSUERS);
  const out = join(base, 'cred.jwt');
  await ok(
    0,
    'registry',
    'credential',
    '--key',
    key('acme'),
    '--as',
    'acme',
    '--agent',
    'agent:bot',
    '--dir',
    reg,
    '--output',
    out,
  );
  const fifo = join(base, 'cred.fifo');
  execFileSync('mkfifo', [fifo]);
  const writer = createWriteStream(fifo);
  writer.end(await readFile(out));
  const r = await promptly(['registry', 'verify-credential', fifo, '--dir', reg, '--agent', 'agent:bot'], base);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^valid: credential from acme for agent:bot/);
});
