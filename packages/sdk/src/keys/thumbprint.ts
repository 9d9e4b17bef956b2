import { VouchError } from '../errors.ts';
import { encodeBase64url } from '../encoding/base64url.ts';
import { encodeUtf8 } from '../encoding/utf8.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import { cryptoOption } from '../lib/crypto-option.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { canonicalize } from '../json/canonicalize.ts';
import { isPrivateKey, isPublicKey, publicKeyBytes, type PrivateKey, type PublicKey } from './key.ts';
import { publicJwkFromBytes } from './jwk.ts';

// RFC 7638 §3.2: the required members of each key type, which alone enter the thumbprint.
const REQUIRED: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
  oct: ['k', 'kty'],
};

/**
 * RFC 7638 JWK thumbprint: base64url(SHA-256(JSON of the required members, sorted, no whitespace)). Takes a JWK
 * (EC, OKP, RSA or oct; other members are ignored, so a private JWK has its public key's thumbprint) or an SDK key.
 * Useful as a stable `kid`.
 *
 * @example
 * ```ts
 * await jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' });
 * // 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k'
 * ```
 */
export async function jwkThumbprint(
  key: PublicKey | PrivateKey | { readonly [member: string]: unknown },
  crypto?: CryptoProvider,
): Promise<string> {
  const provider = cryptoOption(crypto, getDefaultCrypto); // null: the default; a non-provider: INVALID_ARGUMENT
  let jwk: { readonly [member: string]: unknown };
  if (isPublicKey(key)) jwk = publicJwkFromBytes(key.type, publicKeyBytes(key));
  else if (isPrivateKey(key)) jwk = publicJwkFromBytes(key.type, publicKeyBytes(key.publicKey));
  else if (typeof key === 'object' && key !== null) jwk = key;
  else throw new VouchError('INVALID_KEY', 'Expected a JWK object or a key created by the Vouch SDK.');
  const kty = jwk.kty;
  const members = typeof kty === 'string' && Object.hasOwn(REQUIRED, kty) ? REQUIRED[kty] : undefined;
  if (members === undefined) {
    throw new VouchError('UNSUPPORTED_KEY_TYPE', 'The JWK key type has no thumbprint definition (EC, OKP, RSA, oct).');
  }
  const required: Record<string, string> = {};
  for (const m of members) {
    const v = jwk[m];
    if (typeof v !== 'string') throw new VouchError('INVALID_KEY', `The JWK member "${m}" is missing or not a string.`);
    required[m] = v;
  }
  return encodeBase64url(await provider.sha256(encodeUtf8(canonicalize(required))));
}
