// Request and response shapes of the server's endpoints (docs/PROTOCOL.md). Responses are typed by the members
// Vouch documents; servers may add members, which pass through untouched.

/** A JSON object answered by the server; documented members are typed, others pass through. */
export type Answer<T> = T & Record<string, unknown>;

export interface AgentRegistration {
  did: string;
  /** Absent when the agent was linked to an owner at registration. */
  claimToken?: string;
  linked: boolean;
}

export interface IdentityRegistrationInput {
  slug: string;
  name?: string;
  description?: string;
  public_key_pem?: string;
  code_hash?: string;
  model_id?: string;
  domain?: string;
  linking_key?: string;
  /**
   * Proof of possession of `public_key_pem` (only with it): `signKeyProof`'s `signedAt` and `signature`, under
   * Treeship's names. Required by servers with `VOUCH_REQUIRE_KEY_PROOF=1`; marks the key proven on any other.
   */
  key_proof?: { signed_at: number; signature: string };
}

export interface IdentityRegistration {
  slug: string;
  did: string;
  registered: boolean;
  identity_score: number;
  verification_challenges: Record<string, string>;
  public_url: string;
  management_token: string;
  linked: boolean;
  claim_token?: string;
}

export interface ToolManifest {
  agent_slug: string | null;
  did: string;
  tool_manifest_hash: string;
  tools: string[];
  tool_descriptions: Record<string, string>;
  signature: string;
  signature_alg: 'EdDSA';
  signature_kid: string;
  updated_at: string;
  /**
   * The agent's status now (`unclaimed`, `claimed`, `revoked`) and when it was revoked (ISO-8601, else null); not
   * covered by the signature. A revoked agent's manifest also carries `code: "AGENT_REVOKED"` and `error`, and
   * `verifyToolManifest` refuses it (`AGENT_REVOKED`). Absent from servers before this member.
   */
  agent_status?: string;
  revoked_at?: string | null;
  code?: string;
  error?: string;
}

export interface ToolCheck {
  verified: boolean;
  authorized_tools: string[];
  unauthorized_tools: string[];
  manifest_hash: string;
  code?: string;
  error?: string;
}

/** `GET /api/v1/owners/me`: the owner and one page of its agents; `next` is the `after` of the next page, or null. */
export interface OwnerPage {
  ownerId: string;
  name: string;
  handle: string;
  agents: Array<{ did: string; slug: string | null; name: string | null; status: string }>;
  next: string | null;
}

/** `verify-voice`'s answer; a revoked agent is `verified: false` with `code: "AGENT_REVOKED"` and `error`. */
export interface VoiceCheck {
  verified: boolean;
  agent_slug: string | null;
  did: string;
  confidence: number;
  safe_for_payment: boolean;
  code?: string;
  error?: string;
}

export interface VouchKey {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
  purpose: string;
  /** `active` or `retired`. */
  status: string;
  created_at: string;
  /** A retired capability key: when it stops verifying and leaves the list (ISO-8601). */
  drops_at?: string;
}

export interface VouchKeys {
  keys: VouchKey[];
}

export interface AipIssueInput {
  /** The agent's slug or DID. */
  agent_name: string;
  token_type?: 'identity' | 'session';
  audience?: string;
  nonce?: string;
  expires_in?: '1h' | '6h' | '12h' | '24h';
  deployer?: string;
  model_providers?: string[];
  framework?: string;
  /** The agent's own proof (see `signAipIssueProof`), with its `signedAt`. */
  proof?: string;
  signedAt?: number;
}

export interface AipIssued {
  token: string;
  token_type: 'identity' | 'session';
  jti: string;
  expires_in: string;
  exp: number;
}

export interface RevocationPage {
  revoked: Array<{ jti: string; revoked_at: string; exp: number; reason: string | null }>;
  count: number;
  cursor: string;
  has_more: boolean;
}

/** One entry of the server's audit log (`GET /api/v1/admin/audit`). */
export interface AuditEntry {
  id: number;
  /** ISO-8601. */
  at: string;
  /** Who acted: `admin`, `admin:previous`, `owner:<id>`, `agent:<did>`, `system`, ... */
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
  requestId: string | null;
}

/** A page of the audit log, newest first; `next` is the `before` of the following page, null on the last one. */
export interface AuditPage {
  entries: AuditEntry[];
  next: number | null;
}

export interface SignInput {
  did: string;
  payloadHash: string;
  signature: string;
  signedAt: number;
  publicNote?: string;
}

export interface SignatureRecord {
  valid: boolean;
  signatureHash?: string;
  signedAt: number;
  payloadHash: string;
  /** The note the signature covers (the agent's words), or null. */
  publicNote?: string | null;
  /** A note sent with a signature that does not cover it: anyone could have attached it. Never the agent's words. */
  unverifiedNote?: string | null;
  /**
   * The agent's Ed25519 signature (standard base64) over `"<payloadHash>:<signedAt>:<sha256hex(publicNote)>"` when
   * there is a `publicNote`, else over `"<payloadHash>:<signedAt>"`.
   */
  signature?: string;
  /** The agent's key (standard base64) that made the signature; null for a record from before servers kept it. */
  signerPublicKey?: string | null;
  agent: {
    did: string;
    publicName?: string | null;
    handle?: string | null;
    status: string;
    activeSince?: unknown;
    /** The agent's current key (standard base64). */
    publicKey?: string | null;
  };
  certificationCount?: number;
  owner: { name: string; handle: string } | null;
  reputation?: { score: number; totalSignatures: number };
  verification: Record<string, unknown>;
  integratorConsent?: { integratorSlug: string; status: string };
}

export interface CertifyResult {
  match: boolean;
  signatureHash: string;
  payloadHash: string;
  /**
   * `status` is the signing agent's standing now (`unclaimed`, `claimed`, `revoked`; absent from older servers): a
   * match says the content is what was signed, not that the signer still answers for it.
   */
  signer: { did: string; signedAt: number; publicNote?: string | null; status?: string };
  integratorConsent?: { integratorSlug: string; status: string };
}

export interface ReportInput {
  did: string;
  reason: 'spam' | 'impersonation' | 'malicious' | 'other';
  signatureHash?: string;
  details?: string;
  reporterDid?: string;
  signature?: string;
  signedAt?: number;
}

export interface ConsentInput {
  integratorSlug: string;
  did: string;
  action: 'allow' | 'revoke';
  signatureHash: string;
  signedAt: number;
}

export interface ConsentResult {
  did: string;
  integratorSlug: string;
  status: 'allowed' | 'revoked';
  signedAt: number;
}

export interface IntegratorMetric {
  metricKey: string;
  polarity: 'boost' | 'hurt' | 'neutral';
  weight: number;
  lane: 'origin' | 'presence' | 'conduct';
  maxPerDay?: number;
}

export interface IntegratorInput {
  slug: string;
  name: string;
  domain: string;
  metrics: IntegratorMetric[];
}

export interface IngestEvent {
  envId: string;
  externalEventId: string;
  eventType: string;
  subjectType: string;
  subjectId: string;
  actorType: string;
  actorId: string;
  occurredAt?: number;
  metricValues?: Array<{ metricKey: string; numberValue?: number; booleanValue?: boolean; enumValue?: string }>;
  severity?: 'low' | 'medium' | 'high';
  counterpartyType?: string;
  counterpartyId?: string;
  interactionId?: string;
  data?: unknown;
}

export interface IngestResult {
  success: boolean;
  count: number;
  /** One per event, in order; `externalEventId` is null for an event refused before it had a usable id. */
  results: Array<{ externalEventId: string | null; inserted: boolean; error?: string; code?: string }>;
}

export interface CapabilityIssueInput {
  agentId: string;
  resource: string;
  action: string;
  issuerBinding?: { issuerId: string; agentCredential: string };
  tier: 'observe' | 'standard' | 'elevated' | 'critical';
  expiresIn: number;
  proof?: string;
}

export interface CapabilityIssued {
  tokenId: string;
  token: string;
  expiresAt: unknown;
}

export interface InterceptInput {
  token: string;
  agentId: string;
  resource: string;
  action: string;
}

export interface InterceptDecision {
  decision: 'allow' | 'deny';
  code?: string;
  reason?: string;
}

export interface DelegateInput {
  token: string;
  resource?: string;
  action?: string;
  expiresIn?: number;
  proof?: string;
}
