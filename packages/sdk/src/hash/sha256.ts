import { createHash } from 'node:crypto';
import { encodeHex } from '../encoding/hex.ts';
import { toBytes } from '../lib/bytes.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import { cryptoOption } from '../lib/crypto-option.ts';
import type { CryptoProvider } from '../crypto/provider.ts';

/**
 * SHA-256 of bytes (or of a string as UTF-8), as lowercase hex, through a {@link CryptoProvider} (default: Node).
 * Use this in code that must also run on WebCrypto; on Node prefer {@link sha256HexSync}, which is the same hash
 * without a promise.
 *
 * @example
 * ```ts
 * await sha256Hex('abc'); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export async function sha256Hex(input: Uint8Array | string, crypto?: CryptoProvider): Promise<string> {
  const provider = cryptoOption(crypto, getDefaultCrypto); // null: the default; a non-provider: INVALID_ARGUMENT
  return encodeHex(await provider.sha256(toBytes(input)));
}

/**
 * Synchronous SHA-256 as lowercase hex via `node:crypto`. Hashing is synchronous in OpenSSL and takes about a
 * microsecond for short inputs, so hot paths (proof of work, payload hashes) call it directly.
 *
 * @example
 * ```ts
 * sha256HexSync('abc'); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export function sha256HexSync(input: Uint8Array | string): string {
  return createHash('sha256').update(toBytes(input)).digest('hex');
}
