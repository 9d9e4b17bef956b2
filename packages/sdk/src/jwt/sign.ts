import { VouchError } from '../errors.ts';
import { encodeBase64url } from '../encoding/base64url.ts';
import { encodeUtf8 } from '../encoding/utf8.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import type { CryptoProvider, SignatureAlgorithm } from '../crypto/provider.ts';
import { algorithmFor, assertKey } from '../crypto/algorithms.ts';
import type { PrivateKey } from '../keys/key.ts';
import type { JwsHeader, JwtClaims } from './types.ts';
import { FORBIDDEN_HEADER_MEMBERS, MAX_JWT_JSON_DEPTH } from './types.ts';
import { hasLoneSurrogate } from '../json/types.ts';

// JSON.stringify writes NaN and ±Infinity as null and a lone surrogate as a \u escape, which every verifier refuses
// (or reads as a null never written): such a value is refused before signing. Only a text holding "null" or a
// surrogate escape can hide one, so only such a text is walked again. A header or claims set is a JSON object
// (RFC 7519 §7.2): any other text (null, a list, a toJSON giving a string) is refused too, as is a value
// JSON.stringify throws on (a BigInt, a cycle).
function jsonText(value: unknown, what: string): string {
  const refuse = (): never => {
    throw new VouchError('INVALID_ARGUMENT', `The JWT ${what} hold NaN, Infinity or a lone surrogate.`);
  };
  let text: string | undefined;
  try {
    text = JSON.stringify(value) as string | undefined;
  } catch (err) {
    throw new VouchError('INVALID_ARGUMENT', `The JWT ${what} are not JSON (a BigInt or a cycle).`, { cause: err });
  }
  if (text === undefined || text.charCodeAt(0) !== 0x7b) {
    throw new VouchError('INVALID_ARGUMENT', `The JWT ${what} are not a JSON object.`);
  }
  if (deeperThan(text, MAX_JWT_JSON_DEPTH)) {
    throw new VouchError('INVALID_ARGUMENT', `The JWT ${what} are nested deeper than ${MAX_JWT_JSON_DEPTH} levels.`);
  }
  if (text.includes('null') || /\\ud[89a-f]/.test(text)) {
    JSON.stringify(value, (key: string, v: unknown) =>
      hasLoneSurrogate(key) ||
      (typeof v === 'number' && !Number.isFinite(v)) ||
      (typeof v === 'string' && hasLoneSurrogate(v))
        ? refuse()
        : v,
    );
  }
  return text;
}

/** Whether JSON `text` nests more than `max` objects and arrays: the verifiers would refuse it (JSON_TOO_DEEP). */
function deeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string, escapes included: its brackets are text.
      for (i++; text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

export interface SignJwtOptions {
  /** Key id placed in the header; verifiers pick the key strictly by it. */
  kid: string;
  /** Header `typ`, e.g. `agent-identity+jwt`. */
  typ?: string;
  crypto?: CryptoProvider;
}

/**
 * Signs claims as a compact JWT with the key's algorithm (ES256 for P-256, EdDSA for Ed25519). Claims (or a `kid`,
 * `typ`) holding NaN, ±Infinity or a lone surrogate, claims that are not a JSON object or are nested deeper than the
 * verifiers read (16 levels), all of which no verifier would accept as written, throw `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const token = await signJwt({ sub: did, iss, iat, exp, jti }, privateKey, { kid, typ: 'agent-identity+jwt' });
 * ```
 */
export async function signJwt(claims: JwtClaims, privateKey: PrivateKey, options: SignJwtOptions): Promise<string> {
  if (typeof options !== 'object' || options === null) {
    throw new VouchError('INVALID_ARGUMENT', 'signJwt needs options with a kid.');
  }
  assertKey(privateKey, 'private'); // before its type is read: null is INVALID_KEY, never a TypeError
  const alg: SignatureAlgorithm = algorithmFor(privateKey.type);
  if (typeof options.kid !== 'string' || options.kid.length === 0) {
    throw new VouchError('INVALID_ARGUMENT', 'A JWT needs a kid.');
  }
  const header: JwsHeader = { alg, kid: options.kid };
  // A typ is a string (RFC 7515 4.1.9); null, a setting read from JSON, is an absent one.
  const typ: unknown = options.typ ?? undefined;
  if (typ !== undefined) {
    if (typeof typ !== 'string') throw new VouchError('INVALID_ARGUMENT', 'A JWT typ must be a string.');
    header.typ = typ;
  }
  for (const m of FORBIDDEN_HEADER_MEMBERS) if (m in header) throw new VouchError('INVALID_ARGUMENT', `No "${m}".`);
  const headerText = jsonText(header, 'header members');
  const signingInput = `${encodeBase64url(headerText)}.${encodeBase64url(jsonText(claims, 'claims'))}`;
  const crypto = options.crypto ?? getDefaultCrypto();
  const signature = await crypto.sign(alg, privateKey, encodeUtf8(signingInput));
  return `${signingInput}.${encodeBase64url(signature)}`;
}
