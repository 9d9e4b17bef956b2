// `vouch agent report`: report another agent (POST /api/v1/agents/report), signed by this agent unless --anonymous.
import { Option } from 'commander';
import type { Command } from 'commander';
import { answerOf } from '../../answer.ts';
import { CliError } from '../../exit.ts';
import { resolveIdentity } from '../../identity-store.ts';
import type { Io } from '../../output.ts';
import { field, print } from '../../output.ts';
import type { ReportInput } from '@vouch/sdk';
import { actingIdentity, agentOptions, agentServer, callServer, checkHash, clientFor } from './common.ts';
import type { AgentOptions } from './common.ts';

export const REPORT_REASONS = ['spam', 'impersonation', 'malicious', 'other'] as const;

interface ReportOptions extends AgentOptions {
  reason: string;
  signatureHash?: string;
  details?: string;
  anonymous?: boolean;
}

/**
 * Where an anonymous report goes: as a signed one (--server, else the server of the identity that would act, else
 * $VOUCH_SERVER, ...), its key unread. An identity that cannot be read leaves the fallbacks: anonymous needs none.
 */
async function anonymousServer(opts: AgentOptions): Promise<string> {
  if (opts.server !== undefined) return agentServer(opts);
  return agentServer(opts, await resolveIdentity(undefined).catch(() => undefined));
}

export function registerReport(agent: Command, io: Io): void {
  agentOptions(
    agent
      .command('report')
      .description(
        'Report an agent for bad behaviour. Signed by your identity (weighs more) unless --anonymous; an agent ' +
          'cannot report itself.',
      )
      .argument('<did>', 'the DID of the agent being reported')
      .addOption(new Option('--reason <reason>', 'why').choices([...REPORT_REASONS]).makeOptionMandatory())
      .option('--signature-hash <hash>', 'the signature that prompted the report')
      .option('--details <text>', 'a free-text explanation (at most 1000 characters)')
      .option('--anonymous', 'send an anonymous report (no identity needed)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ vouch agent report did:identity:abc... --reason spam --details "flooding junk signatures"
  $ vouch agent report did:identity:abc... --reason impersonation --anonymous --server https://vouch.example`,
    )
    .action(async (did: string, opts: ReportOptions) => {
      if (!did.startsWith('did:')) throw new CliError(`"${did}" is not a DID.`);
      if (opts.details !== undefined && [...opts.details].length > 1000) {
        throw new CliError('--details must be at most 1000 characters.');
      }
      const reason = opts.reason as ReportInput['reason'];
      const signatureHash =
        opts.signatureHash === undefined ? undefined : checkHash(opts.signatureHash, '--signature-hash');
      let out: Record<string, unknown>;
      if (opts.anonymous === true) {
        if (opts.alias !== undefined) throw new CliError('--anonymous and --alias exclude each other.');
        const base = await anonymousServer(opts);
        const input: ReportInput = { did, reason };
        if (signatureHash !== undefined) input.signatureHash = signatureHash;
        if (opts.details !== undefined) input.details = opts.details;
        out = await callServer(base, () => clientFor(base).agents.report(input));
      } else {
        const { identity, base, agent } = await actingIdentity(opts, io);
        if (identity.did === did) throw new CliError('an agent cannot report itself.');
        out = await callServer(base, () => agent.report(did, reason, { details: opts.details, signatureHash }));
      }
      // The SDK hands back a success's body as it came: "reported" is said only of an answer that is a report, and a
      // repeat's only of one naming the reason that counted (printed below).
      answerOf(
        out,
        (b) =>
          typeof b.reportId === 'string' &&
          (b.duplicate === undefined ||
            b.duplicate === false ||
            (b.duplicate === true && typeof b.reason === 'string')),
        'is not a report',
      );
      const how = opts.anonymous === true ? ' (anonymous)' : ' (signed)';
      // A repeat within 24 h stores nothing: the server answers with the report that counted (its reason).
      const text =
        out.duplicate === true
          ? `already reported ${did} for ${field(out.reason)} within 24 hours${how}: nothing recorded, no new penalty`
          : `reported ${did} for ${opts.reason}${how}`;
      print(io, opts.json === true, out, () => text);
    });
}
