// config.json may name as default an alias no identity has yet (written by hand, or its identity deleted and then
// created again). Creating that alias makes it the default in fact — every command without --alias now acts as it —
// and `vouch agent create` must say so: it answered `default: false` (no "[default]"), since the alias, just saved,
// was no longer missing and the default was kept as "another" one.
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

test('agent create of the alias config.json already names as default says it is the default', async (t) => {
  const home = await tempDir(t);
  const env = { VOUCH_HOME: home };
  const create = (alias: string, ...more: string[]) =>
    runClean(env, 'agent', 'create', '--alias', alias, '--pow-difficulty', '0', '--server', live.url, ...more);

  assert.equal((await create('first', '--json')).code, 0);
  await writeFile(join(home, 'config.json'), JSON.stringify({ defaultAlias: 'ahead' }));

  const r = await create('ahead', '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as { default: boolean }).default, true);
  assert.ok(!/no longer exists/.test(r.err), r.err);
  assert.equal((await json<{ defaultAlias: string }>(join(home, 'config.json'))).defaultAlias, 'ahead');
  const who = await runClean(env, 'agent', 'whoami', '--json');
  assert.equal((JSON.parse(who.out) as { alias: string }).alias, 'ahead');

  // The text output marks it too.
  await writeFile(join(home, 'config.json'), JSON.stringify({ defaultAlias: 'ahead2' }));
  const text = await create('ahead2');
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /identity file: .*ahead2\.json .*\[default\]/);
});
