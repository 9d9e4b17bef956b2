// `vouch registry publish --server https://host/vouch` must post under that prefix, as every other server command
// (and the SDK's baseUrl) does: resolving the absolute route against the URL dropped `/vouch`, so the admin key and
// the document went to whatever else the origin serves at `/v1/registry/genesis`. A server URL that is not http(s)
// is a usage error, as elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { draftRegistry, ok, recordingServer, run, tempDir } from './helpers.ts';

const ADMIN = 'vouch_admin_prefix_test_0123456789';

test('registry publish keeps the path prefix of --server and $VOUCH_SERVER', async (t) => {
  const base = await tempDir(t, 'vouch-publish-prefix-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  const server = await recordingServer(t, (res) =>
    res.writeHead(201, { 'content-type': 'application/json' }).end('{"sequence":1}'),
  );
  const savedKey = process.env.VOUCH_ADMIN_KEY;
  const savedServer = process.env.VOUCH_SERVER;
  process.env.VOUCH_ADMIN_KEY = ADMIN;
  try {
    const flag = await run('registry', 'publish', reg, '--server', `${server.url}/vouch/`);
    assert.equal(flag.code, 0, flag.err);
    process.env.VOUCH_SERVER = `${server.url}/tenant-a`;
    const fromEnv = await run('registry', 'publish', reg);
    assert.equal(fromEnv.code, 0, fromEnv.err);
    assert.deepEqual(
      server.seen.map((s) => [s.method, s.url, s.headers['x-api-key']]),
      [
        ['POST', '/vouch/v1/registry/genesis', ADMIN],
        ['POST', '/tenant-a/v1/registry/genesis', ADMIN],
      ],
    );
    const ftp = await run('registry', 'publish', reg, '--server', 'ftp://127.0.0.1/vouch');
    assert.equal(ftp.code, 2);
    assert.match(ftp.err, /^vouch: --server must be an http\(s\) URL/);
    assert.equal(server.seen.length, 2);
  } finally {
    if (savedKey === undefined) delete process.env.VOUCH_ADMIN_KEY;
    else process.env.VOUCH_ADMIN_KEY = savedKey;
    if (savedServer === undefined) delete process.env.VOUCH_SERVER;
    else process.env.VOUCH_SERVER = savedServer;
  }
});
