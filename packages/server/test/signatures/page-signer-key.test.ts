// The signature page tells its reader to check the signature "made with signerPublicKey (the agent's key when it
// signed)", so it must show that key: once the agent has rotated its key, the current one (on the agent page, in the
// JSON's agent.publicKey) never verifies what the old key signed, and the page was the only view without the key.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { rotateKey } from '../agents/helpers.ts';
import { textOf } from '../console/html-scan.ts';
import { newPair, recordSigned, registerPow, SIG_ENV } from './helpers.ts';

eachEngine(
  'signature page: shows the key that made the signature, and says when the agent rotated',
  async ({ open }) => {
    const storage = await open();
    const t = await makeApp(storage, { env: SIG_ENV });
    const page = async (hash: string): Promise<string> => {
      const res = await t.app.inject({ method: 'GET', url: `/verify/${hash}`, headers: { accept: 'text/html' } });
      assert.equal(res.statusCode, 200, res.body);
      return res.body;
    };
    try {
      const signer = await registerPow(t.app);
      const oldKey = signer.pair.publicKeyBase64!;
      const { signatureHash } = await recordSigned(t.app, signer, 'pay invoice 42', t.clock.now());
      const before = await page(signatureHash);
      assert.equal(textOf(before, 'signer-public-key'), oldKey, 'the signing key is shown');
      assert.equal(textOf(before, 'signer-key-rotated'), undefined, 'no rotation to speak of yet');

      const next = await newPair();
      const rotation = await rotateKey(t.app, signer.did, signer.pair, next, t.clock.now() + 1);
      assert.equal(rotation.statusCode, 200, rotation.body);
      const after = await page(signatureHash);
      assert.equal(textOf(after, 'signer-public-key'), oldKey, 'still the key that signed, not the current one');
      assert.match(textOf(after, 'signer-key-rotated') ?? '', /rotated/);
      assert.ok(!after.includes(next.publicKeyBase64!), 'the current key, which does not verify it, is not offered');
    } finally {
      await t.app.close();
    }
  },
);
