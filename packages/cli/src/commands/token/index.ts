import type { Stats } from 'node:fs';
import { Option } from 'commander';
import type { Command } from 'commander';
import {
  AIP_EXPIRES_IN,
  createAipVerifier,
  decodeJwt,
  isVouchError,
  parsePrivateKey,
  signAipIssueProof,
} from '@vouch/sdk';
import { readFileUpToWithStats } from '@vouch/server/files';
import type { AipCheckResult, AipTokenType, JwtClaims, PrivateKey, PrivateKeyInput } from '@vouch/sdk';
import { answerError, answerOf, hasToken, isObject, NO_TOKEN } from '../../answer.ts';
import { CliError, EXIT } from '../../exit.ts';
import { checkKeyFile } from '../../file-mode.ts';
import { compactToken, MAX_KEY_FILE_BYTES, readStdinUpTo, sizeText, utf8Text } from '../../read.ts';
import type { Io } from '../../output.ts';
import { field, print } from '../../output.ts';
import { pathSegment } from '../../net.ts';
import {
  codeAndReason,
  credentialHeaders,
  expectStatus,
  request,
  serverBase,
  serverOptions,
  shownCode,
} from './http.ts';
import type { ServerOptions } from './http.ts';

function forEachCommand(cmd: Command, fn: (c: Command) => void): void {
  for (const sub of cmd.commands) {
    fn(sub);
    forEachCommand(sub, fn);
  }
}

// A token is a few kilobytes (the server's verify route takes at most 65,536 characters): more on standard input is
// not one, and an endless pipe must not be buffered until memory runs out.
const MAX_TOKEN_INPUT_BYTES = 64 * 1024;

/**
 * A token from the argument, or standard input for `-` (at most {@link MAX_TOKEN_INPUT_BYTES}), without the ASCII
 * whitespace anywhere in it (compactToken): a token copied from a wrapped terminal holds line breaks and indents.
 * Input that is not UTF-8 is refused (exit 2), never read as U+FFFD: that would be a token the command was not given.
 */
async function readToken(arg: string): Promise<string> {
  if (arg !== '-') return arg.trim();
  const bytes = await readStdinUpTo(MAX_TOKEN_INPUT_BYTES);
  if (bytes === undefined) throw new CliError('standard input holds more than 64 KiB: not a token.');
  const text = utf8Text(bytes);
  if (text === undefined) throw new CliError('standard input is not UTF-8 text: not a token.');
  return compactToken(text);
}

/** A time claim (seconds) as an ISO date; `-` for what is none, or beyond a Date's range (an unverified token's). */
function iso(seconds: unknown): string {
  const date = typeof seconds === 'number' ? new Date(seconds * 1000) : undefined;
  return date === undefined || Number.isNaN(date.getTime()) ? '-' : date.toISOString();
}

/** One readable line about a verified token's claims. */
function describe(claims: JwtClaims): string {
  // Claims are server-supplied text: field() keeps each on this line.
  const type = Object.entries(claims).find(([k]) => k.endsWith('/claims/token_type'))?.[1] ?? 'agent';
  const aud = typeof claims.aud === 'string' ? ` for ${field(claims.aud)}` : '';
  return `valid ${field(type)} token of ${field(claims.sub)}${aud}, expires ${iso(claims.exp)} (jti ${field(claims.jti)})`;
}

/** The agent's DID: given as is, or looked up by slug (the proof signs the DID). */
async function agentDid(base: string, agent: string): Promise<string> {
  if (agent.startsWith('did:')) return agent;
  const res = await request(base, 'GET', `/v1/identity/${pathSegment(agent, 'an agent DID or slug')}`);
  expectStatus(res, [200]);
  // The body is whatever JSON came (null too): only an object's string did is the agent's DID.
  const did = isObject(res.body) ? res.body.did : undefined;
  if (typeof did !== 'string') throw new CliError(`the server did not give the DID of ${agent}.`, EXIT.USAGE);
  return did;
}

/**
 * The Ed25519 private key of a `vouch keygen` file or of an identity file `vouch agent create` wrote. The file is held
 * to the server's key-file rule (checkKeyFile): a warning on `io.err`, or exit 2 if any user may write it.
 */
async function agentKey(file: string, io: Io): Promise<PrivateKey> {
  let parsed: { privateJwk?: unknown; privateKeyPem?: unknown };
  let privateKey: PrivateKey;
  let bytes: Buffer | undefined;
  let stats: Stats;
  try {
    ({ bytes, stats } = await readFileUpToWithStats(file, MAX_KEY_FILE_BYTES));
  } catch (err) {
    throw new CliError(`cannot read the key file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}.`);
  }
  if (bytes === undefined) {
    throw new CliError(
      `cannot read the key file ${file}: more than ${sizeText(MAX_KEY_FILE_BYTES)}, too large for a key file.`,
    );
  }
  const text = utf8Text(bytes);
  if (text === undefined) throw new CliError(`cannot read the key file ${file}: not UTF-8 text.`);
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new CliError(`cannot read the key file ${file}: not JSON.`);
  }
  try {
    // An identity file holds only the PEM; a keygen file holds both forms of the same key.
    const key = parsed.privateJwk ?? parsed.privateKeyPem;
    privateKey = parsePrivateKey(key as PrivateKeyInput, { type: 'Ed25519' });
  } catch {
    throw new CliError(
      `${file} does not hold an Ed25519 private key (make one with vouch keygen, or give the identity file ` +
        'vouch agent create wrote).',
    );
  }
  // The mode of the file read: the path, looked up again, may by then name another.
  await checkKeyFile(file, '--key', io, stats);
  return privateKey;
}

interface IssueOptions extends ServerOptions {
  type: AipTokenType;
  audience?: string;
  nonce?: string;
  expiresIn?: string;
  deployer?: string;
  modelProvider?: string[];
  framework?: string;
  key?: string;
}

function registerIssue(token: Command, io: Io): void {
  serverOptions(
    token
      .command('issue')
      .description(
        'Issue an identity or session token for a registered agent, as the admin, its owner, or the agent itself ' +
          '(--key: its Ed25519 key file signs the request). Prints the token.',
      )
      .argument('<agent>', "the agent's slug or DID")
      .addOption(new Option('--type <type>', 'token type').choices(['identity', 'session']).default('identity'))
      .option('--audience <audience>', 'who the session token is for (required for session tokens)')
      .option('--nonce <nonce>', 'a nonce the audience gave you (session tokens)')
      .addOption(new Option('--expires-in <lifetime>', 'lifetime').choices(Object.keys(AIP_EXPIRES_IN)))
      .option('--deployer <name>', 'the human or organization that deployed the agent')
      .option('--model-provider <provider>', 'a model provider (repeatable)', (v, prev: string[] = []) => [...prev, v])
      .option('--framework <name>', 'the agent framework')
      .option(
        '--key <file>',
        "the agent's key file (vouch keygen) or identity file (vouch agent create: ~/.vouch/identities/<alias>.json): " +
          "issue with the agent's own proof (not with an admin or owner key option)",
      ),
    ['admin', 'owner'],
  )
    .addHelpText(
      'after',
      `
Examples:
  $ vouch token issue my-agent --admin-key-file data/admin.key
  $ vouch token issue did:identity:abc... --type session --audience shop.example --key agent.key.json
  $ vouch token issue did:identity:abc... --key ~/.vouch/identities/support-bot.json
  $ VOUCH_OWNER_KEY=vouch_owner_... vouch token issue my-agent --expires-in 6h --json`,
    )
    .action(async (agent: string, opts: IssueOptions) => {
      const base = serverBase(opts);
      const body: Record<string, unknown> = { agent_name: agent, token_type: opts.type };
      if (opts.audience !== undefined) body.audience = opts.audience;
      if (opts.nonce !== undefined) body.nonce = opts.nonce;
      if (opts.expiresIn !== undefined) body.expires_in = opts.expiresIn;
      if (opts.deployer !== undefined) body.deployer = opts.deployer;
      if (opts.modelProvider !== undefined) body.model_providers = opts.modelProvider;
      if (opts.framework !== undefined) body.framework = opts.framework;
      let headers: Record<string, string> = {};
      if (opts.key !== undefined) {
        // Two callers named: the API key option would be read, then dropped for the proof (the environment's is not
        // named, and stays unused).
        if (opts.adminKey !== undefined || opts.ownerKey !== undefined) {
          throw new CliError('give --key or an admin or owner key, not both.');
        }
        const key = await agentKey(opts.key, io);
        const did = await agentDid(base, agent);
        const proof = await signAipIssueProof(key, {
          did,
          tokenType: opts.type,
          audience: opts.audience,
          signedAt: Date.now(),
        });
        Object.assign(body, { agent_name: did, proof: proof.proof, signedAt: proof.signedAt });
      } else {
        headers = credentialHeaders(opts, ['admin', 'owner']);
        if (Object.keys(headers).length === 0) {
          throw new CliError(
            'give $VOUCH_ADMIN_KEY or $VOUCH_OWNER_KEY (or --admin-key-file, --owner-key-file), or --key.',
          );
        }
      }
      const res = await request(base, 'POST', '/api/registry/issue', body, headers);
      expectStatus(res, [201]);
      const issued = answerOf<{ token: string }>(res.body, hasToken, NO_TOKEN, res.status);
      print(io, opts.json === true, issued, () => String(issued.token));
    });
}

/**
 * `--audience` and `--nonce` of `token verify` as the verify route takes them, 1 to 256 characters, or exit 2 before
 * anything is sent: offline, the verifier would check the token against an empty one and call it invalid (exit 1).
 */
function checkVerifyOption(option: string, value: string | undefined): void {
  if (value === undefined) return;
  const length = [...value].length;
  if (length < 1 || length > 256) throw new CliError(`${option} must be 1 to 256 characters.`);
}

interface VerifyOptions extends ServerOptions {
  audience?: string;
  nonce?: string;
  offline?: boolean;
  consumeNonce?: boolean;
}

function registerVerify(token: Command, io: Io): void {
  serverOptions(
    token
      .command('verify')
      .description(
        "Verify a token with the server (or --offline: here, with the server's keys and revocation list). " +
          'Exit 0 when valid, 1 when not.',
      )
      .argument('<token>', 'the token, or - to read it from standard input')
      .option('--audience <audience>', 'require a session token for this audience')
      .option('--nonce <nonce>', 'require this nonce')
      .option('--offline', 'verify here with the SDK verifier instead of asking the server')
      // An offline check has nowhere to record a nonce: together the token would pass as consumed when it is not.
      .addOption(
        new Option(
          '--consume-nonce',
          'present the token as its audience (admin key): consumes its nonce (not with --offline)',
        ).conflicts('offline'),
      ),
    ['admin'],
  )
    .addHelpText(
      'after',
      `
Examples:
  $ vouch token verify - --audience shop.example --offline < token.txt
  $ vouch token verify eyJhbGciOiJFUzI1NiIs...   # arguments are visible to other local users: prefer -`,
    )
    .action(async (arg: string, opts: VerifyOptions) => {
      checkVerifyOption('--audience', opts.audience);
      checkVerifyOption('--nonce', opts.nonce);
      // Named but not sent, the key would leave an anonymous check (no nonce consumed) taken for the audience's.
      if (opts.adminKey !== undefined && opts.consumeNonce !== true) {
        throw new CliError('--admin-key and --admin-key-file are sent only with --consume-nonce.');
      }
      const base = serverBase(opts);
      const token = await readToken(arg);
      let result: AipCheckResult;
      if (opts.offline === true) {
        const verifier = createAipVerifier({ issuer: base });
        try {
          result = await verifier.check(token, { audience: opts.audience, nonce: opts.nonce });
        } catch (err) {
          throw new CliError(`offline verification failed: ${(err as Error).message}`);
        }
        if (!result.valid && /^AIP_/.test(result.code)) {
          throw new CliError(`cannot verify offline: ${result.error}`, EXIT.USAGE);
        }
      } else {
        const body: Record<string, unknown> = { token };
        if (opts.audience !== undefined) body.audience = opts.audience;
        if (opts.nonce !== undefined) body.nonce = opts.nonce;
        const headers = opts.consumeNonce === true ? credentialHeaders(opts, ['admin']) : {};
        if (opts.consumeNonce === true) {
          if (headers['x-api-key'] === undefined) {
            throw new CliError('--consume-nonce needs $VOUCH_ADMIN_KEY (or --admin-key-file).');
          }
          // Prove the key on an admin route first: servers before the verify route refused a wrong key (401
          // UNAUTHORIZED) ignored it and only checked the token, so a refused key read as a consumed nonce.
          expectStatus(await request(base, 'GET', '/api/v1/admin/keys', undefined, headers), [200]);
        }
        const res = await request(base, 'POST', '/api/registry/verify', body, headers);
        expectStatus(res, [200, 401]);
        result = verdictOf(res.status, res.body);
      }
      print(io, opts.json === true, result, () =>
        result.valid ? describe(result.claims) : `invalid: ${codeAndReason(result.code, result.error)}`,
      );
      if (!result.valid) {
        throw new CliError(`the token is not valid (${shownCode(result.code)}).`, EXIT.VERIFICATION_FAILED);
      }
    });
}

/** Claims of a valid token, as the verify route checked them: an object naming its subject, its jti and its expiry. */
const isClaims = (c: unknown): boolean =>
  isObject(c) && typeof c.sub === 'string' && typeof c.jti === 'string' && typeof c.exp === 'number';

/**
 * The verdict of a verify answer, taken only from the verify shape: 200 with `valid: true` and the token's claims, 401
 * with `valid: false` and a code. Anything else (`"valid": "false"` is a truthy string; claims without a subject would
 * print "valid agent token of undefined") is not a verdict: exit 2.
 */
function verdictOf(status: number, body: unknown): AipCheckResult {
  const verdict =
    status === 200
      ? (b: Record<string, unknown>) => b.valid === true && isClaims(b.claims)
      : (b: Record<string, unknown>) => status === 401 && b.valid === false && typeof b.code === 'string';
  return answerOf<AipCheckResult>(body, verdict, 'is not a verification result', status);
}

interface RevokeOptions extends ServerOptions {
  jti?: string;
  token?: string;
  reason?: string;
}

/** The `jti` claim of a token, when it decodes to one (the server refuses a token that does not). */
function jtiOf(token: string): string | undefined {
  try {
    const { jti } = decodeJwt(token).claims;
    return typeof jti === 'string' ? jti : undefined;
  } catch {
    return undefined;
  }
}

function registerRevoke(token: Command, io: Io): void {
  serverOptions(
    token
      .command('revoke')
      .description("Revoke a token by its jti or by the token itself (admin, or the agent's owner).")
      .option('--jti <jti>', "the token's jti")
      .option('--token <token>', 'the token itself, or - to read it from standard input')
      .option('--reason <reason>', 'why (kept in the revocation list)'),
    ['admin', 'owner'],
  )
    .addHelpText(
      'after',
      `
Examples:
  $ vouch token revoke --jti 3q2-7wEVEjRWeJq8vN0xdA --reason "key leaked" --admin-key-file data/admin.key
  $ VOUCH_OWNER_KEY=vouch_owner_... vouch token revoke --token - < token.txt`,
    )
    .action(async (opts: RevokeOptions) => {
      if ((opts.jti === undefined) === (opts.token === undefined))
        throw new CliError('give exactly one of --jti and --token.');
      const headers = credentialHeaders(opts, ['admin', 'owner']);
      if (Object.keys(headers).length === 0) {
        throw new CliError('give $VOUCH_ADMIN_KEY or $VOUCH_OWNER_KEY (or --admin-key-file, --owner-key-file).');
      }
      const body: Record<string, unknown> =
        opts.jti !== undefined ? { jti: opts.jti } : { token: await readToken(opts.token!) };
      if (opts.reason !== undefined) body.reason = opts.reason;
      // The jti asked for: --jti, or the one the token carries (the server revokes that one, or refuses the token).
      const asked = opts.jti ?? jtiOf(body.token as string);
      const res = await request(serverBase(opts), 'POST', '/api/registry/revoke', body, headers);
      expectStatus(res, [200]);
      // "revoked" is said only when the answer says so, of a jti: a leaked token must not read as revoked otherwise.
      const out = answerOf<{ revoked: true; jti: string }>(
        res.body,
        (b) => b.revoked === true && typeof b.jti === 'string',
        'does not say the token is revoked',
        res.status,
      );
      // Nor when it says so of another token's jti.
      if (asked !== undefined && out.jti !== asked)
        throw answerError(`does not say ${field(asked)} is revoked`, res.status);
      print(io, opts.json === true, out, () => `revoked ${field(out.jti)}`);
    });
}

function registerInspect(token: Command, io: Io): void {
  token
    .command('inspect')
    .description('Decode a token and show its header and claims, WITHOUT verifying anything (no server needed).')
    .argument('<token>', 'the token, or - to read it from standard input')
    .option('--json', 'print {header, claims} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ vouch token inspect eyJhbGciOiJFUzI1NiIs...
  $ pbpaste | vouch token inspect - --json`,
    )
    .action(async (arg: string, opts: { json?: boolean }) => {
      const text = await readToken(arg);
      let decoded;
      try {
        decoded = decodeJwt(text);
      } catch (err) {
        throw new CliError(`not a token: ${isVouchError(err) ? err.message : String(err)}`);
      }
      const { header, claims } = decoded;
      print(io, opts.json === true, decoded, () => {
        // Nothing here is verified: every name and value is the token maker's text, kept by field() on its line
        // (JSON.stringify escapes a value's line breaks, not a claim's name, nor U+2028 and U+2029 anywhere).
        const lines = ['(decoded only: not verified)', `header: ${field(JSON.stringify(header))}`];
        for (const [k, v] of Object.entries(claims)) {
          const when = ['iat', 'exp', 'nbf'].includes(k) ? `  (${iso(v)})` : '';
          lines.push(`${field(k)}: ${field(JSON.stringify(v))}${when}`);
        }
        if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) lines.push('expired');
        return lines.join('\n');
      });
    });
}

/** `vouch token issue|verify|revoke|inspect`: agent identity tokens (AIP) over the server's HTTP API. */
export function registerToken(program: Command, io: Io): void {
  const token = program
    .command('token')
    .description('Agent identity tokens (AIP): issue, verify, revoke, inspect.')
    .addHelpText(
      'after',
      `
Server commands use --server (or $VOUCH_SERVER, default http://127.0.0.1:4100). Keys come from $VOUCH_ADMIN_KEY,
$VOUCH_OWNER_KEY or --admin-key-file / --owner-key-file: arguments are visible to other local users. A key given
as an option is used before one in the environment; of two, the admin key.

Examples:
  $ vouch token issue my-agent --type session --audience shop.example --admin-key-file data/admin.key
  $ vouch token verify - --audience shop.example < token.txt
  $ vouch token inspect eyJhbGciOiJFUzI1NiIs...`,
    );
  registerIssue(token, io);
  registerVerify(token, io);
  registerRevoke(token, io);
  registerInspect(token, io);
  forEachCommand(token, (c) =>
    c.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }).exitOverride(),
  );
}
