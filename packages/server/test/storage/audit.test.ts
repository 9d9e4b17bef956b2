import { strict as assert } from 'node:assert';
import { sql } from 'kysely';
import { listAudit, recordAudit, StorageError, toStorageError } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';

const T0 = 1_750_000_000_000;

eachEngine('recordAudit appends; listAudit pages newest first and filters by action', async ({ open }) => {
  const storage = await open();
  const ids: number[] = [];
  for (let i = 0; i < 5; i++) {
    ids.push(
      await recordAudit(storage.db, {
        at: T0 + i,
        actor: 'admin',
        action: i % 2 === 0 ? 'registry.publish' : 'key.rotate',
        target: `t${i}`,
        details: { n: i, nested: { list: [1, 'two', null, true] }, kid: 'abc', publicKey: 'ed25519:xyz' },
        requestId: `req-${i}`,
      }),
    );
  }
  assert.deepEqual(
    [...ids].sort((a, b) => a - b),
    ids,
  );
  const minimal = await recordAudit(storage.db, { at: T0 + 9, actor: 'system', action: 'start' });

  const all = await listAudit(storage.db);
  assert.deepEqual(
    all.map((e) => e.id),
    [minimal, ...[...ids].reverse()],
  );
  assert.deepEqual(all[0], {
    id: minimal,
    at: T0 + 9,
    actor: 'system',
    action: 'start',
    target: null,
    details: null,
    requestId: null,
  });
  assert.deepEqual(all[1], {
    id: ids[4],
    at: T0 + 4,
    actor: 'admin',
    action: 'registry.publish',
    target: 't4',
    details: { n: 4, nested: { list: [1, 'two', null, true] }, kid: 'abc', publicKey: 'ed25519:xyz' },
    requestId: 'req-4',
  });

  const page1 = await listAudit(storage.db, { limit: 2 });
  const page2 = await listAudit(storage.db, { limit: 2, beforeId: page1.at(-1)?.id });
  assert.deepEqual(
    [...page1, ...page2].map((e) => e.id),
    all.slice(0, 4).map((e) => e.id),
  );
  assert.deepEqual(
    (await listAudit(storage.db, { action: 'key.rotate' })).map((e) => e.id),
    [ids[3], ids[1]],
  );
  await assert.rejects(listAudit(storage.db, { limit: 0 }), { code: 'INVALID_ARGUMENT' });
  await assert.rejects(listAudit(storage.db, { limit: 1001 }), { code: 'INVALID_ARGUMENT' });
  await assert.rejects(listAudit(storage.db, { beforeId: -1 }), { code: 'INVALID_ARGUMENT' });
});

eachEngine('recordAudit inside a transaction is rolled back with it', async ({ open }) => {
  const storage = await open();
  await assert.rejects(
    storage.db.transaction().execute(async (trx) => {
      await recordAudit(trx, { at: T0, actor: 'admin', action: 'x' });
      throw new Error('abort');
    }),
    /abort/,
  );
  assert.deepEqual(await listAudit(storage.db), []);
});

eachEngine('the database itself refuses UPDATE and DELETE on audit_log', async ({ open, engine }) => {
  const storage = await open();
  const id = await recordAudit(storage.db, { at: T0, actor: 'admin', action: 'registry.publish', target: 'v1' });
  const before = await listAudit(storage.db);
  const attempts = [
    sql`update audit_log set actor = 'mallory' where id = ${id}`,
    sql`update audit_log set details = '{}'`,
    sql`delete from audit_log where id = ${id}`,
    sql`delete from audit_log`,
    ...(engine === 'postgres' ? [sql`truncate audit_log`] : []),
  ];
  for (const attempt of attempts) {
    const err = await attempt.execute(storage.db).catch((e: unknown) => e);
    const mapped = toStorageError(err);
    assert.ok(mapped instanceof StorageError, `not refused: ${String(err)}`);
    assert.equal(mapped.code, 'AUDIT_IMMUTABLE');
  }
  // Through Kysely's builders too, inside a transaction.
  await assert.rejects(
    storage.db.transaction().execute((trx) => trx.deleteFrom('audit_log').execute()),
    /vouch_audit_append_only/,
  );
  assert.deepEqual(await listAudit(storage.db), before);
});

eachEngine('details that look like secrets are refused, at any depth, and nothing is written', async ({ open }) => {
  const storage = await open();
  const refused: Record<string, unknown>[] = [
    { key: 'x' },
    { apiKey: 'x' },
    { admin_key: 'x' },
    { Token: 'x' },
    { accessToken: 'x' },
    { refresh_tokens: ['x'] },
    { secret: 'x' },
    { clientSecretHash: 'x' },
    { PASSWORD: 'x' },
    { 'pass-phrase': 'x' },
    { privateKey: 'x' },
    { private_key_pem: 'x' },
    { authorization: 'Bearer x' },
    { cookie: 'x' },
    { credentials: {} },
    { kek: 'x' },
    { passwd: 'x' },
    { db_pwd: 'x' },
    { privateJwk: {} },
    { mnemonic: 'x' },
    { seed_phrase: 'x' },
    { bearerValue: 'x' },
    { signingKeys: [] },
    { nested: { deeper: [{ ok: 1 }, { Password: 'x' }] } },
    { jwk: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' } },
    { jwk: { kty: 'oct', k: 'c' } },
    { n: Number.NaN },
    { n: Number.POSITIVE_INFINITY },
    { when: new Date(T0) },
    { big: 1n },
    { f: () => 1 },
    { list: [undefined] },
    { deep: { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } } },
    { blob: 'x'.repeat(20_000) },
  ];
  for (const details of refused) {
    const err = await recordAudit(storage.db, { at: T0, actor: 'admin', action: 'x', details }).catch(
      (e: unknown) => e,
    );
    assert.ok(err instanceof StorageError, `accepted: ${Object.keys(details).join()}`);
    assert.equal(err.code, 'AUDIT_DETAILS_REJECTED');
    assert.doesNotMatch(err.message, /BEGIN PRIVATE|eyJhbGci|Bearer/);
  }
  for (const details of [[], 'x', null as unknown, new Map()] as unknown[]) {
    if (details === null) continue;
    await assert.rejects(
      recordAudit(storage.db, { at: T0, actor: 'a', action: 'x', details: details as Record<string, unknown> }),
      { code: 'AUDIT_DETAILS_REJECTED' },
    );
  }
  assert.deepEqual(await listAudit(storage.db), []);

  // Public look-alikes pass; an undefined member is simply omitted.
  await recordAudit(storage.db, {
    at: T0,
    actor: 'admin',
    action: 'key.rotate',
    details: {
      kid: 'k',
      keyId: 'k',
      publicKey: 'ed25519:x',
      publicKeys: ['ed25519:y'],
      purpose: 'identity',
      jti: 'j',
      tokenCount: 3,
      skip: undefined,
    },
  });
  assert.deepEqual((await listAudit(storage.db))[0]?.details, {
    kid: 'k',
    keyId: 'k',
    publicKey: 'ed25519:x',
    publicKeys: ['ed25519:y'],
    purpose: 'identity',
    jti: 'j',
    tokenCount: 3,
  });
});

eachEngine('recordAudit validates its other fields', async ({ open }) => {
  const storage = await open();
  const bad = [
    { at: -1, actor: 'a', action: 'x' },
    { at: 1.5, actor: 'a', action: 'x' },
    { at: T0, actor: '', action: 'x' },
    { at: T0, actor: 'a', action: '' },
    { at: T0, actor: 'a', action: 'x'.repeat(129) },
    { at: T0, actor: 'a', action: 'x', target: '' },
    { at: T0, actor: 'a', action: 'x', requestId: 'r'.repeat(257) },
  ];
  for (const e of bad) await assert.rejects(recordAudit(storage.db, e), { code: 'INVALID_ARGUMENT' });
  assert.deepEqual(await listAudit(storage.db), []);
});

eachEngine('string values shaped like a secret are stored redacted, at any depth', async ({ open }) => {
  const storage = await open();
  const pem = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----';
  const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln';
  await recordAudit(storage.db, {
    at: T0,
    actor: 'admin',
    action: 'x',
    details: { note: pem, nested: { list: ['kept', jwt] }, reason: 'eyJ is how a JWT starts', jti: 'j' },
  });
  const [entry] = await listAudit(storage.db);
  assert.deepEqual(entry?.details, {
    note: '[redacted]',
    nested: { list: ['kept', '[redacted]'] },
    reason: 'eyJ is how a JWT starts',
    jti: 'j',
  });
});
