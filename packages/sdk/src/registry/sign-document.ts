import { VouchError } from '../errors.ts';
import { encodeBase64url } from '../encoding/base64url.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { formatPublicKey } from '../keys/format.ts';
import { isPrivateKey, type PrivateKey } from '../keys/key.ts';
import { checkState } from './lib/ledger.ts';
import { DEFAULT_VALIDITY_SECONDS, toMs, type TimeInput } from './lib/time.ts';
import { registryDocumentSigningBytes } from './signing-bytes.ts';
import { REGISTRY_FORMAT_VERSION, type RegistryDocument, type RegistryState } from './types.ts';

/** 9999-12-31T23:59:59.999Z: the last time the registry's four-digit-year format can hold. */
const LAST_WRITABLE_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Options of {@link signRegistryDocument}. */
export interface SignRegistryOptions {
  /** The registry's root private key (its public half is the state's `rootKey`). */
  rootKey: PrivateKey;
  /** Becomes `updatedAt`; must not be earlier than the last step's `appliedAt`. */
  now: TimeInput;
  /** When the document stops being valid; default `now` + `validitySeconds`. */
  expiresAt?: TimeInput;
  /** Lifetime when `expiresAt` is not given; default 7 days. */
  validitySeconds?: number;
  crypto?: CryptoProvider;
}

/**
 * Renders a registry state as a document and signs it with the root key: `issuers`, `revoked`, `threshold` and
 * `sequence` exactly as the governance replay gives them, a fresh `updatedAt`/`expiresAt`, and `rootSignature`
 * over the RFC 8785 JSON of the rest. Signing the same state again later renews the expiry without changing the
 * sequence or the chain (what the authority does at half-life). Throws `REGISTRY_ROOT_MISMATCH` when the key is
 * not the state's root key.
 *
 * @example
 * ```ts
 * const doc = await signRegistryDocument(state, { rootKey, now: new Date(), validitySeconds: 7 * 86400 });
 * ```
 */
export async function signRegistryDocument(
  state: RegistryState,
  options: SignRegistryOptions,
): Promise<RegistryDocument> {
  if (!isPrivateKey(options?.rootKey) || options.rootKey.type !== 'Ed25519') {
    throw new VouchError('INVALID_KEY', 'The registry root key must be an Ed25519 private key created by the SDK.');
  }
  checkState(state);
  if (formatPublicKey(options.rootKey.publicKey, 'registry') !== state.rootKey) {
    throw new VouchError('REGISTRY_ROOT_MISMATCH', 'The private key is not the root key of this registry.');
  }
  const now = toMs(options.now, 'now');
  if (now < Date.parse(state.lastAppliedAt)) {
    throw new VouchError('INVALID_ARGUMENT', 'now is earlier than the last governance step.');
  }
  const validity = options.validitySeconds ?? DEFAULT_VALIDITY_SECONDS;
  if (options.expiresAt === undefined && !(Number.isFinite(validity) && validity > 0)) {
    throw new VouchError('INVALID_ARGUMENT', 'validitySeconds must be a positive number.');
  }
  const expires = options.expiresAt === undefined ? now + validity * 1000 : toMs(options.expiresAt, 'expiresAt');
  if (expires <= now) throw new VouchError('INVALID_ARGUMENT', 'expiresAt must be later than now.');
  // A later time prints as "+0…" (six-digit year), which no reader of the registry format accepts.
  if (!(expires <= LAST_WRITABLE_TIME)) {
    throw new VouchError('INVALID_ARGUMENT', 'expiresAt must be before the year 10000; give a shorter validity.');
  }
  const unsigned = {
    version: REGISTRY_FORMAT_VERSION,
    registry: state.registry,
    sequence: state.sequence,
    updatedAt: new Date(now).toISOString(),
    expiresAt: new Date(expires).toISOString(),
    issuers: [...state.issuers],
    revoked: [...state.revoked],
    threshold: { required: state.threshold.required, total: state.issuers.length },
    governance: [...state.governance],
  } satisfies Omit<RegistryDocument, 'rootSignature'>;
  const crypto = options.crypto ?? getDefaultCrypto();
  const bytes = registryDocumentSigningBytes(unsigned as RegistryDocument);
  const signature = await crypto.sign('EdDSA', options.rootKey, bytes);
  return { ...unsigned, rootSignature: `ed25519:${encodeBase64url(signature)}` };
}
