// `vouch agent consent`: the agent signs the canonical consent statement as a signature, then hands its hash to
// POST /api/v1/integrators/consent (identity.app's flow: consent is always backed by a recorded signature).
import { Argument } from 'commander';
import type { Command } from 'commander';
import type { ConsentResult } from '@vouch/sdk';
import { answerOf, isMillis } from '../../answer.ts';
import { CliError } from '../../exit.ts';
import type { Io } from '../../output.ts';
import { field, print } from '../../output.ts';
import { actingIdentity, agentOptions, callServer } from './common.ts';
import type { AgentOptions } from './common.ts';

/**
 * An integrator slug: the server's INTEGRATOR_SLUG_PATTERN (packages/server/src/modules/integrators/service.ts; the
 * CLI does not import server code, a test holds the two the same). Checked before anything is signed: a slug the
 * server refuses would leave a recorded signature of a consent that was never given.
 */
export const INTEGRATOR_SLUG = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;

export function registerConsent(agent: Command, io: Io): void {
  agentOptions(
    agent
      .command('consent')
      .description(
        'Allow an integrator to report events about this agent (and see its integrator-scoped reputation), or ' +
          'revoke that consent. Signs the consent statement and records it with the server.',
      )
      .argument('<integrator>', "the integrator's slug")
      .addArgument(new Argument('<action>', 'allow or revoke').choices(['allow', 'revoke'])),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ vouch agent consent acme-marketplace allow
  $ vouch agent consent acme-marketplace revoke --alias support-bot --json`,
    )
    .action(async (integratorSlug: string, action: string, opts: AgentOptions) => {
      if (!INTEGRATOR_SLUG.test(integratorSlug)) throw new CliError(`"${integratorSlug}" is not an integrator slug.`);
      if (action !== 'allow' && action !== 'revoke') throw new CliError('the action must be allow or revoke.');
      const { base, agent } = await actingIdentity(opts, io);
      const answer = await callServer(base, () =>
        action === 'allow' ? agent.grantConsent(integratorSlug) : agent.revokeConsent(integratorSlug),
      );
      // The SDK hands back a success's body as it came: only the status asked for, with a date, is a consent.
      const status = action === 'allow' ? 'allowed' : 'revoked';
      const out = answerOf<ConsentResult>(
        answer,
        (b) => b.status === status && isMillis(b.signedAt),
        'is not the consent asked for',
      );
      print(
        io,
        opts.json === true,
        out,
        () => `consent for ${integratorSlug}: ${field(out.status)} (signed at ${new Date(out.signedAt).toISOString()})`,
      );
    });
}
