// `vouch agent create --pow-difficulty` (and $VOUCH_POW_DIFFICULTY) take what the server takes for
// VOUCH_POW_DIFFICULTY: digits only, 0 to 16. Before, anything Number() read was taken (`0x2`, `1e1`, ` 3`, `2.0`),
// and an empty --pow-difficulty silently meant the default; a bad $VOUCH_POW_DIFFICULTY was blamed on the option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { recordingServer as serve, runClean, tempDir } from './helpers.ts';

test('agent create refuses a proof-of-work difficulty that is not digits, naming where it came from', async (t) => {
  const home = await tempDir(t);
  const server = await serve(t, (res) => res.writeHead(500).end());
  const env = { HOME: home, VOUCH_HOME: join(home, '.vouch') };
  const create = ['agent', 'create', '--alias', 'bot', '--server', server.url];
  for (const bad of ['', '0x2', '1e1', ' 3', '2.0', '+2', '17']) {
    const r = await runClean(env, ...create, '--pow-difficulty', bad);
    assert.equal(r.code, 2, `${JSON.stringify(bad)}: ${r.err}`);
    assert.match(r.err, /^vouch: --pow-difficulty must be a whole number 0-16/, JSON.stringify(bad));
  }
  for (const bad of ['0x2', 'abc']) {
    const r = await runClean({ ...env, VOUCH_POW_DIFFICULTY: bad }, ...create);
    assert.equal(r.code, 2, `${JSON.stringify(bad)}: ${r.err}`);
    assert.match(r.err, /^vouch: \$VOUCH_POW_DIFFICULTY must be a whole number 0-16/, JSON.stringify(bad));
  }
  assert.deepEqual(server.seen, [], 'nothing was sent');
});
