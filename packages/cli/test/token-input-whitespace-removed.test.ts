// A token read from standard input (or a credential from a file) had only its ends trimmed, so one copied from a
// wrapped terminal (line breaks, indentation inside) failed as malformed, while the web console's token inspector
// drops ASCII whitespace anywhere: no compact JWT holds any. The CLI now drops it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, draftRegistry, ISSUERS, ok, recordingServer, run, tempDir } from './helpers.ts';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZ2VudDpib3QifQ.c2lnbmF0dXJl';
// As a wrapped terminal copies it: broken into lines, CRLF, an indent and a tab.
const WRAPPED = ` ${TOKEN.slice(0, 20)}\r\n  ${TOKEN.slice(20, 41)}\n\t${TOKEN.slice(41)} \n`;

async function vouch(
  dir: string,
  args: string[],
  input: string,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, VOUCH_ADMIN_KEY: 'an-admin-key-0123456789' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin.end(input);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err };
}

test('token inspect, verify and revoke drop ASCII whitespace anywhere in a token from standard input', async (t) => {
  const dir = await tempDir(t, 'vouch-token-ws-');
  const server = await recordingServer(t, (res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jti: 'abc', revoked: true })),
  );
  const inspect = await vouch(dir, ['token', 'inspect', '-', '--json'], WRAPPED);
  assert.equal(inspect.code, 0, inspect.err);
  assert.equal((JSON.parse(inspect.out) as { claims: { sub: string } }).claims.sub, 'agent:bot');

  await vouch(dir, ['token', 'verify', '-', '--server', server.url], WRAPPED);
  assert.equal(server.seen.length, 1);
  assert.ok(server.seen[0]!.body.includes(JSON.stringify(TOKEN)), server.seen[0]!.body);

  await vouch(dir, ['token', 'revoke', '--token', '-', '--server', server.url], WRAPPED);
  assert.deepEqual(JSON.parse(server.seen[1]!.body), { token: TOKEN });
});

// A token given as the argument ("$(cat token.txt)", a paste with a trailing space) has its ends trimmed: the
// server and the decoder see the token, not the blank around it (no test held this: `return arg` passed them all).
test('token verify and inspect trim the blank around a token given as the argument', async (t) => {
  const server = await recordingServer(t, (res) =>
    res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ valid: false, code: 'X' })),
  );
  const verify = await run('token', 'verify', ` ${TOKEN}\n`, '--server', server.url);
  assert.equal(verify.code, 1, verify.err);
  assert.deepEqual(JSON.parse(server.seen[0]!.body), { token: TOKEN });
  const inspect = await run('token', 'inspect', `\t${TOKEN} \n`, '--json');
  assert.equal(inspect.code, 0, inspect.err);
  assert.equal((JSON.parse(inspect.out) as { claims: { sub: string } }).claims.sub, 'agent:bot');
});

test('registry verify-credential drops ASCII whitespace inside a credential read from a file', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'vouch-credential-ws-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '3', '--dir', reg, ...ISSUERS);
  const issued = await ok(
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
  );
  const credential = issued.out.trim();
  const file = join(base, 'wrapped.cred');
  await writeFile(file, `${credential.slice(0, 30)}\r\n  ${credential.slice(30, 90)}\n\t${credential.slice(90)}\n`);
  const r = await ok(0, 'registry', 'verify-credential', file, '--dir', reg);
  assert.match(r.out, /^valid: credential from acme for agent:bot$/m);
});
