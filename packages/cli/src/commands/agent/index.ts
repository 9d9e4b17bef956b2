// `vouch agent …`: an agent's own workflows — its identity on disk, signing, verifying, consent, reports, tokens.
import type { Command } from 'commander';
import type { Io } from '../../output.ts';
import { routeOutput } from './common.ts';
import { registerCreate } from './create.ts';
import { registerList, registerWhoami } from './list.ts';
import { registerSign } from './sign.ts';
import { registerVerify } from './verify.ts';
import { registerConsent } from './consent.ts';
import { registerReport } from './report.ts';
import { registerToken } from './token.ts';

export function registerAgent(program: Command, io: Io): void {
  const agent = program
    .command('agent')
    .description('Agent workflows: create an identity, sign, verify, consent, report, get a token.')
    .addHelpText(
      'after',
      `
Identities live in $VOUCH_HOME/identities/<alias>.json (VOUCH_HOME defaults to ~/.vouch; files 0600, folders 0700).
Commands act as --alias, else $VOUCH_AGENT, else the default identity (the first created, or \`vouch agent use\`).
They talk to --server, else the identity's server, else $VOUCH_SERVER, else http://127.0.0.1:4100
(verify, which acts as no identity, prefers $VOUCH_SERVER to the default identity's server).
Exit codes: 0 ok, 1 verification failed, 2 usage or input error (also: server unreachable or refusing).

Examples:
  $ vouch agent create --alias demo
  $ vouch agent sign hello.txt > hello.sig
  $ vouch agent verify "$(cat hello.sig)" --file hello.txt
  $ vouch agent token --audience shop.example`,
    );
  registerCreate(agent, io);
  registerList(agent, io);
  registerWhoami(agent, io);
  registerSign(agent, io);
  registerVerify(agent, io);
  registerConsent(agent, io);
  registerReport(agent, io);
  registerToken(agent, io);
  for (const c of agent.commands) routeOutput(c, io);
}
