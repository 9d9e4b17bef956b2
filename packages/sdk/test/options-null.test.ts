// A null options argument (JavaScript callers, or JSON-read settings) threw a raw TypeError out of the parsers and
// createSignatureCache, where an absent one gives the defaults; null now means the defaults too, as it already does
// for capabilityKeysFromVouchKeys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalize,
  createSignatureCache,
  generateKeyPair,
  formatPrivateKey,
  parsePrivateKey,
  parsePublicKey,
  parseStrict,
} from '../src/index.ts';

test('a null options argument gives the defaults', async () => {
  const none = null as unknown as undefined;
  const pair = await generateKeyPair('Ed25519');
  assert.equal(parsePublicKey(pair.publicJwk, none).type, 'Ed25519');
  assert.equal(parsePrivateKey(formatPrivateKey(pair.privateKey, 'pem'), none).type, 'Ed25519');
  assert.deepEqual(parseStrict('{"a":[1]}', none), { a: [1] });
  assert.equal(canonicalize({ b: 1, a: 2 }, none), '{"a":2,"b":1}');
  assert.deepEqual(createSignatureCache(none).stats(), { hits: 0, misses: 0, size: 0 });
});
