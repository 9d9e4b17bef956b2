// `vouch keys rotate --purpose P` reports a rotation only when the answer says it rotated the P key, as token revoke
// holds the answer to the jti it asked for: the answer names its `purpose` (docs/PROTOCOL.md), and one of another
// purpose (or none) was printed as "new active key", so an operator answering a leaked capability key could read
// the token key's rotation as that of the capability key, which then still signed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerJson, recordingServer, runClean } from './helpers.ts';

const env = { VOUCH_ADMIN_KEY: 'vouch_admin_SECRET_DO_NOT_LEAK_1234567890' };
const rotation = { kid: 'k2', alg: 'ES256', generation: 2, retired: ['k1'], dropped: [] };

test('keys rotate refuses an answer that does not name the purpose asked for', async (t) => {
  const cases: ReadonlyArray<readonly [readonly string[], unknown]> = [
    [['--purpose', 'capability'], { ...rotation, purpose: 'tokens' }],
    [[], { ...rotation, purpose: 'capability' }],
    [['--purpose', 'tool-manifest'], { ...rotation, purpose: 'tool_manifest' }],
    [[], rotation],
    [[], { ...rotation, purpose: null }],
  ];
  for (const [args, body] of cases) {
    const server = await recordingServer(t, (res) => answerJson(res, 201, body));
    const r = await runClean(env, 'keys', 'rotate', ...args, '--server', server.url);
    const asked = args[1] ?? 'tokens';
    assert.equal(r.code, 2, `${JSON.stringify(body)}: ${r.out}${r.err}`);
    assert.equal(r.out, '');
    assert.equal(
      r.err,
      `vouch: the server's 201 answer does not say the ${asked} key was rotated; run vouch keys list to see ` +
        'whether it was.\n',
    );
  }
  // The answer of the purpose asked for prints.
  for (const purpose of ['tokens', 'capability', 'tool-manifest']) {
    const server = await recordingServer(t, (res) => answerJson(res, 201, { ...rotation, purpose }));
    const r = await runClean(env, 'keys', 'rotate', '--purpose', purpose, '--server', server.url);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'new active key #2: k2\nretired: k1\n');
  }
});
