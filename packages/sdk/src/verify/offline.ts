// One object over a verifier cache with the six checks named as in issue 8; each works offline.
import type { CryptoProvider } from '../crypto/provider.ts';
import type { PublicKey } from '../keys/key.ts';
import { verifyAgentCredential as verifyCredential } from '../capability/credential.ts';
import type { VerifiedAgentCredential } from '../capability/credential.ts';
import type { CapabilityDecision, CapabilityRequest } from '../capability/types.ts';
import type { LastSeen } from '../registry/verify.ts';
import type { ToolManifest } from '../client/types.ts';
import { defaultCrypto } from '../client/runtime.ts';
import { VouchError } from '../errors.ts';
import type { VerifierCache } from './cache.ts';
import { verifyCapability } from './capability.ts';
import { verifyContent } from './content.ts';
import { optionsObject } from '../lib/options-object.ts';
import { cryptoOption } from '../lib/crypto-option.ts';
import { functionOption } from '../lib/function-option.ts';
import { failureOf, invalid } from './result.ts';
import type { VerifyResult } from './result.ts';
import { verifyToken } from './token.ts';
import type { VerifyTokenOptions } from './token.ts';
import { verifyToolManifest } from './tool-manifest.ts';
import { verifyTrustRegistry } from './registry.ts';

export interface OfflineVerifierOptions {
  /** The trust registry's root key, pinned out of band; without it registry-bound checks fail. */
  rootKey?: PublicKey | string;
  lastSeen?: LastSeen;
  /** The longest the registry document may be valid, in seconds (`verifyRegistry`'s option); unset, any lifetime. */
  maxLifetimeSeconds?: number;
  /** Reference time, ms (default: `Date.now()` at each call). */
  now?: () => number;
  crypto?: CryptoProvider;
}

/**
 * Verifier helpers bound to one cache (see `fetchVerifierCache`): `verifyToken`, `verifyRegistry`,
 * `verifyAgentCredential`, `verifyCapability`, `verifyToolManifest`, `verifyContent` — no network. A cache that is not
 * an object, a `now` that is not a function or a `crypto` that is not a provider throws `INVALID_ARGUMENT`; a cache
 * whose members are of the wrong type is answered `INVALID_ARGUMENT` by the helpers that read them.
 *
 * @example
 * ```ts
 * const v = createOfflineVerifier(JSON.parse(fs.readFileSync('vouch-cache.json', 'utf8')), { rootKey });
 * (await v.verifyToken(token)).valid;
 * ```
 */
export function createOfflineVerifier(cache: VerifierCache, given?: OfflineVerifierOptions) {
  const options = given ?? {}; // null options: the defaults, as when absent
  if (typeof cache !== 'object' || cache === null) {
    throw new VouchError('INVALID_ARGUMENT', 'The verifier cache must be an object (see fetchVerifierCache).');
  }
  // Checked now, as the AIP verifier and the client check theirs: not a raw TypeError out of every later check.
  const crypto = cryptoOption(options.crypto, defaultCrypto);
  const now = functionOption(options.now, () => Date.now(), 'now');
  // A null rootKey (settings read from JSON) pins nothing, as an absent one.
  const rootKey = options.rootKey ?? undefined;

  // `at`: the instant of the whole verification, so the registry and what it vouches for are judged together.
  const registry = (at = now()) => {
    if (rootKey === undefined) {
      return Promise.resolve(invalid('INVALID_ARGUMENT', 'Pin the registry root key (rootKey) to check it.'));
    }
    return verifyTrustRegistry(cache.trustRegistry, {
      rootKey,
      now: at,
      lastSeen: options.lastSeen,
      maxLifetimeSeconds: options.maxLifetimeSeconds,
      crypto,
    });
  };

  return {
    cache,
    async verifyToken(token: string, given?: Omit<VerifyTokenOptions, 'crypto' | 'now'>) {
      let opts: Omit<VerifyTokenOptions, 'crypto' | 'now'>;
      try {
        opts = optionsObject(given, 'verifyToken'); // spread below: a string would become {0: 'b', 1: 'a', ...}
      } catch (err) {
        return failureOf(err);
      }
      return verifyToken(token, cache, { ...opts, now: now(), crypto });
    },
    verifyRegistry: () => registry(),
    async verifyAgentCredential(
      credential: string,
      given?: { agentId?: string; resource?: string; action?: string },
    ): Promise<VerifyResult<{ credential: VerifiedAgentCredential }>> {
      let expect: { agentId?: string; resource?: string; action?: string };
      try {
        expect = optionsObject(given, 'verifyAgentCredential'); // null: no expectation, as when absent
      } catch (err) {
        return failureOf(err);
      }
      const at = now();
      const reg = await registry(at);
      if (!reg.valid) return invalid(reg.code, reg.error);
      try {
        return {
          valid: true,
          credential: await verifyCredential(credential, { ...expect, registry: reg.document, now: at, crypto }),
        };
      } catch (err) {
        return failureOf(err);
      }
    },
    async verifyCapability(token: string, request: CapabilityRequest): Promise<CapabilityDecision> {
      const at = now();
      const reg = rootKey === undefined ? undefined : await registry(at);
      return verifyCapability(token, request, cache, {
        now: at,
        registry: reg?.valid === true ? reg.document : undefined,
        crypto,
      });
    },
    verifyToolManifest: (manifest: ToolManifest) => verifyToolManifest(manifest, cache, { crypto }),
    verifyContent: (signatureHash: string, content: string | Uint8Array) => {
      const records: unknown = cache.signatures;
      if (typeof records !== 'object' || records === null || Array.isArray(records)) {
        return Promise.resolve(invalid('INVALID_ARGUMENT', "The cache's signatures member is not an object."));
      }
      // Own records only: a hash named like an inherited member (constructor, __proto__) is not in the cache.
      const record = Object.hasOwn(cache.signatures, signatureHash) ? cache.signatures[signatureHash] : undefined;
      if (record === undefined) {
        return Promise.resolve(invalid('NOT_FOUND', 'The cache holds no record of this signature hash.'));
      }
      return verifyContent(signatureHash, content, { record, crypto });
    },
  };
}

export type OfflineVerifier = ReturnType<typeof createOfflineVerifier>;
