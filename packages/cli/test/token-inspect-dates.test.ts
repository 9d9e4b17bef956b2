// `vouch token inspect` shows any token it can decode, verifying nothing: a time claim beyond what a Date holds
// (±8.64e15 ms) is shown without a date. Before, the human form failed with JavaScript's "Invalid time value" (exit 2)
// while --json showed the same token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBase64url, encodeUtf8 } from '@vouch/sdk';
import { run } from './helpers.ts';

const part = (v: unknown) => encodeBase64url(encodeUtf8(JSON.stringify(v)));

test('token inspect shows time claims out of the Date range without a date (exit 0)', async () => {
  const token = `${part({ alg: 'ES256', typ: 'JWT' })}.${part({ sub: 'did:identity:x', exp: 1e20, iat: -1e16, nbf: 1 })}.c2ln`;
  const r = await run('token', 'inspect', token);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^exp: 100000000000000000000 {2}\(-\)$/m);
  assert.match(r.out, /^iat: -10000000000000000 {2}\(-\)$/m);
  assert.match(r.out, /^nbf: 1 {2}\(1970-01-01T00:00:01\.000Z\)$/m);
  assert.equal((await run('token', 'inspect', token, '--json')).code, 0);
});
