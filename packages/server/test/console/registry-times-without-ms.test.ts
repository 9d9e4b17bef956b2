// Review: the registry format takes times with or without milliseconds (docs/registry.md, "Times"), and the pages
// showed a time without them as it came, "2026-01-01 00:00:00Z", where every other time reads "… UTC": web/layout.ts
// `when` replaced only a `.mmmZ` ending. Both spellings now read "2026-01-01 00:00:00 UTC".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeBase64url, generateKeyPair, getDefaultCrypto, registryDocumentSigningBytes } from '@vouch/sdk';
import type { RegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { T0 } from '../helpers/app.ts';
import { when } from '../../src/web/layout.ts';
import { signedGenesis } from '../registry/fixtures.ts';
import { registryPage } from './registry-page.ts';

test('when: an ISO time with or without milliseconds, and epoch ms, read the same way', () => {
  assert.equal(when('2026-01-01T00:00:00.000Z'), '2026-01-01 00:00:00 UTC');
  assert.equal(when('2026-01-01T00:00:00Z'), '2026-01-01 00:00:00 UTC');
  assert.equal(when('2026-01-01T00:00:00.250Z'), '2026-01-01 00:00:00 UTC');
  assert.equal(when(T0), '2026-01-01 00:00:00 UTC');
});

eachEngine('registry page: a document whose times have no milliseconds shows them in UTC', async (ctx) => {
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
  const signed = { ...unsigned, rootSignature: `ed25519:${encodeBase64url(signature)}` };
  const html = await registryPage(ctx, root.publicKeyRegistry!, signed);
  assert.match(html, /id="registry-verdict">valid</);
  assert.match(html, /<dt>Signed<\/dt><dd>2026-01-01 00:00:00 UTC<\/dd>/);
  assert.match(html, /expires 2026-01-02 00:00:00 UTC</);
  assert.doesNotMatch(html, /\d\d:\d\d:\d\dZ/, 'no time left as written');
});
