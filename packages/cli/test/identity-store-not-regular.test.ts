// The identity store's files (identities/<alias>.json, config.json) are regular files the CLI wrote. One that is a
// named pipe (FIFO) was opened and read like a file: with no writer on the other end, which is how such a file sits
// in a folder, the open waited for ever, and every `vouch agent` command (all read config.json for the default
// identity; `agent list` reads every identity) hung without a word. In a shared $VOUCH_HOME (/tmp, say), any local
// user could leave one there. They are now opened without blocking and refused as not regular: config.json as a
// damaged one (no default), an identity as not one (not listed; named by commands that need it).
// The test feeds each FIFO from a writer so that the old reading shows, instead of hanging: it was read and used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, createWriteStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runClean, tempDir, writeStoredIdentity } from './helpers.ts';

/** Feeds the FIFO at `path` `text` once the CLI opens it; `release` unblocks a writer no reader met. */
function feed(path: string, text: string): { release: () => Promise<void> } {
  const writer = createWriteStream(path);
  writer.on('error', () => undefined); // EPIPE when the CLI closed its end unread
  writer.end(text);
  return {
    release: async () => {
      // A reader that never blocks lets a writer still waiting for one open, and end.
      const h = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
      writer.destroy();
      await h.close();
    },
  };
}

function fifoFeeding(path: string, text: string): { release: () => Promise<void> } {
  execFileSync('mkfifo', ['-m', '600', path]);
  return feed(path, text);
}

test('config.json that is a FIFO is no configuration: not read', async (t) => {
  const home = await tempDir(t);
  await writeStoredIdentity(home, 'http://127.0.0.1:9');
  const fifo = fifoFeeding(join(home, 'config.json'), JSON.stringify({ defaultAlias: 'bot' }));
  const r = await runClean({ VOUCH_HOME: home }, 'agent', 'list', '--json');
  await fifo.release();
  assert.equal(r.code, 0, r.err);
  const rows = (JSON.parse(r.out) as { identities: Array<{ alias: string; default: boolean }> }).identities;
  assert.deepEqual(
    rows.map((x) => [x.alias, x.default]),
    [['bot', false]],
  );
});

test('an identity file that is a FIFO is not an identity: not listed, refused by name', async (t) => {
  const home = await tempDir(t);
  await writeStoredIdentity(home, 'http://127.0.0.1:9');
  const bot = JSON.parse(await readFile(join(home, 'identities', 'bot.json'), 'utf8')) as Record<string, unknown>;
  const text = JSON.stringify({ ...bot, alias: 'piped' });

  const listed = fifoFeeding(join(home, 'identities', 'piped.json'), text);
  const r = await runClean({ VOUCH_HOME: home }, 'agent', 'list', '--json');
  await listed.release();
  assert.equal(r.code, 0, r.err);
  const rows = (JSON.parse(r.out) as { identities: Array<{ alias: string }> }).identities;
  assert.deepEqual(
    rows.map((x) => x.alias),
    ['bot'],
  );

  const named = feed(join(home, 'identities', 'piped.json'), text);
  const who = await runClean({ VOUCH_HOME: home }, 'agent', 'whoami', '--alias', 'piped', '--json');
  await named.release();
  assert.equal(who.code, 2, who.out);
  assert.match(who.err, /piped\.json is not a vouch identity \(it is a named pipe \(FIFO\), not a regular file\)/);
});
