// `vouch agent whoami` shows the server a command would talk to: --server when given, else the identity's (normalized,
// without a trailing slash). The text said so and --json did not: it answered the identity file's `server` as written,
// though --check had asked another server, and a script reading --json got a server no command would use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runClean, tempDir, writeStoredIdentity } from './helpers.ts';

test('agent whoami --json answers the server the text names', async (t) => {
  const dir = await tempDir(t);
  const vouchHome = join(dir, 'home');
  await writeStoredIdentity(vouchHome, 'http://127.0.0.1:9/');
  // A hand-edited file may hold the server in any form the URL parser takes.
  const file = join(vouchHome, 'identities', 'bot.json');
  await writeFile(file, (await readFile(file, 'utf8')).replace('http://127.0.0.1:9/', 'HTTP://127.0.0.1:9/'));
  const env = { HOME: dir, VOUCH_HOME: vouchHome };
  for (const [args, server] of [
    [[], 'http://127.0.0.1:9'],
    [['--server', 'http://127.0.0.1:10/'], 'http://127.0.0.1:10'],
  ] as const) {
    const human = await runClean(env, 'agent', 'whoami', '--alias', 'bot', ...args);
    assert.equal(human.code, 0, human.err);
    assert.match(human.out, new RegExp(`^server: ${server.replace(/\./g, '\\.')}$`, 'm'));
    const json = await runClean(env, 'agent', 'whoami', '--alias', 'bot', '--json', ...args);
    assert.equal(json.code, 0, json.err);
    assert.equal((JSON.parse(json.out) as { server: string }).server, server, args.join(' '));
  }
});
