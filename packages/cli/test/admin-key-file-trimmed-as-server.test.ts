// --admin-key-file reads the file the server reads (data/admin.key) by the server's rule: surrounding whitespace
// is trimmed (resolveAdminKey), so a file the server starts with is never refused by `vouch keys list`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordingServer as serve, runClean, tempDir } from './helpers.ts';

const ADMIN = 'vouch_admin_TRIM_SECRET_0123456789';

test('--admin-key-file trims surrounding whitespace as the server does, and still refuses an empty key', async (t) => {
  const dir = await tempDir(t, 'vouch-admin-trim-');
  const server = await serve(t, (res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [] })),
  );
  const contents = [`${ADMIN}\n\n`, `  ${ADMIN}\t\r\n`, `\n${ADMIN}\n \n`, `\uFEFF${ADMIN}\u00a0\n`];
  for (const [i, content] of contents.entries()) {
    const file = join(dir, `admin${i}.key`);
    await writeFile(file, content, { mode: 0o600 });
    await chmod(file, 0o600);
    const r = await runClean({}, 'keys', 'list', '--admin-key-file', file, '--server', server.url);
    assert.equal(server.seen[i]?.headers['x-api-key'], ADMIN, `${JSON.stringify(content)}: ${r.err}`);
  }
  const blank = join(dir, 'blank.key');
  await writeFile(blank, ' \n\t\r\n', { mode: 0o600 });
  await chmod(blank, 0o600);
  const empty = await runClean({}, 'keys', 'list', '--admin-key-file', blank, '--server', server.url);
  assert.equal(empty.code, 2);
  assert.match(empty.err, /is empty\./);
  const two = join(dir, 'two.key');
  await writeFile(two, `${ADMIN}\nmore\n`, { mode: 0o600 });
  await chmod(two, 0o600);
  const lines = await runClean({}, 'keys', 'list', '--admin-key-file', two, '--server', server.url);
  assert.equal(lines.code, 2);
  assert.match(lines.err, /must hold the key alone, on one line\./);
  assert.equal(server.seen.length, contents.length, 'nothing was sent for the refused files');
});
