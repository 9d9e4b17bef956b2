// A server URL with a user name or password (`http://user:secret@host`) is refused, without echoing it: fetch refuses
// such URLs (so the CLI said "cannot reach http://user:secret@host"), the SDK silently drops them, and `agent create`
// kept them in the identity file for `whoami` to print. Vouch takes its credentials as keys, never in the URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordingServer, run } from './helpers.ts';

test('--server and $VOUCH_SERVER with user:password@ are a usage error that does not print the password', async (t) => {
  const server = await recordingServer(t, (res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}'),
  );
  const withPassword = server.url.replace('http://', 'http://bob:s3cret-pw@');
  const saved = process.env.VOUCH_SERVER;
  try {
    for (const args of [
      ['keys', 'list', '--admin-key', 'k'.repeat(20), '--server', withPassword],
      ['agent', 'verify', 'a'.repeat(64), '--server', withPassword],
      ['token', 'verify', 'a.b.c', '--offline', '--server', withPassword],
    ]) {
      const r = await run(...args);
      assert.equal(r.code, 2, `${args.join(' ')}\n${r.out}${r.err}`);
      assert.ok(!`${r.out}${r.err}`.includes('s3cret-pw'), `${args.join(' ')} printed the password:\n${r.err}`);
      assert.match(r.err, /--server must not hold a user name or password/);
    }
    process.env.VOUCH_SERVER = withPassword;
    const fromEnv = await run('agent', 'verify', 'a'.repeat(64));
    assert.equal(fromEnv.code, 2, fromEnv.err);
    assert.ok(!fromEnv.err.includes('s3cret-pw'), fromEnv.err);
  } finally {
    if (saved === undefined) delete process.env.VOUCH_SERVER;
    else process.env.VOUCH_SERVER = saved;
  }
  assert.equal(server.seen.length, 0, 'nothing was sent');
});
