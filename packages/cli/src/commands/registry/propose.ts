import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  applyProposal,
  draftProposal,
  formatPublicKey,
  parseIssuerEntry,
  replayGovernance,
  type DraftProposalInput,
  type Proposal,
  type RegistryState,
  type UnsignedIssuerEntry,
} from '@vouch/sdk';
import { CliError, EXIT } from '../../exit.ts';
import type { Io } from '../../output.ts';
import { parseDuration } from './lib/duration.ts';
import { readPublicKeyArg } from './lib/key-files.ts';
import { DEFAULT_DIR, layout, readBytes, readRegistry, shown, writeJson } from './lib/layout.ts';

interface CommonOptions {
  dir: string;
  output?: string;
  reason?: string;
  expiresIn: string;
}

function common(cmd: Command): Command {
  return cmd
    .option('--reason <text>', 'why (recorded in the proposal and, for a removal, in the revocation)')
    .option('--expires-in <duration>', 'how long co-signers give it to be applied', '7d')
    .option('-o, --output <file>', 'where to write the proposal (default: <dir>/proposals/<seq>-<action>[-<id>].json)')
    .option('--dir <dir>', 'registry directory', DEFAULT_DIR);
}

async function currentState(dir: string): Promise<RegistryState> {
  const doc = await readRegistry(layout(dir));
  const { state } = replayGovernance(doc.governance);
  if (state === undefined)
    throw new CliError(`${shown(layout(dir).registry)}: governance has no genesis step.`, EXIT.VERIFICATION_FAILED);
  return state;
}

function activeEntry(state: RegistryState, id: string): UnsignedIssuerEntry {
  const entry = state.issuers.find((e) => e.id === id);
  if (entry === undefined) throw new CliError(`--id: ${id} is not an active issuer of this registry.`, EXIT.USAGE);
  const { signatures: _s, $schema: _d, ...unsigned } = entry;
  return unsigned;
}

/** Drafts the proposal for the current registry, checks that it would apply, and writes it. */
async function write(
  io: Io,
  opts: CommonOptions,
  state: RegistryState,
  fields: Omit<DraftProposalInput, 'registry' | 'baseSequence' | 'expiresAt'>,
): Promise<void> {
  const expiresAt = new Date(Date.now() + parseDuration(opts.expiresIn, '--expires-in') * 1000);
  const proposal: Proposal = draftProposal({
    registry: state.registry,
    baseSequence: state.sequence,
    expiresAt,
    ...fields,
    ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
  });
  // Would it apply (ignoring signatures)? Refuse now rather than after co-signers have signed it.
  const appliedAt = Math.max(Date.now(), Date.parse(state.lastAppliedAt));
  applyProposal(state, proposal, { appliedAt });
  const name = `${state.sequence + 1}-${proposal.action}${proposal.subject ? `-${proposal.subject}` : ''}.json`;
  const file = opts.output !== undefined ? resolve(opts.output) : join(layout(opts.dir).proposals, name);
  await writeJson(file, proposal, { exclusive: true });
  io.out(
    `wrote ${shown(file)} (applies to sequence ${state.sequence}, needs ${state.threshold.required} co-signatures, expires ${proposal.expiresAt})`,
  );
}

const EXAMPLES = `
A proposal is bound to this registry and to its current sequence: it applies as the next step or not at all.
Co-signers sign it with \`vouch registry sign FILE\`; \`vouch registry build\` applies it at quorum.`;

/** `vouch registry propose remove|update|threshold|add`: a governance proposal for co-signers to sign. */
export function registerPropose(registry: Command, io: Io): void {
  const propose = registry
    .command('propose')
    .description('Propose a governance change (remove, update, threshold, add) for co-signers to sign.')
    .addHelpText(
      'after',
      `${EXAMPLES}

Examples:
  $ vouch registry propose remove --id bolt --reason "key compromised" --output remove-bolt.json
  $ vouch registry propose threshold --required 2`,
    );

  common(
    propose
      .command('remove')
      .description('Propose removing an issuer (its key moves to revoked/).')
      .requiredOption('--id <id>', 'the issuer to remove'),
  )
    .addHelpText(
      'after',
      `${EXAMPLES}

Examples:
  $ vouch registry propose remove --id bolt --reason "left the consortium"
  $ vouch registry propose remove --id bolt --reason "key compromised" --expires-in 2d --output remove-bolt.json`,
    )
    .action(async (opts: CommonOptions & { id: string }) => {
      const state = await currentState(opts.dir);
      if (opts.reason === undefined) throw new CliError('--reason is required for a removal.', EXIT.USAGE);
      activeEntry(state, opts.id);
      await write(io, opts, state, { action: 'remove', subject: opts.id });
    });

  common(
    propose
      .command('update')
      .description("Propose changing an issuer's entry (key rotation, endpoint, metadata).")
      .requiredOption('--id <id>', 'the issuer to update')
      .option('--public-key <file|key>', 'new public key (key rotation)')
      .option('--endpoint <url>', 'new credential endpoint')
      .option('--name <name>', 'new organization name')
      .option('--contact <contact>', 'new contact')
      .option('--url <url>', 'new web site')
      .option('--description <text>', 'new description'),
  )
    .addHelpText(
      'after',
      `${EXAMPLES}

Examples:
  $ vouch registry propose update --id acme --public-key acme-2025.key.json --reason "key rotation"
  $ vouch registry propose update --id acme --endpoint https://v2.credentials.acme.example`,
    )
    .action(
      async (
        opts: CommonOptions & {
          id: string;
          publicKey?: string;
          endpoint?: string;
          name?: string;
          contact?: string;
          url?: string;
          description?: string;
        },
      ) => {
        const state = await currentState(opts.dir);
        const entry = activeEntry(state, opts.id);
        const next: UnsignedIssuerEntry = { ...entry, metadata: { ...entry.metadata } };
        if (opts.publicKey !== undefined) {
          next.publicKey = formatPublicKey(await readPublicKeyArg(opts.publicKey, '--public-key'), 'registry');
        }
        if (opts.endpoint !== undefined) next.endpoint = opts.endpoint;
        if (opts.name !== undefined) next.metadata.name = opts.name;
        if (opts.contact !== undefined) next.metadata.contact = opts.contact;
        if (opts.url !== undefined) next.metadata.url = opts.url;
        if (opts.description !== undefined) next.metadata.description = opts.description;
        if (JSON.stringify(next) === JSON.stringify(entry)) {
          throw new CliError(
            'nothing to update: give at least one new value (--public-key, --endpoint, ...).',
            EXIT.USAGE,
          );
        }
        await write(io, opts, state, { action: 'update', entry: next });
      },
    );

  common(
    propose
      .command('threshold')
      .description('Propose a new threshold (co-signatures required for every change).')
      .requiredOption('--required <n>', 'the new threshold: 2 ≤ n ≤ active issuers − 1'),
  )
    .addHelpText(
      'after',
      `${EXAMPLES}

Examples:
  $ vouch registry propose threshold --required 3 --reason "five issuers now"`,
    )
    .action(async (opts: CommonOptions & { required: string }) => {
      if (!/^[0-9]+$/.test(opts.required)) throw new CliError('--required must be a whole number.', EXIT.USAGE);
      const state = await currentState(opts.dir);
      await write(io, opts, state, { action: 'threshold', threshold: { required: Number(opts.required) } });
    });

  common(
    propose
      .command('add')
      .description('Propose admitting an issuer (a new one, or a removed one again): the only way in after genesis.')
      .requiredOption('--entry <file>', 'the issuer entry file'),
  )
    .addHelpText(
      'after',
      `${EXAMPLES}

Examples:
  $ vouch registry propose add --entry bolt.json --reason "re-admitted after audit"`,
    )
    .action(async (opts: CommonOptions & { entry: string }) => {
      const state = await currentState(opts.dir);
      const path = resolve(opts.entry);
      const entry = parseIssuerEntry(await readBytes(path), { source: shown(path) });
      await write(io, opts, state, { action: 'add', entry });
    });
}
