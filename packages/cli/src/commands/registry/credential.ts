import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  decodeJwt,
  formatPublicKey,
  isVouchError,
  MAX_TOKEN_LENGTH,
  parseScopeEntry,
  replayGovernance,
  signAgentCredential,
} from '@vouch/sdk';
import { CliError, EXIT } from '../../exit.ts';
import type { Io } from '../../output.ts';
import { print } from '../../output.ts';
import { parseDuration } from './lib/duration.ts';
import { readPrivateKeyFile, readPublicKeyArg } from './lib/key-files.ts';
import { DEFAULT_DIR, layout, readRegistryIfAny, shown, writeText } from './lib/layout.ts';

interface CredentialOptions {
  key: string;
  as: string;
  agent: string;
  scope: string[];
  ttl: string;
  agentKey?: string;
  output?: string;
  format: string;
  dir: string;
}

/**
 * The entries of one --scope, added to the earlier ones; blank pieces between commas are skipped. A --scope naming no
 * entry at all (`--scope "$SCOPES"` with SCOPES unset) is refused: without entries the credential allows any scope.
 */
function collect(value: string, previous: string[]): string[] {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) {
    throw new CliError(`--scope ${JSON.stringify(value)} names no "<resource>:<action>" entry; omit it for any scope.`);
  }
  return [...previous, ...entries];
}

/** Whether `a` and `b` name the same existing file (a link to it included). */
async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  return x !== undefined && y !== undefined && x.dev === y.dev && x.ino === y.ino;
}

/** `vouch registry credential`: an agent credential signed with the issuer's registry key. */
export function registerCredential(registry: Command, io: Io): void {
  registry
    .command('credential')
    .description(
      "Issue an agent credential (compact JWS) signed with your issuer key, for a gateway's POST /v1/tokens.",
    )
    .requiredOption('--key <file>', 'your issuer key file (from `vouch registry keygen`)')
    .requiredOption('--as <issuer-id>', 'your issuer id in the registry')
    .requiredOption('--agent <agent-id>', 'the agent the credential is for (its `sub`)')
    .option(
      '--scope <resource:action>',
      'allowed "<resource>:<action>" (repeat, or comma-separate); default: any',
      collect,
      [],
    )
    .option('--ttl <duration>', 'lifetime, e.g. 90s, 30m, 12h, 7d', '24h')
    .option('--agent-key <file|key>', "bind the agent's Ed25519 public key (cnf.jwk): tokens then need its proof")
    .option('--output <file>', 'write the credential to this file (mode 0600) instead of printing it')
    .option(
      '--format <format>',
      'text (the credential alone) or json (with its claims; the file with --output)',
      'text',
    )
    .option('--dir <dir>', 'registry directory (to check that your key is the registered one)', DEFAULT_DIR)
    .addHelpText(
      'after',
      `
The credential is a JWS (typ "agent-credential+jwt", kid = your issuer id) over {iss, sub, iat, exp, scope?, cnf?}.
A gateway accepts it while you are an active issuer of its registry with this same key.

Examples:
  $ vouch registry credential --key acme.key.json --as acme --agent agent:my-assistant:v1 --scope payments:invoices:read
  $ vouch registry credential --key acme.key.json --as acme --agent agent:bot --ttl 1h --agent-key bot.pub --format json`,
    )
    .action(async (opts: CredentialOptions) => {
      if (opts.format !== 'text' && opts.format !== 'json') {
        throw new CliError('--format must be text or json.', EXIT.USAGE);
      }
      for (const s of opts.scope) {
        if (parseScopeEntry(s) === undefined) {
          throw new CliError(`--scope ${JSON.stringify(s)} is not "<resource>:<action>" (e.g. payments:*:read).`);
        }
      }
      const key = await readPrivateKeyFile(opts.key, io);
      // --output replaces its file whole: over the key file it would destroy the issuer's private key.
      if (opts.output !== undefined && (await sameFile(resolve(opts.output), resolve(opts.key)))) {
        throw new CliError(`--output ${opts.output} is the --key file; give another file for the credential.`);
      }
      const doc = await readRegistryIfAny(layout(opts.dir));
      const state = doc === undefined ? undefined : replayGovernance(doc.governance).state;
      if (state !== undefined) {
        const entry = state.issuers.find((e) => e.id === opts.as);
        if (entry === undefined) {
          throw new CliError(`${opts.as} is not an active issuer of the registry in ${shown(layout(opts.dir).dir)}.`);
        }
        if (entry.publicKey !== formatPublicKey(key.publicKey, 'registry')) {
          throw new CliError(`${shown(resolve(opts.key))}: not the registered key of ${opts.as}.`);
        }
      }
      const agentKey = opts.agentKey === undefined ? undefined : await readPublicKeyArg(opts.agentKey, '--agent-key');
      let credential: string;
      try {
        credential = await signAgentCredential(
          {
            issuerId: opts.as,
            agentId: opts.agent,
            ttlSeconds: parseDuration(opts.ttl, '--ttl'),
            ...(opts.scope.length > 0 ? { scope: opts.scope } : {}),
            ...(agentKey !== undefined ? { agentKey } : {}),
          },
          key,
        );
      } catch (err) {
        // Every verifier (verify-credential, a gateway) decodes at most MAX_TOKEN_LENGTH characters of a compact JWS:
        // the SDK signs no longer credential, which with --output would have replaced the one in use.
        if (isVouchError(err) && err.message.includes(`more than the ${MAX_TOKEN_LENGTH} characters`)) {
          throw new CliError(`${err.message} Give fewer or shorter --scope entries.`);
        }
        if (isVouchError(err)) throw new CliError(err.message);
        throw err;
      }
      if (opts.output !== undefined) {
        // The credential is a secret: 0600 also when it replaces an older file (a renewal to the same path). A run
        // killed while it wrote left it in `<file>.<hex>.tmp`: removed (unless its process runs).
        await writeText(resolve(opts.output), `${credential}\n`, {
          mode: 0o600,
          warn: (_, message) => io.err(`vouch: warning: ${message}.`),
        });
      }
      const { claims } = decodeJwt(credential);
      // With --output the credential stays in its 0600 file, in the JSON form too: the file is named instead.
      const json = opts.output === undefined ? { credential, claims } : { file: resolve(opts.output), claims };
      print(io, opts.format === 'json', json, () =>
        opts.output === undefined
          ? credential
          : `wrote a credential for ${opts.agent} (expires ${new Date(claims.exp! * 1000).toISOString()}) to ${shown(resolve(opts.output))}`,
      );
    });
}
