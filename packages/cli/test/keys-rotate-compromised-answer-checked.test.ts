// `vouch keys rotate --compromised` answers a leaked key: the server drops the previous key and every earlier retired
// one, and says so in `dropped`. An answer that does not (no `dropped`, or a retired key missing from it: an older
// server, a proxy) was printed as a rotation with exit 0, "retired: <kid>" read as done, while the leaked key still
// verified through its grace period. Such an answer now ends the command with exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerJson, recordingServer, runClean } from './helpers.ts';

const env = { VOUCH_ADMIN_KEY: 'vouch_admin_SECRET_DO_NOT_LEAK_1234567890' };
const rotation = { purpose: 'tokens', kid: 'k3', alg: 'ES256', generation: 3 };

test('keys rotate --compromised refuses an answer that does not say the retired keys were dropped', async (t) => {
  for (const body of [
    { ...rotation, retired: ['k2'] },
    { ...rotation, retired: ['k2'], dropped: [] },
    { ...rotation, retired: ['k2', 'k1'], dropped: ['k2'] },
  ]) {
    const server = await recordingServer(t, (res) => answerJson(res, 201, body));
    const r = await runClean(env, 'keys', 'rotate', '--compromised', '--server', server.url);
    assert.equal(r.code, 2, `${JSON.stringify(body)}: ${r.out}${r.err}`);
    assert.equal(r.out, '');
    assert.equal(
      r.err,
      "vouch: the server's 201 answer does not say the previous tokens keys were dropped; run vouch keys list to " +
        'see whether they were.\n',
    );
  }
  // Every retired key dropped: printed; without --compromised no drop is expected.
  const dropped = await recordingServer(t, (res) =>
    answerJson(res, 201, { ...rotation, retired: ['k2'], dropped: ['k2', 'k1'] }),
  );
  const r = await runClean(env, 'keys', 'rotate', '--compromised', '--server', dropped.url);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'new active key #3: k3\ndropped: k2\ndropped: k1\n');
  const plain = await recordingServer(t, (res) => answerJson(res, 201, { ...rotation, retired: ['k2'] }));
  const p = await runClean(env, 'keys', 'rotate', '--server', plain.url);
  assert.equal(p.code, 0, p.err);
  assert.equal(p.out, 'new active key #3: k3\nretired: k2\n');
});
