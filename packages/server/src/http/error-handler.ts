import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VouchError } from '@vouch/sdk';
import { ApiError } from '../errors.ts';
import { StorageError, toStorageError } from '../storage/index.ts';
import type { ErrorBody } from '../errors.ts';
import type { NotFoundPage } from '../module.ts';
import { trackAllowedMethods } from './allowed-methods.ts';
import { shownPath } from './shown-path.ts';
import { wantsErrorPage } from '../web/error-pages.ts';

interface AjvIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  /** The member name a `propertyNames` schema refused (Ajv sets it on the issue). */
  propertyName?: string;
}

/**
 * A member name as a path segment: `.name` when it reads as one, else `["..."]` with everything but printable ASCII
 * escaped (a refused name may hold a terminal escape or a bidi override), cut at 64 characters.
 */
export function nameSegment(name: string): string {
  if (/^[A-Za-z_$][\w$]{0,63}$/.test(name)) return `.${name}`;
  const shown = name.length > 64 ? `${name.slice(0, 64)}...` : name;
  const escaped = JSON.stringify(shown).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `[${escaped}]`;
}

/** `/a/0/b` under `body` → `body.a[0].b`: the field a client has to fix. */
function fieldPath(part: string, instancePath: string, extra?: string): string {
  const segments = instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) segments.push(extra);
  let out = part;
  for (const s of segments) out += /^\d+$/.test(s) ? `[${s}]` : memberSegment(s);
  return out;
}

/**
 * A member name on a field path: `.name` as sent when it is at most 64 printable ASCII characters (so every field
 * path of a well-formed name reads as before), else {@link nameSegment}'s escaped and cut form: an unknown member's
 * name, or a map key above a refused value, is the caller's text and may hold a terminal escape or a bidi override.
 */
function memberSegment(name: string): string {
  return /^[\x20-\x7e]{1,64}$/.test(name) ? `.${name}` : nameSegment(name);
}

/** One readable sentence naming the field, from the first schema violation. */
export function describeValidation(part: string, issue: AjvIssue): { field: string; message: string } {
  if (typeof issue.propertyName === 'string') {
    // A member name refused by `propertyNames`: the name is the offending value.
    const field = fieldPath(part, issue.instancePath) + nameSegment(issue.propertyName);
    return { field, message: `${field} ${issue.message ?? 'is not an accepted name'}.` };
  }
  switch (issue.keyword) {
    case 'required': {
      const field = fieldPath(part, issue.instancePath, String(issue.params.missingProperty));
      return { field, message: `${field} is required.` };
    }
    case 'additionalProperties': {
      const field = fieldPath(part, issue.instancePath, String(issue.params.additionalProperty));
      return { field, message: `${field} is not an accepted field.` };
    }
    default: {
      const field = fieldPath(part, issue.instancePath);
      return { field, message: `${field} ${issue.message ?? 'is invalid'}.` };
    }
  }
}

// SDK codes that only the server's own work can raise (its signing, key generation and randomness; a reference cycle,
// which parsed JSON cannot hold): a fault of this server, answered 500 and logged like any unexpected error, never
// blamed on the caller. UNSUPPORTED_JSON_VALUE stays a 400: a caller's string can hold a lone surrogate.
export const SERVER_SIDE_SDK_CODES: ReadonlySet<string> = new Set(['CRYPTO_ERROR', 'JSON_CYCLE']);

/** Maps Fastify's own error codes to the API's codes. */
function fromFastify(err: FastifyError): ApiError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('BODY_TOO_LARGE', 'The request body is larger than this server accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.')
        : new ApiError('VALIDATION_FAILED', 'The Content-Length header does not match the body.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('INVALID_JSON', 'The request body is empty; send a JSON document.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('INVALID_JSON', 'The request body is not valid JSON.');
    default:
      if (err.statusCode === 404) return new ApiError('NOT_FOUND', 'Not found.');
      return undefined;
  }
}

/**
 * PostgreSQL's deadlock_detected (40P01) and serialization_failure (40001). Modules that expect them retry them
 * themselves (ingestion); one that reaches here is answered 503, as a locked database is.
 */
function isTransactionConflict(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === '40P01' || code === '40001') return true;
  }
  return false;
}

/**
 * The one place errors become HTTP responses: `{error, code}` with the right status, a `field` on validation
 * failures, and never a stack trace. Unknown errors are logged (without request bodies) and answered as 500.
 * `onNotFound` sees each request no route matched (metrics count them: such requests run no route hooks). One whose
 * path another method serves is 405 `METHOD_NOT_ALLOWED` with `Allow`; otherwise, for a browser's page request
 * (`wantsErrorPage`), the first of `notFoundPages` that claims it answers it with its page instead of the JSON 404.
 * Call it before any route is registered. Returns that answer, for an onRequest hook to give to a request no route
 * matched (`req.is404`) before its body is read: Fastify parses the body first (of a type it has a parser for), so a
 * wrong path or method sent with malformed JSON or a large body was answered 400 or 413 instead.
 */
export function installErrorHandler(
  app: FastifyInstance,
  onNotFound?: (req: FastifyRequest, reply: FastifyReply) => void,
  notFoundPages: readonly NotFoundPage[] = [],
): (req: FastifyRequest, reply: FastifyReply) => void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    let api: ApiError | undefined;
    let field: string | undefined;
    const translated = toStorageError(err);
    if (err instanceof ApiError) {
      api = err;
      field = err.field;
    } else if (translated instanceof StorageError) {
      if (translated.code === 'DATABASE_UNAVAILABLE') {
        api = new ApiError('DATABASE_UNAVAILABLE', 'The database is unavailable; retry shortly.', {
          headers: { 'retry-after': '5' },
        });
      } else if (translated.code === 'KEK_MISMATCH') {
        // Not the caller's fault, nor a bug: the operator re-wrapped the keys and this process was left running.
        req.log.error({ err: { code: translated.code, message: translated.message } }, 'key-encryption key replaced');
        api = new ApiError(
          'KEK_MISMATCH',
          'This server process holds a key-encryption key that was replaced (vouch kek rewrap); restart it with the ' +
            'new key file.',
        );
      }
    } else if (isTransactionConflict(err)) {
      // PostgreSQL aborted this request's transaction to break a deadlock or keep it serializable: neither the
      // caller's fault nor a bug, and the aborted transaction wrote nothing, so the answer says to retry.
      api = new ApiError(
        'DATABASE_UNAVAILABLE',
        'The database aborted this request to resolve a conflict with a concurrent one; retry it.',
        { headers: { 'retry-after': '1' } },
      );
    } else if (err instanceof VouchError && !SERVER_SIDE_SDK_CODES.has(err.code)) {
      // An SDK parser refused caller input (a key, an encoding, a signed document): the caller's fault.
      const sdkErr = err as VouchError<string>;
      const body = { error: sdkErr.message, code: sdkErr.code };
      return reply.code(400).type('application/json; charset=utf-8').send(body);
    } else if (err.validation && err.validation.length > 0) {
      const d = describeValidation(err.validationContext ?? 'body', err.validation[0] as unknown as AjvIssue);
      api = new ApiError('VALIDATION_FAILED', d.message);
      field = d.field;
    } else api = fromFastify(err);

    if (!api) {
      if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
        api = new ApiError('VALIDATION_FAILED', 'The request is malformed.', { status: err.statusCode });
      } else {
        req.log.error(
          { err: { type: err.name, code: err.code, message: err.message, stack: err.stack } },
          'unhandled error',
        );
        api = new ApiError('INTERNAL', 'The server failed to handle this request.');
      }
    }
    const body: ErrorBody = { error: api.message, code: api.code };
    if (field !== undefined) body.field = field;
    void reply.code(api.statusCode).headers(api.headers).type('application/json; charset=utf-8');
    // A request no route matched that an onRequest hook refused (a Host refusal, say) never reaches onNotFound.
    if (req.is404) onNotFound?.(req, reply);
    return reply.send(body);
  });

  const allowedMethods = trackAllowedMethods(app);
  const notFound = (req: FastifyRequest, reply: FastifyReply) => {
    // Shown capped and inert: the caller chose it.
    const path = shownPath(req.url.split('?')[0]!);
    const allow = allowedMethods(req.url);
    if (allow.length > 0) {
      const methods = allow.join(', ');
      void reply.code(405).header('allow', methods).type('application/json; charset=utf-8');
      onNotFound?.(req, reply);
      const body: ErrorBody = {
        error: `No route ${req.method} ${path}; this path answers ${methods}.`,
        code: 'METHOD_NOT_ALLOWED',
      };
      return reply.send(body);
    }
    void reply.code(404).type('application/json; charset=utf-8');
    onNotFound?.(req, reply);
    const body: ErrorBody = { error: `No route ${req.method} ${path}.`, code: 'NOT_FOUND' };
    if (wantsErrorPage(req) && notFoundPages.some((page) => page(req, reply, body))) return reply;
    return reply.send(body);
  };
  app.setNotFoundHandler(notFound);
  return notFound;
}
