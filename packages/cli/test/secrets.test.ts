// Bearer secrets off the command line: --admin-key-file, --owner-key-file, --linking-key-file and `--token -` work,
// the argument forms warn, and a key given by file is absent from the process's /proc/<pid>/cmdline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { BIN, recordingServer as serve, run, spawnVouch, tempDir, runClean } from './helpers.ts';

const ADMIN = 'vouch_admin_FILE_SECRET_0123456789';
const OWNER = 'vouch_owner_FILE_SECRET_0123456789';
const LINK = 'vouch_link_FILE_SECRET_0123456789';

const revoked = (res: ServerResponse) =>
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ jti: 'abc', revoked: true, keys: [] }));

async function secretFile(dir: string, name: string, content: string, mode = 0o600): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content, { mode });
  await chmod(file, mode);
  return file;
}

test('--admin-key-file and --owner-key-file send the key from the file, without a warning', async (t) => {
  const dir = await tempDir(t, 'vouch-secrets-');
  const server = await serve(t, revoked);
  const adminFile = await secretFile(dir, 'admin.key', `${ADMIN}\n`);
  const ownerFile = await secretFile(dir, 'owner.key', `${OWNER}\r\n`);

  const a = await runClean(
    {},
    'token',
    'revoke',
    '--jti',
    'abc',
    '--admin-key-file',
    adminFile,
    '--server',
    server.url,
  );
  assert.equal(a.code, 0, a.err);
  assert.equal(a.err, '');
  assert.equal(server.seen[0]!.headers['x-api-key'], ADMIN, 'one trailing newline is trimmed');

  const o = await runClean(
    {},
    'token',
    'revoke',
    '--jti',
    'abc',
    '--owner-key-file',
    ownerFile,
    '--server',
    server.url,
  );
  assert.equal(o.code, 0, o.err);
  assert.equal(o.err, '');
  assert.equal(server.seen[1]!.headers.authorization, `Bearer ${OWNER}`);

  const keys = await runClean({}, 'keys', 'list', '--admin-key-file', adminFile, '--server', server.url);
  assert.equal(server.seen[2]!.headers['x-api-key'], ADMIN, keys.err);
});

test('the argument forms still work but warn, in one line that names the safer ways and not the key', async (t) => {
  const server = await serve(t, revoked);
  const r = await runClean({}, 'token', 'revoke', '--jti', 'abc', '--admin-key', ADMIN, '--server', server.url);
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.err,
    'vouch: warning: --admin-key on the command line is visible to other local users; ' +
      'use $VOUCH_ADMIN_KEY or --admin-key-file instead.\n',
  );
  assert.equal(server.seen[0]!.headers['x-api-key'], ADMIN);
  const o = await runClean({}, 'token', 'revoke', '--jti', 'abc', '--owner-key', OWNER, '--server', server.url);
  assert.match(o.err, /^vouch: warning: --owner-key on the command line .* \$VOUCH_OWNER_KEY or --owner-key-file/);
  assert.ok(!r.err.includes(ADMIN) && !o.err.includes(OWNER));

  // The environment is the quiet way.
  process.env.VOUCH_ADMIN_KEY = ADMIN;
  try {
    const env = await run('token', 'revoke', '--jti', 'abc', '--server', server.url);
    assert.equal(env.code, 0, env.err);
    assert.equal(env.err, '');
  } finally {
    delete process.env.VOUCH_ADMIN_KEY;
  }
});

test('key files: readable by others warns, both forms or an unusable file is a usage error', async (t) => {
  const dir = await tempDir(t, 'vouch-secrets-');
  const server = await serve(t, revoked);
  const open = await secretFile(dir, 'open.key', `${ADMIN}\n`, 0o644);
  const r = await runClean({}, 'keys', 'list', '--admin-key-file', open, '--server', server.url);
  assert.equal(r.err, `vouch: warning: key file ${open} can be read by other users (mode 0644); chmod 600 ${open}.\n`);
  assert.equal(server.seen[0]!.headers['x-api-key'], ADMIN);

  const good = await secretFile(dir, 'admin.key', ADMIN);
  const both = await runClean(
    {},
    'keys',
    'list',
    '--admin-key-file',
    good,
    '--admin-key',
    ADMIN,
    '--server',
    server.url,
  );
  assert.equal(both.code, 2);
  assert.match(both.err, /give --admin-key or --admin-key-file, not both/);
  const missing = await runClean({}, 'keys', 'list', '--admin-key-file', join(dir, 'nope'), '--server', server.url);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /^vouch: --admin-key-file: cannot read .*nope \(ENOENT\)\.\n$/);
  const empty = await runClean({}, 'keys', 'list', '--admin-key-file', await secretFile(dir, 'empty', '\n'));
  assert.equal(empty.code, 2);
  assert.match(empty.err, /is empty\./);
  const lines = await runClean(
    {},
    'keys',
    'list',
    '--admin-key-file',
    await secretFile(dir, 'two', `${ADMIN}\nmore\n`),
  );
  assert.equal(lines.code, 2);
  assert.match(lines.err, /must hold the key alone, on one line\./);
  assert.equal(server.seen.length, 1, 'nothing was sent after the first call');
});

test('agent create --linking-key-file sends the linking key from the file', async (t) => {
  const dir = await tempDir(t, 'vouch-secrets-');
  // Discovery answers (the key proof names its issuer); the registration is refused.
  const server = await serve(t, (res, seen) =>
    seen.url === '/.well-known/agent-registry.json'
      ? res.writeHead(200, { 'content-type': 'application/json' }).end('{"issuer":"https://vouch.example"}')
      : res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":"STOP","error":"stop here."}'),
  );
  const saved = process.env.VOUCH_HOME;
  process.env.VOUCH_HOME = join(dir, '.vouch');
  try {
    const file = await secretFile(dir, 'link.key', `${LINK}\n`);
    const r = await runClean(
      {},
      ...['agent', 'create', '--alias', 'a', '--pow-difficulty', '0', '--linking-key-file', file],
      ...['--server', server.url],
    );
    assert.match(r.err, /the server refused: STOP/);
    assert.doesNotMatch(r.err, /warning/);
    const register = server.seen.find((s) => s.method === 'POST');
    assert.equal((JSON.parse(register!.body) as { linkingKey?: string }).linkingKey, LINK);
    const argv = await runClean(
      {},
      'agent',
      'create',
      '--pow-difficulty',
      '0',
      '--linking-key',
      LINK,
      '--server',
      server.url,
    );
    assert.match(
      argv.err,
      /^vouch: warning: --linking-key on the command line .* \$VOUCH_LINKING_KEY or --linking-key-file/,
    );
  } finally {
    if (saved === undefined) delete process.env.VOUCH_HOME;
    else process.env.VOUCH_HOME = saved;
  }
});

test('token revoke --token - reads the token from standard input', async (t) => {
  const dir = await tempDir(t, 'vouch-secrets-');
  const server = await serve(t, revoked);
  const child = spawn(process.execPath, [BIN, 'token', 'revoke', '--token', '-', '--server', server.url], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, VOUCH_ADMIN_KEY: ADMIN },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin.end('eyJhbGciOiJFUzI1NiJ9.e30.c2ln\n');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0, err);
  assert.deepEqual(JSON.parse(server.seen[0]!.body), { token: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln' });
});

test('a key given by file is not in the running process arguments (/proc/<pid>/cmdline)', async (t) => {
  const dir = await tempDir(t, 'vouch-secrets-');
  // The server holds its answer: the command is running while the test reads its arguments.
  let arrived!: () => void;
  const request = new Promise<void>((resolve) => (arrived = resolve));
  const server = await serve(t, () => arrived());
  const file = await secretFile(dir, 'admin.key', `${ADMIN}\n`);
  const child = spawnVouch(
    ['token', 'revoke', '--jti', 'abc', '--admin-key-file', file, '--server', server.url],
    {},
    dir,
  );
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = once(child, 'exit');
  try {
    // The command must still be running when its request arrives (it waits for the answer).
    const first = await Promise.race([request.then(() => 'request'), exited.then(() => 'exit')]);
    assert.equal(first, 'request', `vouch ended before sending its request: ${err}`);
    const cmdline = (await readFile(`/proc/${child.pid}/cmdline`, 'utf8')).split('\0').join(' ');
    assert.ok(cmdline.includes('--admin-key-file'), cmdline);
    assert.ok(!cmdline.includes(ADMIN), `the key is in /proc/${child.pid}/cmdline: ${cmdline}`);
    assert.equal(server.seen[0]!.headers['x-api-key'], ADMIN, 'the request carried the key from the file');
  } finally {
    if (child.exitCode === null) child.kill();
    await exited;
  }
});
