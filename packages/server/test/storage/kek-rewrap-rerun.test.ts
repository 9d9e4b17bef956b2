// `vouch kek rewrap` run again after it committed (its session dropped before it printed anything) must tell the
// operator that the database is now sealed under the NEW file. It said only that the current KEK "is not the one this
// database uses", which reads as "the new key did not take; start over", and a new file made then loses every key.
import { randomBytes } from 'node:crypto';
import { strict as assert } from 'node:assert';
import { checkKek, ensureServerKey, listServerKeys, rewrapKek, StorageError } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';

const T0 = 1_750_000_000_000;

eachEngine('a re-wrap run again after it completed says the new KEK is already in use', async ({ open }) => {
  const storage = await open();
  const oldKek = randomBytes(32);
  const newKek = randomBytes(32);
  await checkKek(storage, oldKek, T0);
  await ensureServerKey(storage, oldKek, 'tokens', 'ES256', T0);
  await rewrapKek(storage, oldKek, newKek, T0 + 1);
  const sealed = await storage.db.selectFrom('server_keys').select('private_sealed').execute();

  await assert.rejects(
    rewrapKek(storage, oldKek, newKek, T0 + 2),
    (err: unknown) =>
      err instanceof StorageError && err.code === 'KEK_MISMATCH' && /already sealed under the new/.test(err.message),
  );
  assert.deepEqual(await storage.db.selectFrom('server_keys').select('private_sealed').execute(), sealed);
  assert.equal((await listServerKeys(storage, newKek)).length, 1, 'the keys still open under the new KEK');

  // Neither the current nor the new KEK the database's: the plain refusal.
  await assert.rejects(
    rewrapKek(storage, randomBytes(32), randomBytes(32), T0 + 3),
    (err: unknown) => err instanceof StorageError && err.code === 'KEK_MISMATCH' && !/already/.test(err.message),
  );
});
