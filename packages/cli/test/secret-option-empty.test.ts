// A secret given on the command line but empty (`--admin-key "$KEY"` with KEY unset) is a mistake, refused (exit 2)
// before anything is sent, as an empty --data-dir or key file is. Before, an empty --admin-key or --owner-key gave
// way to $VOUCH_ADMIN_KEY (the option is to win over the environment), and an empty --linking-key was sent as it
// was, after the proof of work, to be refused by the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordingServer, runClean, tempDir } from './helpers.ts';

test('an empty --admin-key, --owner-key or --linking-key is exit 2 naming it, and nothing is sent', async (t) => {
  const dir = await tempDir(t);
  const server = await recordingServer(t, (res) => res.writeHead(500).end());
  const env = { HOME: dir, VOUCH_HOME: dir, VOUCH_ADMIN_KEY: 'vouch_admin_FROM_THE_ENVIRONMENT_0123456789' };
  const cases: ReadonlyArray<readonly [string, string[]]> = [
    ['--admin-key', ['audit']],
    ['--admin-key', ['integrator', 'list']],
    ['--owner-key', ['token', 'issue', 'bot']],
    ['--linking-key', ['agent', 'create', '--alias', 'bot']],
  ];
  for (const [flag, args] of cases) {
    for (const value of ['', '  ']) {
      const r = await runClean(env, ...args, flag, value, '--server', server.url);
      const what = `${args.join(' ')} ${flag} "${value}"`;
      assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
      assert.equal(r.out, '', what);
      assert.equal(r.err, `vouch: ${flag} must not be empty.\n`, what);
    }
  }
  assert.equal(server.seen.length, 0, 'nothing was sent');
});
