// `vouch token verify --audience A --nonce N` takes what the verify route takes: each 1 to 256 characters. An empty or
// longer one is a usage error, exit 2, before anything is sent. Before, the server refused it online (400, exit 2)
// while --offline checked the token against it and answered "invalid" (exit 1), a verdict on the token for what was
// a mistake in the command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerJson, recordingServer, runClean } from './helpers.ts';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const TOKEN = `${b64({ alg: 'ES256', typ: 'JWT', kid: 'k1' })}.${b64({ sub: 'did:identity:x', jti: 'j' })}.c2ln`;

test('token verify refuses an empty or over-long --audience or --nonce before sending (exit 2)', async (t) => {
  const server = await recordingServer(t, (res) => answerJson(res, 503, { error: 'down', code: 'UNAVAILABLE' }));
  for (const [option, value] of [
    ['--audience', ''],
    ['--nonce', ''],
    ['--audience', 'a'.repeat(257)],
    ['--nonce', '😀'.repeat(257)],
  ] as const) {
    for (const mode of [[], ['--offline']]) {
      const r = await runClean({}, 'token', 'verify', TOKEN, option, value, ...mode, '--server', server.url);
      const what = `${option} ${value.length} ${mode.join(' ')}`;
      assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
      assert.equal(r.out, '', what);
      assert.equal(r.err, `vouch: ${option} must be 1 to 256 characters.\n`, what);
      assert.equal(server.seen.length, 0, `${what}: nothing sent`);
    }
  }
});
