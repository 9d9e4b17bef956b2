// verifyRegistry: the trust registry document checked offline against a root key pinned out of band.
// Run: VOUCH_SERVER=... VOUCH_ROOT_KEY=ed25519:... node --import tsx examples/verify-registry.ts
import { fetchVerifierCache, verifyTrustRegistry } from '@vouch/sdk';
import { client, show } from './env.ts';

const rootKey = process.env.VOUCH_ROOT_KEY;
if (rootKey === undefined) {
  console.error('Pin the registry root key: set VOUCH_ROOT_KEY (vouch registry root-key shows it on the server).');
  process.exit(2);
}
const cache = await fetchVerifierCache(client());
const result = await verifyTrustRegistry(cache.trustRegistry, { rootKey });
show(
  result.valid
    ? { valid: true, sequence: result.document.sequence, issuers: result.document.issuers.map((i) => i.id) }
    : result,
);
