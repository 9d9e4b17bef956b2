// `vouch agent create` registers the agent and saves its identity file before it records the default alias in
// config.json. When that last write failed, the command exited 2 with the config error alone: the new DID and the
// claim token (shown once) were never printed. Now the result is printed as usual and the failure is a warning.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startLiveServer } from '../../sdk/test/aip-server.ts';
import type { LiveServer } from '../../sdk/test/aip-server.ts';
import { runClean, tempDir } from './helpers.ts';

let live: LiveServer;
before(async () => {
  live = await startLiveServer();
  // The CLI signs its key proof with the real clock.
  live.clock.set(Date.now());
});
after(() => live.close());

test('agent create prints the new agent when config.json cannot be written, with a warning', async (t) => {
  const home = await tempDir(t);
  // A folder where config.json belongs: it cannot be replaced (tests run as root, so modes would not stop a write).
  await mkdir(join(home, 'config.json'));
  const create = (alias: string, ...more: string[]) =>
    runClean(
      { VOUCH_HOME: home },
      'agent',
      'create',
      '--alias',
      alias,
      '--pow-difficulty',
      '0',
      '--server',
      live.url,
      ...more,
    );

  const r = await create('bot', '--json');
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as { did: string; claimToken: string; default: boolean };
  assert.match(out.did, /^did:identity:/);
  assert.match(out.claimToken, /^vouch_claim_/);
  assert.equal(out.default, false, 'it was not made the default');
  assert.match(r.err, /^vouch: warning: cannot write .*config\.json.*"bot" was not made the default/m);
  assert.ok((await stat(join(home, 'identities', 'bot.json'))).isFile());
  const profile = await live.call('GET', `/v1/identity/${out.did}`);
  assert.equal(profile.status, 200, 'registered');

  const text = await create('bot2');
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /^created agent "bot2": did:identity:\S+$/m);
  assert.match(text.out, /claim token .*: vouch_claim_\S+$/m);
  assert.doesNotMatch(text.out, /\[default\]/);
  assert.match(text.err, /warning: cannot write .*"bot2" was not made the default/);
});
