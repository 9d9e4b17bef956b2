// `vouch agent create --label` longer than the server takes (200 characters, the agents register schema) is refused
// before the proof of work and before the server is asked anything, with the CLI's usage exit (2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { recordingServer, runClean, tempDir } from './helpers.ts';

test('agent create refuses a label over 200 characters before the proof of work', async (t) => {
  const home = await tempDir(t);
  const server = await recordingServer(t, (res) => res.writeHead(500).end());
  const args = ['agent', 'create', '--alias', 'bot', '--pow-difficulty', '0', '--server', server.url];

  const r = await runClean({ VOUCH_HOME: home }, ...args, '--label', 'é'.repeat(201));
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /--label must be at most 200 characters/);
  assert.ok(!/proof of work/.test(r.err), `refused before the proof of work:\n${r.err}`);
  assert.deepEqual(server.seen, [], 'the server was not asked');
  assert.deepEqual(await readdir(home), [], 'nothing was written');

  // 200 characters (counted as the server counts them, not in UTF-16 units) pass the check.
  const at = await runClean({ VOUCH_HOME: home }, ...args, '--label', '😀'.repeat(200));
  assert.ok(!/--label/.test(at.err), at.err);
});
