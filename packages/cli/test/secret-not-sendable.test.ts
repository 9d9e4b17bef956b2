// An API key that holds a character an HTTP header cannot carry (a key file that is not UTF-8, a non-ASCII character
// in $VOUCH_ADMIN_KEY) made fetch throw before sending, which the CLI reported as "cannot reach <server> (TypeError)":
// the operator went looking for a server that was up. Such a key is now refused (exit 2) naming where it came from,
// never quoting it, before anything is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { draftRegistry, ok, recordingServer, runClean, tempDir } from './helpers.ts';

test('an API key that cannot be sent in a header is refused, naming its source, before anything is sent', async (t) => {
  const dir = await tempDir(t, 'vouch-secret-not-sendable-');
  const server = await recordingServer(t, (res) => res.writeHead(200).end('{}'));
  const file = join(dir, 'admin.key');
  await writeFile(file, Buffer.from('vouch_admin_\xff\xfe_0123456789\n', 'latin1'), { mode: 0o600 });
  await chmod(file, 0o600);
  const cases: [Record<string, string>, string[], RegExp][] = [
    [{}, ['--admin-key-file', file], /^vouch: --admin-key-file: .*admin\.key holds a character /],
    [{ VOUCH_ADMIN_KEY: 'vouch_admin_€_0123456789' }, [], /^vouch: \$VOUCH_ADMIN_KEY holds a character /],
    [{}, ['--admin-key', 'vouch_admin_\u00e9_0123456789'], /vouch: --admin-key holds a character /],
  ];
  for (const [env, args, message] of cases) {
    const r = await runClean(env, 'keys', 'list', ...args, '--server', server.url);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, message);
    assert.doesNotMatch(r.err, /cannot reach|€|\u00e9|\ufffd/);
  }
  const owner = await runClean(
    { VOUCH_OWNER_KEY: 'vouch_owner_\u2028x' },
    'token',
    'revoke',
    '--jti',
    'a',
    '--server',
    server.url,
  );
  assert.equal(owner.code, 2, owner.err);
  assert.match(owner.err, /^vouch: \$VOUCH_OWNER_KEY holds a character /);
  const { reg, key } = await draftRegistry(dir);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  const publish = await runClean(
    { VOUCH_ADMIN_KEY: 'vouch_admin_€_0123456789' },
    'registry',
    'publish',
    reg,
    '--server',
    server.url,
  );
  assert.match(publish.err, /^vouch: \$VOUCH_ADMIN_KEY holds a character /);
  assert.equal(publish.code, 2, publish.err);
  assert.deepEqual(server.seen, [], 'nothing was sent');
});

test('a linking key in $VOUCH_LINKING_KEY that is not printable ASCII is refused like the other keys', async (t) => {
  const home = await tempDir(t, 'vouch-linking-not-sendable-');
  const server = await recordingServer(t, (res) => res.writeHead(200).end('{}'));
  const r = await runClean(
    { VOUCH_HOME: home, VOUCH_LINKING_KEY: 'vouch_link_€_0123456789' },
    'agent',
    'create',
    '--alias',
    'bot',
    '--server',
    server.url,
  );
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^vouch: \$VOUCH_LINKING_KEY holds a character /);
  assert.doesNotMatch(r.err, /€/);
  assert.equal(server.seen.length, 0, 'nothing was sent');

  // A printable one is still sent (the server here answers nothing usable, so the command fails after).
  const sent = await runClean(
    { VOUCH_HOME: home, VOUCH_LINKING_KEY: 'vouch_link_0123456789' },
    ...['agent', 'create', '--alias', 'bot', '--no-key-proof', '--pow-difficulty', '0', '--server', server.url],
  );
  assert.notEqual(sent.code, 0);
  assert.equal(server.seen.length, 1, sent.err);
  assert.equal(JSON.parse(server.seen[0]!.body).linkingKey, 'vouch_link_0123456789');
});
