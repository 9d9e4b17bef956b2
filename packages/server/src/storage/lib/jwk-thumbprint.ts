import { createHash } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';

/** RFC 7638 §3.2 required members, already in lexicographic order; OKP per RFC 8037 §2. */
const REQUIRED: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * RFC 7638 JWK thumbprint (SHA-256, base64url) of an EC or OKP public key: the hash of the JSON object of the
 * required members only, in lexicographic order, without whitespace. Member values are base64url or short
 * names, so JSON.stringify already produces the canonical form.
 */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members = typeof jwk.kty === 'string' ? REQUIRED[jwk.kty] : undefined;
  if (members === undefined) throw new TypeError('Only EC and OKP keys have a thumbprint here.');
  const canonical: Record<string, string> = {};
  for (const name of members) {
    const value = jwk[name];
    if (typeof value !== 'string') throw new TypeError(`The JWK lacks its "${name}" member.`);
    canonical[name] = value;
  }
  return createHash('sha256').update(JSON.stringify(canonical), 'utf8').digest('base64url');
}
