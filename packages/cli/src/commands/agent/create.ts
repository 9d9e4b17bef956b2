// `vouch agent create`: a new Ed25519 key, the server's proof of work, a proof of possession of the key, registration,
// and the identity file.
import type { Command } from 'commander';
import {
  createAgentIdentity,
  DEFAULT_POW_DIFFICULTY,
  formatPrivateKey,
  formatPublicKey,
  VouchApiError,
} from '@vouch/sdk';
import type { CreatedAgent } from '@vouch/sdk';
import { displayTextProblem } from '../../display-text.ts';
import { CliError, EXIT } from '../../exit.ts';
import type { Io } from '../../output.ts';
import { field, print } from '../../output.ts';
import {
  aliasTaken,
  checkAlias,
  claimFirstDefault,
  defaultAlias,
  IDENTITY_VERSION,
  identityExists,
  prepareIdentityStore,
  publicView,
  saveIdentity,
  setDefaultAlias,
} from '../../identity-store.ts';
import type { StoredIdentity } from '../../identity-store.ts';
import { secretOption, sendableKey } from '../../secrets.ts';
import { DEFAULT_SERVER } from '../token/http.ts';
import { agentOptions, agentServer, callServer, clientFor } from './common.ts';
import type { AgentOptions } from './common.ts';

interface CreateOptions extends AgentOptions {
  alias: string;
  label?: string;
  linkingKey?: string;
  powDifficulty?: string;
  /** `false` with --no-key-proof. */
  keyProof?: boolean;
  default?: boolean;
}

// The most leading zeros the CLI solves for because a server said so (16^6 hashes, seconds); a server asking more
// (each digit is 16 times the work, 16 would take years) gets a command to run with the difficulty given explicitly.
const MAX_LEARNED_DIFFICULTY = 6;

// The server's limit on a label (the register schema's maxLength, in characters): checked before the proof of work.
const MAX_LABEL_CHARS = 200;

/**
 * Refuses a label the server's register schema refuses (1 to 200 characters of DISPLAY_TEXT) before the proof of
 * work, which would otherwise run for nothing.
 */
function checkLabel(label: string): void {
  if (label === '') throw new CliError('--label must not be empty (leave it out for no label).');
  if ([...label].length > MAX_LABEL_CHARS) {
    throw new CliError(`--label must be at most ${MAX_LABEL_CHARS} characters.`);
  }
  const problem = displayTextProblem(label);
  if (problem !== undefined) throw new CliError(`--label ${problem}, which the server refuses.`);
}

/**
 * Makes the new identity `alias` the default when asked, when there is none, or when the default names an identity
 * that is gone (kept, every command without --alias would fail on it however many identities were created). A damaged
 * config.json is left as it is, with a warning, unless asked.
 * `config.json` may already name this alias (written before it existed): it is the default, nothing to write. The
 * agent is registered and its key kept by now: a config.json that cannot be written must not hide the DID and the
 * claim token (shown only now), so its failure comes back as a warning to print after the result (exit 0).
 */
async function takeDefault(
  alias: string,
  asked: boolean,
  io: Io,
): Promise<{ isDefault: boolean; notDefault?: string }> {
  const notDefault = (err: unknown) =>
    `vouch: warning: ${(err as Error).message} "${alias}" was not made the default (use --alias ${alias}).`;
  let current: string | undefined;
  try {
    current = await defaultAlias();
  } catch (err) {
    // A damaged config.json is reported and left as it is, unless --default names this one (setDefaultAlias).
    if (!asked) return { isDefault: false, notDefault: notDefault(err) };
  }
  if (current === alias) return { isDefault: true };
  const stale = current !== undefined && !(await identityExists(current));
  if (!asked && current !== undefined && !stale) return { isDefault: false };
  try {
    if (!asked && current === undefined) {
      // No default yet: taken by creating config.json, so that of concurrent first creates only one takes it.
      if (await claimFirstDefault(alias)) return { isDefault: true };
      const now = await defaultAlias();
      if (now === alias) return { isDefault: true };
      if (now !== undefined && (await identityExists(now))) return { isDefault: false };
      // A config.json naming no identity (created meanwhile) is replaced, as before; a damaged one was reported above.
    }
    await setDefaultAlias(alias);
  } catch (err) {
    return { isDefault: false, notDefault: notDefault(err) };
  }
  if (stale) io.err(`vouch: the default identity "${current}" no longer exists: "${alias}" is the default now.`);
  return { isDefault: true };
}

/**
 * The difficulty from --pow-difficulty, else $VOUCH_POW_DIFFICULTY (empty is unset, as for the server), in the form the
 * server takes for VOUCH_POW_DIFFICULTY: digits only (not `0x2`, `1e1` or ` 3`, which Number() would read), 0 to 16.
 */
function difficultyOf(raw: string | undefined): number {
  const env = process.env.VOUCH_POW_DIFFICULTY || undefined;
  const text = raw ?? env;
  if (text === undefined) return DEFAULT_POW_DIFFICULTY;
  if (!/^\d+$/.test(text) || Number(text) > 16) {
    throw new CliError(
      `${raw !== undefined ? '--pow-difficulty' : '$VOUCH_POW_DIFFICULTY'} must be a whole number 0-16.`,
    );
  }
  return Number(text);
}

/** Proof-of-work progress on stderr, at most twice a second. */
function progress(io: Io, difficulty: number): (attempts: number) => void {
  let last = Date.now();
  io.err(`proof of work: finding ${difficulty} leading zero hex digits…`);
  return (n) => {
    const now = Date.now();
    if (now - last < 500) return;
    last = now;
    io.err(`proof of work: ${n.toLocaleString('en-US')} hashes tried…`);
  };
}

export function registerCreate(agent: Command, io: Io): void {
  agentOptions(
    secretOption(
      agent
        .command('create')
        .description(
          'Create an agent identity: a new Ed25519 key pair, the proof of work, a proof of possession of the key ' +
            '(its signature of a statement naming the server), registration with the server. ' +
            'The key is kept in $VOUCH_HOME/identities/<alias>.json (mode 0600; VOUCH_HOME defaults to ~/.vouch) ' +
            'and never printed.',
        )
        .option('--alias <alias>', 'local name of the identity (letters, digits, - and _)', 'default')
        .option('--label <label>', 'a label the server records for the agent'),
      'linking',
      ' (vouch_link_…): links the agent to that owner at once',
    )
      .option(
        '--pow-difficulty <n>',
        `the server's proof-of-work difficulty (default: $VOUCH_POW_DIFFICULTY or ${DEFAULT_POW_DIFFICULTY}; ` +
          `learned from the server when it differs, up to ${MAX_LEARNED_DIFFICULTY})`,
      )
      .option(
        '--no-key-proof',
        'send no proof of possession of the key: for servers that predate it (one with VOUCH_REQUIRE_KEY_PROOF=1 ' +
          'refuses the registration)',
      )
      .option('--default', 'make it the default identity (the first one created always is)'),
    false,
    `$VOUCH_SERVER, then ${DEFAULT_SERVER}`,
  )
    .addHelpText(
      'after',
      `
Examples:
  $ vouch agent create --alias support-bot --label "Support bot"
  $ vouch agent create --alias shop-agent --linking-key-file link.key --server https://vouch.example --json
  $ VOUCH_LINKING_KEY=vouch_link_... vouch agent create --alias shop-agent
  $ vouch agent create --alias legacy-bot --server https://old-vouch.example --no-key-proof`,
    )
    .action(async (opts: CreateOptions) => {
      const alias = checkAlias(opts.alias);
      const base = agentServer(opts);
      let difficulty = difficultyOf(opts.powDifficulty);
      if (opts.label !== undefined) checkLabel(opts.label);
      // The option's forms were checked as they were read (resolveSecretOptions); the environment's, if used, here.
      const fromEnv = process.env.VOUCH_LINKING_KEY || undefined;
      const linkingKey = opts.linkingKey ?? (fromEnv && sendableKey(fromEnv, '$VOUCH_LINKING_KEY'));
      if (await aliasTaken(alias)) throw new CliError(`an identity named "${alias}" already exists.`);
      // Before the proof of work and the registration: a folder that cannot be made fails with nothing registered.
      await prepareIdentityStore();

      const client = clientFor(base);
      const attempt = async (d: number): Promise<CreatedAgent> => {
        const started = Date.now();
        const made = await createAgentIdentity(client, {
          label: opts.label,
          linkingKey,
          difficulty: d,
          onProgress: progress(io, d),
          keyProof: opts.keyProof !== false,
        });
        io.err(
          `proof of work: found after ${made.powAttempts.toLocaleString('en-US')} hashes (${Date.now() - started} ms).`,
        );
        return made;
      };
      const registered = await callServer(base, async () => {
        try {
          return await attempt(difficulty);
        } catch (err) {
          // The server names its difficulty when a proof falls short: solve once more at that level.
          const learned = /start with (\d+) zeros/.exec(
            err instanceof VouchApiError && err.code === 'POW_INVALID' ? err.message : '',
          );
          if (learned === null) throw err;
          if (Number(learned[1]) > MAX_LEARNED_DIFFICULTY) {
            throw new CliError(
              `the server asks for a proof of work of ${learned[1]} leading zeros (about 16^${learned[1]} hashes); ` +
                `not attempted without --pow-difficulty ${learned[1]}.`,
              EXIT.USAGE,
            );
          }
          difficulty = Number(learned[1]);
          return attempt(difficulty);
        }
      });
      const privateKey = registered.agent.privateKey;

      const identity: StoredIdentity = {
        version: IDENTITY_VERSION,
        alias,
        did: registered.did,
        server: base,
        ...(opts.label !== undefined ? { label: opts.label } : {}),
        publicKey: formatPublicKey(privateKey.publicKey, 'registry'),
        publicKeyBase64: registered.agent.publicKeyBase64,
        privateKeyPem: formatPrivateKey(privateKey, 'pem'),
        linked: registered.linked,
        ...(registered.claimToken !== undefined ? { claimToken: registered.claimToken } : {}),
        createdAt: new Date().toISOString(),
      };
      let file: string;
      try {
        file = await saveIdentity(identity);
      } catch (err) {
        // Registered but not saved: say so, since the DID now exists without a key anyone holds.
        throw new CliError(
          `${(err as Error).message} The agent ${field(registered.did)} was registered but its key was not kept.`,
          EXIT.USAGE,
        );
      }
      const { isDefault, notDefault } = await takeDefault(alias, opts.default === true, io);

      const out = {
        ...publicView(identity),
        file,
        default: isDefault,
        ...(registered.claimToken !== undefined ? { claimToken: registered.claimToken } : {}),
      };
      // The DID and the claim token are the server's text: field() keeps each on its line.
      print(io, opts.json === true, out, () =>
        [
          `created agent "${alias}": ${field(identity.did)}`,
          `public key: ${identity.publicKey}`,
          `server: ${base}`,
          `identity file: ${file} (mode 0600; holds the private key)${isDefault ? ' [default]' : ''}`,
          registered.linked
            ? 'linked to the owner of the linking key'
            : registered.claimToken === undefined
              ? 'not linked to an owner, and the server gave no claim token'
              : `claim token (an owner claims the agent with it; single use, also kept in the identity file): ${field(registered.claimToken)}`,
        ].join('\n'),
      );
      if (notDefault !== undefined) io.err(notDefault);
    });
}
