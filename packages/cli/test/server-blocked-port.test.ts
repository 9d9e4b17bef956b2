// fetch refuses to connect to the ports of the Fetch standard's block list (6000, 6665 to 6669, 5060, ...) with a
// TypeError whose cause says only "bad port", while `vouch serve` listens on them. The CLI said "cannot reach
// http://127.0.0.1:6000 (TypeError)" (agent commands: "(NETWORK_ERROR)"), which reads as a server that is down. It
// now names the refusal and the way out. fetch refuses before connecting, so nothing listens in this test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runClean, tempDir } from './helpers.ts';

const SERVER = 'http://127.0.0.1:6000';
const SAID =
  'vouch: cannot reach http://127.0.0.1:6000 (bad port: fetch does not connect to port 6000, one the Fetch ' +
  'standard blocks; run the server on another port).\n';

test('a server on a port fetch blocks is named as such, for the admin and the agent commands', async (t) => {
  const dir = await tempDir(t);
  const env = { HOME: dir, VOUCH_HOME: dir, VOUCH_ADMIN_KEY: 'vouch_admin_test_key_0123456789' };
  for (const args of [
    ['keys', 'list'],
    ['audit', '--json'],
    ['agent', 'verify', 'a'.repeat(64)],
  ]) {
    const r = await runClean(env, ...args, '--server', SERVER);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.out, '', args.join(' '));
    assert.equal(r.err, SAID, args.join(' '));
  }
});
