// Where the registry page has nothing to list it says so (modules/console/registry-page.ts): a founder's co-signers
// (admitted by the root key, co-signed by none) read "none", and a registry that never removed an issuer reads
// "None." under "Revoked issuers" instead of an empty table. Nothing held either.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { signedGenesis } from '../registry/fixtures.ts';

eachEngine('registry page: no co-signers reads "none", no revoked issuer reads "None."', async ({ open, dataDir }) => {
  const root = await generateKeyPair('Ed25519');
  const { doc } = await signedGenesis(root, ['alpha', 'bravo', 'charlie']);
  const file = join(dataDir, 'agent-trust.json');
  await writeFile(file, JSON.stringify(doc));
  const t = await makeApp(await open(), {
    env: {
      VOUCH_PUBLIC_URL: 'https://vouch.test',
      VOUCH_TRUST_REGISTRY_URL: file,
      VOUCH_TRUST_REGISTRY_ROOT_KEY: root.publicKeyRegistry!,
    },
    clock: new ManualClock(T0 + 5000),
  });
  try {
    const res = await t.app.inject({ method: 'GET', url: '/registry', headers: { accept: 'text/html' } });
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    for (const id of ['alpha', 'bravo', 'charlie']) {
      const row = new RegExp(`<tr id="issuer-${id}">[\\s\\S]*?</tr>`).exec(res.body)?.[0] ?? '';
      assert.match(row, /<td>step 1 \(genesis\)<\/td>\n<td class="signed-by">genesis \(root key\)<\/td>/, id);
      assert.match(row, /<td><span class="muted">none<\/span><\/td><\/tr>$/, id);
    }
    assert.ok(res.body.includes('<h2>Revoked issuers</h2><p class="muted" id="registry-revoked">None.</p>'));
    assert.doesNotMatch(res.body, /<table id="registry-revoked">/);
  } finally {
    await t.app.close();
  }
});
