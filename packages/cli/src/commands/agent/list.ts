// `vouch agent list`, `vouch agent use` and `vouch agent whoami`: the local identities (no private key is shown).
import type { Command } from 'commander';
import type { Io } from '../../output.ts';
import { field, print } from '../../output.ts';
import { answerOf } from '../../answer.ts';
import { defaultAlias, listIdentities, publicView, readIdentity, setDefaultAlias } from '../../identity-store.ts';
import { actingIdentity, agentOptions, callServer, clientFor } from './common.ts';
import type { AgentOptions } from './common.ts';

export function registerList(agent: Command, io: Io): void {
  agent
    .command('list')
    .description('List the identities stored in $VOUCH_HOME/identities (the default one is marked *).')
    .option('--json', 'print the identities as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ vouch agent list
  $ VOUCH_HOME=/srv/agents/.vouch vouch agent list --json`,
    )
    .action(async (opts: { json?: boolean }) => {
      const all = await listIdentities();
      // A damaged config.json marks no default here: listing is how one finds the alias to name with `agent use`.
      const def = await defaultAlias().catch((err: unknown) => {
        io.err(`vouch: warning: ${(err as Error).message}`);
        return undefined;
      });
      const rows = all.map((id) => ({ ...publicView(id), default: id.alias === def }));
      // The DID is the server's registration answer, kept as it came: field() keeps each value on its row.
      print(io, opts.json === true, { identities: rows }, () =>
        rows.length === 0
          ? 'no identities yet (create one with: vouch agent create)'
          : rows.map((r) => `${r.default ? '*' : ' '} ${r.alias}  ${field(r.did)}  ${field(r.server)}`).join('\n'),
      );
    });

  agent
    .command('use')
    .description('Make an identity the default one.')
    .argument('<alias>', 'the identity')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ vouch agent use support-bot`,
    )
    .action(async (alias: string, opts: { json?: boolean }) => {
      const id = await readIdentity(alias);
      // The alias named (the file just read), not the one inside it: a copied or edited file may name another.
      await setDefaultAlias(alias);
      print(
        io,
        opts.json === true,
        { default: alias, did: id.did },
        () => `default identity: ${alias} (${field(id.did)})`,
      );
    });
}

interface WhoamiOptions extends AgentOptions {
  check?: boolean;
}

export function registerWhoami(agent: Command, io: Io): void {
  agentOptions(
    agent
      .command('whoami')
      .description(
        "Show the identity a command would act as: alias, DID, public key, server. --check also asks the server for the agent's status.",
      )
      .option('--check', "ask the server for the agent's current status"),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ vouch agent whoami
  $ vouch agent whoami --alias support-bot --check --json`,
    )
    .action(async (opts: WhoamiOptions) => {
      const { identity, base } = await actingIdentity(opts, io);
      // The server a command would talk to, as the text names it: --server, else the identity's (normalized).
      const out: Record<string, unknown> = { ...publicView(identity), server: base };
      if (opts.check === true) {
        const profile: unknown = await callServer(base, () => clientFor(base).identity.get(identity.did));
        // The SDK hands back a success's body as it came (a page's text too): a check without a status is none.
        const p = answerOf<{ status: string; identity_score: number }>(
          profile,
          (b) => typeof b.status === 'string' && typeof b.identity_score === 'number',
          `is not the profile of ${field(identity.did)}`,
        );
        out.status = p.status;
        out.identityScore = p.identity_score;
      }
      print(io, opts.json === true, out, () =>
        [
          `alias: ${identity.alias}`,
          `did: ${field(identity.did)}`,
          `public key: ${field(identity.publicKey)}`,
          `server: ${base}`,
          ...(identity.label !== undefined ? [`label: ${field(identity.label)}`] : []),
          ...(out.status !== undefined ? [`status: ${field(out.status)}`] : []),
          ...(out.identityScore !== undefined ? [`identity score: ${String(out.identityScore)}`] : []),
        ].join('\n'),
      );
    });
}
