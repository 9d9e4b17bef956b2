import type { CryptoProvider } from '../crypto/provider.ts';
import type { PublicKey } from '../keys/key.ts';
import { validateRegistryDocument } from '../registry/document.ts';
import { verifyRegistry } from '../registry/verify.ts';
import type { LastSeen } from '../registry/verify.ts';
import type { RegistryDocument, RegistryVerification } from '../registry/types.ts';
import { failureOf, invalid } from './result.ts';
import type { VerifyResult } from './result.ts';

export interface VerifyTrustRegistryOptions {
  /** The registry's root key, pinned out of band (never taken from the document itself). */
  rootKey: PublicKey | string;
  now?: number;
  /** The last document this verifier accepted: refuses rollbacks. */
  lastSeen?: LastSeen;
  /** The longest a document may be valid, in seconds (`verifyRegistry`'s option); unset, any lifetime. */
  maxLifetimeSeconds?: number;
  crypto?: CryptoProvider;
}

/**
 * Verifies a cached trust registry document (`/.well-known/agent-trust.json`, as fetched: unknown JSON) with the
 * SDK's `verifyRegistry`: a malformed document is `REGISTRY_INVALID`, a failed rule its first failure's code; the
 * full report comes back either way when there is one. Keep `{sequence, chainHash}` as the next `lastSeen`.
 *
 * @example
 * ```ts
 * const r = await verifyTrustRegistry(cache.trustRegistry, { rootKey: 'ed25519:…' });
 * if (r.valid) checkIssuer(r.document, issuerId);
 * ```
 */
export async function verifyTrustRegistry(
  document: unknown,
  given: VerifyTrustRegistryOptions,
): Promise<
  VerifyResult<{ document: RegistryDocument; report: RegistryVerification }> & { report?: RegistryVerification }
> {
  if (document === undefined) return invalid('REGISTRY_UNAVAILABLE', 'No trust registry document is cached.');
  // null options: an object without members, so verifyRegistry refuses the missing rootKey (INVALID_ARGUMENT)
  const options: Partial<VerifyTrustRegistryOptions> = given ?? {};
  try {
    const doc = validateRegistryDocument(document);
    const report = await verifyRegistry(doc, {
      rootKey: options.rootKey as PublicKey | string,
      now: options.now,
      lastSeen: options.lastSeen,
      maxLifetimeSeconds: options.maxLifetimeSeconds,
      crypto: options.crypto,
    });
    if (report.valid) return { valid: true, document: doc, report };
    const first = report.failures[0];
    return { ...invalid(first?.code ?? 'REGISTRY_INVALID', first?.message ?? 'The registry is not valid.'), report };
  } catch (err) {
    return failureOf(err);
  }
}
