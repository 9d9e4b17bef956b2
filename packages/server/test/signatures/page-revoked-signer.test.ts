// A revoked agent's recorded signatures still show as valid signatures (docs/PROTOCOL.md: they answer `valid: true`),
// so the signature page marks beside that verdict that the agent no longer answers for it. Dropping that mark left
// only the "Agent status" row to say so, and no test failed.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { textOf } from '../console/html-scan.ts';
import { admin, recordSigned, registerPow, SIG_ENV } from './helpers.ts';

const REVOKED_MARK =
  /id="signature-valid">valid signature<\/span> <span class="status status-revoked">agent revoked<\/span>/;

eachEngine(
  "signature page: a revoked signer's signature is marked 'agent revoked' beside its verdict",
  async ({ open }) => {
    const t = await makeApp(await open(), { env: SIG_ENV });
    const page = async (hash: string): Promise<string> => {
      const res = await t.app.inject({ method: 'GET', url: `/verify/${hash}`, headers: { accept: 'text/html' } });
      assert.equal(res.statusCode, 200, res.body);
      return res.body;
    };
    try {
      const signer = await registerPow(t.app);
      const { signatureHash } = await recordSigned(t.app, signer, 'pay invoice 42', t.clock.now());
      const before = await page(signatureHash);
      assert.doesNotMatch(before, /agent revoked/, 'an active signer is not marked');

      const rev = await t.app.inject({ method: 'POST', url: `/api/v1/agents/${signer.did}/revoke`, headers: admin });
      assert.equal(rev.statusCode, 200, rev.body);
      const after = await page(signatureHash);
      assert.equal(textOf(after, 'agent-status'), 'revoked');
      assert.match(after, REVOKED_MARK);
    } finally {
      await t.app.close();
    }
  },
);
