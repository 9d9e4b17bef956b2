// `vouch token … -` reads a token from standard input: a few kilobytes at most. A larger or endless input is refused
// (exit 2, one line) as soon as it passes the limit, instead of being buffered until memory runs out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { BIN, tempDir } from './helpers.ts';

for (const args of [
  ['token', 'inspect', '-'],
  ['token', 'verify', '-', '--server', 'http://127.0.0.1:9'],
  ['token', 'revoke', '--token', '-', '--server', 'http://127.0.0.1:9'],
]) {
  test(`vouch ${args.join(' ')}: an endless standard input is refused once past 64 KiB`, async (t) => {
    const dir = await tempDir(t, 'vouch-token-stdin-');
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, VOUCH_ADMIN_KEY: 'an-admin-key-0123456789' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdin.on('error', () => undefined); // the CLI stops reading: writes after that fail with EPIPE
    // 256 KiB, and the pipe stays open: a reader that waits for its end never finishes.
    child.stdin.write('a'.repeat(256 * 1024));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    clearTimeout(timer);
    child.stdin.destroy();
    assert.equal(signal, null, 'the command ended by itself, without waiting for the end of the input');
    assert.equal(code, 2, err);
    assert.equal(out, '');
    assert.equal(err, 'vouch: standard input holds more than 64 KiB: not a token.\n');
  });
}
