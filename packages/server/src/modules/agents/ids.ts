import { randomBytes } from 'node:crypto';
import { encodeBase64url } from '@vouch/sdk';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** 26 lowercase base32 characters; the last carries 3 bits of the 128 and two zero bits, so only 8 characters fit. */
const ID = /^[a-z2-7]{25}[aeimquy4]$/;

/** The DID method of every agent: `did:identity:<id>` (identity.app's form). */
export const DID_PREFIX = 'did:identity:';

/** RFC 4648 base32, lowercase, unpadded. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * A new internal id: 128 random bits as 26 lowercase base32 characters, independent of any key so keys can rotate.
 *
 * @example
 * newId(); // 'k3q7w2...' (26 characters)
 */
export function newId(): string {
  return base32(randomBytes(16));
}

/** Whether `s` is an internal id (agents and owners use the same form). */
export function isId(s: string): boolean {
  return ID.test(s);
}

export function didOf(id: string): string {
  return DID_PREFIX + id;
}

/** The internal id inside a `did:identity:` DID, or undefined when `s` is not one. */
export function idFromDid(s: string): string | undefined {
  if (!s.startsWith(DID_PREFIX)) return undefined;
  const id = s.slice(DID_PREFIX.length);
  return isId(id) ? id : undefined;
}

/** Prefixes of the secrets this module issues: readable in a leak report, and a cheap first filter on lookup. */
export const SECRET_PREFIX = {
  ownerApiKey: 'vouch_owner_',
  linkingKey: 'vouch_link_',
  claimToken: 'vouch_claim_',
  managementToken: 'vouch_mgmt_',
} as const;

/** A new bearer secret: the prefix and 256 random bits as base64url. Shown once; stored as its SHA-256. */
export function newSecret(prefix: string): string {
  return prefix + encodeBase64url(randomBytes(32));
}
