// Internal helpers of capability/: strict Ed25519 JWS checks with caller-chosen error codes, claim readers, and
// per-entry caches of a registry issuer's parsed key and thumbprint (documents are immutable once verified).
import { VouchError, type VouchErrorCode } from '../errors.ts';
import { encodeBase64url } from '../encoding/base64url.ts';
import { encodeUtf8 } from '../encoding/utf8.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { parseStrict } from '../json/parse-strict.ts';
import { decodeJws } from '../jwt/decode.ts';
import { FORBIDDEN_HEADER_MEMBERS, type DecodedJws } from '../jwt/types.ts';
import type { SignatureCacheInternal } from '../jwt/signature-cache.ts';
import type { PublicKey } from '../keys/key.ts';
import { parsePublicKey } from '../keys/parse-public.ts';
import { jwkThumbprint } from '../keys/thumbprint.ts';
import type { IssuerEntry } from '../registry/types.ts';

/** A decoded compact JWS with its payload parsed as a strict-JSON object. */
export interface ParsedJws {
  jws: DecodedJws;
  payload: Record<string, unknown>;
}

/**
 * Decodes a compact JWS that must be `alg: EdDSA` with header `typ`, a string `kid` and no member that picks its own
 * key; the payload must be a strict-JSON object. Any failure throws `code`.
 */
export function parseEd25519Jws(token: unknown, typ: string, code: VouchErrorCode, what: string): ParsedJws {
  let jws: DecodedJws;
  try {
    jws = decodeJws(token as string);
  } catch {
    throw new VouchError(code, `The ${what} is not a compact JWS.`);
  }
  const { header } = jws;
  if (header.alg !== 'EdDSA') throw new VouchError(code, `The ${what} is not signed with EdDSA.`);
  if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== typ) {
    throw new VouchError(code, `The ${what} header typ is not ${typ}.`);
  }
  if (typeof header.kid !== 'string' || header.kid.length === 0) {
    throw new VouchError(code, `The ${what} header has no kid.`);
  }
  for (const m of FORBIDDEN_HEADER_MEMBERS) {
    if (m in header) throw new VouchError(code, `The ${what} header carries "${m}", which is never honoured.`);
  }
  let payload: unknown;
  try {
    payload = parseStrict(jws.payload, { maxDepth: 8 });
  } catch {
    throw new VouchError(code, `The ${what} payload is not strict JSON.`);
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new VouchError(code, `The ${what} payload is not a JSON object.`);
  }
  return { jws, payload: payload as Record<string, unknown> };
}

/**
 * Whether the JWS signature verifies with `key` (Ed25519). With `cache` and the JWS's compact text `token`, a text
 * the cache holds under this key is answered without a check, and a good signature is noted in it.
 */
export async function ed25519Verifies(
  jws: DecodedJws,
  key: PublicKey,
  crypto?: CryptoProvider,
  cache?: SignatureCacheInternal,
  token?: string,
): Promise<boolean> {
  if (key.type !== 'Ed25519') return false;
  if (token !== undefined && cache?.has(token, jws.signature, key)) return true;
  const good = await (crypto ?? getDefaultCrypto()).verify('EdDSA', key, jws.signature, jws.signingInput);
  if (good && token !== undefined) cache?.add(token, jws.signature, key);
  return good;
}

/** Signs `payload` as a compact EdDSA JWS with the given header members. */
export async function signEd25519Jws(
  header: { typ: string; kid: string },
  payload: Record<string, unknown>,
  sign: (data: Uint8Array) => Promise<Uint8Array>,
): Promise<string> {
  const input = `${encodeBase64url(JSON.stringify({ alg: 'EdDSA', typ: header.typ, kid: header.kid }))}.${encodeBase64url(
    JSON.stringify(payload),
  )}`;
  return `${input}.${encodeBase64url(await sign(encodeUtf8(input)))}`;
}

/** An integer number of seconds (a JWT time). */
export function isSeconds(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** A non-empty string of at most `max` characters without control characters. */
export function isId(v: unknown, max = 256): v is string {
  // eslint-disable-next-line no-control-regex
  return typeof v === 'string' && v.length > 0 && v.length <= max && !/[\u0000-\u001f\u007f]/.test(v);
}

const issuerKeys = new WeakMap<IssuerEntry, PublicKey>();
const issuerThumbprints = new WeakMap<IssuerEntry, Promise<string>>();

/** The issuer's current registry key, parsed once per (immutable) entry object. */
export function issuerPublicKey(entry: IssuerEntry): PublicKey {
  let key = issuerKeys.get(entry);
  if (key === undefined) {
    key = parsePublicKey(entry.publicKey, { type: 'Ed25519' });
    issuerKeys.set(entry, key);
  }
  return key;
}

/**
 * RFC 7638 thumbprint of an issuer's current registry key (what a capability token's `ikt` records), computed once
 * per entry object.
 *
 * @example
 * ```ts
 * const found = checkIssuer(doc, 'acme');
 * if (found.status === 'active') console.log(await issuerKeyThumbprint(found.issuer));
 * ```
 */
export function issuerKeyThumbprint(entry: IssuerEntry): Promise<string> {
  let t = issuerThumbprints.get(entry);
  if (t === undefined) {
    t = jwkThumbprint(issuerPublicKey(entry));
    issuerThumbprints.set(entry, t);
  }
  return t;
}
