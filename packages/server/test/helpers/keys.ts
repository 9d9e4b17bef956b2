// Checks on stored server keys, shared by the storage tests.
import { strict as assert } from 'node:assert';
import { createPublicKey, sign, verify } from 'node:crypto';
import type { ServerKey } from '../../src/storage/index.ts';

/** The private key signs, and the stored public JWK verifies. */
export function assertSignsWith(key: ServerKey): void {
  const data = Buffer.from('vouch');
  const digest = key.alg === 'ES256' ? 'sha256' : null;
  const signature = sign(digest, data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  const publicKey = createPublicKey({ key: key.publicJwk, format: 'jwk' });
  assert.ok(verify(digest, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature));
}
