// Reading keys named on the command line. Private keys come from files only (never from arguments, which other
// users can see in the process list): the `vouch registry keygen` file `{publicKey, privateKey}`, the
// `vouch keygen` file (`privateKeyPem`/`privateJwk`), or a PKCS#8 PEM file. Public keys may be a file or the key itself.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  formatPublicKey,
  isVouchError,
  parsePrivateKey,
  parsePublicKey,
  parseStrict,
  type PrivateKey,
  type PrivateKeyInput,
  type PublicKey,
  type GenesisStep,
  type RegistryDocument,
} from '@vouch/sdk';
import { CliError, EXIT } from '../../../exit.ts';
import { checkKeyFile } from '../../../file-mode.ts';
import type { Io } from '../../../output.ts';
import { MAX_KEY_FILE_BYTES, utf8Text } from '../../../read.ts';
import { readBytes, readBytesAndStats, shown } from './layout.ts';

function text(bytes: Uint8Array, path: string): string {
  const content = utf8Text(bytes);
  if (content === undefined) throw new CliError(`${shown(path)}: not a UTF-8 text file.`, EXIT.USAGE);
  return content.trim();
}

function keyError(path: string, field: string, err: unknown): never {
  const why = isVouchError(err) ? err.message : 'unreadable key';
  throw new CliError(`${shown(path)}: ${field}: ${why}`, EXIT.USAGE);
}

function asObject(content: string, path: string): Record<string, unknown> | undefined {
  if (!content.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = parseStrict(content);
  } catch (err) {
    keyError(path, '(file)', err);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}

/**
 * An Ed25519 private key from a key file, to sign with; a `publicKey` member, if present, must match it. The file is held
 * to the server's key-file rule (checkKeyFile): a warning on `io.err`, or exit 2 if any user may write it.
 */
export async function readPrivateKeyFile(file: string, io: Pick<Io, 'err'>): Promise<PrivateKey> {
  const path = resolve(file);
  const { bytes, stats } = await readBytesAndStats(path, 'key file', MAX_KEY_FILE_BYTES);
  const key = parsePrivateKeyContent(text(bytes, path), path);
  // The mode of the file read: the path, looked up again, may by then name another.
  await checkKeyFile(path, 'key file', io, stats);
  return key;
}

/** The private key in the key file at `path`; a `publicKey` member, if present, must match it. */
async function parsePrivateKeyFile(path: string): Promise<PrivateKey> {
  return parsePrivateKeyContent(text(await readBytes(path, 'key file', MAX_KEY_FILE_BYTES), path), path);
}

/** The private key in `content`, the text of the key file at `path`. */
function parsePrivateKeyContent(content: string, path: string): PrivateKey {
  const object = asObject(content, path);
  let input: unknown = content;
  let field = '(file)';
  if (object !== undefined) {
    const name = ['privateKey', 'privateKeyPem', 'privateJwk'].find((m) => object[m] !== undefined);
    if (name !== undefined) [input, field] = [object[name], name];
    else if (object.d !== undefined) [input, field] = [object, 'd'];
    else {
      throw new CliError(
        `${shown(path)}: privateKey: missing; expected a key file from \`vouch registry keygen\`.`,
        EXIT.USAGE,
      );
    }
  }
  let key: PrivateKey;
  try {
    key = parsePrivateKey(input as PrivateKeyInput, { type: 'Ed25519' });
  } catch (err) {
    keyError(path, field, err);
  }
  if (object !== undefined && typeof object.publicKey === 'string' && object.publicKey.startsWith('ed25519:')) {
    if (object.publicKey !== formatPublicKey(key.publicKey, 'registry')) {
      throw new CliError(`${shown(path)}: publicKey: does not belong to the private key in the same file.`, EXIT.USAGE);
    }
  }
  return key;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * An Ed25519 public key from a file (any key file above, or a file holding a public key in any form) or from the
 * argument itself (`ed25519:<base64url>`, base64, PEM, JWK).
 */
export async function readPublicKeyArg(value: string, option: string): Promise<PublicKey> {
  const path = resolve(value);
  if (!(await isFile(path))) {
    try {
      return parsePublicKey(value.trim(), { type: 'Ed25519' });
    } catch (err) {
      throw new CliError(
        `${option}: ${value.length > 80 ? 'the value' : JSON.stringify(value)} is neither a file nor an Ed25519 public key${isVouchError(err) ? ` (${err.message})` : ''}.`,
        EXIT.USAGE,
      );
    }
  }
  const content = text(await readBytes(path, 'key file', MAX_KEY_FILE_BYTES), path);
  const object = asObject(content, path);
  if (object !== undefined && typeof object.publicKey === 'string') {
    try {
      return parsePublicKey(object.publicKey, { type: 'Ed25519' });
    } catch (err) {
      keyError(path, 'publicKey', err);
    }
  }
  if (object !== undefined && (typeof object.privateKey === 'string' || typeof object.privateKeyPem === 'string')) {
    return (await parsePrivateKeyFile(path)).publicKey;
  }
  if (content.includes('PRIVATE KEY')) return (await parsePrivateKeyFile(path)).publicKey;
  try {
    return parsePublicKey(object ?? content, { type: 'Ed25519' });
  } catch (err) {
    keyError(path, '(file)', err);
  }
}

/**
 * The root key to verify `doc` against: `--root-key` (or $VOUCH_TRUST_REGISTRY_ROOT_KEY) when given, pinned;
 * otherwise the key the genesis step names, which proves the document consistent but not where it came from.
 */
export async function rootKeyFor(
  doc: RegistryDocument,
  rootKeyOption: string | undefined,
): Promise<{ rootKey: PublicKey | string; pinned: boolean }> {
  // An empty --root-key is a pin that went missing (`--root-key "$ROOT"` with ROOT unset), not a request to go unpinned.
  if (rootKeyOption !== undefined && rootKeyOption.trim() === '') {
    throw new CliError('--root-key is empty: give the pinned root key (a file or ed25519:<base64url>).', EXIT.USAGE);
  }
  const given = rootKeyOption ?? process.env.VOUCH_TRUST_REGISTRY_ROOT_KEY;
  if (given !== undefined && given !== '')
    return { rootKey: await readPublicKeyArg(given, '--root-key'), pinned: true };
  if (doc.governance[0]?.kind === 'genesis') {
    return { rootKey: (doc.governance[0] as GenesisStep).rootKey, pinned: false };
  }
  throw new CliError('--root-key is required: the document names no root key.', EXIT.USAGE);
}
