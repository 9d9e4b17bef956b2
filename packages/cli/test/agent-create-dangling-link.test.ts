// An identity file that is a symbolic link to nothing (its target moved or deleted) still takes the alias: the file
// cannot be created in its place. `vouch agent create` asked stat() whether the alias was taken, which follows the
// link and answered "no", so it registered the agent and only then failed to keep the key ("registered but its key
// was not kept"). The alias is now refused before the proof of work, and the server is asked nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { recordingServer, runClean, tempDir } from './helpers.ts';

test('agent create refuses an alias whose file is a dangling symbolic link, before registering', async (t) => {
  const home = await tempDir(t);
  await mkdir(join(home, 'identities'), { mode: 0o700 });
  await symlink(join(home, 'moved-away.json'), join(home, 'identities', 'bot.json'));
  const server = await recordingServer(t, (res) => res.writeHead(500).end());

  const r = await runClean(
    { VOUCH_HOME: home },
    ...['agent', 'create', '--alias', 'bot', '--pow-difficulty', '0', '--server', server.url],
  );
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /an identity named "bot" already exists/);
  assert.ok(!/proof of work/.test(r.err), `refused before the proof of work:\n${r.err}`);
  assert.deepEqual(server.seen, [], 'the server was not asked');
  assert.deepEqual(await readdir(join(home, 'identities')), ['bot.json']);
});
