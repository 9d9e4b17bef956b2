export {
  AGENT_CREDENTIAL_TYP,
  CAPABILITY_TYP,
  CAPABILITY_PROOF_TYP,
  CAPABILITY_REVOCATION_TYP,
  CAPABILITY_KEY_PURPOSE,
  CAPABILITY_TIER_MAX_SECONDS,
  BOUND_ONLY_TIERS,
  PROOF_MAX_AGE_SECONDS,
  CAPABILITY_DENY_CODES,
} from './types.ts';
export type {
  CapabilityTier,
  CapabilityClaims,
  AgentCredentialClaims,
  CapabilityRequest,
  CapabilityDenyCode,
  CapabilityDecision,
} from './types.ts';
export {
  RESOURCE_LIMITS,
  isResourcePattern,
  isAction,
  resourceCovers,
  actionCovers,
  parseScopeEntry,
  scopeAllows,
} from './resource.ts';
export { signAgentCredential, verifyAgentCredential, MAX_SCOPE_ENTRIES } from './credential.ts';
export type { SignAgentCredentialInput, VerifyAgentCredentialOptions, VerifiedAgentCredential } from './credential.ts';
export { signCapabilityProof, verifyCapabilityProof, signRevocationRequest, verifyRevocationRequest } from './proof.ts';
export type { CapabilityProofInput, VerifyCapabilityProofOptions, VerifyRevocationRequestOptions } from './proof.ts';
export {
  parseCapabilityClaims,
  signCapabilityToken,
  decodeCapabilityToken,
  capabilityKeysFromVouchKeys,
  checkCapability,
  MAX_DELEGATION_CHAIN,
} from './token.ts';
export type { CheckCapabilityOptions, VouchKeysResolverOptions } from './token.ts';
export { issuerKeyThumbprint } from './lib.ts';
