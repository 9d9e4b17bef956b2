import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  checkQuorum,
  formatPublicKey,
  parseProposal,
  parseStrict,
  proposalId,
  replayGovernance,
  signProposal,
  PROPOSAL_TYPE,
  type Proposal,
} from '@vouch/sdk';
import { CliError, EXIT } from '../../exit.ts';
import type { Io } from '../../output.ts';
import { readPrivateKeyFile } from './lib/key-files.ts';
import { DEFAULT_DIR, layout, readBytes, readRegistryIfAny, shown, writeJson } from './lib/layout.ts';
import { quorumLine } from './lib/report.ts';

/** Whether the file is a proposal; throws the parser's error when it is not even JSON. */
function isProposalFile(bytes: Uint8Array, source: string): boolean {
  let value: { type?: unknown } | null;
  try {
    value = parseStrict(bytes) as { type?: unknown } | null;
  } catch {
    parseProposal(bytes, { source }); // names what is wrong with it
    throw new CliError(`${source}: not valid JSON.`, EXIT.USAGE);
  }
  return typeof value === 'object' && value !== null && value.type === PROPOSAL_TYPE;
}

/** What a proposal does, from its signed content (never its file name): shown to whoever just signed it. */
function whatItDoes(p: Proposal): string {
  const what =
    p.action === 'threshold'
      ? `threshold → ${p.threshold!.required}`
      : p.entry !== undefined
        ? `${p.action} ${p.subject} ${p.entry.publicKey} ${p.entry.endpoint}`
        : `${p.action} ${p.subject}`;
  return `${what}, as sequence ${p.baseSequence + 1}, expires ${p.expiresAt}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Writes `signed` (the proposal read as `read`, plus one co-signature) over `path`, but only over what was read: if
 * another signer rewrote the file meanwhile (a shared directory), the co-signature is added to what the file holds
 * now instead of dropping theirs. Checked just before the rename, so only a write landing in between can still be
 * lost. Returns what was written.
 */
async function writeOverWhatWasRead(path: string, read: Uint8Array, signed: Proposal): Promise<Proposal> {
  const mine = signed.signatures.at(-1)!;
  const id = proposalId(signed);
  let [base, next] = [read, signed];
  for (let attempt = 0; attempt < 10; attempt++) {
    const now = await readBytes(path);
    if (sameBytes(now, base)) {
      await writeJson(path, next);
      return next;
    }
    const current = parseProposal(now, { source: shown(path) });
    if (proposalId(current) !== id) {
      throw new CliError(`${shown(path)} was replaced by another proposal while signing; nothing was written.`);
    }
    if (current.signatures.some((s) => s.issuerId === mine.issuerId)) {
      throw new CliError(`${shown(path)}: ${mine.issuerId} has already signed it (meanwhile); nothing was written.`);
    }
    [base, next] = [now, { ...current, signatures: [...current.signatures, mine] }];
  }
  throw new CliError(`${shown(path)} keeps changing while signing; nothing was written, run sign again.`);
}

/** `vouch registry sign`: adds one co-signature to a proposal file, in place. */
export function registerSign(registry: Command, io: Io): void {
  registry
    .command('sign')
    .description('Co-sign a proposal file (adds your signature to it, in place).')
    .argument('<file>', 'a proposal (proposals/*.json)')
    .requiredOption('--key <file>', 'your issuer key file (from `vouch registry keygen`)')
    .requiredOption('--as <issuer-id>', 'your issuer id in the registry')
    .option('--dir <dir>', 'registry directory (to check your key and show the quorum)', DEFAULT_DIR)
    .addHelpText(
      'after',
      `
The signature covers the RFC 8785 JSON of the whole file except "signatures" and "$schema": the registry,
the sequence it applies to and its deadline included. Your key must be the one the registry lists for --as;
an issuer cannot sign a proposal about itself. An issuer entry is not signed on its own: propose its
admission with \`vouch registry propose add --entry FILE\` and sign the proposal.

Examples:
  $ vouch registry sign registry/proposals/6-add-foxtrot.json --key acme.key.json --as acme
  $ vouch registry sign registry/proposals/6-remove-bolt.json --key coda.key.json --as coda`,
    )
    .action(async (file: string, opts: { key: string; as: string; dir: string }) => {
      const path = resolve(file);
      const bytes = await readBytes(path);
      const key = await readPrivateKeyFile(opts.key, io);
      const doc = await readRegistryIfAny(layout(opts.dir));
      const state = doc === undefined ? undefined : replayGovernance(doc.governance).state;
      if (state !== undefined) {
        const registered = state.issuers.find((e) => e.id === opts.as);
        if (registered === undefined) {
          throw new CliError(
            `${opts.as} is not an active issuer of the registry in ${shown(layout(opts.dir).dir)}; its signature would not count.`,
            EXIT.USAGE,
          );
        }
        if (registered.publicKey !== formatPublicKey(key.publicKey, 'registry')) {
          throw new CliError(`${shown(resolve(opts.key))}: not the registered key of ${opts.as}.`, EXIT.USAGE);
        }
      }
      if (!isProposalFile(bytes, shown(path))) {
        // An entry's own co-signatures would name no registry, sequence or deadline (docs/registry.md, "Admission").
        throw new CliError(
          `${shown(path)}: not a proposal (type: "${PROPOSAL_TYPE}"). Issuer entries are not co-signed on their own: ` +
            `propose the admission with \`vouch registry propose add --entry ${file}\` and sign that proposal.`,
          EXIT.USAGE,
        );
      }
      const proposal = parseProposal(bytes, { source: shown(path) });
      if (state !== undefined && proposal.registry !== state.registry) {
        throw new CliError(`${shown(path)}: registry: the proposal is for another registry.`, EXIT.USAGE);
      }
      let signed = await signProposal(proposal, key, { issuerId: opts.as });
      signed = await writeOverWhatWasRead(path, bytes, signed);
      let status = `${signed.signatures.length} signature(s)`;
      if (state !== undefined) status = quorumLine(await checkQuorum(state, signed));
      io.out(`signed ${shown(path)} (${whatItDoes(signed)}) as ${opts.as}: ${status}`);
    });
}
