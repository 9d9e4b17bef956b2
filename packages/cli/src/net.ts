// How the CLI reads an answer from a server it does not control. Every fetch passes `redirect: 'manual'` and then
// refuses a 3xx: a followed redirect to another origin would carry the admin key along (fetch strips Authorization
// there, not x-api-key) and a 307 would resend the body. Bodies are read as a stream up to a cap.
import { isVouchError, readBodyText } from '@vouch/sdk';
import { CliError, EXIT } from './exit.ts';

/**
 * Bytes of an answer the CLI reads. Its answers are JSON of a few kilobytes; the CLI downloads no registry document
 * (that would take REGISTRY_LIMITS.maxDocumentBytes of @vouch/sdk).
 */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** What every fetch of the CLI passes, so that a redirect comes back as a 3xx answer instead of being followed. */
export const NO_REDIRECT = { redirect: 'manual' } as const satisfies RequestInit;

function discard(res: Response): void {
  res.body?.cancel().catch(() => undefined);
}

/** Throws (exit 2) when the answer is a redirect: the CLI talks to the server it was given, nowhere else. */
export function refuseRedirect(res: Response, url: string): void {
  if (res.status < 300 || res.status > 399) return;
  discard(res);
  const location = res.headers.get('location');
  const to =
    location === null ? 'without a Location' : `to ${location.length > 200 ? `${location.slice(0, 200)}…` : location}`;
  throw new CliError(`${url} answered ${res.status}, a redirect ${to} that is not followed.`, EXIT.USAGE);
}

/**
 * Why a fetch got no answer: its cause's code (`ECONNREFUSED`, `ENOTFOUND`), else `fallback`, its name by default
 * (`TimeoutError`). fetch refuses the ports of the Fetch standard's block list (6000, 6665 to 6669, ...) with a
 * TypeError whose cause, without a code, says "bad port", though a server may listen there: that is said, or it reads
 * as a server that is down.
 */
function unreachableCause(base: string, err: unknown, fallback: string = (err as Error).name): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (cause?.message === 'bad port') {
    const port = URL.canParse(base) ? new URL(base).port : '';
    return `bad port: fetch does not connect to port ${port}, one the Fetch standard blocks; run the server on another port`;
  }
  return fallback;
}

/**
 * The usage error (exit 2) for a fetch that got no answer, with its cause: `ECONNREFUSED`, `TimeoutError`, ...;
 * `fallback` as in {@link unreachableCause}.
 */
export function unreachable(base: string, err: unknown, fallback?: string): CliError {
  return new CliError(`cannot reach ${base} (${unreachableCause(base, err, fallback)}).`, EXIT.USAGE);
}

function tooLarge(url: string, max: number): CliError {
  return new CliError(`${url} answered with more than ${max / (1024 * 1024)} MiB; refused.`, EXIT.USAGE);
}

/** An answer whose bytes are not UTF-8: registry publish, which ignores a body that is not JSON, ignores it too. */
export class AnswerNotUtf8Error extends CliError {}

/**
 * The body as text, read up to `max` bytes (the SDK's capped reader): beyond that the stream is cancelled and the
 * command fails (exit 2), as it does when the answer breaks off. Every answer the CLI reads is JSON, which is UTF-8
 * (RFC 8259 §8.1): other bytes fail it too ({@link AnswerNotUtf8Error}), never read as U+FFFD.
 */
export async function readAnswer(res: Response, url: string, max: number = MAX_ANSWER_BYTES): Promise<string> {
  try {
    return await readBodyText(res, max, { fatal: true });
  } catch (err) {
    if (isVouchError(err) && err.code === 'RESPONSE_TOO_LARGE') throw tooLarge(url, max);
    if (isVouchError(err) && err.code === 'INVALID_UTF8') {
      throw new AnswerNotUtf8Error(`${url} answered ${res.status} with a body that is not UTF-8.`, EXIT.USAGE);
    }
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new CliError(`${url}: the answer broke off (${cause}).`, EXIT.USAGE);
  }
}

/**
 * `value` as one segment of a route's path. An empty one names another route, and `.` and `..` stay dot segments
 * however encoded (the URL parser resolves `%2e` too): each is refused, exit 2, before anything is sent.
 */
export function pathSegment(value: string, what: string): string {
  if (value === '' || value === '.' || value === '..') throw new CliError(`"${value}" is not ${what}.`, EXIT.USAGE);
  return encodeURIComponent(value);
}
