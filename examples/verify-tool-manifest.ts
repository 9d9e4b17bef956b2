// verifyToolManifest: an agent's tool list, signed by the server's tool-manifest key, checked offline.
// Run: VOUCH_SERVER=... node --import tsx examples/verify-tool-manifest.ts [slug]
import { fetchVerifierCache, generateKeyPair, verifyToolManifest } from '@vouch/sdk';
import { client, show } from './env.ts';

let slug = process.argv[2];
if (slug === undefined) {
  // No slug given: register one with a manifest first.
  slug = `tools-${Date.now().toString(36)}`;
  const key = await generateKeyPair('Ed25519');
  const reg = await client().identity.register({ slug, public_key_pem: key.publicKeyRegistry });
  const manager = client().withCredentials({ managementToken: reg.management_token });
  await manager.identity.setTools(slug, { tools: ['search', 'read_file'] });
}
const manifest = await client().identity.getTools(slug);
const cache = await fetchVerifierCache(client());
show({ slug, ...(await verifyToolManifest(manifest, cache)) });
