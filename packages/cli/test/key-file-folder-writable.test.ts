// A key file the CLI signs with is held to the server's rule for the folders above it too (checkKeyFileModes): a
// 0600 file in a folder any user may write, without the sticky bit, can be swapped for another by renaming, so it is
// refused with exit 2 before anything is sent, as a world-writable file is; a folder group members may write draws one
// warning on stderr naming the folder, its mode and the fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ok, run, tempDir } from './helpers.ts';

test('token issue --key: a folder any user may write is refused with exit 2, a group-writable one warned', async (t) => {
  const dir = join(await tempDir(t, 'vouch-open-key-folder-'), 'keys');
  await mkdir(dir, { mode: 0o700 });
  const file = join(dir, 'agent.key.json');
  await ok(0, 'keygen', '--output', file);
  // Nothing listens on port 1: a command that gets as far as the request says it cannot reach the server.
  const issue = () => run('token', 'issue', 'did:identity:bot', '--key', file, '--server', 'http://127.0.0.1:1');

  await chmod(dir, 0o777);
  const refused = await issue();
  assert.equal(refused.code, 2, refused.err);
  assert.match(
    refused.err,
    new RegExp(
      `the folder ${dir} holding the key file ${file} can be written by any user \\(mode 0777, no sticky bit\\)`,
    ),
  );
  assert.ok(refused.err.includes(`chmod o-w ${dir}`), refused.err);
  assert.ok(!refused.err.includes('cannot reach'), 'refused before the request');
  assert.equal(refused.out, '');

  await chmod(dir, 0o775);
  const warned = await issue();
  assert.ok(warned.err.includes('cannot reach'), warned.err);
  assert.deepEqual(
    warned.err.split('\n').filter((l) => l.startsWith('vouch: warning:')),
    [
      `vouch: warning: folder ${dir} holding key file ${file} can be written by group members (mode 0775, no sticky ` +
        `bit); chmod g-w ${dir}.`,
    ],
  );

  // With the sticky bit (as /tmp has) only a file's owner may rename it: used without a word.
  await chmod(dir, 0o1777);
  const sticky = await issue();
  assert.ok(sticky.err.includes('cannot reach'), sticky.err);
  assert.ok(!sticky.err.includes('vouch: warning:'), sticky.err);
});
