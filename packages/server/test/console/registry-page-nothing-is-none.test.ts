// Where the registry page has nothing to list it says so (modules/console/registry-page.ts): a founder's co-signers
// (admitted by the root key, co-signed by none) read "none", and a registry that never removed an issuer reads
// "None." under "Revoked issuers" instead of an empty table. Nothing held either.
import assert from 'node:assert/strict';
import { generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { signedGenesis } from '../registry/fixtures.ts';
import { registryPage } from './registry-page.ts';

eachEngine('registry page: no co-signers reads "none", no revoked issuer reads "None."', async (ctx) => {
  const root = await generateKeyPair('Ed25519');
  const { doc } = await signedGenesis(root, ['alpha', 'bravo', 'charlie']);
  const html = await registryPage(ctx, root.publicKeyRegistry!, doc);
  for (const id of ['alpha', 'bravo', 'charlie']) {
    const row = new RegExp(`<tr id="issuer-${id}">[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
    assert.match(row, /<td>step 1 \(genesis\)<\/td>\n<td class="signed-by">genesis \(root key\)<\/td>/, id);
    assert.match(row, /<td><span class="muted">none<\/span><\/td><\/tr>$/, id);
  }
  assert.ok(html.includes('<h2>Revoked issuers</h2><p class="muted" id="registry-revoked">None.</p>'));
  assert.doesNotMatch(html, /<table id="registry-revoked">/);
});
