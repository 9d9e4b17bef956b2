// parsePublicKey refuses a JWK that has a "d" member at all, whatever its value: a JWK whose "d" is null, a number or
// an empty string is not a public key that merely has a malformed extra member. No test held the check for values
// other than a string (it passed with `typeof jwk.d === 'string'` in place of `jwk.d !== undefined`).
import { test } from 'node:test';
import { formatPublicKey, generateKeyPair, parsePublicKey } from '../src/index.ts';
import { throwsCode } from './vectors.ts';

test('a JWK with any "d" member is refused as a public key, as an object and as JSON text', async () => {
  for (const type of ['Ed25519', 'P-256'] as const) {
    const jwk = formatPublicKey((await generateKeyPair(type)).publicKey, 'jwk');
    parsePublicKey(jwk);
    for (const d of [null, 0, 5, '', false, [], {}]) {
      throwsCode(() => parsePublicKey({ ...jwk, d }), 'INVALID_KEY', `${type} d=${JSON.stringify(d)}`);
      throwsCode(
        () => parsePublicKey(JSON.stringify({ ...jwk, d })),
        'INVALID_KEY',
        `${type} text d=${JSON.stringify(d)}`,
      );
    }
  }
});
