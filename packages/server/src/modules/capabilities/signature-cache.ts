// Each app remembers the capability tokens and agent credentials whose Ed25519 signature it has checked, so that
// one presented again (an agent sends the same capability token with every call its gateway intercepts) skips the
// signature check. Only the signature is remembered: the key (by kid, or the issuer's current registry key), the
// claims, the request, revocation of the token and its ancestors, the agent and the issuer's standing in the
// registry are checked on every presentation.
import { perAppSignatureCache } from '../../signature-caches.ts';

/** The gateway's signature cache of one app; the first call registers its metrics on the app's registry. */
export const capabilitySignatureCacheOf = perAppSignatureCache({
  prefix: 'vouch_capability_signature_cache',
  checks: 'Capability token and agent credential checks',
  kept: 'Capability tokens and agent credentials',
});
