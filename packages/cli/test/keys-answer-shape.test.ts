// `vouch keys list` and `vouch keys rotate` read the server's answer before printing it: an answer not in the shape
// of a key list or a rotation (a proxy's JSON, a broken server) ends the command with exit 2 and one line saying
// so, instead of a JavaScript TypeError ("rows.map is not a function") that told the operator nothing of what
// happened, after a rotation that may well have been made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerJson, recordingServer as serve, run } from './helpers.ts';

const ADMIN = 'vouch_admin_SECRET_DO_NOT_LEAK_1234567890';

const KEY = { kid: 'k1', purpose: 'tokens', alg: 'ES256', generation: 1, status: 'active', published: true };

test('keys list and keys rotate refuse an answer that is not a key list or a rotation', async (t) => {
  const cases: ReadonlyArray<readonly [number, unknown, readonly string[], RegExp]> = [
    [200, {}, ['keys', 'list'], /200 answer is not a key list/],
    [200, { keys: 'x' }, ['keys', 'list'], /200 answer is not a key list/],
    [200, { keys: [null] }, ['keys', 'list'], /200 answer is not a key list/],
    [200, { keys: [{ ...KEY, generation: '1' }] }, ['keys', 'list'], /200 answer is not a key list/],
    [201, {}, ['keys', 'rotate'], /201 answer is not a key rotation/],
    [201, { kid: 'k2', generation: 2, retired: 'x' }, ['keys', 'rotate'], /201 answer is not a key rotation/],
    [201, { kid: 'k2', generation: 2, retired: [], dropped: 'k1' }, ['keys', 'rotate'], /not a key rotation/],
    // A rotation is 201 (docs/PROTOCOL.md), a list 200: another status is no such answer, however shaped.
    [200, { kid: 'k2', generation: 2, retired: ['k1'] }, ['keys', 'rotate'], /^vouch: the server refused: HTTP 200$/m],
    [201, { keys: [KEY] }, ['keys', 'list'], /^vouch: the server refused: HTTP 201$/m],
  ];
  const saved = process.env.VOUCH_ADMIN_KEY;
  process.env.VOUCH_ADMIN_KEY = ADMIN;
  try {
    for (const [status, body, args, message] of cases) {
      const server = await serve(t, (res) => answerJson(res, status, body));
      const r = await run(...args, '--server', server.url);
      assert.equal(r.code, 2, `${JSON.stringify(body)}: ${r.err}`);
      assert.equal(r.out, '');
      assert.match(r.err, message, JSON.stringify(body));
      assert.doesNotMatch(r.err, /is not a function|Cannot read properties/);
      assert.ok(!r.err.includes(ADMIN));
    }
    // Well-formed answers still print.
    const good = await serve(t, (res, req) =>
      req.url === '/api/v1/admin/keys'
        ? answerJson(res, 200, { keys: [KEY] })
        : answerJson(res, 201, {
            purpose: 'tokens',
            kid: 'k2',
            alg: 'ES256',
            generation: 2,
            retired: ['k1'],
            dropped: [],
          }),
    );
    const listed = await run('keys', 'list', '--server', good.url);
    assert.equal(listed.code, 0, listed.err);
    assert.equal(listed.out, 'tokens #1 ES256 active  k1\n');
    const rotated = await run('keys', 'rotate', '--server', good.url);
    assert.equal(rotated.code, 0, rotated.err);
    assert.equal(rotated.out, 'new active key #2: k2\nretired: k1\n');
  } finally {
    if (saved === undefined) delete process.env.VOUCH_ADMIN_KEY;
    else process.env.VOUCH_ADMIN_KEY = saved;
  }
});
