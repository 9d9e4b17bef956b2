// The offline helpers verifyToken and verifyToolManifest took their `crypto` option as given: one that is not a
// CryptoProvider (its name, 'webcrypto'; settings read from JSON) made them reject with a raw TypeError
// ("verify is not a function"), where every other caller error is answered as a verdict. It is now answered
// INVALID_ARGUMENT naming crypto, before the token or manifest is read; null is the default provider.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyToken, verifyToolManifest } from '../src/index.ts';
import type { ToolManifest, VerifierCache } from '../src/index.ts';
import { aipIssuer } from './aip-fixtures.ts';

const BAD = ['webcrypto', 42, {}];

function assertInvalidCrypto(r: { valid: boolean; code?: string; error?: string }, label: string): void {
  assert.equal(r.valid, false, label);
  assert.equal(r.code, 'INVALID_ARGUMENT', label);
  assert.match(r.error ?? '', /^crypto must be a CryptoProvider/, label);
}

test('verifyToken answers a crypto that is not a provider INVALID_ARGUMENT, not a TypeError', async () => {
  const a = await aipIssuer();
  const token = await a.sign(a.identity);
  const cache = { discovery: { issuer: a.identity.iss, keys: a.jwks.keys }, revocations: { jtis: [] } };
  const asCache = cache as unknown as VerifierCache;
  for (const crypto of BAD) {
    assertInvalidCrypto(await verifyToken(token, asCache, { crypto, now: a.opts.now } as never), String(crypto));
  }
  assert.equal((await verifyToken(token, asCache, { crypto: null, now: a.opts.now } as never)).valid, true);
});

test('verifyToolManifest answers a crypto that is not a provider INVALID_ARGUMENT, not a TypeError', async () => {
  const manifest = {
    tools: [],
    tool_descriptions: {},
    did: 'did:identity:x',
    agent_slug: null,
    tool_manifest_hash: '00',
    updated_at: '2026-01-01T00:00:00.000Z',
    signature: 'AA==',
    signature_kid: 'k',
  } as unknown as ToolManifest;
  const cache = { vouchKeys: { keys: [] } } as never;
  for (const crypto of BAD) {
    assertInvalidCrypto(await verifyToolManifest(manifest, cache, { crypto } as never), String(crypto));
  }
  const nulled = await verifyToolManifest(manifest, cache, { crypto: null } as never);
  assert.equal(nulled.valid === false && nulled.code, 'MANIFEST_HASH_MISMATCH');
});
