// A default alias in config.json naming an identity that no longer exists (its file deleted or renamed) is no default
// for `vouch agent create`: the new identity becomes the default, and stderr says so. It had kept the stale default,
// so every command without --alias failed with "no identity named …" however many identities were created.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startLiveServer } from '../../sdk/test/aip-server.ts';
import type { LiveServer } from '../../sdk/test/aip-server.ts';
import { json, runClean, tempDir } from './helpers.ts';

let live: LiveServer;
before(async () => {
  live = await startLiveServer();
  // The CLI signs its key proof with the real clock.
  live.clock.set(Date.now());
});
after(() => live.close());

test('agent create makes the new identity the default when the default names a missing one', async (t) => {
  const home = await tempDir(t);
  const env = { VOUCH_HOME: home };
  const create = (alias: string) =>
    runClean(env, 'agent', 'create', '--alias', alias, '--pow-difficulty', '0', '--server', live.url, '--json');

  assert.equal((await create('first')).code, 0);
  await writeFile(join(home, 'config.json'), JSON.stringify({ defaultAlias: 'gone' }));

  const r = await create('fresh');
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as { default: boolean }).default, true);
  assert.match(r.err, /"gone".*no longer exists.*"fresh"/);
  assert.equal((await json<{ defaultAlias: string }>(join(home, 'config.json'))).defaultAlias, 'fresh');
  const who = await runClean(env, 'agent', 'whoami', '--json');
  assert.equal(who.code, 0, who.err);
  assert.equal((JSON.parse(who.out) as { alias: string }).alias, 'fresh');

  // A default that exists is kept: the next identity is not made the default.
  const next = await create('next');
  assert.equal((JSON.parse(next.out) as { default: boolean }).default, false);
  assert.ok(!/no longer exists/.test(next.err), next.err);
});
