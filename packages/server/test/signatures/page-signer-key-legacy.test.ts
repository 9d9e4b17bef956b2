// A signature recorded before servers kept the signing key (signer_public_key null, before migration 0017) is checked
// with the agent's current key: the page shows that key and says it may not be the one that signed, and the JSON
// answers signerPublicKey null. No other test reached this branch of the page: showing no key at all, or the current
// key without the warning, passed every test.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { textOf } from '../console/html-scan.ts';
import { recordSigned, registerPow, SIG_ENV } from './helpers.ts';

eachEngine(
  "signature page: a record without its signing key shows the agent's current key, marked so",
  async ({ open }) => {
    const storage = await open();
    const t = await makeApp(storage, { env: SIG_ENV });
    try {
      const signer = await registerPow(t.app);
      const { signatureHash } = await recordSigned(t.app, signer, 'pay invoice 42', t.clock.now());
      // As migration 0017 left every record made before it.
      await storage.db
        .updateTable('signatures')
        .set({ signer_public_key: null })
        .where('signature_hash', '=', signatureHash)
        .execute();

      const json = await t.app.inject({ method: 'GET', url: `/api/v1/signatures/verify?hash=${signatureHash}` });
      assert.equal(json.statusCode, 200, json.body);
      assert.equal((json.json() as { signerPublicKey: string | null }).signerPublicKey, null);

      const res = await t.app.inject({
        method: 'GET',
        url: `/verify/${signatureHash}`,
        headers: { accept: 'text/html' },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(textOf(res.body, 'signer-public-key'), signer.pair.publicKeyBase64, "the agent's current key");
      assert.match(textOf(res.body, 'signer-key-current') ?? '', /current key: this record predates/);
      assert.equal(textOf(res.body, 'signer-key-rotated'), undefined, 'not said to be the key that signed');
    } finally {
      await t.app.close();
    }
  },
);
