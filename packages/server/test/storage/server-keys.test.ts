import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { calculateJwkThumbprint } from 'jose';
import { sql } from 'kysely';
import {
  ensureServerKey,
  importServerKey,
  listServerKeys,
  openStorage,
  StorageError,
} from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { assertSignsWith } from '../helpers/keys.ts';

const T0 = 1_750_000_000_000;
const kek = randomBytes(32);

eachEngine('ensureServerKey creates generation 1 once per purpose and returns it afterwards', async ({ open }) => {
  const storage = await open();
  const es = await ensureServerKey(storage, kek, 'identity-token', 'ES256', T0);
  const ed = await ensureServerKey(storage, kek, 'receipts', 'EdDSA', T0);
  for (const [key, alg, kty, crv] of [
    [es, 'ES256', 'EC', 'P-256'],
    [ed, 'EdDSA', 'OKP', 'Ed25519'],
  ] as const) {
    assert.equal(key.alg, alg);
    assert.equal(key.generation, 1);
    assert.equal(key.status, 'active');
    assert.equal(key.createdAt, T0);
    assert.equal(key.publicJwk.kty, kty);
    assert.equal(key.publicJwk.crv, crv);
    assert.deepEqual([key.publicJwk.kid, key.publicJwk.alg, key.publicJwk.use], [key.kid, alg, 'sig']);
    assert.equal(key.publicJwk.d, undefined);
    assert.equal(key.kid, await calculateJwkThumbprint(key.publicJwk as Parameters<typeof calculateJwkThumbprint>[0]));
    assert.equal(key.privateKey.type, 'private');
    assertSignsWith(key);
  }
  assert.equal((await ensureServerKey(storage, kek, 'identity-token', 'ES256', T0 + 5)).kid, es.kid);

  // The private key is stored sealed and bound to its kid; the public JWK is stored as JSON.
  const rows = await storage.db.selectFrom('server_keys').selectAll().orderBy('purpose').execute();
  assert.equal(rows.length, 2);
  for (const row of rows) {
    assert.match(row.private_sealed, /^v1\./);
    assert.equal((JSON.parse(row.public_jwk) as { d?: string }).d, undefined);
  }

  const listed = await listServerKeys(storage, kek);
  assert.deepEqual(
    listed.map((k) => [k.purpose, k.kid]),
    [
      ['identity-token', es.kid],
      ['receipts', ed.kid],
    ],
  );
  assert.deepEqual(
    (await listServerKeys(storage, kek, 'receipts')).map((k) => k.kid),
    [ed.kid],
  );
  assert.deepEqual(await listServerKeys(storage, kek, 'none'), []);
});

eachEngine('the key survives a restart', async ({ open }) => {
  const first = await open();
  const key = await ensureServerKey(first, kek, 'identity', 'ES256', T0);
  await first.close();
  const again = await ensureServerKey(await open(), kek, 'identity', 'ES256', T0 + 1000);
  assert.equal(again.kid, key.kid);
  assert.equal(again.createdAt, T0);
  assertSignsWith(again);
});

eachEngine('concurrent ensureServerKey from two processes ends with one key', async ({ open }) => {
  const [a, b] = await Promise.all([open(), open()]);
  const calls = Array.from({ length: 10 }, (_, i) =>
    ensureServerKey(i % 2 === 0 ? a : b, kek, 'identity', 'ES256', T0),
  );
  const keys = await Promise.all(calls);
  assert.equal(new Set(keys.map((k) => k.kid)).size, 1);
  const rows = await a.db.selectFrom('server_keys').select('kid').where('purpose', '=', 'identity').execute();
  assert.deepEqual(
    rows.map((r) => r.kid),
    [keys[0]?.kid],
  );
});

eachEngine(
  'the key that lands is audited once, made or imported; the ones that lost the race leave nothing',
  async ({ open }) => {
    const [a, b] = await Promise.all([open(), open()]);
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) => ensureServerKey(i % 2 === 0 ? a : b, kek, 'identity', 'ES256', T0)),
    );
    const imported = await importServerKey(
      a,
      kek,
      'registry-root',
      'EdDSA',
      generateKeyPairSync('ed25519').privateKey,
      T0,
    );
    // Importing again finds the key there: no second entry.
    await importServerKey(b, kek, 'registry-root', 'EdDSA', generateKeyPairSync('ed25519').privateKey, T0 + 1);
    const audit = await a.db
      .selectFrom('audit_log')
      .select(['actor', 'action', 'target', 'details'])
      .where('action', 'like', 'server_key.%')
      .orderBy('id')
      .execute();
    assert.deepEqual(
      audit.map((e) => ({ ...e, details: JSON.parse(String(e.details)) as unknown })),
      [
        {
          actor: 'system',
          action: 'server_key.create',
          target: made[0]!.kid,
          details: { purpose: 'identity', alg: 'ES256', generation: 1 },
        },
        {
          actor: 'system',
          action: 'server_key.import',
          target: imported.kid,
          details: { purpose: 'registry-root', alg: 'EdDSA', generation: 1 },
        },
      ],
    );
  },
);

eachEngine('another KEK cannot open stored keys', async ({ open }) => {
  const storage = await open();
  await ensureServerKey(storage, kek, 'identity', 'ES256', T0);
  await assert.rejects(ensureServerKey(storage, randomBytes(32), 'identity', 'ES256', T0), { code: 'SEALED_INVALID' });
  await assert.rejects(listServerKeys(storage, randomBytes(32)), { code: 'SEALED_INVALID' });
});

eachEngine('asking for another algorithm than the active key has is SERVER_KEY_CONFLICT', async ({ open }) => {
  const storage = await open();
  await ensureServerKey(storage, kek, 'identity', 'ES256', T0);
  await assert.rejects(ensureServerKey(storage, kek, 'identity', 'EdDSA', T0), { code: 'SERVER_KEY_CONFLICT' });
});

eachEngine('a purpose whose keys are all retired is SERVER_KEY_CONFLICT, not a silent new key', async ({ open }) => {
  const storage = await open();
  await ensureServerKey(storage, kek, 'identity', 'ES256', T0);
  await storage.db
    .updateTable('server_keys')
    .set({ status: 'retired', retired_at: T0 + 1 })
    .execute();
  await assert.rejects(ensureServerKey(storage, kek, 'identity', 'ES256', T0 + 2), { code: 'SERVER_KEY_CONFLICT' });
  assert.equal((await storage.db.selectFrom('server_keys').selectAll().execute()).length, 1);
});

eachEngine('importing a key already stored for another purpose says so, and stores nothing', async ({ open }) => {
  const storage = await open();
  const { privateKey } = generateKeyPairSync('ed25519');
  const root = await importServerKey(storage, kek, 'registry-root', 'EdDSA', privateKey, T0);
  // The purpose has no key at all: "exist but none is active" would send the operator looking for retired keys.
  await assert.rejects(importServerKey(storage, kek, 'receipts', 'EdDSA', privateKey, T0 + 1), (err: unknown) => {
    assert.ok(err instanceof StorageError, String(err));
    assert.equal(err.code, 'SERVER_KEY_CONFLICT');
    assert.match(err.message, /already stored as a "registry-root" key/);
    return true;
  });
  assert.deepEqual(
    (await listServerKeys(storage, kek)).map((k) => `${k.purpose}/${k.kid}`),
    [`registry-root/${root.kid}`],
  );
});

eachEngine('a sealed key copied to another row does not open there (AAD = kid)', async ({ open }) => {
  const storage = await open();
  const a = await ensureServerKey(storage, kek, 'a', 'ES256', T0);
  const b = await ensureServerKey(storage, kek, 'b', 'ES256', T0);
  const sealedA = await storage.db
    .selectFrom('server_keys')
    .select('private_sealed')
    .where('kid', '=', a.kid)
    .executeTakeFirstOrThrow();
  await sql`update server_keys set private_sealed = ${sealedA.private_sealed} where kid = ${b.kid}`.execute(storage.db);
  // The error names the row that does not open (for the operator), and nothing of the key.
  await assert.rejects(ensureServerKey(storage, kek, 'b', 'ES256', T0), {
    code: 'SEALED_INVALID',
    message: `The b key ${b.kid}: a sealed value failed authentication: wrong key-encryption key, wrong binding, or altered data.`,
  });
  assert.equal((await ensureServerKey(storage, kek, 'a', 'ES256', T0)).kid, a.kid);
});

test('bad purposes and algorithms are INVALID_ARGUMENT before touching the database', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-keys-'));
  const storage = await openStorage({ dataDir });
  try {
    for (const purpose of ['', 'Upper', 'has space', 'x'.repeat(65), '-lead']) {
      await assert.rejects(ensureServerKey(storage, kek, purpose, 'ES256', T0), { code: 'INVALID_ARGUMENT' });
    }
    await assert.rejects(ensureServerKey(storage, kek, 'ok', 'RS256' as 'ES256', T0), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(ensureServerKey(storage, kek, 'ok', 'ES256', -1), { code: 'INVALID_ARGUMENT' });
    const err = await ensureServerKey(storage, Buffer.alloc(8), 'ok', 'ES256', T0).catch((e: unknown) => e);
    assert.ok(err instanceof StorageError && err.code === 'KEK_INVALID');
    assert.equal((await storage.db.selectFrom('server_keys').selectAll().execute()).length, 0);
  } finally {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
