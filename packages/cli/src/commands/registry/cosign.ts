import type { Command } from 'commander';
import { proposalId, signProposal, validateProposal } from '@vouch/sdk';
import { CliError, EXIT } from '../../exit.ts';
import type { Io } from '../../output.ts';
import { print } from '../../output.ts';
import { request, serverBase, serverOptions, type ServerOptions } from '../token/http.ts';
import { readPrivateKeyFile } from './lib/key-files.ts';
import { PROPOSALS_PATH, expectProposal, proposalLine, sameProposal } from './lib/proposal-server.ts';

interface CosignOptions extends ServerOptions {
  key: string;
  as: string;
}

/** `vouch registry cosign ID`: signs a proposal the server holds and sends that one co-signature. */
export function registerCosign(registry: Command, io: Io): void {
  serverOptions(
    registry
      .command('cosign')
      .description('Co-sign a proposal held by a Vouch authority server (by id) and send the signature there.')
      .argument('<id>', 'the proposal id (printed by `vouch registry submit`, listed at GET /v1/registry/proposals)')
      .requiredOption('--key <file>', 'your issuer key file (from `vouch registry keygen`)')
      .requiredOption('--as <issuer-id>', 'your issuer id in the registry'),
  )
    .addHelpText(
      'after',
      `
Reads GET ${PROPOSALS_PATH}/ID, checks that the proposal is the one ID names (the id is its hash), signs it
and sends POST ${PROPOSALS_PATH}/ID/signatures. At quorum the server applies it at once.
Exit 0 when the signature is stored, 1 when it does not count (or the server sent or answered about another
proposal), 2 otherwise.

Examples:
  $ vouch registry cosign 3f9c…e1 --key coda.key.json --as coda --server https://vouch.example
  $ vouch registry cosign "$ID" --key bolt.key.json --as bolt --json`,
    )
    .action(async (id: string, opts: CosignOptions) => {
      if (!/^[0-9a-f]{64}$/.test(id)) throw new CliError(`"${id}" is not a proposal id (64 hex digits).`, EXIT.USAGE);
      const key = await readPrivateKeyFile(opts.key, io);
      const base = serverBase(opts);
      const path = `${PROPOSALS_PATH}/${id}`;
      const held = expectProposal(await request(base, 'GET', path), [200]);
      // The body may be anything (null, no body at all): a missing proposal is named by the validator, not a TypeError.
      const proposal = validateProposal((held as Partial<typeof held> | null | undefined)?.proposal, {
        source: 'the server',
      });
      // Sign only what the id names: a server cannot obtain a signature on anything else under this id.
      if (proposalId(proposal) !== id) {
        throw new CliError(
          `the server answered ${path} with another proposal; nothing was signed.`,
          EXIT.VERIFICATION_FAILED,
        );
      }
      const signed = await signProposal(proposal, key, { issuerId: opts.as });
      const signature = signed.signatures.at(-1)!;
      const answer = await request(base, 'POST', `${path}/signatures`, signature);
      const result = sameProposal(expectProposal(answer, [200]), id, proposal);
      print(io, opts.json === true, result, () => proposalLine(result));
    });
}
