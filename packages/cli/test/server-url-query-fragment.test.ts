// A server URL with a query or a fragment (`http://host/?x=1`, `http://host/#top`) is refused: the CLI appends its
// route to the base, so `keys list` asked for `/?x=1/v1/keys` (the route landed in the query) and the SDK dropped
// the part silently. The refusal names where the URL came from (--server, $VOUCH_SERVER, the identity file), and a
// URL that does not parse is not echoed with its password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordingServer, run, tempDir } from './helpers.ts';

async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('--server with a query or a fragment is a usage error naming --server; nothing is sent', async (t) => {
  const server = await recordingServer(t, (res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}'),
  );
  await withEnv({ VOUCH_SERVER: undefined }, async () => {
    for (const suffix of ['/?x=1', '?', '/#top', '#', '/vouch?a=b#c']) {
      for (const args of [
        ['keys', 'list', '--admin-key', 'k'.repeat(20)],
        ['agent', 'verify', 'a'.repeat(64)],
        ['token', 'verify', 'a.b.c'],
        ['integrator', 'list', '--admin-key', 'k'.repeat(20)],
      ]) {
        const r = await run(...args, '--server', `${server.url}${suffix}`);
        assert.equal(r.code, 2, `${args.join(' ')} ${suffix}\n${r.out}${r.err}`);
        assert.match(r.err, /vouch: --server must not hold a query \(\?\.\.\.\) or a fragment \(#\.\.\.\)\./);
      }
    }
  });
  assert.deepEqual(
    server.seen.map((s) => s.url),
    [],
    'nothing was sent',
  );
});

test('$VOUCH_SERVER and an identity file with a query are refused naming their source', async (t) => {
  const server = await recordingServer(t, (res) => res.writeHead(500).end());
  const home = await tempDir(t, 'vouch-server-query-');
  await withEnv({ VOUCH_SERVER: `${server.url}/?x=1`, VOUCH_HOME: home }, async () => {
    const r = await run('agent', 'verify', 'a'.repeat(64));
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /vouch: \$VOUCH_SERVER must not hold a query/);
  });
  // A hand-edited identity file: its server is used by every agent command acting as it.
  await mkdir(join(home, 'identities'), { recursive: true });
  const file = join(home, 'identities', 'bot.json');
  await writeFile(
    file,
    JSON.stringify({
      version: 1,
      alias: 'bot',
      did: 'did:identity:x',
      server: `${server.url}#frag`,
      publicKey: 'ed25519:x',
      publicKeyBase64: 'x',
      privateKeyPem: 'x',
      linked: false,
      createdAt: '2026-01-01T00:00:00.000Z',
    }),
  );
  await withEnv({ VOUCH_SERVER: undefined, VOUCH_HOME: home }, async () => {
    const r = await run('agent', 'token', '--alias', 'bot');
    assert.equal(r.code, 2, r.err);
    assert.ok(r.err.includes(`the server in ${file} must not hold a query`), r.err);
  });
  assert.equal(server.seen.length, 0);
});

test('a server URL that does not parse is not echoed with its password', async () => {
  await withEnv({ VOUCH_SERVER: undefined }, async () => {
    const r = await run('keys', 'list', '--admin-key', 'k'.repeat(20), '--server', 'http://bob:s3cret-pw@host:99999');
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /--server must be an http\(s\) URL/);
    assert.ok(!r.err.includes('s3cret-pw'), r.err);
  });
});
