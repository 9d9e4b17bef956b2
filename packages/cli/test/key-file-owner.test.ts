// The CLI's key files and the backup's output are held to the server's rule on owners too (checkKeyFileModes): a key
// file, or a folder above it, owned by a user other than root and the CLI's own can be replaced by that user, so it
// is refused with exit 2 before anything is sent or written, as a file any user may write is. Tests run as root:
// folders are given to uid 65534 (nobody) with chown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chown, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig, startServer } from '@vouch/server';
import { serverEnv } from '../../server/test/helpers/app.ts';
import { ok, run, tempDir } from './helpers.ts';

const OTHER = 65534;
const skip = process.getuid?.() !== 0 ? 'needs root, to give folders to another user' : false;

test("token issue --key: a key file in another user's folder is refused with exit 2", { skip }, async (t) => {
  const dir = join(await tempDir(t, 'vouch-key-owner-'), 'keys');
  await mkdir(dir, { mode: 0o755 });
  const file = join(dir, 'agent.key.json');
  await ok(0, 'keygen', '--output', file);
  // Nothing listens on port 1: a command that gets as far as the request says it cannot reach the server.
  const issue = () => run('token', 'issue', 'did:identity:bot', '--key', file, '--server', 'http://127.0.0.1:1');
  const used = await issue();
  assert.ok(used.err.includes('cannot reach'), used.err);

  await chown(dir, OTHER, OTHER);
  const refused = await issue();
  assert.equal(refused.code, 2, refused.err);
  assert.equal(
    refused.err,
    `vouch: --key: the folder ${dir} holding the key file ${file} is owned by another user (uid ${OTHER}), who ` +
      `could put their own file in place of the key: run this as the user that owns it (sudo -u '#${OTHER}' ...), ` +
      'not as root.\n',
  );
  assert.equal(refused.out, '');
});

test("vouch backup into another user's folder is refused with exit 2 and leaves nothing", { skip }, async (t) => {
  const dir = await tempDir(t, 'vouch-backup-owner-');
  const dataDir = join(dir, 'data');
  await (await startServer(loadConfig(serverEnv('sqlite', { dataDir })))).close();
  const theirs = join(dir, 'theirs');
  await mkdir(theirs, { mode: 0o755 });
  await chown(theirs, OTHER, OTHER);
  const output = join(theirs, 'b.db');
  const r = await run('backup', '--output', output, '--data-dir', dataDir);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, new RegExp(`the folder ${theirs} holding the key file ${output} is owned by another user`));
  assert.deepEqual(await readdir(theirs), []);

  await chown(theirs, 0, 0);
  const written = await run('backup', '--output', output, '--data-dir', dataDir);
  assert.equal(written.code, 0, written.err);
});
