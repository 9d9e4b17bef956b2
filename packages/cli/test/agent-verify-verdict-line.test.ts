// `vouch agent verify` prints its verdict first: the same one --json answers as `valid` and the exit code carries.
// Before, the first line followed the server record's `valid` alone, so a revoked signer's signature (the server keeps
// `valid: true` for it, the CLI answers `valid: false`, exit 1) printed "valid signature by …" on stdout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerJson, recordingServer as serve, runClean, tempDir } from './helpers.ts';

const HASH = 'a'.repeat(64);
const RECORD = {
  valid: true,
  signatureHash: HASH,
  signedAt: 1_767_225_600_000,
  payloadHash: 'b'.repeat(64),
  agent: { did: 'did:identity:bot', status: 'revoked' },
  owner: null,
  verification: {},
};

test("agent verify: a revoked signer's signature is printed NOT valid, as --json and the exit code say", async (t) => {
  const dir = await tempDir(t);
  const server = await serve(t, (res) => answerJson(res, 200, RECORD));
  const env = { HOME: dir, VOUCH_HOME: dir };
  const asJson = await runClean(env, 'agent', 'verify', HASH, '--server', server.url, '--json');
  assert.equal(asJson.code, 1, asJson.err);
  assert.equal((JSON.parse(asJson.out) as { valid: boolean }).valid, false);
  const human = await runClean(env, 'agent', 'verify', HASH, '--server', server.url);
  assert.equal(human.code, 1, human.err);
  assert.match(human.out, /^NOT valid signature by did:identity:bot, signed 2026-01-01T00:00:00\.000Z\n/);
  assert.match(human.out, /\nagent status: revoked\n/);
});
