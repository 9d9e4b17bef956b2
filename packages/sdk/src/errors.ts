/**
 * Every error the SDK throws on purpose. Callers switch on `code`, never on `message`.
 *
 * - encodings: `INVALID_BASE64URL`, `INVALID_BASE64`, `INVALID_HEX`, `INVALID_UTF8`, `INVALID_PEM`
 * - keys: `INVALID_KEY`, `INVALID_KEY_LENGTH`, `WRONG_CURVE`, `UNSUPPORTED_KEY_TYPE`, `UNSUPPORTED_KEY_FORMAT`
 * - signatures: `UNSUPPORTED_ALGORITHM`, `KEY_ALGORITHM_MISMATCH`, `CRYPTO_ERROR`
 * - JSON: `INVALID_JSON`, `DUPLICATE_KEY`, `NON_FINITE_NUMBER`, `JSON_TOO_DEEP`, `UNSUPPORTED_JSON_VALUE`, `JSON_CYCLE`
 * - proof of work: `INVALID_POW_NONCE`, `INVALID_POW_DIFFICULTY`
 * - trust registry (`docs/registry.md`): `REGISTRY_INVALID` (a file or field is malformed), and the verification
 *   rules: 1 `REGISTRY_SIGNATURE_INVALID`, `REGISTRY_ROOT_MISMATCH`, `REGISTRY_EXPIRED`, `REGISTRY_LIFETIME_EXCEEDED`;
 *   2 `REGISTRY_CHAIN_BROKEN`, `REGISTRY_STEP_INVALID`, `QUORUM_NOT_MET`; 3 `REGISTRY_REPLAY_MISMATCH`;
 *   4 `REGISTRY_ROLLBACK`; 5 `REGISTRY_THRESHOLD_INVALID`
 * - anything else a caller passed wrongly: `INVALID_ARGUMENT`
 * - JWT/JWS: `JWT_MALFORMED`, `JWT_TOO_LARGE`, `JWT_ALG_NOT_ALLOWED`, `JWT_HEADER_FORBIDDEN`, `JWT_TYP_MISMATCH`,
 *   `JWT_KID_UNKNOWN`, `JWT_SIGNATURE_INVALID`, `JWT_CLAIM_INVALID`, `JWT_ISSUER_MISMATCH`, `JWT_EXPIRED`,
 *   `JWT_NOT_YET_VALID`, `JWT_ISSUED_IN_FUTURE`, `JWT_AUDIENCE_MISMATCH`, `JWT_NONCE_MISMATCH`
 * - agent identity tokens (AIP, `aip/`): `TOKEN_TYPE_MISMATCH`, `TOKEN_LIFETIME_EXCEEDED`, `TOKEN_REVOKED`,
 *   `NONCE_REPLAYED`, and for the
 *   offline verifier's fetches `AIP_FETCH_FAILED` (network, status, staleness), `AIP_RESPONSE_INVALID` (a malformed
 *   discovery document, JWKS or revocation list)
 * - HTTP client (`client/`, issue 8): a server's refusal keeps the server's own `code` verbatim (`AGENT_REVOKED`,
 *   `RATE_LIMITED`, ...; see `VouchApiError`); `HTTP_ERROR` when the answer carried no code, `NETWORK_ERROR` when no
 *   answer came, `REQUEST_TIMEOUT` when the per-call timeout fired, `UNEXPECTED_REDIRECT` when the server answered a
 *   redirect (never followed: it would carry credentials or signed headers elsewhere), `RESPONSE_TOO_LARGE` when the
 *   answer exceeded the client's `maxResponseBytes`, `RESPONSE_INVALID` when a success answer is not what the call
 *   reads (a body labelled JSON that does not parse; a JSON route's 2xx that is not JSON at all, or JSON but not an
 *   object; an answer without the field a helper needs)
 * - capability tokens (issue 7, `capability/`): agent credentials `CREDENTIAL_INVALID`, `CREDENTIAL_EXPIRED`,
 *   `SUBJECT_MISMATCH`, `SCOPE_VIOLATION`, `UNKNOWN_ISSUER`, `ISSUER_REVOKED`; proofs `PROOF_INVALID`, `PROOF_STALE`
 */
export type VouchErrorCode =
  | 'INVALID_BASE64URL'
  | 'INVALID_BASE64'
  | 'INVALID_HEX'
  | 'INVALID_UTF8'
  | 'INVALID_PEM'
  | 'INVALID_KEY'
  | 'INVALID_KEY_LENGTH'
  | 'WRONG_CURVE'
  | 'UNSUPPORTED_KEY_TYPE'
  | 'UNSUPPORTED_KEY_FORMAT'
  | 'UNSUPPORTED_ALGORITHM'
  | 'KEY_ALGORITHM_MISMATCH'
  | 'CRYPTO_ERROR'
  | 'INVALID_JSON'
  | 'DUPLICATE_KEY'
  | 'NON_FINITE_NUMBER'
  | 'JSON_TOO_DEEP'
  | 'UNSUPPORTED_JSON_VALUE'
  | 'JSON_CYCLE'
  | 'INVALID_POW_NONCE'
  | 'INVALID_POW_DIFFICULTY'
  | 'REGISTRY_INVALID'
  | 'REGISTRY_SIGNATURE_INVALID'
  | 'REGISTRY_ROOT_MISMATCH'
  | 'REGISTRY_EXPIRED'
  | 'REGISTRY_LIFETIME_EXCEEDED'
  | 'REGISTRY_CHAIN_BROKEN'
  | 'REGISTRY_STEP_INVALID'
  | 'QUORUM_NOT_MET'
  | 'REGISTRY_REPLAY_MISMATCH'
  | 'REGISTRY_ROLLBACK'
  | 'REGISTRY_THRESHOLD_INVALID'
  | 'INVALID_ARGUMENT'
  | 'JWT_MALFORMED'
  | 'JWT_TOO_LARGE'
  | 'JWT_ALG_NOT_ALLOWED'
  | 'JWT_HEADER_FORBIDDEN'
  | 'JWT_TYP_MISMATCH'
  | 'JWT_KID_UNKNOWN'
  | 'JWT_SIGNATURE_INVALID'
  | 'JWT_CLAIM_INVALID'
  | 'JWT_ISSUER_MISMATCH'
  | 'JWT_EXPIRED'
  | 'JWT_NOT_YET_VALID'
  | 'JWT_ISSUED_IN_FUTURE'
  | 'JWT_AUDIENCE_MISMATCH'
  | 'JWT_NONCE_MISMATCH'
  | 'TOKEN_TYPE_MISMATCH'
  | 'TOKEN_LIFETIME_EXCEEDED'
  | 'TOKEN_REVOKED'
  | 'NONCE_REPLAYED'
  | 'AIP_FETCH_FAILED'
  | 'AIP_RESPONSE_INVALID'
  // HTTP client (issue 8)
  | 'HTTP_ERROR'
  | 'NETWORK_ERROR'
  | 'REQUEST_TIMEOUT'
  | 'UNEXPECTED_REDIRECT'
  | 'RESPONSE_TOO_LARGE'
  | 'RESPONSE_INVALID'
  // capability tokens (issue 7)
  | 'CREDENTIAL_INVALID'
  | 'CREDENTIAL_EXPIRED'
  | 'SUBJECT_MISMATCH'
  | 'SCOPE_VIOLATION'
  | 'UNKNOWN_ISSUER'
  | 'ISSUER_REVOKED'
  | 'PROOF_INVALID'
  | 'PROOF_STALE';

/**
 * The one error class of Vouch. `code` is a stable UPPER_SNAKE string; `message` is one readable sentence that
 * never contains key material, tokens or other secrets.
 *
 * The code type is a parameter so that other packages can extend the closed set with their own codes.
 *
 * @example
 * ```ts
 * try {
 *   decodeBase64url('abc=');
 * } catch (e) {
 *   if (isVouchError(e, 'INVALID_BASE64URL')) console.log(e.code, e.message);
 * }
 * // a package with more codes:
 * class ServerError extends VouchError<VouchErrorCode | 'NOT_FOUND'> {}
 * ```
 */
export class VouchError<C extends string = VouchErrorCode> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * Tells whether `e` is a {@link VouchError}, optionally with the given `code`.
 *
 * @example
 * ```ts
 * if (isVouchError(err, 'DUPLICATE_KEY')) reply.code(400);
 * ```
 */
export function isVouchError<C extends string = VouchErrorCode>(e: unknown, code?: C): e is VouchError<C> {
  return e instanceof VouchError && (code === undefined || e.code === code);
}
