import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { adminKeyProblem, ConfigError } from './config.ts';
import type { Config } from './config.ts';
import { createFileWhole, readRegularFile } from './files/index.ts';
import type { AdminKeyDigests } from './http/admin-auth.ts';
import { hashSecret } from './http/secrets.ts';

/** The admin key's file, inside the data directory, on SQLite without VOUCH_ADMIN_KEY. */
export const ADMIN_KEY_FILE_NAME = 'admin.key';

export interface ResolvedAdminKey {
  /** The keys' digests only: a key read or generated here is hashed at once and not kept (nor is it in Config). */
  digests: AdminKeyDigests;
  /** Where a generated key was written; undefined when the key came from VOUCH_ADMIN_KEY. */
  file: string | undefined;
  generated: boolean;
}

/**
 * The admin key: VOUCH_ADMIN_KEY when set. Otherwise, on SQLite only, the key in `<data dir>/admin.key`,
 * generated once (mode 0600) on first start. PostgreSQL deployments must set VOUCH_ADMIN_KEY so every process agrees.
 * VOUCH_ADMIN_KEY_PREVIOUS (config.adminKeyPreviousDigest) goes with either, and must differ from the key found here.
 */
export async function resolveAdminKey(config: Config): Promise<ResolvedAdminKey> {
  const previous = config.adminKeyPreviousDigest;
  if (config.adminKeyDigest !== undefined) {
    return { digests: { current: config.adminKeyDigest, previous }, file: undefined, generated: false };
  }
  if (config.databaseUrl !== undefined) {
    throw new ConfigError('VOUCH_ADMIN_KEY is required with PostgreSQL, so that every server process shares it.');
  }
  const file = join(config.dataDir, ADMIN_KEY_FILE_NAME);
  const fresh = `vouch_admin_${randomBytes(32).toString('base64url')}`;
  // Written whole and flushed, then linked into place (createFileWhole): if another process won, both keep the first
  // key, and admin.key never exists half-written, as it did between an exclusive create and its write (a racing start
  // read '', and a crash or full disk there left it so for good).
  if (await createFileWhole(file, `${fresh}\n`, 0o600)) {
    return { digests: { current: hashSecret(fresh), previous }, file, generated: true };
  }
  // Trimmed: the file ends with a newline, and HTTP strips surrounding whitespace from the header just the same.
  const key = (await readAdminKeyFile(file)).trim();
  const problem = adminKeyProblem(key);
  if (problem !== undefined) throw new ConfigError(`The admin key in ${file} ${problem}.`);
  // loadConfig compared VOUCH_ADMIN_KEY; the file's key is known only now.
  const current = hashSecret(key);
  if (current === previous) {
    throw new ConfigError(
      `VOUCH_ADMIN_KEY_PREVIOUS is the same as the admin key in ${file}: set it to the key being replaced, or unset it.`,
    );
  }
  return { digests: { current, previous }, file, generated: false };
}

/** The longest admin.key read: a key of ADMIN_KEY_MAX_CHARS and its newline, with room for stray whitespace. */
const ADMIN_KEY_FILE_MAX_BYTES = 4096;

/**
 * An existing admin.key, read only if it is a small regular file: a named pipe there used to hang the start for good,
 * and a folder failed with Node's bare EISDIR. The refusal names the file and the setting that avoids it.
 */
async function readAdminKeyFile(file: string): Promise<string> {
  try {
    return (await readRegularFile(file, ADMIN_KEY_FILE_MAX_BYTES)).toString('utf8');
  } catch (err) {
    throw new ConfigError(
      `The admin key file ${file} ${(err as Error).message}: replace it with the key alone (or remove it for a new ` +
        'key), or set VOUCH_ADMIN_KEY.',
    );
  }
}
