// `vouch agent verify` prints the record's payload hash on a line of its own: it is the server's text, so it is held
// to field() like the record's other values. Before, a payloadHash holding "\ncontent matches ..." printed a second
// line the reader could take for the CLI's own check of the content.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerJson, recordingServer as serve, runClean, tempDir } from './helpers.ts';

const HASH = 'a'.repeat(64);
const FORGED = '\ncontent matches (sha256 ' + 'c'.repeat(64) + ')';

test('agent verify: the payload hash of the server stays on its line', async (t) => {
  const dir = await tempDir(t);
  const record = {
    valid: true,
    signatureHash: HASH,
    signedAt: 1_767_225_600_000,
    payloadHash: `${'b'.repeat(64)}${FORGED}`,
    agent: { did: 'did:identity:bot', status: 'active' },
    owner: null,
  };
  const server = await serve(t, (res) => answerJson(res, 200, record));
  const r = await runClean({ HOME: dir, VOUCH_HOME: dir }, 'agent', 'verify', HASH, '--server', server.url);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^payload sha256: b{64}\uFFFDcontent matches/m);
  assert.doesNotMatch(r.out, /^content matches/m, JSON.stringify(r.out));
});
