import { resolve } from 'node:path';
import type { Command } from 'commander';
import { generateKeyPair } from '@vouch/sdk';
import { CliError, EXIT } from '../../exit.ts';
import type { Io } from '../../output.ts';
import { writeJson } from './lib/layout.ts';

/** The key file `vouch registry keygen` writes (mode 0600): what `--key` and `--root-key` read. */
export interface RegistryKeyFile {
  /** `ed25519:<base64url>`. */
  publicKey: string;
  /** PKCS#8 PEM. Secret. */
  privateKey: string;
}

/** `vouch registry keygen --output FILE`: an Ed25519 key pair for an issuer or for the registry root. */
export function registerKeygen(registry: Command, io: Io): void {
  registry
    .command('keygen')
    .description('Generate an Ed25519 key pair for an issuer or the registry root (JSON file, mode 0600).')
    .requiredOption('-o, --output <file>', 'where to write {publicKey, privateKey} (refuses to overwrite)')
    .addHelpText(
      'after',
      `
The file holds {"publicKey": "ed25519:<base64url>", "privateKey": "<PKCS#8 PEM>"}. Keep it out of git;
only the public key is printed.

Examples:
  $ vouch registry keygen --output root.key.json
  $ vouch registry keygen --output acme.key.json`,
    )
    .action(async (opts: { output: string }) => {
      // Else it names the current folder, refused as a file that "already exists".
      if (opts.output.trim() === '') throw new CliError('--output must not be empty.', EXIT.USAGE);
      const pair = await generateKeyPair('Ed25519');
      const file: RegistryKeyFile = { publicKey: pair.publicKeyRegistry!, privateKey: pair.privatePem };
      await writeJson(resolve(opts.output), file, {
        exclusive: true,
        mode: 0o600,
        // A keygen killed while it wrote left the key in `<file>.<hex>.tmp`: removed (unless its process runs).
        warn: (_, message) => io.err(`vouch: warning: ${message}.`),
      });
      io.out(file.publicKey);
    });
}
