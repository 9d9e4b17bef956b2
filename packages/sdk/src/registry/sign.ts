import { VouchError } from '../errors.ts';
import { encodeBase64url } from '../encoding/base64url.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { isPrivateKey, type PrivateKey } from '../keys/key.ts';
import { issuerId as checkIssuerId, root } from './lib/shape.ts';
import { toIso, type TimeInput } from './lib/time.ts';
import { validateProposal } from './proposal.ts';
import { proposalSigningBytes } from './signing-bytes.ts';
import type { IssuerSignature, Proposal } from './types.ts';

/** Who signs, and when it says it signed. */
export interface CoSignOptions {
  /** The co-signer's issuer id in the registry. */
  issuerId: string;
  /** Recorded as `signedAt` (informational, not signed). Defaults to now. */
  signedAt?: TimeInput;
  crypto?: CryptoProvider;
}

async function coSignature(
  bytes: Uint8Array,
  privateKey: PrivateKey,
  existing: readonly IssuerSignature[],
  subject: string | undefined,
  options: CoSignOptions,
): Promise<IssuerSignature> {
  if (!isPrivateKey(privateKey) || privateKey.type !== 'Ed25519') {
    throw new VouchError('INVALID_KEY', 'Registry co-signatures need an Ed25519 private key created by the SDK.');
  }
  const issuerId = checkIssuerId(options?.issuerId, root('options', 'issuerId'));
  if (issuerId === subject) {
    throw new VouchError(
      'INVALID_ARGUMENT',
      `Issuer ${issuerId} is the subject and cannot co-sign it; it would not count.`,
    );
  }
  if (existing.some((s) => s.issuerId === issuerId)) {
    throw new VouchError(
      'INVALID_ARGUMENT',
      `Issuer ${issuerId} has already signed; a second signature would not count.`,
    );
  }
  const crypto = options.crypto ?? getDefaultCrypto();
  const signature = await crypto.sign('EdDSA', privateKey, bytes);
  return {
    issuerId,
    signature: `ed25519:${encodeBase64url(signature)}`,
    signedAt: toIso(options.signedAt ?? new Date(), 'signedAt'),
  };
}

/**
 * Adds a co-signature to a proposal: Ed25519 over `proposalSigningBytes(proposal)`, which names the registry, the
 * sequence it applies to and its deadline. Returns a new proposal. Refuses (`INVALID_ARGUMENT`) a signature by the
 * proposal's subject or a second one by the same issuer. (Issuer entries are not co-signed on their own: their
 * admission is an `add` proposal.)
 *
 * @example
 * ```ts
 * const signed = await signProposal(proposal, qntmKey, { issuerId: 'qntm', signedAt: now });
 * ```
 */
export async function signProposal(
  proposal: Proposal,
  privateKey: PrivateKey,
  options: CoSignOptions,
): Promise<Proposal> {
  const valid = validateProposal(proposal);
  const sig = await coSignature(proposalSigningBytes(valid), privateKey, valid.signatures, valid.subject, options);
  return { ...valid, signatures: [...valid.signatures, sig] };
}
