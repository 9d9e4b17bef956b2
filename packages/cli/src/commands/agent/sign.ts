// `vouch agent sign`: SHA-256 of a file, the agent's Ed25519 signature of "<payloadHash>:<signedAt>", recorded by
// the server (identity.app's POST /api/v1/signatures/sign), which answers the signature hash anyone can verify.
import type { Command } from 'commander';
import { CONSENT_PAYLOAD_TYPE, isConsentStatement } from '@vouch/sdk';
import { CliError } from '../../exit.ts';
import type { Io } from '../../output.ts';
import { field, print } from '../../output.ts';
import { actingIdentity, agentOptions, callServer, readInput } from './common.ts';
import type { AgentOptions } from './common.ts';

interface SignOptions extends AgentOptions {
  note?: string;
}

export function registerSign(agent: Command, io: Io): void {
  agentOptions(
    agent
      .command('sign')
      .description(
        'Sign a file (or standard input) as the agent and record the signature with the server. Prints the ' +
          'signature hash (stdout) and its verify URL (stderr).',
      )
      .argument('<file>', 'the content to sign, or - for standard input')
      .option('--note <text>', 'a public note shown with the signature (at most 160 characters)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ vouch agent sign report.pdf > report.sig
  $ echo "I approve order 1234" | vouch agent sign - --note "order 1234" --json`,
    )
    .action(async (file: string, opts: SignOptions) => {
      if (opts.note !== undefined && [...opts.note].length > 160) {
        throw new CliError('--note must be at most 160 characters.');
      }
      const { identity, base, agent } = await actingIdentity(opts, io);
      const content = await readInput(file);
      // Its signature would be a consent anyone holding the file could post (the SDK refuses it too).
      if (isConsentStatement(content)) {
        throw new CliError(
          `${file === '-' ? 'standard input' : file} is an integrator consent statement (a JSON object whose type is ` +
            `"${CONSENT_PAYLOAD_TYPE}"): signing it would grant or revoke consent; use vouch agent consent.`,
        );
      }
      const { signatureHash, payloadHash, signedAt } = await callServer(base, () =>
        agent.signContent(content, opts.note === undefined ? {} : { publicNote: opts.note }),
      );
      const verifyUrl = `${base}/verify/${signatureHash}`;
      if (opts.json === true) {
        print(io, true, { signatureHash, payloadHash, signedAt, did: identity.did, verifyUrl }, () => '');
      } else {
        io.out(signatureHash);
        // The DID is the server's registration answer, kept as it came: field() keeps it on its line.
        io.err(`signed ${file === '-' ? 'standard input' : file} (sha256 ${payloadHash}) as ${field(identity.did)}`);
        io.err(`verify: ${verifyUrl}`);
      }
    });
}
