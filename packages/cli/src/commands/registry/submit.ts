import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parseProposal, proposalId } from '@vouch/sdk';
import type { Io } from '../../output.ts';
import { print } from '../../output.ts';
import { request, serverBase, serverOptions, type ServerOptions } from '../token/http.ts';
import { readBytes, shown } from './lib/layout.ts';
import { PROPOSALS_PATH, expectProposal, proposalLine, sameProposal } from './lib/proposal-server.ts';

/** `vouch registry submit FILE`: posts a co-signed proposal file to an authority server. */
export function registerSubmit(registry: Command, io: Io): void {
  serverOptions(
    registry
      .command('submit')
      .description('Post a co-signed proposal file to a Vouch authority server; at quorum it applies there.')
      .argument('<file>', 'a proposal (from `vouch registry propose`, signed with `vouch registry sign`)'),
  )
    .addHelpText(
      'after',
      `
Sends POST ${PROPOSALS_PATH} with the proposal. It must carry the co-signature of at least one active issuer,
and every signature on it must count. Prints the proposal id (for \`vouch registry cosign\`) and its quorum.
Exit 0 when the server holds it (201 new, 200 already held), 1 when a signature does not count (or the server
answered about another proposal), 2 otherwise.

Examples:
  $ vouch registry submit registry/proposals/2-add-foxtrot.json --server https://vouch.example
  $ vouch registry submit proposal.json --json`,
    )
    .action(async (file: string, opts: ServerOptions) => {
      const path = resolve(file);
      const proposal = parseProposal(await readBytes(path), { source: shown(path) });
      const answer = await request(serverBase(opts), 'POST', PROPOSALS_PATH, proposal);
      // The id printed is what co-signers will sign by: the one of this file, never one the server names.
      const held = sameProposal(expectProposal(answer, [200, 201]), proposalId(proposal), proposal);
      print(io, opts.json === true, held, () => proposalLine(held));
    });
}
