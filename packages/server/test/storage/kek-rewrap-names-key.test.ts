// A re-wrap that meets a stored key not opening under the current KEK refused with SEALED_INVALID and "A sealed value
// failed authentication", naming no key, where a start names it ("The tokens key <kid>: ..."): the operator could
// not tell which row to look at. The refusal now names the key's purpose and kid, and still changes nothing.
import { randomBytes } from 'node:crypto';
import { strict as assert } from 'node:assert';
import { checkKek, ensureServerKey, rewrapKek, StorageError } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';

const T0 = 1_750_000_000_000;

eachEngine('a re-wrap refused for a key that does not open names that key', async ({ open }) => {
  const storage = await open();
  const kek = randomBytes(32);
  await checkKek(storage, kek, T0);
  await ensureServerKey(storage, kek, 'tokens', 'ES256', T0);
  const bad = await ensureServerKey(storage, kek, 'receipts', 'EdDSA', T0);
  // Well-formed, but sealed under no key this database knows.
  const part = (n: number) => randomBytes(n).toString('base64url');
  const sealed = `v1.${part(12)}.${part(48)}.${part(16)}`;
  await storage.db.updateTable('server_keys').set({ private_sealed: sealed }).where('kid', '=', bad.kid).execute();
  const err = await rewrapKek(storage, kek, randomBytes(32), T0).catch((e: unknown) => e);
  assert.ok(err instanceof StorageError, String(err));
  assert.equal(err.code, 'SEALED_INVALID');
  assert.match(err.message, new RegExp(`^The receipts key ${bad.kid}: a sealed value failed authentication`));
  const row = await storage.db
    .selectFrom('server_keys')
    .select('private_sealed')
    .where('kid', '=', bad.kid)
    .executeTakeFirstOrThrow();
  assert.equal(row.private_sealed, sealed);
});
