import type { CryptoProvider } from '../crypto/provider.ts';
import { capabilityKeysFromVouchKeys, checkCapability } from '../capability/token.ts';
import type { CapabilityDecision, CapabilityRequest } from '../capability/types.ts';
import type { RegistryDocument } from '../registry/types.ts';
import type { VouchKeys } from '../client/types.ts';
import { defaultCrypto } from '../client/runtime.ts';

export interface VerifyCapabilityOptions {
  now?: number;
  /** A registry document already verified (`verifyTrustRegistry`); needed for tokens bound to an issuer. */
  registry?: RegistryDocument;
  clockSkewSeconds?: number;
  crypto?: CryptoProvider;
}

/**
 * Decides offline whether a capability token lets `request.agentId` do `request.action` on `request.resource`: the
 * gateway's own checks (`checkCapability`) with its capability keys from the cached `/.well-known/vouch-keys.json`
 * and, for issuer-bound tokens, the verified registry. Token and agent revocations are known only to the gateway:
 * ask `client.capabilities.intercept` when they matter.
 *
 * @example
 * ```ts
 * const d = await verifyCapability(token, { agentId, resource: 'payments:invoices', action: 'read' }, cache);
 * if (d.decision === 'deny') console.log(d.code); // e.g. ISSUER_REVOKED
 * ```
 */
export function verifyCapability(
  token: string,
  request: CapabilityRequest,
  cache: { vouchKeys: VouchKeys },
  given?: VerifyCapabilityOptions,
): Promise<CapabilityDecision> {
  const options = given ?? {}; // null options: the defaults, as when absent
  const now = options.now ?? Date.now();
  return checkCapability(token, request, {
    // The keys' drops_at are compared with the same time as the token's.
    resolveKey: capabilityKeysFromVouchKeys(cache?.vouchKeys as unknown as { keys: Array<Record<string, unknown>> }, {
      now: () => now,
    }),
    now,
    clockSkewSeconds: options.clockSkewSeconds,
    registry: options.registry,
    crypto: options.crypto ?? defaultCrypto(),
  });
}
