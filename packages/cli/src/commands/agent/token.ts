// `vouch agent token`: an AIP token for this agent, issued on its own signed proof (no admin or owner key).
import type { Command } from 'commander';
import { Option } from 'commander';
import { AIP_EXPIRES_IN } from '@vouch/sdk';
import type { AipExpiresIn } from '@vouch/sdk';
import type { Io } from '../../output.ts';
import { print } from '../../output.ts';
import { answerOf, hasToken, NO_TOKEN } from '../../answer.ts';
import { actingIdentity, agentOptions, callServer } from './common.ts';
import type { AgentOptions } from './common.ts';

interface TokenOptions extends AgentOptions {
  audience?: string;
  nonce?: string;
  expiresIn?: string;
}

export function registerToken(agent: Command, io: Io): void {
  agentOptions(
    agent
      .command('token')
      .description(
        'Get a token that proves who this agent is, signed by the server, on the strength of the agent key ' +
          '(proof of possession). With --audience, a session token for that audience; otherwise an identity ' +
          'token. Prints the token; anyone verifies it with `vouch token verify` or the SDK.',
      )
      .option('--audience <audience>', 'who the token is for (makes it a session token)')
      .option('--nonce <nonce>', 'a nonce the audience gave you (session tokens)')
      .addOption(new Option('--expires-in <lifetime>', 'lifetime').choices(Object.keys(AIP_EXPIRES_IN))),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ vouch agent token > identity.jwt
  $ vouch agent token --audience shop.example --nonce 8f2c41 --expires-in 1h --json`,
    )
    .action(async (opts: TokenOptions) => {
      const { base, agent } = await actingIdentity(opts, io);
      const issued = await callServer(base, () =>
        agent.requestToken({
          audience: opts.audience,
          nonce: opts.nonce,
          expiresIn: opts.expiresIn as AipExpiresIn | undefined,
        }),
      );
      // The SDK hands back a success's body as it came: without a token it is no answer to print.
      const { token } = answerOf<{ token: string }>(issued, hasToken, NO_TOKEN);
      print(io, opts.json === true, issued, () => token);
    });
}
