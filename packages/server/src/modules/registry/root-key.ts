// The registry root key of an authority: an EdDSA server key (purpose `registry-root`), imported once from a
// `vouch registry keygen` file (VOUCH_REGISTRY_ROOT_KEY_FILE) or generated at first start, kept sealed like every
// server key and published at /.well-known/vouch-keys.json by the keys module.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { formatPublicKey, parsePrivateKey, type PrivateKey } from '@vouch/sdk';
import { ConfigError, type Config } from '../../config.ts';
import { FileReadError, readRegularFile } from '../../files/index.ts';
import { ensureServerKey, importServerKey, type ServerKey, type Storage } from '../../storage/index.ts';

export const REGISTRY_ROOT_PURPOSE = 'registry-root';

/** The root key as the SDK signs with it. */
export interface RootKey {
  kid: string;
  privateKey: PrivateKey;
  /** `ed25519:<base64url>`. */
  publicKey: string;
}

/** A keygen file is a few hundred bytes; anything much larger is not one and is refused unread. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

const KEY_FILE_FORMAT =
  'expected a `vouch registry keygen` file: JSON {"publicKey": "ed25519:...", "privateKey": "<PKCS#8 PEM>"}';

/**
 * Reads a `vouch registry keygen` file: `{publicKey, privateKey: <PKCS#8 PEM>}`; the public half must match. Errors
 * name the file and the expected format, never the parser's message: JSON.parse quotes the text it choked on, which
 * here is the secret key.
 */
async function readKeyFile(file: string): Promise<KeyObject> {
  let text: string;
  try {
    // Only a small regular file, opened without blocking: a named pipe hung the start, /dev/zero was read without end.
    text = (await readRegularFile(file, MAX_KEY_FILE_BYTES)).toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    if (err instanceof FileReadError && (code === 'NOT_REGULAR' || code === 'TOO_LARGE')) {
      throw new ConfigError(`VOUCH_REGISTRY_ROOT_KEY_FILE: ${file} ${err.reason}.`);
    }
    throw new ConfigError(`VOUCH_REGISTRY_ROOT_KEY_FILE: cannot read ${file} (${code}).`);
  }
  let parsed: { publicKey?: unknown; privateKey?: unknown } | null;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new ConfigError(`VOUCH_REGISTRY_ROOT_KEY_FILE: ${file} is not valid JSON; ${KEY_FILE_FORMAT}.`);
  }
  if (typeof parsed?.privateKey !== 'string') {
    throw new ConfigError(`VOUCH_REGISTRY_ROOT_KEY_FILE: ${file} has no privateKey string; ${KEY_FILE_FORMAT}.`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(parsed.privateKey);
  } catch {
    throw new ConfigError(
      `VOUCH_REGISTRY_ROOT_KEY_FILE: the privateKey in ${file} is not a PEM private key; ${KEY_FILE_FORMAT}.`,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ConfigError(`VOUCH_REGISTRY_ROOT_KEY_FILE: the privateKey in ${file} is not an Ed25519 key.`);
  }
  if (parsed.publicKey !== undefined && parsed.publicKey !== formatPublicKey(toSdk(key).publicKey, 'registry')) {
    throw new ConfigError(`VOUCH_REGISTRY_ROOT_KEY_FILE: publicKey does not match privateKey in ${file}.`);
  }
  return key;
}

function toSdk(key: KeyObject): PrivateKey {
  return parsePrivateKey(key.export({ format: 'pem', type: 'pkcs8' }).toString(), { type: 'Ed25519' });
}

function fromServerKey(key: ServerKey): RootKey {
  const privateKey = toSdk(key.privateKey);
  return { kid: key.kid, privateKey, publicKey: formatPublicKey(privateKey.publicKey, 'registry') };
}

/**
 * Reads the configured root key file (`VOUCH_REGISTRY_ROOT_KEY_FILE`), or undefined when none is configured or in
 * consumer mode. Start reads it before opening the database, so a bad file stops a start before any migration runs.
 */
export async function readRegistryRootKeyFile(config: Config): Promise<KeyObject | undefined> {
  const file = config.registry.rootKeyFile;
  return config.registry.trustUrl !== undefined || file === undefined ? undefined : readKeyFile(file);
}

/**
 * Makes sure the root key exists (importing the configured file on first start) and returns it; undefined in
 * consumer mode, which holds no root key. A database that already holds another root key than the configured file
 * is refused: the registry's identity is its root key. `fromFile` is the file's key when the caller read it already.
 *
 * @example
 * const root = await ensureRegistryRootKey(config, storage, kek, clock.now());
 */
export async function ensureRegistryRootKey(
  config: Config,
  storage: Storage,
  kek: Buffer,
  now: number,
  fromFile?: KeyObject,
): Promise<RootKey | undefined> {
  if (config.registry.trustUrl !== undefined) return undefined;
  const imported = fromFile ?? (await readRegistryRootKeyFile(config));
  if (imported === undefined) {
    return fromServerKey(await ensureServerKey(storage, kek, REGISTRY_ROOT_PURPOSE, 'EdDSA', now));
  }
  const key = fromServerKey(await importServerKey(storage, kek, REGISTRY_ROOT_PURPOSE, 'EdDSA', imported, now));
  if (key.publicKey !== formatPublicKey(toSdk(imported).publicKey, 'registry')) {
    throw new Error(
      `VOUCH_REGISTRY_ROOT_KEY_FILE: the database already holds another registry root key (${key.kid}); ` +
        'a registry root key is imported once.',
    );
  }
  return key;
}
