// The server connection shared by `vouch token` and `vouch keys`: base URL, credentials, JSON requests.
import type { Command } from 'commander';
import { CliError, EXIT } from '../../exit.ts';
import { NO_REDIRECT, readAnswer, refuseRedirect } from '../../net.ts';
import { field } from '../../output.ts';
import { secretOption } from '../../secrets.ts';

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

/** The server base URL without a trailing slash; a malformed one is a usage error. */
export function serverBase(opts: ServerOptions): string {
  // An empty $VOUCH_SERVER is unset (as `VOUCH_SERVER=` in an env file means), like the other VOUCH_* variables.
  const raw = opts.server ?? (process.env.VOUCH_SERVER || undefined) ?? DEFAULT_SERVER;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`--server must be an http(s) URL, got "${raw}".`, EXIT.USAGE);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError('--server must be an http(s) URL.', EXIT.USAGE);
  }
  // fetch refuses such a URL and the SDK drops the part, so it would only be echoed in messages and identity files.
  if (url.username !== '' || url.password !== '') {
    throw new CliError('--server must not hold a user name or password (user:password@).', EXIT.USAGE);
  }
  return url.toString().replace(/\/+$/, '');
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
  return given(opts.adminKey, opts.ownerKey) ?? given(process.env.VOUCH_ADMIN_KEY, process.env.VOUCH_OWNER_KEY) ?? {};
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
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new CliError(`cannot reach ${base} (${cause}).`, EXIT.USAGE);
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

/** Throws the server's `{error, code}` as a usage error unless the status is one of `ok`. */
export function expectStatus(answer: Answer, ok: readonly number[]): void {
  if (ok.includes(answer.status)) return;
  const b = answer.body as { error?: unknown; code?: unknown } | undefined;
  const what = typeof b?.code === 'string' ? `${field(b.code)}: ${field(b.error)}` : `HTTP ${answer.status}`;
  throw new CliError(`the server refused: ${what}`, EXIT.USAGE);
}
