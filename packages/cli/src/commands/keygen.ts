import { resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { generateKeyPair } from '@vouch/sdk';
import { createFileWhole } from '@vouch/server/files';
import type { GeneratedKeyPair, KeyType } from '@vouch/sdk';
import { CliError, EXIT } from '../exit.ts';
import type { Io } from '../output.ts';
import { print } from '../output.ts';

const TYPES: Record<string, KeyType> = { ed25519: 'Ed25519', p256: 'P-256' };

/** The key file `vouch keygen` writes (mode 0600). Everything other commands need to sign, in one JSON object. */
export interface KeyFile {
  type: KeyType;
  /** RFC 7638 thumbprint of the public key. */
  kid: string;
  /** `ed25519:<base64url>` for Ed25519; the JWK as compact JSON for P-256. */
  publicKey: string;
  /** Ed25519: standard base64 of the 32 raw bytes (the identity.app registration form). */
  publicKeyBase64?: string;
  publicJwk: object;
  publicKeyPem: string;
  privateJwk: object;
  privateKeyPem: string;
  createdAt: string;
}

export function keyFileOf(pair: GeneratedKeyPair, now: Date): KeyFile {
  return {
    type: pair.type,
    kid: pair.thumbprint,
    publicKey: pair.publicKeyRegistry ?? JSON.stringify(pair.publicJwk),
    ...(pair.publicKeyBase64 !== undefined ? { publicKeyBase64: pair.publicKeyBase64 } : {}),
    publicJwk: pair.publicJwk,
    publicKeyPem: pair.publicPem,
    privateJwk: pair.privateJwk,
    privateKeyPem: pair.privatePem,
    createdAt: now.toISOString(),
  };
}

/** `vouch keygen`: a new key pair in a 0600 JSON file; prints only the public key. */
export function registerKeygen(program: Command, io: Io): void {
  program
    .command('keygen')
    .description('Generate a key pair into a JSON file (mode 0600) and print its public key.')
    .addOption(new Option('--type <type>', 'key type').choices(Object.keys(TYPES)).default('ed25519'))
    .option('-o, --output <file>', 'where to write the key pair (refuses to overwrite)', 'vouch-key.json')
    .option('--json', 'print the public key, kid and file as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ vouch keygen --output agent.key.json
  $ vouch keygen --type p256 --output signer.key.json --json`,
    )
    .action(async (opts: { type: string; output: string; json?: boolean }) => {
      // Else it names the current folder, refused as a key file that "already exists".
      if (opts.output.trim() === '') throw new CliError('--output must not be empty.', EXIT.USAGE);
      const pair = await generateKeyPair(TYPES[opts.type]!);
      const file = resolve(opts.output);
      const keyFile = keyFileOf(pair, new Date());
      let created: boolean;
      try {
        // Refuses an existing file, so a key is never overwritten by accident; a failed write leaves no file. Without
        // hard links (a FAT stick) the file is created directly: no one reads it while it is written.
        created = await createFileWhole(file, `${JSON.stringify(keyFile, null, 2)}\n`, 0o600, {
          createWithoutHardLinks: true,
          // A keygen killed while it wrote left the key in `<file>.<hex>.tmp`: removed (unless its process runs).
          warn: (_, message) => io.err(`vouch: warning: ${message}.`),
        });
      } catch (err) {
        throw new CliError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}.`, EXIT.USAGE);
      }
      if (!created) throw new CliError(`${file} already exists; refusing to overwrite a key.`, EXIT.USAGE);
      print(
        io,
        opts.json === true,
        {
          type: keyFile.type,
          kid: keyFile.kid,
          publicKey: keyFile.publicKey,
          ...(keyFile.publicKeyBase64 ? { publicKeyBase64: keyFile.publicKeyBase64 } : {}),
          publicJwk: keyFile.publicJwk,
          file,
        },
        () => keyFile.publicKey,
      );
    });
}
