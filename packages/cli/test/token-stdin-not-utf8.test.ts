// A token read from standard input (`token verify -`, `token revoke --token -`, `token inspect -`) was decoded
// leniently: bytes that are not UTF-8 became U+FFFD and the command went on with a token it was never given, so
// `token verify -` sent it to the server and answered exit 1, "the token is not valid", a verification that failed,
// for an input that is wrong (exit 2), as `registry verify-credential` says of a credential file that is not UTF-8.
// Such input now ends each command with exit 2 before anything is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { BIN, recordingServer, tempDir } from './helpers.ts';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZ2VudDpib3QifQ.c2lnbmF0dXJl';
// The token with one byte that is no UTF-8 (a lone continuation byte) inside its signature.
const DAMAGED = Buffer.concat([Buffer.from(TOKEN.slice(0, 50)), Buffer.from([0x80]), Buffer.from(TOKEN.slice(50))]);

async function vouch(dir: string, args: string[], input: Buffer): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, VOUCH_ADMIN_KEY: 'an-admin-key-0123456789' },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin.end(input);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, err };
}

test('a token on standard input that is not UTF-8 is exit 2, and nothing is sent', async (t) => {
  const dir = await tempDir(t, 'vouch-token-utf8-');
  const server = await recordingServer(t, (res) =>
    res
      .writeHead(401, { 'content-type': 'application/json' })
      .end(JSON.stringify({ valid: false, error: 'The token is malformed.', code: 'JWT_MALFORMED' })),
  );
  for (const args of [
    ['token', 'verify', '-', '--server', server.url],
    ['token', 'revoke', '--token', '-', '--server', server.url],
    ['token', 'inspect', '-'],
  ]) {
    const r = await vouch(dir, args, DAMAGED);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, /standard input is not UTF-8/, args.join(' '));
  }
  assert.equal(server.seen.length, 0, 'nothing was sent');

  // The same token, undamaged, still reaches the server.
  const good = await vouch(dir, ['token', 'verify', '-', '--server', server.url], Buffer.from(TOKEN));
  assert.equal(good.code, 1, good.err);
  assert.equal(server.seen.length, 1);
});
