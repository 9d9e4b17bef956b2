// Both crypto providers read the key's `type` before anything else: a null or undefined key threw a raw TypeError
// ("Cannot read properties of null (reading 'type')") out of sign and verify, and an object without a type was
// refused KEY_ALGORITHM_MISMATCH ("... with a undefined key"). The provider contract allows only VouchErrors for
// caller errors: anything that is not a key made by the SDK is now INVALID_KEY, before the algorithm is looked at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, isVouchError } from '../src/index.ts';
import type { PrivateKey, PublicKey } from '../src/index.ts';
import { PROVIDERS } from './providers.ts';

const NOT_KEYS: unknown[] = [null, undefined, {}, 'ed25519:x', { kind: 'public', type: 'Ed25519' }];
const data = new Uint8Array(8);

test('sign and verify refuse what is not an SDK key with INVALID_KEY, never a TypeError', async () => {
  const pair = await generateKeyPair('Ed25519');
  for (const crypto of PROVIDERS) {
    for (const key of NOT_KEYS) {
      const label = `${crypto.name} ${JSON.stringify(key) ?? String(key)}`;
      await assert.rejects(
        crypto.verify('EdDSA', key as PublicKey, new Uint8Array(64), data),
        (err: unknown) => isVouchError(err, 'INVALID_KEY'),
        `verify ${label}`,
      );
      await assert.rejects(
        crypto.sign('EdDSA', key as PrivateKey, data),
        (err: unknown) => isVouchError(err, 'INVALID_KEY'),
        `sign ${label}`,
      );
    }
    // A private key where a public one is due (and the reverse) is not a key of that kind either.
    await assert.rejects(
      crypto.verify('EdDSA', pair.privateKey as unknown as PublicKey, new Uint8Array(64), data),
      (err: unknown) => isVouchError(err, 'INVALID_KEY'),
    );
    await assert.rejects(crypto.sign('EdDSA', pair.publicKey as unknown as PrivateKey, data), (err: unknown) =>
      isVouchError(err, 'INVALID_KEY'),
    );
    const signature = await crypto.sign('EdDSA', pair.privateKey, data);
    assert.equal(await crypto.verify('EdDSA', pair.publicKey, signature, data), true);
  }
});
