import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  checkQuorum,
  formatPublicKey,
  parseProposal,
  parseStrict,
  replayGovernance,
  signProposal,
  PROPOSAL_TYPE,
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
      const signed = await signProposal(proposal, key, { issuerId: opts.as });
      await writeJson(path, signed);
      let status = `${signed.signatures.length} signature(s)`;
      if (state !== undefined) status = quorumLine(await checkQuorum(state, signed));
      io.out(`signed ${shown(path)} as ${opts.as}: ${status}`);
    });
}
