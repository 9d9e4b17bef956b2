import { VouchError } from '../errors.ts';
import type { VouchErrorCode } from '../errors.ts';

/**
 * The code of a {@link VouchApiError}: the server's own code, verbatim (`AGENT_REVOKED`, `RATE_LIMITED`, ...), or one
 * of the client's transport codes. Typed as an open string so that codes added to the server later pass through.
 */
export type ApiErrorCode = VouchErrorCode | (string & {});

/**
 * What `VouchClient` throws when a call fails: a {@link VouchError} whose `code` is the server's `code` (so
 * `err.code === 'AGENT_REVOKED'` works), with the HTTP `status` (0 when no answer came), the parsed error body, the
 * offending `field` of a validation failure, and `retryAfterMs` from `Retry-After`.
 *
 * @example
 * ```ts
 * try {
 *   await client.agents.revoke(did);
 * } catch (err) {
 *   if (isVouchError(err, 'AGENT_REVOKED')) console.log('already revoked');
 * }
 * ```
 */
export class VouchApiError extends VouchError<ApiErrorCode> {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly field?: string;
  readonly retryAfterMs?: number;
  /** The parsed JSON error body, when there was one (never contains secrets the caller sent). */
  readonly body?: unknown;

  constructor(
    code: ApiErrorCode,
    message: string,
    details: {
      status: number;
      method: string;
      path: string;
      field?: string;
      retryAfterMs?: number;
      body?: unknown;
      cause?: unknown;
    },
  ) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.method = details.method;
    this.path = details.path;
    if (details.field !== undefined) this.field = details.field;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    if (details.body !== undefined) this.body = details.body;
  }
}

const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * The error for a non-2xx answer: the body's `code` and `error` when it is Vouch's `{error, code}` shape, otherwise
 * `HTTP_ERROR` with the status. Only the path (no query, which may hold secrets) appears in the message.
 */
export function errorFromResponse(
  method: string,
  path: string,
  status: number,
  body: unknown,
  retryAfterMs: number | undefined,
): VouchApiError {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = typeof b.code === 'string' && CODE.test(b.code) ? b.code : 'HTTP_ERROR';
  const message =
    typeof b.error === 'string' && b.error.length > 0 ? b.error.slice(0, 500) : `${method} ${path} answered ${status}.`;
  return new VouchApiError(code, message, {
    status,
    method,
    path,
    field: typeof b.field === 'string' ? b.field : undefined,
    retryAfterMs,
    body: typeof body === 'object' && body !== null ? body : undefined,
  });
}
