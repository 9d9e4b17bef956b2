// Internal helpers of capability/: strict Ed25519 JWS checks with caller-chosen error codes, claim readers, and
// per-entry caches of a registry issuer's parsed key and thumbprint (documents are immutable once verified).
import { VouchError, type VouchErrorCode } from '../errors.ts';
import { encodeBase64url } from '../encoding/base64url.ts';
import { encodeUtf8 } from '../encoding/utf8.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { parseStrict } from '../json/parse-strict.ts';
import { decodeJws } from '../jwt/decode.ts';
import { FORBIDDEN_HEADER_MEMBERS, MAX_TOKEN_LENGTH, type DecodedJws } from '../jwt/types.ts';
import type { SignatureCacheInternal } from '../jwt/signature-cache.ts';
import type { PublicKey } from '../keys/key.ts';
import { parsePublicKey } from '../keys/parse-public.ts';
import { jwkThumbprint } from '../keys/thumbprint.ts';
import type { GovernanceStep, IssuerEntry, RegistryDocument } from '../registry/types.ts';
import { nowMsOf } from '../lib/time-options.ts';

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

/** Characters of an Ed25519 signature (64 bytes) in base64url. */
const SIGNATURE_CHARS = 86;

/**
 * Signs `payload` as a compact EdDSA JWS with the given header members. `INVALID_ARGUMENT` when it would be longer
 * than the verifiers decode (MAX_TOKEN_LENGTH): nothing is signed that no verifier could read (a credential's long
 * scope list).
 */
export async function signEd25519Jws(
  header: { typ: string; kid: string },
  payload: Record<string, unknown>,
  sign: (data: Uint8Array) => Promise<Uint8Array>,
  what: string,
): Promise<string> {
  const input = `${encodeBase64url(JSON.stringify({ alg: 'EdDSA', typ: header.typ, kid: header.kid }))}.${encodeBase64url(
    JSON.stringify(payload),
  )}`;
  const length = input.length + 1 + SIGNATURE_CHARS;
  if (length > MAX_TOKEN_LENGTH) {
    throw new VouchError(
      'INVALID_ARGUMENT',
      `The ${what} would be ${length} characters, more than the ${MAX_TOKEN_LENGTH} characters a verifier reads.`,
    );
  }
  return `${input}.${encodeBase64url(await sign(encodeUtf8(input)))}`;
}

/**
 * The time a signer stamps, ms: `now` (ms or a Date), default the current time; `INVALID_ARGUMENT` unless it is a
 * finite number, 0 or more (NaN or an invalid Date signed `"iat": null`, which every verifier refuses).
 */
export function signingMs(now: number | Date | undefined): number {
  return nowMsOf(now === undefined ? Date.now() : now instanceof Date ? now.getTime() : now);
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

/** When an issuer's key stopped being its registry key (ms, the step's `appliedAt`), and whether it was removed. */
export interface IssuerKeyLapse {
  at: number;
  removed: boolean;
}

const keyLapses = new WeakMap<RegistryDocument, Map<string, Map<string, IssuerKeyLapse>>>();

/** Replays governance: for each issuer and key, the last step that removed the issuer or rotated that key away. */
function replayKeyLapses(governance: readonly GovernanceStep[]): Map<string, Map<string, IssuerKeyLapse>> {
  const current = new Map<string, string>();
  const out = new Map<string, Map<string, IssuerKeyLapse>>();
  const lapse = (id: string, at: number, removed: boolean): void => {
    const key = current.get(id);
    if (key === undefined) return;
    let byKey = out.get(id);
    if (byKey === undefined) out.set(id, (byKey = new Map()));
    byKey.set(key, { at, removed });
  };
  for (const step of governance) {
    const at = Date.parse(step.appliedAt);
    if (step.kind === 'genesis') {
      for (const e of step.issuers) current.set(e.id, e.publicKey);
    } else if (step.kind === 'admit') {
      current.set(step.entry.id, step.entry.publicKey);
    } else {
      const p = step.proposal;
      const id = p.subject ?? p.entry?.id;
      if (id === undefined) continue;
      if (p.action === 'remove') {
        lapse(id, at, true);
        current.delete(id);
      } else if ((p.action === 'add' || p.action === 'update') && p.entry !== undefined) {
        if (current.get(id) !== p.entry.publicKey) lapse(id, at, false);
        current.set(id, p.entry.publicKey);
      }
    }
  }
  return out;
}

/**
 * The last time the active issuer's current key stopped being its registry key — the issuer removed, or the key
 * rotated away — before governance put it back (re-admission, or a rotation back); undefined if it never did. A
 * token bound to that key and issued before then was denied in between, and must stay denied. Replayed once per
 * (immutable, verified) document.
 *
 * @example
 * ```ts
 * const lapse = issuerKeyLapse(doc, entry);
 * if (lapse !== undefined && iat * 1000 <= lapse.at) deny();
 * ```
 */
export function issuerKeyLapse(doc: RegistryDocument, entry: IssuerEntry): IssuerKeyLapse | undefined {
  let byIssuer = keyLapses.get(doc);
  if (byIssuer === undefined) {
    byIssuer = replayKeyLapses(Array.isArray(doc.governance) ? doc.governance : []);
    keyLapses.set(doc, byIssuer);
  }
  return byIssuer.get(entry.id)?.get(entry.publicKey);
}
