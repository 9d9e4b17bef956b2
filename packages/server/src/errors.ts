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
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'NOT_READY'
  | 'DATABASE_UNAVAILABLE'
  | 'INTERNAL'
  // agents (issue 3)
  | 'AGENT_REVOKED'
  | 'AGENT_HAS_NO_KEY'
  | 'POW_INVALID'
  | 'KEY_ALREADY_REGISTERED'
  | 'SLUG_INVALID'
  | 'SLUG_TAKEN'
  | 'HANDLE_TAKEN'
  | 'TOKEN_INVALID'
  | 'TOKEN_USED'
  | 'SIGNATURE_INVALID'
  | 'REQUEST_REPLAYED'
  // domain verification (issue 3)
  | 'DOMAIN_INVALID'
  | 'DOMAIN_CHALLENGE_NOT_FOUND'
  | 'DOMAIN_CHALLENGE_EXPIRED'
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
  | 'REGISTRY_SIGNATURE_REFUSED';

const STATUS: Record<ApiErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  JSON_TOO_DEEP: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  NOT_READY: 503,
  DATABASE_UNAVAILABLE: 503,
  INTERNAL: 500,
  AGENT_REVOKED: 403,
  AGENT_HAS_NO_KEY: 409,
  POW_INVALID: 400,
  KEY_ALREADY_REGISTERED: 409,
  SLUG_INVALID: 400,
  SLUG_TAKEN: 409,
  HANDLE_TAKEN: 409,
  TOKEN_INVALID: 400,
  TOKEN_USED: 409,
  SIGNATURE_INVALID: 400,
  REQUEST_REPLAYED: 409,
  DOMAIN_INVALID: 400,
  DOMAIN_CHALLENGE_NOT_FOUND: 404,
  DOMAIN_CHALLENGE_EXPIRED: 409,
  PROOF_INVALID: 401,
  PROOF_STALE: 401,
  PROOF_REPLAYED: 409,
  REGISTRY_EXISTS: 409,
  REGISTRY_READ_ONLY: 409,
  REGISTRY_UNAVAILABLE: 503,
  REGISTRY_CONFLICT: 409,
  REGISTRY_PROPOSAL_STALE: 409,
  REGISTRY_SIGNATURE_REFUSED: 400,
};

/** An error meant for the API caller: its message is one readable sentence with no secret in it. */
export class ApiError extends VouchError<ApiErrorCode> {
  readonly statusCode: number;
  /** Extra response headers, e.g. `Retry-After` on 429. */
  readonly headers: Record<string, string>;

  constructor(
    code: ApiErrorCode,
    message: string,
    options: { headers?: Record<string, string>; status?: number } = {},
  ) {
    super(code, message);
    this.statusCode = options.status ?? STATUS[code];
    this.headers = options.headers ?? {};
  }
}

/** The one JSON shape of every error response. */
export interface ErrorBody {
  error: string;
  code: string;
}

/** JSON schema of {@link ErrorBody}, referenced by route schemas and the OpenAPI document. */
export const errorBodySchema = {
  type: 'object',
  required: ['error', 'code'],
  properties: { error: { type: 'string' }, code: { type: 'string' } },
} as const;
