// One signature cache (the SDK's SignatureCache) per app and kind of token, with its two metrics on the app's
// registry: a token presented again (an agent sends the same token with every call) skips its signature check, the
// costliest step of a verification. Only the signature is remembered; every other check runs on each presentation.
import { createSignatureCache } from '@vouch/sdk';
import type { SignatureCache } from '@vouch/sdk';
import type { AppContext } from './context.ts';
import { readMetric } from './http/metrics.ts';
import { perApp } from './per-app.ts';

/** Tokens remembered per app and kind (a clock drops one not presented lately); ~1 KiB each, none over 2 KiB. */
export const SIGNATURE_CACHE_ENTRIES = 4096;

export interface SignatureCacheKind {
  /** Metric name prefix: `<prefix>_lookups_total{result}` and `<prefix>_entries`. */
  prefix: string;
  /** What is verified, for the metrics' help text (e.g. "Token verifications"). */
  checks: string;
  /** What is remembered, for the entries gauge's help text (e.g. "Tokens"). */
  kept: string;
}

/**
 * A function giving each app its own cache of this kind; an app's first call registers the cache's metrics on the
 * app's registry. Separate kinds keep separate caches, so a flood of one kind cannot push out another.
 */
export function perAppSignatureCache(kind: SignatureCacheKind): (ctx: AppContext) => SignatureCache {
  return perApp((ctx) => {
    const c = createSignatureCache({ maxEntries: SIGNATURE_CACHE_ENTRIES });
    ctx.metrics.registry.registerMetric(
      readMetric(
        `${kind.prefix}_lookups_total`,
        `${kind.checks} by whether the signature was known good already (hit) or had to be checked (miss).`,
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
      readMetric(`${kind.prefix}_entries`, `${kind.kept} whose good signature is remembered.`, 'gauge', () => [
        { value: c.stats().size, labels: {} },
      ]),
    );
    return c;
  });
}
