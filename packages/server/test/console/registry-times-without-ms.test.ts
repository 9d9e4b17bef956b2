// Review: the registry format takes times with or without milliseconds (docs/registry.md, "Times"), and the pages
// showed a time without them as it came, "2026-01-01 00:00:00Z", where every other time reads "… UTC": web/layout.ts
// `when` replaced only a `.mmmZ` ending. Both spellings now read "2026-01-01 00:00:00 UTC".
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeBase64url, generateKeyPair, getDefaultCrypto, registryDocumentSigningBytes } from '@vouch/sdk';
import type { RegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { when } from '../../src/web/layout.ts';
import { signedGenesis } from '../registry/fixtures.ts';

test('when: an ISO time with or without milliseconds, and epoch ms, read the same way', () => {
  assert.equal(when('2026-01-01T00:00:00.000Z'), '2026-01-01 00:00:00 UTC');
  assert.equal(when('2026-01-01T00:00:00Z'), '2026-01-01 00:00:00 UTC');
  assert.equal(when('2026-01-01T00:00:00.250Z'), '2026-01-01 00:00:00 UTC');
  assert.equal(when(T0), '2026-01-01 00:00:00 UTC');
});

eachEngine(
  'registry page: a document whose times have no milliseconds shows them in UTC',
  async ({ open, dataDir }) => {
    const root = await generateKeyPair('Ed25519');
    const { doc } = await signedGenesis(root, ['alpha', 'bravo', 'charlie']);
    // The same document as a tool that writes whole seconds would sign it.
    const unsigned = { ...doc, updatedAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-02T00:00:00Z' };
    delete (unsigned as Partial<RegistryDocument>).rootSignature;
    const signature = await getDefaultCrypto().sign(
      'EdDSA',
      root.privateKey,
      registryDocumentSigningBytes(unsigned as RegistryDocument),
    );
    const file = join(dataDir, 'agent-trust.json');
    await writeFile(file, JSON.stringify({ ...unsigned, rootSignature: `ed25519:${encodeBase64url(signature)}` }));
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
      assert.match(res.body, /id="registry-verdict">valid</);
      assert.match(res.body, /<dt>Signed<\/dt><dd>2026-01-01 00:00:00 UTC<\/dd>/);
      assert.match(res.body, /expires 2026-01-02 00:00:00 UTC</);
      assert.doesNotMatch(res.body, /\d\d:\d\d:\d\dZ/, 'no time left as written');
    } finally {
      await t.app.close();
    }
  },
);
