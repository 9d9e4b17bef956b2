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
export { readBodyText } from './lib/read-body.ts';
export type { ReadableResponse, ReadBodyOptions } from './lib/read-body.ts';

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
export { finiteJsonText } from './json/finite-text.ts';
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
  createSignatureCache,
  MAX_TOKEN_LENGTH,
  FORBIDDEN_HEADER_MEMBERS,
} from './jwt/index.ts';
export type {
  SignJwtOptions,
  VerifyJwsOptions,
  VerifyJwtOptions,
  VerifiedJwt,
  SignatureCache,
  SignatureCacheOptions,
  SignatureCacheStats,
  KeyResolver,
  Jwks,
  JwsHeader,
  JwtClaims,
  DecodedJws,
} from './jwt/index.ts';

// Trust registry (docs/registry.md): formats, signing bytes, governance state machine, verification.
export {
  REGISTRY_FORMAT_VERSION,
  PROPOSAL_TYPE,
  type IssuerMetadata,
  type IssuerSignature,
  type IssuerEntry,
  type UnsignedIssuerEntry,
  type ProposalAction,
  type Proposal,
  type RevokedIssuer,
  type Threshold,
  type GenesisStep,
  type AdmitStep,
  type ProposalStep,
  type GovernanceStep,
  type RegistryDocument,
  type RegistryState,
  type RegistryRule,
  type RegistryFailure,
  type IgnoredSignatureReason,
  type IgnoredSignature,
  type QuorumResult,
  type StepReport,
  type EntryReport,
  type RegistryVerification,
} from './registry/types.ts';
export { REGISTRY_LIMITS } from './registry/limits.ts';
export { RegistryFormatError } from './registry/errors.ts';
export { validateIssuerEntry, parseIssuerEntry, draftIssuerEntry } from './registry/entry.ts';
export type { RegistrySourceOptions, DraftIssuerEntryInput } from './registry/entry.ts';
export { validateProposal, parseProposal, draftProposal } from './registry/proposal.ts';
export type { DraftProposalInput } from './registry/proposal.ts';
export { validateRegistryDocument, parseRegistryDocument } from './registry/document.ts';
export type { ParseRegistryOptions } from './registry/document.ts';
export {
  proposalSigningBytes,
  registryDocumentSigningBytes,
  governanceStepHash,
  proposalId,
} from './registry/signing-bytes.ts';
export { registryIdOf } from './registry/registry-id.ts';
export { signProposal } from './registry/sign.ts';
export type { CoSignOptions } from './registry/sign.ts';
export { applyGenesis, applyProposal, assertThresholdReachable } from './registry/apply.ts';
export type { AppliedStep, ApplyOptions, GenesisOptions } from './registry/apply.ts';
export { replayGovernance } from './registry/replay.ts';
export type { GovernanceReplay } from './registry/replay.ts';
export { checkQuorum, checkCoSignature } from './registry/quorum.ts';
export type { CheckQuorumOptions, CoSignatureCheck } from './registry/quorum.ts';
export { signRegistryDocument } from './registry/sign-document.ts';
export type { SignRegistryOptions } from './registry/sign-document.ts';
export { createGenesis } from './registry/genesis.ts';
export type { CreateGenesisOptions } from './registry/genesis.ts';
export { verifyRegistry } from './registry/verify.ts';
export type { VerifyRegistryOptions, LastSeen } from './registry/verify.ts';
export { checkIssuer } from './registry/check-issuer.ts';
export type { IssuerStatus } from './registry/check-issuer.ts';

export {
  AIP_PROTOCOL,
  AIP_DISCOVERY_PATH,
  AIP_TOKEN_TYPES,
  AIP_TYP,
  AIP_EXPIRES_IN,
  AIP_DEFAULT_EXPIRES_IN,
  aipClaimName,
  aipIssueProofMessage,
  signAipIssueProof,
  aipKeysFromJwks,
  es256KeyFromJwk,
  verifyAipToken,
  createAipVerifier,
  createMemoryNonceStore,
} from './aip/index.ts';
export type {
  AipTokenType,
  AipExpiresIn,
  AipClaim,
  VerifiedAipToken,
  AipCheckResult,
  AipRevocation,
  AipIssueProofInput,
  AipKeySet,
  VerifyAipTokenOptions,
  AipVerifier,
  AipVerifierOptions,
  AipVerifyOptions,
  AipNonceStore,
  FetchLike,
} from './aip/index.ts';

// Capability tokens bound to registry issuers (issue 7, docs/PROTOCOL.md "Capability tokens (SINT gateway)").
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
  RESOURCE_LIMITS,
  isResourcePattern,
  isAction,
  resourceCovers,
  actionCovers,
  parseScopeEntry,
  scopeAllows,
  signAgentCredential,
  verifyAgentCredential,
  MAX_SCOPE_ENTRIES,
  signCapabilityProof,
  verifyCapabilityProof,
  signRevocationRequest,
  verifyRevocationRequest,
  parseCapabilityClaims,
  signCapabilityToken,
  decodeCapabilityToken,
  capabilityKeysFromVouchKeys,
  checkCapability,
  MAX_DELEGATION_CHAIN,
  issuerKeyThumbprint,
} from './capability/index.ts';
export type {
  CapabilityTier,
  CapabilityClaims,
  AgentCredentialClaims,
  CapabilityRequest,
  CapabilityDenyCode,
  CapabilityDecision,
  SignAgentCredentialInput,
  VerifyAgentCredentialOptions,
  VerifiedAgentCredential,
  CapabilityProofInput,
  VerifyCapabilityProofOptions,
  VerifyRevocationRequestOptions,
  CheckCapabilityOptions,
  VouchKeysResolverOptions,
} from './capability/index.ts';

// The user's side (issue 8): a typed HTTP client, agent helpers, offline verifier helpers.
export {
  VouchClient,
  VouchApiError,
  HttpTransport,
  parseRetryAfter,
  ROUTES,
  NOT_IN_CLIENT,
  signedRequestString,
  signRequestHeaders,
  SIGNED_REQUEST_VERSION,
} from './client/index.ts';
export type {
  VouchClientOptions,
  ApiErrorCode,
  HttpFetch,
  CredentialKind,
  AgentCredential,
  Credentials,
  RetryOptions,
  Route,
  RouteName,
  CallOptions,
  HttpOptions,
  HttpRequest,
  HttpResponse,
  Answer,
  AgentRegistration,
  IdentityRegistrationInput,
  IdentityRegistration,
  ToolManifest,
  ToolCheck,
  VoiceCheck,
  OwnerPage,
  VouchKey,
  VouchKeys,
  AipIssueInput,
  AipIssued,
  RevocationPage,
  AuditEntry,
  AuditPage,
  SignInput,
  SignatureRecord,
  CertifyResult,
  ReportInput,
  ConsentInput,
  ConsentResult,
  IntegratorMetric,
  IntegratorInput,
  IngestEvent,
  IngestResult,
  CapabilityIssueInput,
  CapabilityIssued,
  InterceptInput,
  InterceptDecision,
  DelegateInput,
} from './client/index.ts';
export {
  VouchAgent,
  consentPayload,
  CONSENT_PAYLOAD_TYPE,
  isConsentStatement,
  reportStatement,
  createAgentIdentity,
  proofOfWork,
  registrationStatement,
  signKeyProof,
  keyRotationStatement,
  signKeyRotation,
  signedMessageText,
} from './agent/index.ts';
export type {
  SignedContent,
  TokenRequest,
  CapabilityTokenRequest,
  CreateAgentIdentityOptions,
  CreatedAgent,
  ProofOfWorkOptions,
  KeyProof,
} from './agent/index.ts';
export {
  fetchVerifierCache,
  verifyToken,
  verifyTrustRegistry,
  verifyCapability,
  verifyToolManifest,
  TOOL_MANIFEST_KEY_PURPOSE,
  TOOL_MANIFEST_TYPE,
  verifyContent,
  createOfflineVerifier,
} from './verify/index.ts';
export type {
  VerifierCache,
  FetchVerifierCacheOptions,
  VerifyTokenOptions,
  VerifyTrustRegistryOptions,
  VerifyCapabilityOptions,
  VerifyContentOptions,
  OfflineVerifier,
  OfflineVerifierOptions,
  VerifyResult,
} from './verify/index.ts';
