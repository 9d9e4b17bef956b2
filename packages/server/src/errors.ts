import { VouchError } from '@vouch/sdk';

/**
 * Every failure the HTTP API reports, by stable code. Clients switch on `code`, never on the message.
 * Later modules add their codes here so the set stays closed and documented in one place.
 */
export type ApiErrorCode =
  | 'VALIDATION_FAILED'
  | 'INVALID_JSON'
  | 'JSON_TOO_DEEP'
  | 'BODY_TOO_LARGE'
  | 'HEADERS_TOO_LARGE'
  | 'REQUEST_TIMEOUT'
  | 'EXPECTATION_FAILED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'NOT_READY'
  | 'SHUTTING_DOWN'
  | 'DATABASE_UNAVAILABLE'
  | 'KEK_MISMATCH'
  | 'INTERNAL'
  // agents (issue 3)
  | 'AGENT_REVOKED'
  | 'AGENT_HAS_NO_KEY'
  | 'POW_INVALID'
  | 'KEY_ALREADY_REGISTERED'
  | 'SLUG_INVALID'
  | 'SLUG_RESERVED'
  | 'SLUG_TAKEN'
  | 'SLUG_CONFUSABLE'
  | 'TOOL_MANIFEST_TOO_LARGE'
  | 'HANDLE_TAKEN'
  | 'TOKEN_INVALID'
  | 'TOKEN_USED'
  | 'SIGNATURE_INVALID'
  | 'REQUEST_REPLAYED'
  // domain verification (issue 3)
  | 'DOMAIN_INVALID'
  | 'DOMAIN_CHALLENGE_NOT_FOUND'
  | 'DOMAIN_CHALLENGE_EXPIRED'
  | 'DOMAIN_CHALLENGE_LIMIT'
  | 'DOMAIN_PROOF_LIMIT'
  // tokens (issue 5)
  | 'PROOF_INVALID'
  | 'PROOF_STALE'
  | 'PROOF_REPLAYED'
  // trust registry (issue 4)
  | 'REGISTRY_EXISTS'
  | 'REGISTRY_READ_ONLY'
  | 'REGISTRY_UNAVAILABLE'
  | 'REGISTRY_CONFLICT'
  | 'REGISTRY_PROPOSAL_STALE'
  | 'REGISTRY_PROPOSAL_EXPIRED'
  | 'REGISTRY_SIGNATURE_REFUSED'
  // signatures and reports (issue 6)
  | 'SIGNED_AT_OUT_OF_WINDOW'
  | 'SIGNATURE_CONFLICT'
  | 'SIGNATURE_KEY_ROTATED'
  | 'REPORT_SELF'
  // integrators, consent, ingestion, reputation (issue 6)
  | 'INTEGRATOR_EXISTS'
  | 'CONSENT_MISMATCH'
  | 'CONSENT_STALE'
  // capability tokens (issue 7): credential, proof and delegation refusals, and the intercept deny codes a refused
  // delegation answers as errors (RESOURCE_MISMATCH and ACTION_MISMATCH are not among them: an intercept answers them
  // only in a 200 deny decision, and a delegation checks its parent against the parent's own resource and action)
  | 'CREDENTIAL_INVALID'
  | 'CREDENTIAL_EXPIRED'
  | 'SCOPE_VIOLATION'
  | 'PROOF_REQUIRED'
  | 'TIER_NOT_ALLOWED'
  | 'DELEGATION_WIDER'
  | 'DELEGATION_DEPTH_EXCEEDED'
  | 'MALFORMED_TOKEN'
  | 'INVALID_SIGNATURE'
  | 'TOKEN_LIFETIME_EXCEEDED'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_UNKNOWN'
  | 'TOKEN_REVOKED'
  | 'SUBJECT_MISMATCH'
  | 'UNKNOWN_ISSUER'
  | 'ISSUER_REVOKED'
  | 'ISSUER_KEY_ROTATED';

/**
 * The status each code is answered with (a route may answer another where it says so). docs/PROTOCOL.md's "Errors"
 * lists every code under its status; test/docs-error-codes.test.ts reads this table to hold the two equal.
 */
export const STATUS: Readonly<Record<ApiErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  JSON_TOO_DEEP: 400,
  BODY_TOO_LARGE: 413,
  // Answered for Node's HTTP parser, before Fastify sees the request (http/client-error.ts).
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  // An `Expect` other than 100-continue, answered for Node's HTTP server (http/client-error.ts).
  EXPECTATION_FAILED: 417,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  NOT_READY: 503,
  // This process is closing (graceful shutdown): another process, or this one restarted, takes the retry.
  SHUTTING_DOWN: 503,
  DATABASE_UNAVAILABLE: 503,
  // This process's key-encryption key was replaced under it (vouch kek rewrap): it cannot seal keys until restarted.
  KEK_MISMATCH: 503,
  INTERNAL: 500,
  AGENT_REVOKED: 403,
  AGENT_HAS_NO_KEY: 409,
  POW_INVALID: 400,
  KEY_ALREADY_REGISTERED: 409,
  SLUG_INVALID: 400,
  SLUG_RESERVED: 400,
  SLUG_TAKEN: 409,
  // A look-alike of another agent's current slug (modules/agents/slug-skeleton.ts).
  SLUG_CONFUSABLE: 409,
  TOOL_MANIFEST_TOO_LARGE: 400,
  HANDLE_TAKEN: 409,
  TOKEN_INVALID: 400,
  TOKEN_USED: 409,
  SIGNATURE_INVALID: 400,
  REQUEST_REPLAYED: 409,
  DOMAIN_INVALID: 400,
  DOMAIN_CHALLENGE_NOT_FOUND: 404,
  DOMAIN_CHALLENGE_EXPIRED: 409,
  DOMAIN_CHALLENGE_LIMIT: 429,
  DOMAIN_PROOF_LIMIT: 409,
  PROOF_INVALID: 401,
  PROOF_STALE: 401,
  PROOF_REPLAYED: 409,
  REGISTRY_EXISTS: 409,
  REGISTRY_READ_ONLY: 409,
  REGISTRY_UNAVAILABLE: 503,
  REGISTRY_CONFLICT: 409,
  REGISTRY_PROPOSAL_STALE: 409,
  // Past its expiresAt, it can never apply (as a stale one): a conflict with time, not a malformed request.
  REGISTRY_PROPOSAL_EXPIRED: 409,
  REGISTRY_SIGNATURE_REFUSED: 400,
  // signatures and reports (issue 6)
  SIGNED_AT_OUT_OF_WINDOW: 400,
  SIGNATURE_CONFLICT: 409,
  // A recorded signature was made by a key the agent has since rotated away from: it authorizes nothing new.
  SIGNATURE_KEY_ROTATED: 403,
  REPORT_SELF: 400,
  // integrators, consent, ingestion, reputation (issue 6)
  INTEGRATOR_EXISTS: 409,
  CONSENT_MISMATCH: 400,
  CONSENT_STALE: 409,
  // capability tokens (issue 7)
  CREDENTIAL_INVALID: 401,
  CREDENTIAL_EXPIRED: 401,
  SCOPE_VIOLATION: 403,
  PROOF_REQUIRED: 401,
  TIER_NOT_ALLOWED: 403,
  DELEGATION_WIDER: 403,
  DELEGATION_DEPTH_EXCEEDED: 403,
  MALFORMED_TOKEN: 400,
  INVALID_SIGNATURE: 401,
  TOKEN_LIFETIME_EXCEEDED: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_UNKNOWN: 401,
  TOKEN_REVOKED: 403,
  SUBJECT_MISMATCH: 403,
  UNKNOWN_ISSUER: 403,
  ISSUER_REVOKED: 403,
  ISSUER_KEY_ROTATED: 403,
};

/** An error meant for the API caller: its message is one readable sentence with no secret in it. */
export class ApiError extends VouchError<ApiErrorCode> {
  readonly statusCode: number;
  /** Extra response headers, e.g. `Retry-After` on 429. */
  readonly headers: Record<string, string>;
  /** The path of the one value the caller has to fix (`body.slug`), answered as `field`. */
  readonly field: string | undefined;

  constructor(
    code: ApiErrorCode,
    message: string,
    options: { headers?: Record<string, string>; status?: number; field?: string } = {},
  ) {
    super(code, message);
    this.statusCode = options.status ?? STATUS[code];
    this.headers = options.headers ?? {};
    this.field = options.field;
  }
}

/** The one JSON shape of every error response; `field` names the value to fix, when there is one. */
export interface ErrorBody {
  error: string;
  code: string;
  field?: string;
}

/**
 * JSON schema of {@link ErrorBody}, referenced by route schemas and the OpenAPI document. A route's response schema
 * also decides what is serialized: a property missing here would be stripped from that route's errors.
 */
export const errorBodySchema = {
  type: 'object',
  required: ['error', 'code'],
  properties: { error: { type: 'string' }, code: { type: 'string' }, field: { type: 'string' } },
} as const;
