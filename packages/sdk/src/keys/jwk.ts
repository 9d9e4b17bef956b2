// JWK shapes for the keys Vouch uses, and the pure (no node:*) conversions from key bytes.
import { encodeBase64url } from '../encoding/base64url.ts';
import type { KeyType } from './key.ts';

export type Ed25519PublicJwk = {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
};
export type P256PublicJwk = {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
};
export type PublicJwk = Ed25519PublicJwk | P256PublicJwk;
export type PrivateJwk = (Ed25519PublicJwk & { d: string }) | (P256PublicJwk & { d: string });

/** Internal: the public JWK members for stored public bytes. */
export function publicJwkFromBytes(type: KeyType, raw: Uint8Array): PublicJwk {
  if (type === 'Ed25519') return { kty: 'OKP', crv: 'Ed25519', x: encodeBase64url(raw) };
  return { kty: 'EC', crv: 'P-256', x: encodeBase64url(raw.subarray(1, 33)), y: encodeBase64url(raw.subarray(33, 65)) };
}

/** Internal: the private JWK for stored bytes (public members + `d`). */
export function privateJwkFromBytes(type: KeyType, raw: Uint8Array, d: Uint8Array): PrivateJwk {
  return { ...publicJwkFromBytes(type, raw), d: encodeBase64url(d) };
}
