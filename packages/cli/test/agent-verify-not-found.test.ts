// `vouch agent verify` says "unknown signature" (exit 1, a failed verification) only when the server says so: a 404
// with the code NOT_FOUND. A 404 without a Vouch error (a web server's or a proxy's page: a wrong --server or path
// prefix) asked no Vouch server at all, so it is exit 2 with the answer named. Before, it read as an unknown
// signature, exit 1, telling a script the signature was not genuine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { recordingServer as serve, runClean, tempDir } from './helpers.ts';

const HASH = 'c'.repeat(64);
const answer = (res: ServerResponse, type: string, text: string) =>
  res.writeHead(404, { 'content-type': type }).end(text);

test('agent verify: a 404 that is not a Vouch NOT_FOUND is no verdict (exit 2)', async (t) => {
  const dir = await tempDir(t);
  const env = { HOME: dir, VOUCH_HOME: dir };
  for (const [type, text] of [
    ['text/html', '<html>Not Found</html>'],
    ['application/json', '{}'],
    ['application/json', '{"code":"GONE_AWAY","error":"elsewhere"}'],
  ] as const) {
    const server = await serve(t, (res) => answer(res, type, text));
    for (const form of [[], ['--json']]) {
      const r = await runClean(env, 'agent', 'verify', HASH, ...form, '--server', server.url);
      const what = `${form.join(' ')} ${text}`;
      assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
      assert.equal(r.out, '', what);
      assert.match(r.err, /^vouch: the server refused: [A-Z_]+: .*\n$/, what);
    }
  }
  // The server's own answer for an unknown hash stays a failed verification.
  const server = await serve(t, (res) =>
    answer(res, 'application/json', '{"error":"No signature has this hash.","code":"NOT_FOUND"}'),
  );
  const r = await runClean(env, 'agent', 'verify', HASH, '--json', '--server', server.url);
  assert.equal(r.code, 1, r.err);
  assert.deepEqual(JSON.parse(r.out), { valid: false, signatureHash: HASH, code: 'NOT_FOUND' });
});
