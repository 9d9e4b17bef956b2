import { createHash } from 'node:crypto';
import { VouchError } from '../errors.ts';
import { encodeBase64url } from '../encoding/base64url.ts';
import { formatPublicKey } from '../keys/format.ts';
import { isPublicKey, type PublicKey } from '../keys/key.ts';
import { parsePublicKey } from '../keys/parse-public.ts';

/**
 * A registry's id: the RFC 7638 JWK thumbprint of its Ed25519 root public key (base64url SHA-256 of
 * `{"crv":"Ed25519","kty":"OKP","x":"…"}`), the same value `jwkThumbprint` gives. Proposals name it in `registry`.
 *
 * @example
 * ```ts
 * registryIdOf('ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo'); // 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k'
 * ```
 */
export function registryIdOf(rootKey: PublicKey | string): string {
  const key = isPublicKey(rootKey) ? rootKey : parsePublicKey(rootKey);
  if (key.type !== 'Ed25519') throw new VouchError('WRONG_CURVE', 'A registry root key is an Ed25519 key.');
  const x = formatPublicKey(key, 'jwk').x;
  // The required members in lexicographic order, no whitespace (RFC 7638 §3.3).
  const json = `{"crv":"Ed25519","kty":"OKP","x":"${x}"}`;
  return encodeBase64url(new Uint8Array(createHash('sha256').update(json).digest()));
}
