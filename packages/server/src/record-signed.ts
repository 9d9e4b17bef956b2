// Signing with a server key and recording what was signed, so that nothing answered is signed by a key that a
// rotation has already retired or dropped: the record's transaction holds the signing key active.
import type { Kysely } from 'kysely';
import type { PrivateKey } from '@vouch/sdk';
import { ApiError } from './errors.ts';
import { lockActiveServerKey, translateErrors } from './storage/index.ts';
import type { Database, Storage } from './storage/index.ts';

/** A process's cached keys of one purpose: the key it signs with now, and a way to reload them. */
export interface SigningKeys {
  signingKey(): Promise<{ kid: string; privateKey: PrivateKey }>;
  invalidate(): void;
}

/** Retries after the first attempt: only an admin rotating in a loop exhausts them. */
const RETRIES = 3;

/**
 * Signs with `keys`' active key, then runs `record` and holds that key active (share-locked on PostgreSQL) in one
 * transaction. A rotation that committed since this process loaded its keys (another process's, or a compromised one
 * that dropped the key) makes it reload them and sign again, up to RETRIES times, then answers 409 CONFLICT saying
 * `keysName` were rotated repeatedly; nothing is recorded for a stale key. Returns what `sign` made.
 */
export async function recordSigned<T>(
  storage: Storage,
  keys: SigningKeys,
  keysName: string,
  sign: (key: { kid: string; privateKey: PrivateKey }) => Promise<T>,
  record: (trx: Kysely<Database>, key: { kid: string }, signed: T) => Promise<void>,
  afterKeyHeld?: (trx: Kysely<Database>) => Promise<void>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const key = await keys.signingKey();
    const signed = await sign(key);
    try {
      await translateErrors(() =>
        storage.db.transaction().execute(async (trx) => {
          await record(trx, key, signed);
          // Rolled back with the record: the key was rotated in another process since this one loaded it.
          if (!(await lockActiveServerKey(trx, storage.engine, key.kid))) throw new StaleSigningKey();
          await afterKeyHeld?.(trx);
        }),
      );
      return signed;
    } catch (err) {
      if (!(err instanceof StaleSigningKey)) throw err;
    }
    keys.invalidate();
    if (attempt === RETRIES) {
      throw new ApiError('CONFLICT', `The ${keysName} were rotated repeatedly during this issuance; retry.`);
    }
  }
}

class StaleSigningKey extends Error {}
