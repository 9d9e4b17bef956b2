import { VouchError } from '../errors.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { isPrivateKey, type PrivateKey } from '../keys/key.ts';
import { applyGenesis } from './apply.ts';
import type { TimeInput } from './lib/time.ts';
import { signRegistryDocument } from './sign-document.ts';
import type { IssuerEntry, RegistryDocument } from './types.ts';

/** Options of {@link createGenesis}. */
export interface CreateGenesisOptions {
  /** The root private key: it signs this and every later document. */
  rootKey: PrivateKey;
  /** The founding issuers (at least 3, distinct ids and keys). */
  issuers: readonly IssuerEntry[];
  /** Co-signatures every later change needs: 2 ≤ threshold ≤ issuers − 1. */
  threshold: number;
  /** Genesis `appliedAt` and the document's `updatedAt`. */
  now: TimeInput;
  expiresAt?: TimeInput;
  /** Default 7 days. */
  validitySeconds?: number;
  crypto?: CryptoProvider;
}

/**
 * Creates a registry: the genesis step (the only step the root key signs alone) and the first signed document,
 * sequence 1. Errors as `applyGenesis` and `signRegistryDocument`.
 *
 * @example
 * ```ts
 * const doc = await createGenesis({ rootKey: root.privateKey, issuers: [a, b, c, d, e], threshold: 3, now: new Date() });
 * ```
 */
export async function createGenesis(options: CreateGenesisOptions): Promise<RegistryDocument> {
  if (!isPrivateKey(options?.rootKey)) {
    throw new VouchError('INVALID_KEY', 'The registry root key must be a private key created by the SDK.');
  }
  const { state } = applyGenesis({
    rootKey: options.rootKey.publicKey,
    issuers: options.issuers,
    threshold: options.threshold,
    appliedAt: options.now,
  });
  return signRegistryDocument(state, {
    rootKey: options.rootKey,
    now: options.now,
    ...(options.expiresAt !== undefined ? { expiresAt: options.expiresAt } : {}),
    ...(options.validitySeconds !== undefined ? { validitySeconds: options.validitySeconds } : {}),
    ...(options.crypto !== undefined ? { crypto: options.crypto } : {}),
  });
}
