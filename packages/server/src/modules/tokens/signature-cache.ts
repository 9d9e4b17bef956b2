// Each app remembers the tokens whose signature it has verified (the SDK's SignatureCache), so that a token presented
// again (an agent sends the same session token with every call) skips the P-256 verification: most of a
// verification's CPU. Only the signature is remembered. Everything else is checked again on every presentation:
// the key (a kid the keyring no longer serves fails before the cache is asked), times, audience and nonce,
// revocation, the agent's status and the session nonce's consumption.
import { createSignatureCache } from '@vouch/sdk';
import type { SignatureCache } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { readMetric } from '../../http/metrics.ts';

/** Tokens remembered per app, least recently presented dropped first; about 1 KiB each (tokens over 2 KiB never). */
export const SIGNATURE_CACHE_ENTRIES = 4096;

const caches = new WeakMap<AppContext, SignatureCache>();

/** The signature cache of one app; the first call registers its metrics on the app's registry. */
export function signatureCacheOf(ctx: AppContext): SignatureCache {
  let cache = caches.get(ctx);
  if (cache === undefined) {
    const c = createSignatureCache({ maxEntries: SIGNATURE_CACHE_ENTRIES });
    cache = c;
    caches.set(ctx, c);
    ctx.metrics.registry.registerMetric(
      readMetric(
        'vouch_token_signature_cache_lookups_total',
        'Token verifications by whether the signature was known good already (hit) or had to be checked (miss).',
        'counter',
        () => {
          const { hits, misses } = c.stats();
          return [
            { value: hits, labels: { result: 'hit' } },
            { value: misses, labels: { result: 'miss' } },
          ];
        },
      ),
    );
    ctx.metrics.registry.registerMetric(
      readMetric('vouch_token_signature_cache_entries', 'Tokens whose good signature is remembered.', 'gauge', () => [
        { value: c.stats().size, labels: {} },
      ]),
    );
  }
  return cache;
}
