// Capability tokens (issue 7, seed 001 "SINT Protocol Integration"): what a gateway issues so that one agent may
// perform one action on one resource, optionally bound to a trust-registry issuer. Plain data types and constants.

/** Header `typ` of an agent credential: what a registry issuer gives its agent. */
export const AGENT_CREDENTIAL_TYP = 'agent-credential+jwt';
/** Header `typ` of a capability token, signed by the gateway's `capability` key. */
export const CAPABILITY_TYP = 'capability+jwt';
/** Header `typ` of an agent's proof of possession of the key its credential binds (`cnf.jwk`). */
export const CAPABILITY_PROOF_TYP = 'capability-proof+jwt';
/** Header `typ` of an issuer's request to revoke a token bound to it. */
export const CAPABILITY_REVOCATION_TYP = 'capability-revocation+jwt';
/** The purpose under which a Vouch server publishes its capability key in `/.well-known/vouch-keys.json`. */
export const CAPABILITY_KEY_PURPOSE = 'capability';

/** How much a token may do, from least to most; each tier has a maximum lifetime. */
export type CapabilityTier = 'observe' | 'standard' | 'elevated' | 'critical';

/** Maximum lifetime of a token of each tier, in seconds. */
export const CAPABILITY_TIER_MAX_SECONDS: Readonly<Record<CapabilityTier, number>> = Object.freeze({
  observe: 86_400,
  standard: 3600,
  elevated: 900,
  critical: 300,
});

/** Tiers a token may have only when bound to a registry issuer. */
export const BOUND_ONLY_TIERS: readonly CapabilityTier[] = Object.freeze(['elevated', 'critical']);

/** How far a proof's `iat` may be from the verifier's time, either way, in seconds. */
export const PROOF_MAX_AGE_SECONDS = 60;

/**
 * The claims of a capability token, every one covered by the gateway's signature. Times are seconds since the
 * epoch. `iid`, `cth` and `ikt` are null for a token the gateway's admin issued without an issuer binding.
 */
export interface CapabilityClaims {
  /** Token id. */
  jti: string;
  /** The agent id the token was issued to. */
  sub: string;
  /** Resource pattern `seg(:seg)*`, `*` allowed only as the last segment. */
  res: string;
  /** Action, or `*` for any action. */
  act: string;
  tier: CapabilityTier;
  iat: number;
  exp: number;
  /** Registry issuer id the token is bound to. */
  iid: string | null;
  /** base64url SHA-256 of the agent credential presented at issuance. */
  cth: string | null;
  /** RFC 7638 thumbprint of the issuer's registry key at issuance. */
  ikt: string | null;
  /** Parent token ids, root first; empty for a token that was not delegated. */
  par: string[];
}

/** The claims of an agent credential. */
export interface AgentCredentialClaims {
  /** Registry issuer id (also the header `kid`). */
  iss: string;
  /** The agent id. */
  sub: string;
  iat: number;
  exp: number;
  /** `"<resource>:<action>"` entries; absent means any resource and action. */
  scope?: string[];
  /** The agent's own Ed25519 key: tokens from this credential need a proof of possession. */
  cnf?: { jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string } };
}

/** What an agent asks the gateway at intercept time. */
export interface CapabilityRequest {
  agentId: string;
  resource: string;
  action: string;
}

/** Why an intercept is denied (stable codes, docs/PROTOCOL.md "Capability tokens"). */
export type CapabilityDenyCode =
  | 'MALFORMED_TOKEN'
  | 'INVALID_SIGNATURE'
  | 'TOKEN_LIFETIME_EXCEEDED'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_UNKNOWN'
  | 'TOKEN_REVOKED'
  | 'SUBJECT_MISMATCH'
  | 'RESOURCE_MISMATCH'
  | 'ACTION_MISMATCH'
  | 'AGENT_REVOKED'
  | 'UNKNOWN_ISSUER'
  | 'ISSUER_REVOKED'
  | 'ISSUER_KEY_ROTATED'
  | 'REGISTRY_UNAVAILABLE';

/** Every deny code, in the order the checks run. */
export const CAPABILITY_DENY_CODES: readonly CapabilityDenyCode[] = Object.freeze([
  'MALFORMED_TOKEN',
  'INVALID_SIGNATURE',
  'TOKEN_LIFETIME_EXCEEDED',
  'TOKEN_EXPIRED',
  'SUBJECT_MISMATCH',
  'RESOURCE_MISMATCH',
  'ACTION_MISMATCH',
  'TOKEN_UNKNOWN',
  'TOKEN_REVOKED',
  'AGENT_REVOKED',
  'REGISTRY_UNAVAILABLE',
  'UNKNOWN_ISSUER',
  'ISSUER_REVOKED',
  'ISSUER_KEY_ROTATED',
]);

/** An intercept decision: the gateway's answer, and what the SDK's offline check returns. */
export type CapabilityDecision =
  | { decision: 'allow'; claims: CapabilityClaims }
  | { decision: 'deny'; code: CapabilityDenyCode; reason: string; claims?: CapabilityClaims };
