// Offline verification helpers: checks that no other test could notice being broken (found by mutation testing).
// Records are built here with the SDK's primitives, as a signature service would hold them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canonicalize,
  encodeBase64,
  encodeUtf8,
  formatPublicKey,
  generateKeyPair,
  getDefaultCrypto,
  sha256Hex,
  signedMessageText,
  verifyContent,
  type SignatureRecord,
} from '../src/index.ts';

async function signedRecord(content: string, status: string) {
  const crypto = getDefaultCrypto();
  const agent = await generateKeyPair('Ed25519');
  const payloadHash = await sha256Hex(content, crypto);
  const signedAt = Date.UTC(2026, 0, 1);
  const text = await signedMessageText(payloadHash, signedAt, undefined, crypto);
  const signature = encodeBase64(await crypto.sign('EdDSA', agent.privateKey, encodeUtf8(text)));
  const did = 'did:identity:abcdefghijklmnopqrstuvwxya';
  const signatureHash = await sha256Hex(canonicalize({ did, payloadHash, signedAt, signature }), crypto);
  const record = {
    valid: true,
    signatureHash,
    signedAt,
    payloadHash,
    signature,
    agent: { did, status, publicKey: formatPublicKey(agent.publicKey, 'base64') },
  } as unknown as SignatureRecord;
  return { record, signatureHash };
}

test('verifyContent: content signed by an agent since revoked is not valid (AGENT_REVOKED, match: true)', async () => {
  const active = await signedRecord('file bytes', 'active');
  assert.equal((await verifyContent(active.signatureHash, 'file bytes', { record: active.record })).valid, true);
  const revoked = await signedRecord('file bytes', 'revoked');
  const r = await verifyContent(revoked.signatureHash, 'file bytes', { record: revoked.record });
  assert.equal(r.valid, false);
  assert.deepEqual(r, { ...r, code: 'AGENT_REVOKED', match: true });
});
