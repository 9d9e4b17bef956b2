// Each app remembers the tokens whose signature it has verified, so that a token presented again (an agent sends the
// same session token with every call) skips the P-256 verification: most of a verification's CPU. Only the signature
// is remembered. Everything else is checked again on every presentation: the key (a kid the keyring no longer serves
// fails before the cache is asked), times, audience and nonce, revocation, the agent's status and the session
// nonce's consumption.
import { perAppSignatureCache } from '../../signature-caches.ts';

/** The token signature cache of one app; the first call registers its metrics on the app's registry. */
export const signatureCacheOf = perAppSignatureCache({
  prefix: 'vouch_token_signature_cache',
  checks: 'Token verifications',
  kept: 'Tokens',
});
