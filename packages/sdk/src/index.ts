// @vouch/sdk — the protocol core: errors, encodings, crypto providers, keys, canonical JSON, proof of work.
// Explicit export list: anything not named here is internal.

export { VouchError, isVouchError } from './errors.ts';
export type { VouchErrorCode } from './errors.ts';

export { encodeBase64url, decodeBase64url } from './encoding/base64url.ts';
export { encodeBase64, decodeBase64 } from './encoding/base64.ts';
export { encodeHex, decodeHex } from './encoding/hex.ts';
export { encodeUtf8, decodeUtf8 } from './encoding/utf8.ts';
export { sha256Hex, sha256HexSync } from './hash/sha256.ts';
export { constantTimeEqual } from './compare.ts';

export type { CryptoProvider, KeyPair, SignatureAlgorithm } from './crypto/provider.ts';
export { algorithmFor } from './crypto/algorithms.ts';
export { createNodeCryptoProvider } from './crypto/node.ts';
export { createWebCryptoProvider } from './crypto/webcrypto.ts';
export { getDefaultCrypto } from './crypto/default.ts';

export type { KeyType, PublicKey, PrivateKey } from './keys/key.ts';
export { isPublicKey, isPrivateKey } from './keys/key.ts';
export type { PublicJwk, PrivateJwk, Ed25519PublicJwk, P256PublicJwk } from './keys/jwk.ts';
export { parsePublicKey, publicKeyFromRaw, ED25519_REGISTRY_PREFIX } from './keys/parse-public.ts';
export type { PublicKeyInput, ParseKeyOptions } from './keys/parse-public.ts';
export { parsePrivateKey, privateKeyFromRaw } from './keys/parse-private.ts';
export type { PrivateKeyInput } from './keys/parse-private.ts';
export { formatPublicKey, formatPrivateKey } from './keys/format.ts';
export type { PublicKeyFormat, PrivateKeyFormat } from './keys/format.ts';
export { jwkThumbprint } from './keys/thumbprint.ts';
export { generateKeyPair } from './keys/generate.ts';
export type { GeneratedKeyPair } from './keys/generate.ts';

export { canonicalize } from './json/canonicalize.ts';
export type { CanonicalizeOptions } from './json/canonicalize.ts';
export { parseStrict } from './json/parse-strict.ts';
export type { ParseStrictOptions } from './json/parse-strict.ts';
export { DEFAULT_MAX_JSON_DEPTH } from './json/types.ts';
export type { JsonValue } from './json/types.ts';

export { checkPow } from './pow/check.ts';
export { solvePow } from './pow/solve.ts';
export type { SolvePowOptions, PowSolution } from './pow/solve.ts';
export { DEFAULT_POW_DIFFICULTY, MAX_POW_DIFFICULTY, MAX_POW_NONCE_LENGTH } from './pow/params.ts';

export {
  decodeJws,
  decodeJwt,
  signJwt,
  verifyJws,
  verifyJwt,
  keysFromJwks,
  MAX_TOKEN_LENGTH,
  FORBIDDEN_HEADER_MEMBERS,
} from './jwt/index.ts';
export type {
  SignJwtOptions,
  VerifyJwsOptions,
  VerifyJwtOptions,
  VerifiedJwt,
  KeyResolver,
  Jwks,
  JwsHeader,
  JwtClaims,
  DecodedJws,
} from './jwt/index.ts';
