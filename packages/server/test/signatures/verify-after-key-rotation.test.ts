// A signature recorded before its agent rotated keys stays valid (the server answers `valid: true`: it verified when
// recorded), so checking it offline as PROTOCOL.md tells (the SDK's verifyContent, `vouch agent verify --file`) must
// also hold: the record names the key that made the signature, not only the agent's current one, which never
// verifies what the old key signed. A record from before the signer's key was kept falls back to the current key.
import assert from 'node:assert/strict';
import { verifyContent } from '@vouch/sdk';
import type { SignatureRecord } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { rotateKey } from '../agents/helpers.ts';
import { newPair, recordSigned, registerPow, SIG_ENV } from './helpers.ts';

eachEngine('content signed before a key rotation still verifies offline from its record', async ({ open }) => {
  const storage = await open();
  const t = await makeApp(storage, { env: SIG_ENV });
  try {
    const signer = await registerPow(t.app);
    const oldKey = signer.pair.publicKeyBase64!;
    const content = 'pay invoice 42';
    const plain = await recordSigned(t.app, signer, content, t.clock.now());
    const noted = await recordSigned(t.app, signer, content, t.clock.now() + 1, 'Q3 figures');
    const next = await newPair();
    const rotation = await rotateKey(t.app, signer.did, signer.pair, next, t.clock.now() + 2);
    assert.equal(rotation.statusCode, 200, rotation.body);
    for (const { signatureHash } of [plain, noted]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/signatures/verify?hash=${signatureHash}` });
      assert.equal(res.statusCode, 200, res.body);
      const record = res.json() as SignatureRecord & { signerPublicKey?: string | null };
      assert.equal(record.valid, true);
      assert.equal(record.agent.publicKey, next.publicKeyBase64, 'the agent card shows the current key');
      const offline = await verifyContent(signatureHash, content, { record });
      assert.equal(offline.valid, true, `the server says valid, offline says ${JSON.stringify(offline)}`);
      assert.equal(record.signerPublicKey, oldKey, 'the record names the key that signed');
    }
    // A new signature by the new key names it.
    const fresh = await recordSigned(t.app, { did: signer.did, pair: next }, content, t.clock.now() + 3);
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/signatures/verify?hash=${fresh.signatureHash}` });
    const record = res.json() as SignatureRecord & { signerPublicKey?: string | null };
    assert.equal(record.signerPublicKey, next.publicKeyBase64);
    assert.equal((await verifyContent(fresh.signatureHash, content, { record })).valid, true);
  } finally {
    await t.app.close();
  }
});
