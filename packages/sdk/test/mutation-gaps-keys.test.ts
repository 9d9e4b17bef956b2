// Key checks that no other test could notice being broken or made too wide (found by mutation testing).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateKeyPair, isVouchError, publicKeyFromRaw, verifyRegistry } from '../src/index.ts';
import { governedRegistry, NOW } from './registry-fixtures.ts';

test('the non-canonical Ed25519 check (y >= p) is exact: y = p - 1 - 2^240 is an ordinary encoding', () => {
  // Bytes 0..29 as in p (0xed, 0xff...), byte 30 below 0xff, byte 31 = 0x7f: y < p, so not "non-canonical".
  const belowP = new Uint8Array(32).fill(0xff);
  belowP[0] = 0xed;
  belowP[30] = 0xfe;
  belowP[31] = 0x7f;
  try {
    publicKeyFromRaw('Ed25519', belowP);
  } catch (err) {
    assert.ok(isVouchError(err));
    assert.doesNotMatch(err.message, /not canonically encoded/);
  }
  // And p itself (y = p, the second spelling of y = 0) is refused as non-canonical.
  const p = belowP.slice();
  p[30] = 0xff;
  assert.throws(
    () => publicKeyFromRaw('Ed25519', p),
    (e: unknown) => isVouchError(e) && e.code === 'INVALID_KEY' && /not canonically encoded/.test(e.message),
  );
});

test('verifyRegistry refuses a root key that is not Ed25519 with WRONG_CURVE', async () => {
  const g = await governedRegistry();
  const p256 = await generateKeyPair('P-256');
  await assert.rejects(
    verifyRegistry(g.doc, { rootKey: p256.publicKey, now: NOW }),
    (e: unknown) => isVouchError(e) && e.code === 'WRONG_CURVE',
  );
  assert.equal((await verifyRegistry(g.doc, { rootKey: g.root.publicKey, now: NOW })).valid, true);
});
