export {
  AIP_PROTOCOL,
  AIP_DISCOVERY_PATH,
  AIP_TOKEN_TYPES,
  AIP_TYP,
  AIP_EXPIRES_IN,
  AIP_DEFAULT_EXPIRES_IN,
  aipClaimName,
} from './types.ts';
export type { AipTokenType, AipExpiresIn, AipClaim, VerifiedAipToken, AipCheckResult, AipRevocation } from './types.ts';
export { aipIssueProofMessage, signAipIssueProof } from './proof.ts';
export type { AipIssueProofInput } from './proof.ts';
export { aipKeysFromJwks, es256KeyFromJwk } from './jwks.ts';
export type { AipKeySet } from './jwks.ts';
export { verifyAipToken } from './verify-token.ts';
export type { VerifyAipTokenOptions } from './verify-token.ts';
export { createAipVerifier, createMemoryNonceStore } from './verifier.ts';
export type { AipVerifier, AipVerifierOptions, AipVerifyOptions, AipNonceStore } from './verifier.ts';
export type { FetchLike } from './fetch-json.ts';
