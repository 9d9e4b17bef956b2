// verifyToolManifest reads a key list fetched from the network: entries that are not key objects, or a `keys` that is
// not a list, are skipped like any key that does not match, never a TypeError out of the verifier (keysFromJwks and
// capabilityKeysFromVouchKeys skip them the same way).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fetchVerifierCache, generateKeyPair, verifyToolManifest, VouchClient } from '../src/index.ts';
import type { VerifierCache, VouchKeys } from '../src/index.ts';
import { startLiveServer } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';

let live: LiveServer;
let anon: VouchClient;

before(async () => {
  live = await startLiveServer();
  anon = new VouchClient({ baseUrl: live.url, now: () => live.clock.now() });
});
after(() => live.close());

test('verifyToolManifest skips key-list entries that are not key objects', async () => {
  const key = await generateKeyPair('Ed25519');
  const reg = await anon.identity.register({ slug: 'untrusted-keys-bot', public_key_pem: key.publicKeyRegistry! });
  const mgmt = anon.withCredentials({ managementToken: reg.management_token });
  await mgmt.identity.setTools('untrusted-keys-bot', { tools: ['search'], tool_descriptions: {} });
  const manifest = await anon.identity.getTools('untrusted-keys-bot');
  const cache = JSON.parse(JSON.stringify(await fetchVerifierCache(anon))) as VerifierCache;
  const genuine = cache.vouchKeys.keys;

  const noisy = { vouchKeys: { keys: [null, 1, 'x', [], ...genuine, null] } as unknown as VouchKeys };
  assert.equal((await verifyToolManifest(manifest, noisy)).valid, true);
  for (const keys of [[null], null, 'keys', { 0: genuine[0] }]) {
    const r = await verifyToolManifest(manifest, { vouchKeys: { keys } as unknown as VouchKeys });
    assert.equal((r as { code?: string }).code, 'MANIFEST_KEY_UNKNOWN', JSON.stringify(keys));
  }
  for (const vouchKeys of [null, 'x', 1]) {
    const r = await verifyToolManifest(manifest, { vouchKeys: vouchKeys as unknown as VouchKeys });
    assert.equal((r as { code?: string }).code, 'MANIFEST_KEY_UNKNOWN', JSON.stringify(vouchKeys));
  }
});
