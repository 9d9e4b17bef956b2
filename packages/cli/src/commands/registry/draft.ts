import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { draftIssuerEntry } from '@vouch/sdk';
import { jsonOut, type Io } from '../../output.ts';
import { readPublicKeyArg } from './lib/key-files.ts';
import { DEFAULT_DIR, exists, layout, shown, writeJson } from './lib/layout.ts';

interface DraftOptions {
  id: string;
  publicKey: string;
  endpoint: string;
  name: string;
  contact: string;
  url?: string;
  description?: string;
  output?: string;
  dir: string;
}

/** `vouch registry draft`: a new, unsigned issuer entry, validated before anyone signs it. */
export function registerDraft(registry: Command, io: Io): void {
  registry
    .command('draft')
    .description('Write a new issuer entry (unsigned), to admit with `vouch registry propose add --entry`.')
    .requiredOption('--id <id>', 'issuer id: lowercase letters, digits and single hyphens, at most 64 characters')
    .requiredOption('--public-key <file|key>', "the issuer's key file (from `vouch registry keygen`) or public key")
    .requiredOption('--endpoint <url>', "the issuer's credential endpoint (https)")
    .requiredOption('--name <name>', 'organization name')
    .requiredOption('--contact <contact>', 'contact for the trust team (e.g. an e-mail address)')
    .option('--url <url>', 'organization web site (default: the origin of --endpoint)')
    .option('--description <text>', 'what the issuer does')
    .option('-o, --output <file>', 'where to write the entry, - for standard output (default: <dir>/issuers/<id>.json)')
    .option('--dir <dir>', 'registry directory', DEFAULT_DIR)
    .addHelpText(
      'after',
      `
Examples:
  $ vouch registry draft --id acme --public-key acme.key.json --endpoint https://credentials.acme.example \\
      --name "Acme" --contact trust@acme.example
  $ vouch registry draft --id bolt --public-key ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo \\
      --endpoint https://bolt.example/credentials --name Bolt --contact trust@bolt.example --output -`,
    )
    .action(async (opts: DraftOptions) => {
      const publicKey = await readPublicKeyArg(opts.publicKey, '--public-key');
      const entry = draftIssuerEntry({
        id: opts.id,
        publicKey,
        endpoint: opts.endpoint,
        name: opts.name,
        contact: opts.contact,
        ...(opts.url !== undefined ? { url: opts.url } : {}),
        ...(opts.description !== undefined ? { description: opts.description } : {}),
      });
      if (opts.output === '-') {
        // As every JSON output: what the terminal filter would replace is escaped, so the entry prints unchanged.
        io.out(jsonOut(entry));
        return;
      }
      const l = layout(opts.dir);
      const file = opts.output !== undefined ? resolve(opts.output) : join(l.issuers, `${entry.id}.json`);
      await writeJson(file, entry, { exclusive: true });
      // An entry is never co-signed itself (`sign` refuses it): it is a founder at genesis, or admitted by proposal.
      const dir = opts.dir === DEFAULT_DIR ? '' : ` --dir ${shown(l.dir)}`;
      const propose = `\`vouch registry propose add --entry ${shown(file)}${dir}\``;
      io.out(
        (await exists(l.registry))
          ? `wrote ${shown(file)}; next: propose its admission with ${propose}, then co-signers sign that proposal ` +
              `with \`vouch registry sign PROPOSAL --key FILE --as ISSUER_ID${dir}\``
          : `wrote ${shown(file)}; next: name it as a founder in \`vouch registry init --root-key FILE --threshold N` +
              `${dir} ENTRY...\`, or once the registry exists, propose its admission with ${propose}`,
      );
    });
}
