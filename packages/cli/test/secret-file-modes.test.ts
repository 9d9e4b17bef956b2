// The CLI's API key files (--admin-key-file, --owner-key-file, --linking-key-file) follow the server's rule for key
// files, as the key files it signs with do (checkKeyFileModes): one that group members or others may read, or group
// members write, is used with one warning on stderr; one that any user may write is refused (exit 2) before anything
// is sent: whoever can replace it chooses the key the CLI sends, and so which server account acts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readdir, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { recordingServer, tempDir, runClean } from './helpers.ts';

const KEY = 'vouch_admin_MODES_SECRET_0123456789';

const answer = (res: ServerResponse) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [], revoked: true }));

async function secretFile(dir: string, name: string, mode: number): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `${KEY}\n`, { mode });
  await chmod(file, mode);
  return file;
}

const isPosix = process.platform !== 'win32';

test(
  'an admin key file any user may write is refused (exit 2) before anything is sent',
  { skip: !isPosix },
  async (t) => {
    const dir = await tempDir(t, 'vouch-secret-modes-');
    const server = await recordingServer(t, answer);
    for (const mode of [0o602, 0o666, 0o646]) {
      const file = await secretFile(dir, `admin${mode.toString(8)}.key`, mode);
      const shown = mode.toString(8).padStart(4, '0');
      const r = await runClean({ VOUCH_HOME: dir }, 'keys', 'list', '--admin-key-file', file, '--server', server.url);
      assert.equal(r.code, 2, r.err);
      assert.equal(r.out, '');
      assert.match(
        r.err,
        new RegExp(`^vouch: --admin-key-file: .*${file} can be written by any user \\(mode ${shown}\\)`),
      );
      assert.match(r.err, new RegExp(`chmod 600 ${file}`));
      assert.ok(!r.err.includes(KEY), 'the key is never printed');
    }
    assert.equal(server.seen.length, 0, 'nothing was sent');
  },
);

test('owner and linking key files any user may write are refused too', { skip: !isPosix }, async (t) => {
  const dir = await tempDir(t, 'vouch-secret-modes-');
  const server = await recordingServer(t, answer);
  const owner = await secretFile(dir, 'owner.key', 0o666);
  const o = await runClean(
    { VOUCH_HOME: dir },
    'token',
    'revoke',
    '--jti',
    'abc',
    '--owner-key-file',
    owner,
    '--server',
    server.url,
  );
  assert.equal(o.code, 2, o.err);
  assert.match(o.err, /^vouch: --owner-key-file: .*can be written by any user \(mode 0666\)/);
  const linking = await secretFile(dir, 'link.key', 0o662);
  const l = await runClean(
    { VOUCH_HOME: dir },
    ...['agent', 'create', '--alias', 'a', '--pow-difficulty', '0', '--linking-key-file', linking],
    ...['--server', server.url],
  );
  assert.equal(l.code, 2, l.err);
  assert.match(l.err, /^vouch: --linking-key-file: .*can be written by any user \(mode 0662\)/);
  assert.equal(server.seen.length, 0, 'nothing was sent');
  assert.deepEqual((await readdir(dir)).sort(), ['link.key', 'owner.key'], 'no identity was written');
});

test(
  'an admin key file group members may write: one warning, as the server gives, and it is used',
  { skip: !isPosix },
  async (t) => {
    const dir = await tempDir(t, 'vouch-secret-modes-');
    const server = await recordingServer(t, answer);
    const file = await secretFile(dir, 'admin.key', 0o620);
    const r = await runClean(
      { VOUCH_HOME: dir },
      'keys',
      'list',
      '--admin-key-file',
      file,
      '--server',
      server.url,
      '--json',
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.err,
      `vouch: warning: key file ${file} can be written by group members (mode 0620); chmod 600 ${file}.\n`,
    );
    assert.deepEqual(JSON.parse(r.out), { keys: [] }, 'stdout holds the JSON alone');
    assert.equal(server.seen[0]!.headers['x-api-key'], KEY);
  },
);
