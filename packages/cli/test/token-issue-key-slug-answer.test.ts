// `vouch token issue SLUG --key FILE` looks the agent's DID up by its slug (the proof signs the DID). An answer that is
// not an identity with a DID (a proxy's JSON, a broken server) ends with exit 2 and one line naming the agent, before
// anything is issued. Before, `null` (or a list) failed with JavaScript's "Cannot read properties of null".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { answerJson, recordingServer as serve, runClean, tempDir, writeStoredIdentity } from './helpers.ts';

test('token issue --key refuses a slug lookup that answers no DID (exit 2), and issues nothing', async (t) => {
  const dir = await tempDir(t);
  const vouchHome = join(dir, 'home');
  await writeStoredIdentity(vouchHome, 'http://127.0.0.1:9');
  const keyFile = join(vouchHome, 'identities', 'bot.json');
  for (const body of [null, [], {}, { did: 7 }, 'did:identity:bot']) {
    const server = await serve(t, (res) => answerJson(res, 200, body));
    const r = await runClean({ HOME: dir }, 'token', 'issue', 'my-bot', '--key', keyFile, '--server', server.url);
    const what = JSON.stringify(body);
    assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
    assert.equal(r.out, '', what);
    assert.equal(r.err, 'vouch: the server did not give the DID of my-bot.\n', what);
    assert.deepEqual(
      server.seen.map((s) => s.url),
      ['/v1/identity/my-bot'],
      `${what}: nothing issued`,
    );
  }
});

// A slug that is a dot segment ('.', '..') or empty would ask GET /v1/ or /v1/identity/, another route: refused first.
test('token issue --key refuses an empty or dot-segment agent before any lookup (exit 2)', async (t) => {
  const dir = await tempDir(t);
  const vouchHome = join(dir, 'home');
  await writeStoredIdentity(vouchHome, 'http://127.0.0.1:9');
  const keyFile = join(vouchHome, 'identities', 'bot.json');
  const server = await serve(t, (res) => answerJson(res, 200, { did: 'did:identity:bot' }));
  for (const agent of ['', '.', '..']) {
    const r = await runClean({ HOME: dir }, 'token', 'issue', agent, '--key', keyFile, '--server', server.url);
    assert.equal(r.code, 2, `${agent}: ${r.out}${r.err}`);
    assert.equal(r.out, '', agent);
    assert.equal(r.err, `vouch: "${agent}" is not an agent DID or slug.\n`, agent);
  }
  assert.deepEqual(
    server.seen.map((s) => s.url),
    [],
  );
});
