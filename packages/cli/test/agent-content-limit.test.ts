// `vouch agent sign` and `agent verify --file` hash the content in memory (the server receives only its SHA-256, and
// the SDK's signContent/verifyContent take the bytes whole), so they read at most 256 MiB: an endless standard input
// (`yes | vouch agent sign -`) is refused once past it instead of filling memory, and a larger file is refused from
// its size, unread (it was read whole, and one over 2 GiB failed with "cannot read …: ERR_FS_FILE_TOO_LARGE").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN, tempDir, writeStoredIdentity } from './helpers.ts';

const LIMIT = 'more than 256 MiB, the most vouch agent sign and verify read (the content is hashed in memory).';

/** A stored identity (never registered: the commands refuse the content before calling the server). */
async function home(dir: string): Promise<string> {
  const vouchHome = join(dir, 'home');
  await writeStoredIdentity(vouchHome, 'http://127.0.0.1:9');
  return vouchHome;
}

/** Runs the binary with `input` written to its standard input without end (until the CLI stops reading). */
async function withEndlessStdin(args: string[], dir: string, vouchHome: string) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, VOUCH_HOME: vouchHome, VOUCH_AGENT: 'bot' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin.on('error', () => undefined); // EPIPE once the CLI stops reading
  const block = Buffer.alloc(1024 * 1024, 0x61);
  const feed = (e?: Error | null): void => {
    if (!e && !child.stdin.destroyed) child.stdin.write(block, feed);
  };
  feed();
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(timer);
  child.stdin.destroy();
  return { code, signal, out, err };
}

for (const args of [
  ['agent', 'sign', '-'],
  ['agent', 'verify', 'a'.repeat(64), '--file', '-', '--server', 'http://127.0.0.1:9'],
]) {
  test(
    `vouch ${args.join(' ')}: an endless standard input is refused once past 256 MiB`,
    { timeout: 90_000 },
    async (t) => {
      const dir = await tempDir(t, 'vouch-content-limit-');
      const r = await withEndlessStdin(args, dir, await home(dir));
      assert.equal(r.signal, null, 'the command ended by itself, without waiting for the end of the input');
      assert.equal(r.code, 2, r.err);
      assert.equal(r.out, '');
      assert.equal(r.err, `vouch: standard input holds ${LIMIT}\n`);
    },
  );
}

test('a file over 256 MiB is refused from its size by agent sign and agent verify --file', async (t) => {
  const dir = await tempDir(t, 'vouch-content-limit-');
  const vouchHome = await home(dir);
  const big = join(dir, 'big.bin');
  // Sparse: no disk space taken.
  const h = await open(big, 'w');
  await h.truncate(256 * 1024 * 1024 + 1);
  await h.close();
  for (const args of [
    ['agent', 'sign', big],
    ['agent', 'verify', 'a'.repeat(64), '--file', big, '--server', 'http://127.0.0.1:9'],
  ]) {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, VOUCH_HOME: vouchHome, VOUCH_AGENT: 'bot' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 2, err);
    assert.equal(err, `vouch: ${big} holds ${LIMIT}\n`);
  }
});
