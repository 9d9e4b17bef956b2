// new VouchAgent, signKeyProof and signAipIssueProof checked only that the key's type is Ed25519, so a public key
// (the other half of the pair, a common slip) or a plain object shaped like a key was taken: the agent was made and
// failed only at its first signature, and signKeyProof failed INVALID_KEY 'Expected a public key created by the Vouch
// SDK', naming the wrong thing. Each now refuses it at once, INVALID_ARGUMENT naming an Ed25519 private key, as
// signKeyRotation already did for a public key (a key-shaped object it took too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  generateKeyPair,
  isVouchError,
  signAipIssueProof,
  signKeyProof,
  signKeyRotation,
  VouchAgent,
  VouchClient,
} from '../src/index.ts';
import type { PrivateKey } from '../src/index.ts';

function privateKeyNeeded(err: unknown): boolean {
  assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), String(err));
  assert.match(err.message, /Ed25519 private key/);
  return true;
}

test('a public key or a key-shaped object is not an agent key or a proof key: INVALID_ARGUMENT', async () => {
  const client = new VouchClient({ baseUrl: 'http://127.0.0.1:1' });
  const ed = await generateKeyPair('Ed25519');
  const p256 = await generateKeyPair('P-256');
  const did = 'did:identity:x';
  const notPrivate = [
    ed.publicKey,
    { kind: 'private', type: 'Ed25519', publicKey: ed.publicKey },
    p256.privateKey,
  ] as unknown as PrivateKey[];
  for (const key of notPrivate) {
    assert.throws(() => new VouchAgent(client, { did, privateKey: key }), privateKeyNeeded);
    await assert.rejects(signKeyProof(key, { publicUrl: 'https://vouch.example', signedAt: 1 }), privateKeyNeeded);
    await assert.rejects(signKeyRotation(key, { did, oldKeyBase64: 'x', signedAt: 1 }), privateKeyNeeded);
    await assert.rejects(signAipIssueProof(key, { did, tokenType: 'identity', signedAt: 1 }), privateKeyNeeded);
  }
  // The private key itself is taken by all three.
  assert.equal(new VouchAgent(client, { did, privateKey: ed.privateKey }).did, did);
  await signKeyProof(ed.privateKey, { publicUrl: 'https://vouch.example', signedAt: 1 });
  await signKeyRotation(ed.privateKey, { did, oldKeyBase64: 'x', signedAt: 1 });
  await signAipIssueProof(ed.privateKey, { did, tokenType: 'identity', signedAt: 1 });
});
