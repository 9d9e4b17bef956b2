import { parsePublicKey } from '../keys/parse-public.ts';
import type { PublicKey } from '../keys/key.ts';
import type { JwsHeader } from './types.ts';

/** Finds the key for a token by its header's `kid`; `undefined` (or `null`) when the kid is unknown. */
export type KeyResolver = (
  kid: string | undefined,
  header: JwsHeader,
) => PublicKey | undefined | Promise<PublicKey | undefined>;

/** A JSON Web Key Set as published at `jwks_uri`. */
export interface Jwks {
  keys: ReadonlyArray<Record<string, unknown>>;
}

/** The key ids Vouch issues are RFC 7638 thumbprints; anything outside this alphabet is never a known kid. */
const KID = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * Builds a resolver over a JWKS: signature keys only (`use` absent or `sig`, `key_ops` absent or with `verify`),
 * each by its `kid`; keys that do not
 * parse are skipped, and a `kid` listed twice is dropped entirely (ambiguous). Lookup is an exact match, so a `kid`
 * with path or SQL characters finds nothing.
 *
 * @example
 * ```ts
 * const resolveKey = keysFromJwks(await (await fetch(jwksUri)).json());
 * ```
 */
export function keysFromJwks(jwks: Jwks): KeyResolver {
  const byKid = new Map<string, PublicKey | null>();
  for (const jwk of Array.isArray(jwks?.keys) ? jwks.keys : []) {
    // A fetched JWKS is untrusted: `keys: [null, 1]` is skipped like any other key that does not parse.
    if (jwk === null || typeof jwk !== 'object') continue;
    const kid = jwk.kid;
    if (typeof kid !== 'string' || !KID.test(kid)) continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) continue;
    let key: PublicKey;
    try {
      key = parsePublicKey(jwk);
    } catch {
      continue;
    }
    byKid.set(kid, byKid.has(kid) ? null : key);
  }
  return (kid) => (kid !== undefined && KID.test(kid) ? (byKid.get(kid) ?? undefined) : undefined);
}
