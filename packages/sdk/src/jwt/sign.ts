import { VouchError } from '../errors.ts';
import { encodeBase64url } from '../encoding/base64url.ts';
import { encodeUtf8 } from '../encoding/utf8.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import type { CryptoProvider, SignatureAlgorithm } from '../crypto/provider.ts';
import { algorithmFor } from '../crypto/algorithms.ts';
import type { PrivateKey } from '../keys/key.ts';
import type { JwsHeader, JwtClaims } from './types.ts';
import { FORBIDDEN_HEADER_MEMBERS } from './types.ts';

export interface SignJwtOptions {
  /** Key id placed in the header; verifiers pick the key strictly by it. */
  kid: string;
  /** Header `typ`, e.g. `agent-identity+jwt`. */
  typ?: string;
  crypto?: CryptoProvider;
}

/**
 * Signs claims as a compact JWT with the key's algorithm (ES256 for P-256, EdDSA for Ed25519).
 *
 * @example
 * ```ts
 * const token = await signJwt({ sub: did, iss, iat, exp, jti }, privateKey, { kid, typ: 'agent-identity+jwt' });
 * ```
 */
export async function signJwt(claims: JwtClaims, privateKey: PrivateKey, options: SignJwtOptions): Promise<string> {
  const alg: SignatureAlgorithm = algorithmFor(privateKey.type);
  if (typeof options.kid !== 'string' || options.kid.length === 0) {
    throw new VouchError('INVALID_ARGUMENT', 'A JWT needs a kid.');
  }
  const header: JwsHeader = { alg, kid: options.kid };
  if (options.typ !== undefined) header.typ = options.typ;
  for (const m of FORBIDDEN_HEADER_MEMBERS) if (m in header) throw new VouchError('INVALID_ARGUMENT', `No "${m}".`);
  const signingInput = `${encodeBase64url(JSON.stringify(header))}.${encodeBase64url(JSON.stringify(claims))}`;
  const crypto = options.crypto ?? getDefaultCrypto();
  const signature = await crypto.sign(alg, privateKey, encodeUtf8(signingInput));
  return `${signingInput}.${encodeBase64url(signature)}`;
}
