// A damaged $VOUCH_HOME/config.json (not JSON, not an object, a defaultAlias that is no alias, over 64 KiB) read as no
// configuration at all: the default identity silently disappeared, commands without --alias said "no agent identity
// yet" and `agent create` made the new identity the default over it. It is now reported as a damaged identity file
// is, naming the file: a command that needs the default exits 2, `agent list` warns (and marks no default), and
// `agent create` leaves it and warns that the new identity was not made the default. `agent use` (and
// `agent create --default`), which name the default, replace it. A missing config.json is still "no default".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startLiveServer } from '../../sdk/test/aip-server.ts';
import type { LiveServer } from '../../sdk/test/aip-server.ts';
import { json, runClean, tempDir, writeStoredIdentity } from './helpers.ts';

let live: LiveServer;
before(async () => {
  live = await startLiveServer();
  // The CLI signs its key proof with the real clock.
  live.clock.set(Date.now());
});
after(() => live.close());

const DAMAGED: Array<[string, string]> = [
  ['{"defaultAlias": "bot"', 'not JSON'],
  ['null', 'not an object'],
  ['["bot"]', 'not an object'],
  ['{"defaultAlias": 5}', 'defaultAlias is not an alias'],
  ['{"defaultAlias": "../bot"}', 'defaultAlias is not an alias'],
  [`{"defaultAlias": "bot"}${' '.repeat(64 * 1024)}`, 'more than 64 KiB'],
];

test('a damaged config.json is reported naming the file, not read as no default', async (t) => {
  const home = await tempDir(t);
  const env = { VOUCH_HOME: home };
  await writeStoredIdentity(home, 'http://127.0.0.1:9');
  const config = join(home, 'config.json');

  for (const [text, why] of DAMAGED) {
    await writeFile(config, text, { mode: 0o600 });
    const hint = 'set the default again with "vouch agent use <alias>"';
    const damaged = `${config} is not a vouch configuration (${why}): ${hint}.`;

    const who = await runClean(env, 'agent', 'whoami', '--json');
    assert.equal(who.code, 2, `${why}: ${who.out}`);
    assert.equal(who.err, `vouch: ${damaged}\n`, why);

    const named = await runClean(env, 'agent', 'whoami', '--alias', 'bot', '--json');
    assert.equal(named.code, 0, `${why}: ${named.err}`);

    const list = await runClean(env, 'agent', 'list', '--json');
    assert.equal(list.code, 0, `${why}: ${list.err}`);
    assert.deepEqual(
      (JSON.parse(list.out) as { identities: Array<{ alias: string; default: boolean }> }).identities.map((r) => [
        r.alias,
        r.default,
      ]),
      [['bot', false]],
      why,
    );
    assert.equal(list.err, `vouch: warning: ${damaged}\n`, why);
    assert.equal(await readFile(config, 'utf8'), text, `${why}: left as it was`);
  }

  // `agent use` names the default: it replaces the damaged file.
  const use = await runClean(env, 'agent', 'use', 'bot', '--json');
  assert.equal(use.code, 0, use.err);
  assert.equal((await json<{ defaultAlias: string }>(config)).defaultAlias, 'bot');
  assert.equal((await runClean(env, 'agent', 'whoami', '--json')).code, 0);

  // A missing config.json is no default, as before; an object without defaultAlias too.
  await rm(config);
  const none = await runClean(env, 'agent', 'whoami', '--json');
  assert.equal(none.code, 2);
  assert.match(none.err, /no agent identity yet/);
  await writeFile(config, '{}', { mode: 0o600 });
  const empty = await runClean(env, 'agent', 'list', '--json');
  assert.equal(empty.err, '');
});

test('agent create leaves a damaged config.json and warns; with --default it replaces it', async (t) => {
  const home = await tempDir(t);
  const env = { VOUCH_HOME: home };
  const create = (alias: string, ...more: string[]) =>
    runClean(
      env,
      'agent',
      'create',
      '--alias',
      alias,
      '--pow-difficulty',
      '0',
      '--server',
      live.url,
      '--json',
      ...more,
    );
  const config = join(home, 'config.json');
  await writeFile(config, 'not json', { mode: 0o600 });

  const r = await create('fresh');
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as { default: boolean }).default, false);
  assert.ok(r.err.includes(`${config} is not a vouch configuration (not JSON)`), r.err);
  assert.match(r.err, /"fresh" was not made the default/);
  assert.equal(await readFile(config, 'utf8'), 'not json');

  const asked = await create('asked', '--default');
  assert.equal(asked.code, 0, asked.err);
  assert.equal((JSON.parse(asked.out) as { default: boolean }).default, true);
  assert.equal((await json<{ defaultAlias: string }>(config)).defaultAlias, 'asked');
});
