// `vouch registry publish DIR --dir OTHER` named two registries and published DIR without a word about --dir: an
// operator who added `--dir ./trust` to a line that already named `./registry` uploaded the wrong genesis (the server
// takes a genesis once). Two different folders are now a usage error (exit 2) before anything is read or sent; the
// same folder twice, or either alone, works as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { draftRegistry, ok, recordingServer, run, tempDir } from './helpers.ts';

test('registry publish with a DIR argument and a different --dir is refused, nothing sent', async (t) => {
  const base = await tempDir(t, 'vouch-publish-two-dirs-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  const server = await recordingServer(t, (res) => {
    res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"code":"UNEXPECTED"}}');
  });
  const saved = process.env.VOUCH_ADMIN_KEY;
  process.env.VOUCH_ADMIN_KEY = 'vouch_admin_two_dirs_0123456789ab';
  try {
    const r = await run('registry', 'publish', reg, '--dir', `${base}/other`, '--server', server.url);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^vouch: two registry folders given: .* and --dir .*; name one\.\n$/);
    assert.equal(server.seen.length, 0);
    // The same folder both ways is one folder: it goes on to the upload (the server here answers 500).
    const same = await run('registry', 'publish', reg, '--dir', `${reg}/`, '--server', server.url);
    assert.equal(server.seen.length, 1, same.err);
  } finally {
    if (saved === undefined) delete process.env.VOUCH_ADMIN_KEY;
    else process.env.VOUCH_ADMIN_KEY = saved;
  }
});
