// The registry root key of an authority: an EdDSA server key (purpose `registry-root`), imported once from a
// `vouch registry keygen` file (VOUCH_REGISTRY_ROOT_KEY_FILE) or generated at first start, kept sealed like every
// server key and published at /.well-known/vouch-keys.json by the keys module.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { formatPublicKey, parsePrivateKey, type PrivateKey } from '@vouch/sdk';
import type { Config } from '../../config.ts';
import { ensureServerKey, importServerKey, type ServerKey, type Storage } from '../../storage/index.ts';

export const REGISTRY_ROOT_PURPOSE = 'registry-root';

/** The root key as the SDK signs with it. */
export interface RootKey {
  kid: string;
  privateKey: PrivateKey;
  /** `ed25519:<base64url>`. */
  publicKey: string;
}

/** Reads a `vouch registry keygen` file: `{publicKey, privateKey: <PKCS#8 PEM>}`; the public half must match. */
async function readKeyFile(file: string): Promise<KeyObject> {
  let parsed: { publicKey?: unknown; privateKey?: unknown };
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as typeof parsed;
  } catch (err) {
    throw new Error(`VOUCH_REGISTRY_ROOT_KEY_FILE: cannot read ${file} as JSON: ${(err as Error).message}`);
  }
  if (typeof parsed?.privateKey !== 'string') {
    throw new Error('VOUCH_REGISTRY_ROOT_KEY_FILE: privateKey is missing; use a `vouch registry keygen` file.');
  }
  const key = createPrivateKey(parsed.privateKey);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('VOUCH_REGISTRY_ROOT_KEY_FILE: not an Ed25519 key.');
  if (parsed.publicKey !== undefined && parsed.publicKey !== formatPublicKey(toSdk(key).publicKey, 'registry')) {
    throw new Error('VOUCH_REGISTRY_ROOT_KEY_FILE: publicKey does not match privateKey.');
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
 * Makes sure the root key exists (importing the configured file on first start) and returns it; undefined in
 * consumer mode, which holds no root key. A database that already holds another root key than the configured file
 * is refused: the registry's identity is its root key.
 *
 * @example
 * const root = await ensureRegistryRootKey(config, storage, kek, clock.now());
 */
export async function ensureRegistryRootKey(
  config: Config,
  storage: Storage,
  kek: Buffer,
  now: number,
): Promise<RootKey | undefined> {
  if (config.registry.trustUrl !== undefined) return undefined;
  const file = config.registry.rootKeyFile;
  if (file === undefined) {
    return fromServerKey(await ensureServerKey(storage, kek, REGISTRY_ROOT_PURPOSE, 'EdDSA', now));
  }
  const imported = await readKeyFile(file);
  const key = fromServerKey(await importServerKey(storage, kek, REGISTRY_ROOT_PURPOSE, 'EdDSA', imported, now));
  if (key.publicKey !== formatPublicKey(toSdk(imported).publicKey, 'registry')) {
    throw new Error(
      `VOUCH_REGISTRY_ROOT_KEY_FILE: the database already holds another registry root key (${key.kid}); ` +
        'a registry root key is imported once.',
    );
  }
  return key;
}
