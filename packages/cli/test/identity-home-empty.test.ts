// VOUCH_HOME defaults to ~/.vouch (docs/PROTOCOL.md), and one set to nothing (`VOUCH_HOME= vouch agent create`, an
// unset variable in a compose file) is that default too. No test held it: reading '' as a folder would keep private
// keys in ./identities of whatever folder the command ran in, and no later command run elsewhere would find them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { identitiesDir, identityPath, vouchHome } from '../src/identity-store.ts';

test('VOUCH_HOME set to nothing is ~/.vouch, as it is unset', () => {
  const home = join(homedir(), '.vouch');
  for (const env of [{}, { VOUCH_HOME: '' }]) {
    assert.equal(vouchHome(env), home, JSON.stringify(env));
    assert.equal(identitiesDir(env), join(home, 'identities'));
    assert.equal(identityPath('bot', env), join(home, 'identities', 'bot.json'));
  }
  assert.equal(vouchHome({ VOUCH_HOME: '/srv/vouch' }), '/srv/vouch');
});
