// What every `vouch agent` command shares: the identity and server options, the SDK client and agent bound to the
// stored key, and one mapping of the client's errors to the CLI's one-line messages and exit codes.
import type { Command } from 'commander';
import { isVouchError, VouchAgent, VouchApiError, VouchClient } from '@vouch/sdk';
import { CliError, EXIT } from '../../exit.ts';
import { readFileUpTo } from '@vouch/server/files';
import { MAX_ANSWER_BYTES, unreachable } from '../../net.ts';
import { readStdinUpTo, sizeText } from '../../read.ts';
import type { Io } from '../../output.ts';
import { field } from '../../output.ts';
import { identityKey, identityPath, resolveIdentity } from '../../identity-store.ts';
import type { StoredIdentity } from '../../identity-store.ts';
import { DEFAULT_SERVER, serverBase } from '../token/http.ts';
import type { ServerFallback } from '../token/http.ts';

export interface AgentOptions {
  alias?: string;
  server?: string;
  json?: boolean;
}

/** Adds `--alias` (which identity acts), `--server` (with how its default is found) and `--json`. */
export function agentOptions(
  cmd: Command,
  withAlias = true,
  serverDefault = `the identity's server, then $VOUCH_SERVER, then ${DEFAULT_SERVER}`,
): Command {
  if (withAlias) cmd.option('--alias <alias>', 'the identity to act as (default: $VOUCH_AGENT, then the default)');
  return cmd
    .option('--server <url>', `server base URL (default: ${serverDefault})`)
    .option('--json', 'print the result as JSON');
}

/** The server to talk to: `--server`, else the identity's own server, else `$VOUCH_SERVER`, else the default. */
export function agentServer(opts: AgentOptions, identity?: StoredIdentity): string {
  return serverBase(opts, identity === undefined ? undefined : identityServer(identity));
}

/** An identity's server, named by its file in messages (the file may have been edited by hand). */
export function identityServer(identity: StoredIdentity): ServerFallback {
  let file: string;
  try {
    file = identityPath(identity.alias);
  } catch {
    // The alias inside a hand-edited file need not be one: name the identity instead of failing on its name.
    file = `the identity "${identity.alias}"`;
  }
  return { url: identity.server, source: `the server in ${file}` };
}

// The errors fetch itself rejected with: no answer came. The SDK's status-0 error (NETWORK_ERROR, REQUEST_TIMEOUT)
// also covers an answer whose body broke off, and the two must not read alike (see callServer).
const noAnswer = new WeakSet<object>();

function fetchNotingNoAnswer(url: string, init: RequestInit): Promise<Response> {
  return fetch(url, init).catch((err: unknown) => {
    if (typeof err === 'object' && err !== null) noAnswer.add(err);
    throw err;
  });
}

/** The SDK client for a server: a per-call timeout, and one quick retry of idempotent calls (a CLI user waits). */
export function clientFor(base: string): VouchClient {
  return new VouchClient({
    baseUrl: base,
    timeoutMs: 15_000,
    retry: { retries: 1, baseDelayMs: 100 },
    maxResponseBytes: MAX_ANSWER_BYTES,
    fetch: fetchNotingNoAnswer,
  });
}

/** The identity the command acts as: the stored record, the server, and the SDK agent holding its key. */
export async function actingIdentity(opts: AgentOptions, io: Pick<Io, 'err'>) {
  const identity = await resolveIdentity(opts.alias, process.env, io);
  const base = agentServer(opts, identity);
  const agent = new VouchAgent(clientFor(base), { did: identity.did, privateKey: identityKey(identity) });
  return { identity, base, agent };
}

/** The SDK's refusals of an answer that came (its status below 400), in the words of net.ts. */
const CLIENT_REFUSALS: Partial<Record<string, (status: number) => string>> = {
  UNEXPECTED_REDIRECT: (status) => `answered ${status}, a redirect that is not followed`,
  RESPONSE_TOO_LARGE: () => `answered with more than ${sizeText(MAX_ANSWER_BYTES)}; refused`,
  RESPONSE_INVALID: (status) => `answered ${status} with a body that is not the JSON answer it should be`,
};

/**
 * Runs server calls and turns the client's failures into one readable line (exit 2): "cannot reach" when no answer
 * came, "the answer ... broke off" when one came and its body did not, what was wrong with an answer the client
 * refused (a redirect, too large, not JSON), "the server refused: CODE: sentence" otherwise. Other errors pass through.
 */
export async function callServer<T>(base: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof VouchApiError) {
      if (err.status === 0 && typeof err.cause === 'object' && err.cause !== null && !noAnswer.has(err.cause)) {
        // Not fetch's rejection: the body of an answer broke off (its cause's code, else REQUEST_TIMEOUT, ...).
        const code = (err.cause as { cause?: { code?: unknown } }).cause?.code;
        throw new CliError(
          `the answer from ${base} broke off (${typeof code === 'string' ? code : err.code}).`,
          EXIT.USAGE,
        );
      }
      if (err.status === 0) {
        // The SDK's cause is fetch's error; without a code in its own cause, the SDK's code (REQUEST_TIMEOUT, ...).
        throw unreachable(base, err.cause, err.code);
      }
      const refusedAnswer = CLIENT_REFUSALS[err.code];
      if (refusedAnswer !== undefined && err.status < 400) {
        // The client refused the answer: the server refused nothing. Said as the CLI's own HTTP calls say it.
        throw new CliError(`${base}${err.path} ${refusedAnswer(err.status)}.`, EXIT.USAGE);
      }
      throw new CliError(`the server refused: ${field(err.code)}: ${field(err.message)}`, EXIT.USAGE);
    }
    if (isVouchError(err)) throw new CliError(`${err.code}: ${err.message}`, EXIT.USAGE);
    throw err;
  }
}

/**
 * Most bytes of content `agent sign` and `agent verify --file` read. The server receives only the SHA-256, but the
 * SDK's signContent and verifyContent take the content whole, so the CLI holds it in memory: an endless pipe or a
 * huge file is refused instead of filling it.
 */
export const MAX_CONTENT_BYTES = 256 * 1024 * 1024;

/** Bytes of a file, or of standard input for `-`, at most {@link MAX_CONTENT_BYTES} (exit 2 beyond). */
export async function readInput(arg: string): Promise<Uint8Array> {
  let bytes: Buffer | undefined;
  try {
    bytes = arg === '-' ? await readStdinUpTo(MAX_CONTENT_BYTES) : await readFileUpTo(arg, MAX_CONTENT_BYTES);
  } catch (err) {
    throw new CliError(`cannot read ${arg}: ${(err as NodeJS.ErrnoException).code ?? 'error'}.`, EXIT.USAGE);
  }
  if (bytes === undefined) {
    throw new CliError(
      `${arg === '-' ? 'standard input' : arg} holds more than ${sizeText(MAX_CONTENT_BYTES)}, the most ` +
        'vouch agent sign and verify read (the content is hashed in memory).',
      EXIT.USAGE,
    );
  }
  return bytes;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** A 64-hex SHA-256 argument (signature hashes); upper case is accepted and lowered. */
export function checkHash(value: string, what: string): string {
  const v = value.trim().toLowerCase();
  if (!HEX64.test(v)) throw new CliError(`${what} must be 64 hex digits (a SHA-256), got "${value}".`);
  return v;
}

/** Routes commander's output through `io` and makes usage errors end the command instead of the process. */
export function routeOutput(cmd: Command, io: Io): void {
  cmd.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }).exitOverride();
}
