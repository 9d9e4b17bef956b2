// The server connection shared by the commands that talk to the server (`vouch token`, `keys`, `integrator`, `audit`,
// ...): base URL, credentials, JSON requests.
import type { Command } from 'commander';
import { CliError, EXIT } from '../../exit.ts';
import { NO_REDIRECT, readAnswer, refuseRedirect, unreachable } from '../../net.ts';
import { field } from '../../output.ts';
import { secretOption, sendableKey } from '../../secrets.ts';

export const DEFAULT_SERVER = 'http://127.0.0.1:4100';

/** Options every command that talks to the server accepts. */
export interface ServerOptions {
  server?: string;
  /** Also set from --admin-key-file / --owner-key-file (secrets.ts reads them before the action runs). */
  adminKey?: string;
  ownerKey?: string;
  json?: boolean;
}

/**
 * Adds `--server`, `--json` and, as asked, `--admin-key-file` / `--owner-key-file` (each with its environment
 * fallback) and the argument forms `--admin-key` / `--owner-key`, which warn.
 */
export function serverOptions(cmd: Command, credentials: ReadonlyArray<'admin' | 'owner'> = []): Command {
  cmd.option('--server <url>', `server base URL (default: $VOUCH_SERVER or ${DEFAULT_SERVER})`);
  if (credentials.includes('admin')) secretOption(cmd, 'admin');
  if (credentials.includes('owner')) secretOption(cmd, 'owner');
  return cmd.option('--json', 'print the result as JSON');
}

/** A server URL from somewhere other than `--server`, and how to name that place in a message. */
export interface ServerFallback {
  url: string;
  /** e.g. `the server in ~/.vouch/identities/bot.json`. */
  source: string;
}

/**
 * The server base URL without a trailing slash: `--server`, else `fallback` (an identity's server), else
 * `$VOUCH_SERVER`, else {@link DEFAULT_SERVER}. A malformed one is a usage error naming where it came from.
 */
export function serverBase(opts: ServerOptions, fallback?: ServerFallback): string {
  // An empty $VOUCH_SERVER is unset (as `VOUCH_SERVER=` in an env file means), like the other VOUCH_* variables.
  const env = process.env.VOUCH_SERVER || undefined;
  const [raw, source] =
    opts.server !== undefined
      ? [opts.server, '--server']
      : fallback !== undefined
        ? [fallback.url, fallback.source]
        : env !== undefined
          ? [env, '$VOUCH_SERVER']
          : [DEFAULT_SERVER, 'the default server'];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not echoed when it may hold a password (user:password@).
    const shown = raw.includes('@') ? '' : `, got "${raw}"`;
    throw new CliError(`${source} must be an http(s) URL${shown}.`, EXIT.USAGE);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`${source} must be an http(s) URL.`, EXIT.USAGE);
  }
  // fetch refuses such a URL and the SDK drops the part, so it would only be echoed in messages and identity files.
  if (url.username !== '' || url.password !== '') {
    throw new CliError(`${source} must not hold a user name or password (user:password@).`, EXIT.USAGE);
  }
  // Routes are appended to the base: after a query or a fragment they would land in it (`/?x=1/v1/keys` asks for
  // `/`), and the SDK drops both. The serialized URL holds `?` or `#` only as their delimiters (an empty one too).
  if (url.href.includes('?') || url.href.includes('#')) {
    throw new CliError(`${source} must not hold a query (?...) or a fragment (#...).`, EXIT.USAGE);
  }
  // A loop: /\/+$/ backtracks quadratically over a long run of inner slashes.
  const text = url.toString();
  let end = text.length;
  while (end > 0 && text[end - 1] === '/') end--;
  return text.slice(0, end);
}

/**
 * Credential headers from the options, else from the environment; `accept` names the kinds the command takes. A key
 * given on the command line wins over the environment (`--owner-key-file` is not overridden by a `$VOUCH_ADMIN_KEY`
 * the shell happens to hold); within each, the admin key comes first.
 */
export function credentialHeaders(
  opts: ServerOptions,
  accept: ReadonlyArray<'admin' | 'owner'>,
): Record<string, string> {
  const given = (admin: string | undefined, owner: string | undefined): Record<string, string> | undefined => {
    if (accept.includes('admin') && admin) return { 'x-api-key': admin };
    if (accept.includes('owner') && owner) return { authorization: `Bearer ${owner}` };
    return undefined;
  };
  const fromOptions = given(opts.adminKey, opts.ownerKey);
  if (fromOptions !== undefined) return fromOptions;
  // The options' keys were checked as they were read (resolveSecretOptions); the one taken from here is checked now.
  const { VOUCH_ADMIN_KEY: admin, VOUCH_OWNER_KEY: owner } = process.env;
  const fromEnv = given(admin, owner);
  if (fromEnv?.['x-api-key'] !== undefined) sendableKey(admin!, '$VOUCH_ADMIN_KEY');
  else if (fromEnv !== undefined) sendableKey(owner!, '$VOUCH_OWNER_KEY');
  return fromEnv ?? {};
}

/** The admin key's header for an admin-only command, or a usage error (exit 2) before anything is sent. */
export function adminHeaders(opts: ServerOptions): Record<string, string> {
  const headers = credentialHeaders(opts, ['admin']);
  if (headers['x-api-key'] === undefined)
    throw new CliError('give $VOUCH_ADMIN_KEY (or --admin-key-file).', EXIT.USAGE);
  return headers;
}

export interface Answer {
  status: number;
  body: unknown;
}

/**
 * One JSON request. Network failures, redirects (never followed: they would take the credentials elsewhere) and
 * answers over 16 MiB are usage errors (exit 2) naming the server, never a credential.
 */
export async function request(
  base: string,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const url = `${base}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      ...NO_REDIRECT,
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw unreachable(base, err);
  }
  refuseRedirect(res, url);
  const text = await readAnswer(res, url);
  let parsed: unknown = undefined;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CliError(`${url} answered ${res.status} with a body that is not JSON.`, EXIT.USAGE);
    }
  }
  return { status: res.status, body: parsed };
}

// How much of a refusal's `code` and `error` is shown, as the SDK's client keeps them (errorFromResponse): an answer
// may be up to 16 MiB, which would otherwise all reach stderr as one line.
const MAX_CODE_CHARS = 64;
export const MAX_ERROR_CHARS = 500;

/**
 * How a refusal is shown after "the server refused: ": `CODE: message`, just `CODE` when the message is missing or
 * not a string, else `HTTP status`. Each is cut to its cap and passed through field(), so the server's escape
 * sequences, bidi controls and line breaks are not echoed. (`vouch registry submit` and `cosign` use it too.)
 */
export function refusalText(answer: Answer): string {
  const b = answer.body as { error?: unknown; code?: unknown } | null | undefined;
  return typeof b?.code === 'string' ? codeAndReason(b.code, b.error) : `HTTP ${answer.status}`;
}

/** A server's code as shown: cut to {@link MAX_CODE_CHARS} and through field(). */
export function shownCode(code: string): string {
  return field(code.slice(0, MAX_CODE_CHARS));
}

/** `CODE: reason`, each cut and escaped, or just `CODE` when the reason is missing or not a string. */
export function codeAndReason(code: string, reason: unknown): string {
  return typeof reason === 'string'
    ? `${shownCode(code)}: ${field(reason.slice(0, MAX_ERROR_CHARS))}`
    : shownCode(code);
}

/** Throws the server's refusal (as {@link refusalText} shows it) as a usage error unless the status is one of `ok`. */
export function expectStatus(answer: Answer, ok: readonly number[]): void {
  if (ok.includes(answer.status)) return;
  throw new CliError(`the server refused: ${refusalText(answer)}`, EXIT.USAGE);
}
