// `vouch token inspect` shows a token it verifies nothing of, so every claim in it is whoever made the token's text.
// A claim's value went through JSON.stringify (a line break shows as `\n`), but its name was printed as it was: a name
// holding a line break printed lines of its own, such as a made-up `exp` line with a far-off date beside the real
// one, and U+2028/U+2029 passed as well. Each claim, name and value, now stays on its one line, as field() keeps
// every value the CLI shows inside a line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBase64url, encodeUtf8 } from '@vouch/sdk';
import { run } from './helpers.ts';

const part = (v: unknown) => encodeBase64url(encodeUtf8(JSON.stringify(v)));

test('token inspect keeps every claim, name and value, on one line of its own', async () => {
  const forged = 'exp: 99999999999  (5138-11-16T09:46:39.000Z)';
  const claims = {
    sub: 'did:identity:x',
    exp: 1,
    [`note\n${forged}`]: 1,
    'a\u2028b': 'c\u2029d',
    'e\rf': 2,
  };
  const token = `${part({ alg: 'ES256', typ: 'JWT' })}.${part(claims)}.c2ln`;
  const r = await run('token', 'inspect', token);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n').filter((l) => l !== '');
  assert.deepEqual(
    lines.filter((l) => l.startsWith('exp:')),
    ['exp: 1  (1970-01-01T00:00:01.000Z)'],
    'only the real exp claim has a line',
  );
  // The header line, one line per claim, and `expired`.
  assert.equal(lines.length, 2 + Object.keys(claims).length + 1, r.out);
  assert.ok(!/[\r\u2028\u2029]/.test(r.out), JSON.stringify(r.out));
  assert.ok(lines.includes(`note\uFFFD${forged}: 1`), r.out);
  assert.ok(lines.includes('a\uFFFDb: "c\uFFFDd"'), r.out);
  assert.ok(lines.includes('sub: "did:identity:x"'), 'an ordinary claim shows as before');
});
