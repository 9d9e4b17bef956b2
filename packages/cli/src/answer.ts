// The checks a command makes of a server's answer before acting on it. A proxy's page, a broken server or an older
// one can answer 200 with any JSON; a command that printed "revoked undefined" or took `"valid": "false"` for a
// verdict would mislead its operator, so every such answer ends the command (exit 2) with one form of message.
import { CliError, EXIT } from './exit.ts';

/** A JSON object (not null, not an array). */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The error for an answer that is not what the command needs: "the server's [status ]answer <why>." The status is
 * named where the command saw it (its own HTTP call); the SDK's calls hand back only the body.
 */
export function answerError(why: string, status?: number): CliError {
  return new CliError(`the server's ${status === undefined ? '' : `${status} `}answer ${why}.`, EXIT.USAGE);
}

/** The answer's body when it is an object that `ok` holds of; otherwise `answerError(why, status)`. */
export function answerOf<T>(
  body: unknown,
  ok: (b: Record<string, unknown>) => boolean,
  why: string,
  status?: number,
): T {
  if (isObject(body) && ok(body)) return body as T;
  throw answerError(why, status);
}

// One compact JWT: three base64url parts joined by dots, nothing else. The token is printed alone for scripts
// (`TOKEN=$(vouch agent token)`): a line break or anything else of the server's would reach them as its own text.
const COMPACT_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** An issuing answer's check: it holds a token to print, one compact JWT. */
export const hasToken = (b: Record<string, unknown>): boolean =>
  typeof b.token === 'string' && COMPACT_JWT.test(b.token);

/** What {@link answerOf} says of an issuing answer that {@link hasToken} refuses. */
export const NO_TOKEN = 'holds no token (one compact JWT)';

/** A time in milliseconds a Date holds (whole, within ±8.64e15): one to print as an ISO date without a RangeError. */
export const isMillis = (v: unknown): v is number => Number.isSafeInteger(v) && Math.abs(v as number) <= 8.64e15;
