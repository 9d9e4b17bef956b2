// Gaps found by mutation testing in storage/server-keys.ts and storage/kek-rewrap.ts: dropping retired keys touches
// only the purpose and kids asked for (a compromised token-key rotation must not take other purposes' retired keys
// with it), a purpose whose keys are all retired rotates to generation n+1, an import of the wrong key type or over
// a key of another algorithm is refused, a stored row whose alg or status was edited is not opened as a usable key,
// and a re-wrap never binds the database to a key-encryption key that is not 32 bytes.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { strict as assert } from 'node:assert';
import {
  checkKek,
  dropRetiredServerKeys,
  ensureServerKey,
  importServerKey,
  listServerKeys,
  rewrapKek,
  rotateServerKey,
} from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';

const T0 = 1_750_000_000_000;
const kek = randomBytes(32);

/** kid, purpose and status of every stored key, sorted. */
async function keyRows(storage: Storage): Promise<string[]> {
  const rows = await storage.db.selectFrom('server_keys').select(['kid', 'purpose', 'status']).execute();
  return rows.map((r) => `${r.purpose}/${r.kid}/${r.status}`).sort();
}

eachEngine('dropping retired keys takes only the purpose and kids asked for, never an active key', async ({ open }) => {
  const storage = await open();
  const manifest1 = await ensureServerKey(storage, kek, 'tool-manifest', 'EdDSA', T0);
  await rotateServerKey(storage, kek, 'tool-manifest', 'EdDSA', T0 + 1);
  const tokens1 = await ensureServerKey(storage, kek, 'tokens', 'ES256', T0);
  const tokens2 = (await rotateServerKey(storage, kek, 'tokens', 'ES256', T0 + 2)).key;
  const tokens3 = (await rotateServerKey(storage, kek, 'tokens', 'ES256', T0 + 3)).key;
  const before = await keyRows(storage);

  // Another purpose's retired kid, the active kid, an unknown kid: nothing goes.
  assert.deepEqual(await dropRetiredServerKeys(storage, 'tokens', [manifest1.kid, tokens3.kid, 'nope'], T0 + 4), []);
  assert.deepEqual(await keyRows(storage), before);
  // One of two retired token keys: the other stays.
  assert.deepEqual(await dropRetiredServerKeys(storage, 'tokens', [tokens1.kid], T0 + 5), [tokens1.kid]);
  assert.deepEqual(
    (await listServerKeys(storage, kek, 'tokens')).map((k) => [k.kid, k.status]),
    [
      [tokens3.kid, 'active'],
      [tokens2.kid, 'retired'],
    ],
  );

  // A compromised token-key rotation drops every retired token key, and no other purpose's.
  const rotation = await rotateServerKey(storage, kek, 'tokens', 'ES256', T0 + 6, undefined, { dropRetired: true });
  assert.deepEqual(rotation.dropped, [tokens3.kid, tokens2.kid]);
  assert.deepEqual(
    (await listServerKeys(storage, kek, 'tool-manifest')).map((k) => [k.generation, k.status]),
    [
      [2, 'active'],
      [1, 'retired'],
    ],
  );
});

eachEngine('a purpose whose keys are all retired rotates to generation n+1, one active key', async ({ open }) => {
  const storage = await open();
  await ensureServerKey(storage, kek, 'tokens', 'ES256', T0);
  await rotateServerKey(storage, kek, 'tokens', 'ES256', T0 + 1);
  await storage.db
    .updateTable('server_keys')
    .set({ status: 'retired', retired_at: T0 + 2 })
    .execute();
  const { key, retired } = await rotateServerKey(storage, kek, 'tokens', 'ES256', T0 + 3);
  assert.equal(key.generation, 3);
  assert.deepEqual(retired, []);
  const keys = await listServerKeys(storage, kek, 'tokens');
  assert.deepEqual(
    keys.map((k) => [k.generation, k.status]),
    [
      [3, 'active'],
      [2, 'retired'],
      [1, 'retired'],
    ],
  );
});

eachEngine(
  'an import of the wrong key type, or over an active key of another algorithm, is refused',
  async ({ open }) => {
    const storage = await open();
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await assert.rejects(importServerKey(storage, kek, 'registry-root', 'EdDSA', p256, T0), {
      code: 'INVALID_ARGUMENT',
    });
    assert.deepEqual(await keyRows(storage), [], 'nothing stored');

    await ensureServerKey(storage, kek, 'receipts', 'ES256', T0);
    const ed = generateKeyPairSync('ed25519').privateKey;
    await assert.rejects(importServerKey(storage, kek, 'receipts', 'EdDSA', ed, T0), { code: 'SERVER_KEY_CONFLICT' });
    assert.equal((await keyRows(storage)).length, 1);
  },
);

eachEngine('a stored row whose alg or status was edited is refused, not opened', async ({ open }) => {
  const storage = await open();
  const es = await ensureServerKey(storage, kek, 'tokens', 'ES256', T0);
  await storage.db.updateTable('server_keys').set({ alg: 'EdDSA' }).where('kid', '=', es.kid).execute();
  await assert.rejects(listServerKeys(storage, kek, 'tokens'), {
    code: 'SERVER_KEY_CONFLICT',
    message: `The stored server key ${es.kid} is not an EdDSA key.`,
  });
  await storage.db
    .updateTable('server_keys')
    .set({ alg: 'ES256', status: 'revoked' as 'retired' }) // a value the schema type does not allow
    .where('kid', '=', es.kid)
    .execute();
  await assert.rejects(listServerKeys(storage, kek, 'tokens'), {
    code: 'SERVER_KEY_CONFLICT',
    message: `The stored server key ${es.kid} has an unknown status.`,
  });
});

eachEngine('a re-wrap never binds the database to a KEK that is not 32 bytes, even with no keys', async ({ open }) => {
  const storage = await open();
  await checkKek(storage, kek, T0);
  const check = async () =>
    (await storage.db.selectFrom('meta').select('value').where('key', '=', 'kek_check').executeTakeFirstOrThrow())
      .value;
  const before = await check();
  for (const newKek of [randomBytes(31), randomBytes(33), Buffer.alloc(0)]) {
    await assert.rejects(rewrapKek(storage, kek, newKek, T0 + 1), { code: 'KEK_INVALID' });
  }
  assert.equal(await check(), before);
  await checkKek(storage, kek, T0 + 2);
});
