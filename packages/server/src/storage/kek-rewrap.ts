// Replacing the key-encryption key: every sealed server private key is opened under the old KEK and sealed again
// under the new one, with the KEK check value, in one transaction. Nothing else in the database is sealed.
import { constantTimeEqual } from '@vouch/sdk';
import { recordAudit } from './audit.ts';
import { StorageError, translateErrors } from './errors.ts';
import { CHECK_META_KEY, kekCheckValue } from './kek.ts';
import { assertNonNegativeInteger } from './lib/validate.ts';
import type { Storage } from './open.ts';
import { open, seal } from './secret-box.ts';

/** What a re-wrap did. */
export interface KekRewrap {
  /** How many server keys (active and retired) were sealed again. */
  keys: number;
}

/**
 * Re-seals every server key from `oldKek` to `newKek` and makes `newKek` the database's KEK, all or nothing.
 * Throws `KEK_MISMATCH` (nothing changed) when `oldKek` is not the database's KEK, `KEK_UNCHANGED` when the two are
 * the same key, and `SEALED_INVALID` (nothing changed) when a stored key does not open under `oldKek`.
 *
 * Run it with every server stopped: a process still running with the old KEK cannot seal new keys afterwards
 * (rotations check the KEK in their transaction and refuse), and it must restart with the new key file.
 *
 * @example
 * ```ts
 * const { keys } = await rewrapKek(storage, await readKek(oldFile), await readKek(newFile), Date.now());
 * ```
 */
export async function rewrapKek(
  storage: Storage,
  oldKek: Buffer,
  newKek: Buffer,
  nowMs: number,
  audit: { actor: string } = { actor: 'cli' },
): Promise<KekRewrap> {
  for (const k of [oldKek, newKek]) {
    if (!Buffer.isBuffer(k) || k.length !== 32) {
      throw new StorageError('KEK_INVALID', 'A key-encryption key must be exactly 32 bytes.');
    }
  }
  assertNonNegativeInteger('nowMs', nowMs);
  if (constantTimeEqual(oldKek, newKek)) {
    throw new StorageError('KEK_UNCHANGED', 'The new key-encryption key is the one already in use.');
  }
  const oldCheck = kekCheckValue(oldKek);
  return translateErrors(() =>
    storage.db.transaction().execute(async (trx) => {
      // The check row first: its row lock orders this against rotations, which read it FOR SHARE (assertKekCurrent).
      const check = await trx.selectFrom('meta').select('value').where('key', '=', CHECK_META_KEY).executeTakeFirst();
      if (check === undefined || !constantTimeEqual(check.value, oldCheck)) {
        throw new StorageError('KEK_MISMATCH', 'The current key-encryption key is not the one this database uses.');
      }
      const moved = await trx
        .updateTable('meta')
        .set({ value: kekCheckValue(newKek) })
        .where('key', '=', CHECK_META_KEY)
        .where('value', '=', oldCheck)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) {
        throw new StorageError('KEK_MISMATCH', 'The key-encryption key changed meanwhile; nothing was re-sealed.');
      }
      const rows = await trx.selectFrom('server_keys').select(['kid', 'private_sealed']).orderBy('kid').execute();
      for (const row of rows) {
        const der = open(oldKek, row.private_sealed, row.kid);
        try {
          await trx
            .updateTable('server_keys')
            .set({ private_sealed: seal(newKek, der, row.kid) })
            .where('kid', '=', row.kid)
            .execute();
        } finally {
          der.fill(0);
        }
      }
      await recordAudit(trx, {
        at: nowMs,
        actor: audit.actor,
        action: 'kek.rewrap',
        target: 'server_keys',
        details: { resealed: rows.length },
      });
      return { keys: rows.length };
    }),
  );
}
