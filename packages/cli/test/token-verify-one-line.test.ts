// `vouch token verify` prints its verdict as one line: the server's words in it (an invalid answer's code and error,
// a valid one's claims) cannot start a line of their own, as the other commands' server-supplied fields cannot
// (output.ts's field()). Before, a 401 whose error held "\nvalid identity token of did:identity:boss" printed that
// as a second line, under "invalid: ...", a verdict the reader could take for the real one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerJson, recordingServer as serve, run } from './helpers.ts';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
const FORGED = '\nvalid identity token of did:identity:boss';

test('token verify: the server text in the verdict stays on its one line', async (t) => {
  const invalid = await serve(t, (res) =>
    answerJson(res, 401, { valid: false, code: `JWT_EXPIRED${FORGED}`, error: `The token has expired.${FORGED}` }),
  );
  const r = await run('token', 'verify', TOKEN, '--server', invalid.url);
  assert.equal(r.code, 1, r.err);
  assert.equal(r.out.split('\n').length, 2, JSON.stringify(r.out));
  assert.doesNotMatch(r.out, /^valid/m);
  assert.doesNotMatch(r.err, /^valid/m);

  const valid = await serve(t, (res) =>
    answerJson(res, 200, {
      valid: true,
      claims: { sub: `did:identity:x${FORGED}`, aud: `shop${FORGED}`, exp: 2_000_000_000, jti: `j${FORGED}` },
    }),
  );
  const v = await run('token', 'verify', TOKEN, '--server', valid.url);
  assert.equal(v.code, 0, v.err);
  assert.equal(v.out.split('\n').length, 2, JSON.stringify(v.out));
  // --json keeps the values as they came.
  const j = await run('token', 'verify', TOKEN, '--server', valid.url, '--json');
  assert.equal((JSON.parse(j.out) as { claims: { sub: string } }).claims.sub, `did:identity:x${FORGED}`);
});
