import { sha256Hex } from '../hash/sha256.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import { cryptoOption } from '../lib/crypto-option.ts';
import type { CryptoProvider } from '../crypto/provider.ts';

/**
 * What an agent signs to record a message (`POST /api/v1/signatures/sign`), and what a verifier checks the signature
 * against: identity.app's `"<payloadHash>:<signedAt>"`, or, to make a public note its own,
 * `"<payloadHash>:<signedAt>:<SHA-256 hex of the note's UTF-8>"` (an empty note is no note). The agent, the verifier
 * and the server build it here, so the three cannot drift apart.
 *
 * @example
 * ```ts
 * await signedMessageText(payloadHash, 1700000000000); // '<64 hex>:1700000000000'
 * await signedMessageText(payloadHash, 1700000000000, 'Q3 figures'); // '<64 hex>:1700000000000:<64 hex>'
 * ```
 */
export async function signedMessageText(
  payloadHash: string,
  signedAt: number,
  publicNote?: string | null,
  crypto?: CryptoProvider,
): Promise<string> {
  const provider = cryptoOption(crypto, getDefaultCrypto); // null: the default; a non-provider: INVALID_ARGUMENT
  const base = `${payloadHash}:${signedAt}`;
  return publicNote === undefined || publicNote === null || publicNote === ''
    ? base
    : `${base}:${await sha256Hex(publicNote, provider)}`;
}
