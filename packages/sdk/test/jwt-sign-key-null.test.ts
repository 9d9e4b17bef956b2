// signJwt read the private key's type before anything checked the key, so a null or undefined key (a JavaScript
// caller, a key slot read from settings) threw a raw TypeError ("Cannot read properties of null"). It is now
// VouchError INVALID_KEY, as for any other value that is not a private key made by the SDK.
import { test } from 'node:test';
import { generateKeyPair, signJwt, type PrivateKey } from '../src/index.ts';
import { rejectsCode } from './vectors.ts';

test('signJwt with a null, undefined or foreign private key is INVALID_KEY', async () => {
  const pair = await generateKeyPair('Ed25519');
  for (const bad of [null, undefined, 5, 'key', {}, { type: 'P-256' }, pair.publicKey]) {
    await rejectsCode(
      () => signJwt({ sub: 's' }, bad as unknown as PrivateKey, { kid: 'k' }),
      'INVALID_KEY',
      String(bad),
    );
  }
  await signJwt({ sub: 's' }, pair.privateKey, { kid: 'k' });
});
