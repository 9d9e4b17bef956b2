// verifyContent checks a signature with the key that made it (the record's signerPublicKey) before the agent's
// current key: no test held that order (reading agent.publicKey first passed every test), so after a key rotation
// every earlier signature would have been SIGNATURE_INVALID. Also: a public note, changed or added, is covered by
// the signature.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canonicalize,
  encodeBase64,
  encodeUtf8,
  generateKeyPair,
  getDefaultCrypto,
  sha256Hex,
  verifyContent,
  type SignatureRecord,
} from '../src/index.ts';
import { signedMessageText } from '../src/agent/signed-message.ts';

const codeOf = (r: object): unknown => (r as { code?: string }).code;

async function signedRecord(publicNote?: string) {
  const crypto = getDefaultCrypto();
  const before = await generateKeyPair('Ed25519');
  const after = await generateKeyPair('Ed25519');
  const content = 'the quarterly figures';
  const payloadHash = await sha256Hex(content, crypto);
  const signedAt = 1_735_689_600_000;
  const text = await signedMessageText(payloadHash, signedAt, publicNote, crypto);
  const signature = encodeBase64(await crypto.sign('EdDSA', before.privateKey, encodeUtf8(text)));
  const did = 'did:vouch:agent-1';
  const hash = await sha256Hex(canonicalize({ did, payloadHash, signedAt, signature }), crypto);
  const record = {
    valid: true,
    signedAt,
    payloadHash,
    signature,
    ...(publicNote !== undefined ? { publicNote } : {}),
    signerPublicKey: before.publicKeyBase64!,
    agent: { did, status: 'claimed', publicKey: after.publicKeyBase64! }, // rotated since
  } as unknown as SignatureRecord;
  return { content, hash, record };
}

test('a signature made before a key rotation verifies with the key that made it', async () => {
  const { content, hash, record } = await signedRecord();
  const r = await verifyContent(hash, content, { record });
  assert.equal(r.valid, true, JSON.stringify(r));
  // Without the signer's key, the current one does not verify it.
  const old = { ...record, signerPublicKey: null };
  assert.equal(codeOf(await verifyContent(hash, content, { record: old })), 'SIGNATURE_INVALID');
});

test('a public note is part of what the signature covers', async () => {
  const { content, hash, record } = await signedRecord('Q3, final');
  assert.equal((await verifyContent(hash, content, { record })).valid, true);
  const edited = { ...record, publicNote: 'Q3, draft' };
  assert.equal(codeOf(await verifyContent(hash, content, { record: edited })), 'SIGNATURE_INVALID');
});

test('a note added to a record signed without one does not verify: the signature does not cover it', async () => {
  const { content, hash, record } = await signedRecord();
  assert.equal((await verifyContent(hash, content, { record })).valid, true);
  // The signature hash does not cover publicNote: only the signature can refuse the note.
  const noted = { ...record, publicNote: 'approved by the agent' };
  assert.equal(codeOf(await verifyContent(hash, content, { record: noted })), 'SIGNATURE_INVALID');
});
