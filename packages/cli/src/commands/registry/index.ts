import type { Command } from 'commander';
import type { Io } from '../../output.ts';
import { registerBuild } from './build.ts';
import { registerCosign } from './cosign.ts';
import { registerCredential } from './credential.ts';
import { registerDraft } from './draft.ts';
import { registerInit } from './init.ts';
import { registerKeygen } from './keygen.ts';
import { registerList } from './list.ts';
import { registerPropose } from './propose.ts';
import { registerPublish } from './publish.ts';
import { registerSign } from './sign.ts';
import { registerSubmit } from './submit.ts';
import { registerVerify } from './verify.ts';
import { registerVerifyCredential } from './verify-credential.ts';

function forEachCommand(cmd: Command, fn: (c: Command) => void): void {
  for (const sub of cmd.commands) {
    fn(sub);
    forEachCommand(sub, fn);
  }
}

/** `vouch registry …`: the threshold-governed trust registry of docs/registry.md, on a directory. */
export function registerRegistry(program: Command, io: Io): void {
  const registry = program
    .command('registry')
    .description('Trust registry of credential issuers, governed by threshold co-signatures (docs/registry.md).')
    .addHelpText(
      'after',
      `
Every change after genesis needs co-signatures from a quorum of distinct active issuers; the root key only
signs what governance produced. Files live in --dir (default ./registry): registry.json, issuers/<id>.json,
proposals/*.json, revoked/<id>.json.

Examples:
  $ vouch registry keygen --output root.key.json
  $ vouch registry init --root-key root.key.json --threshold 3 acme.json bolt.json coda.json dyad.json echo.json
  $ vouch registry verify --root-key ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo
  $ vouch registry submit registry/proposals/2-add-foxtrot.json --server https://vouch.example`,
    );
  registerKeygen(registry, io);
  registerInit(registry, io);
  registerDraft(registry, io);
  registerSign(registry, io);
  registerPropose(registry, io);
  registerBuild(registry, io);
  registerVerify(registry, io);
  registerList(registry, io);
  registerPublish(registry, io);
  registerSubmit(registry, io);
  registerCosign(registry, io);
  registerCredential(registry, io);
  registerVerifyCredential(registry, io);
  // Nested commands write through the same io and end through the same error handling as the rest of the CLI.
  forEachCommand(registry, (c) =>
    c.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }).exitOverride(),
  );
}
