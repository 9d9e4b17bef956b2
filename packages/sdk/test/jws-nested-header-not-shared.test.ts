// decodeJws keeps flat headers (primitive members only) and hands out a shallow copy: only flat headers may be kept,
// since a shallow copy of a header with an object or list member would share that member with the cache, and a
// caller (or a key resolver) that edited it would change what every later token with that header text decodes to.
// Found by mutation testing: caching every header, nested ones included, left every test passing
// (mutation-gaps-jwt.test.ts edits only primitive members).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJws, decodeJwt, encodeBase64url } from '../src/index.ts';

test('a header with an object or list member is not shared between decodes', () => {
  const header = { alg: 'ES256', kid: 'nested-1', ext: { level: 'low' }, tags: ['a'] };
  const token = `${encodeBase64url(JSON.stringify(header))}.e30.AAAA`;
  for (let round = 0; round < 3; round++) {
    // decodeJws and decodeJwt share the header cache (and its last-entry shortcut).
    for (const decode of [decodeJws, decodeJwt]) {
      const got = decode(token).header as unknown as { ext: { level: string }; tags: string[] };
      assert.deepEqual(got.ext, { level: 'low' }, `round ${round}, ${decode.name}`);
      assert.deepEqual(got.tags, ['a'], `round ${round}, ${decode.name}`);
      got.ext.level = 'edited';
      got.tags.push('edited');
    }
  }
});
