// `vouch agent consent`: the agent signs the canonical consent statement as a signature, then hands its hash to
// POST /api/v1/integrators/consent (identity.app's flow: consent is always backed by a recorded signature).
import { Argument } from 'commander';
import type { Command } from 'commander';
import { CliError } from '../../exit.ts';
import type { Io } from '../../output.ts';
import { field, print } from '../../output.ts';
import { actingIdentity, agentOptions, callServer } from './common.ts';
import type { AgentOptions } from './common.ts';

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

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
      if (!SLUG.test(integratorSlug)) throw new CliError(`"${integratorSlug}" is not an integrator slug.`);
      if (action !== 'allow' && action !== 'revoke') throw new CliError('the action must be allow or revoke.');
      const { base, agent } = await actingIdentity(opts, io);
      const out = await callServer(base, () =>
        action === 'allow' ? agent.grantConsent(integratorSlug) : agent.revokeConsent(integratorSlug),
      );
      print(
        io,
        opts.json === true,
        out,
        () => `consent for ${integratorSlug}: ${field(out.status)} (signed at ${new Date(out.signedAt).toISOString()})`,
      );
    });
}
