// Housekeeping deletes expired rows in bounded batches (storage/expired-rows.ts): every expired row goes, nothing
// else does, the boundary follows the operator asked for, and other statements get in between two batches.
import { strict as assert } from 'node:assert';
import { deleteExpired, openStorage } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { pruneExpired } from '../../src/modules/tokens/store.ts';
import { prune as pruneCapabilities } from '../../src/modules/capabilities/store.ts';
import { eachEngine } from '../helpers/storage.ts';

const NOW = 1_750_000_000_000;

/** `n` nonces per audience expiring at `expiresAt`; two audiences share each nonce, so the key is the pair. */
async function addNonces(storage: Storage, prefix: string, n: number, expiresAt: number): Promise<void> {
  const rows = Array.from({ length: n }, (_, i) => i).flatMap((i) =>
    ['aud-a', 'aud-b'].map((audience) => ({
      audience,
      nonce: `${prefix}-${i}`,
      jti: `${prefix}-${audience}-${i}`,
      consumed_at: NOW - 1,
      expires_at: expiresAt,
    })),
  );
  await storage.db.insertInto('token_nonces').values(rows).execute();
}

async function nonceNames(storage: Storage): Promise<string[]> {
  const rows = await storage.db.selectFrom('token_nonces').select(['audience', 'nonce']).execute();
  return rows.map((r) => `${r.audience}/${r.nonce}`).sort();
}

eachEngine('deleteExpired deletes every expired row over several batches, and nothing else', async ({ open }) => {
  const storage = await open();
  await addNonces(storage, 'old', 11, NOW - 5_000); // 22 rows
  await addNonces(storage, 'edge', 3, NOW); // 6 rows, expiring exactly at `before`
  await addNonces(storage, 'live', 4, NOW + 1); // 8 rows
  const kept = (await nonceNames(storage)).filter((n) => !n.includes('/old-'));

  // '<' keeps the rows expiring at `before`; 22 rows in batches of 4 is six statements, the last one short.
  assert.equal(
    await deleteExpired(storage.db, storage.engine, 'token_nonces', { op: '<', before: NOW, batchRows: 4 }),
    22,
  );
  assert.deepEqual(await nonceNames(storage), kept);
  // '<=' takes them; a batch size that divides the count exactly ends on an empty batch.
  assert.equal(
    await deleteExpired(storage.db, storage.engine, 'token_nonces', { op: '<=', before: NOW, batchRows: 3 }),
    6,
  );
  assert.deepEqual(
    await nonceNames(storage),
    kept.filter((n) => n.includes('/live-')),
  );
  assert.equal(await deleteExpired(storage.db, storage.engine, 'token_nonces', { op: '<=', before: NOW }), 0);
});

eachEngine('maxBatches bounds the work of one call to whole batches of expired rows', async ({ open }) => {
  const storage = await open();
  await addNonces(storage, 'old', 10, NOW - 1); // 20 rows
  await addNonces(storage, 'live', 2, NOW + 60_000);
  assert.equal(
    await deleteExpired(storage.db, storage.engine, 'token_nonces', {
      op: '<',
      before: NOW,
      batchRows: 7,
      maxBatches: 2,
    }),
    14,
  );
  const left = await nonceNames(storage);
  assert.equal(left.filter((n) => n.includes('/old-')).length, 6);
  assert.equal(left.filter((n) => n.includes('/live-')).length, 4);
});

eachEngine(
  'a statement issued while a long prune runs is answered before the prune ends',
  async ({ engine, options }) => {
    // On PostgreSQL, a pool of one connection: the count and the batches then take turns on it, as every statement
    // takes turns on SQLite's one thread. With a larger pool the count runs on a connection of its own, and whether it
    // ends before 30 short deletes is a race (a new connection can take longer than all of them).
    const storage = await openStorage(engine === 'postgres' ? { ...options, pgPoolMax: 1 } : options);
    try {
      await addNonces(storage, 'old', 150, NOW - 1); // 300 rows: 30 batches of 10
      await addNonces(storage, 'live', 5, NOW + 1);
      const order: string[] = [];
      const pruning = deleteExpired(storage.db, storage.engine, 'token_nonces', {
        op: '<',
        before: NOW,
        batchRows: 10,
      }).then((n) => {
        order.push('prune');
        return n;
      });
      const counting = storage.db
        .selectFrom('token_nonces')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .executeTakeFirstOrThrow()
        .then((r) => {
          order.push('count');
          return Number(r.n);
        });
      const [deleted, seen] = await Promise.all([pruning, counting]);
      assert.equal(deleted, 300);
      // One unbounded delete would have answered the count after it, with only the live rows left.
      assert.deepEqual(order, ['count', 'prune']);
      assert.ok(seen > 10 && seen <= 310, `the count ran before the prune finished (saw ${seen})`);
      assert.equal((await nonceNames(storage)).length, 10);
    } finally {
      await storage.close();
    }
  },
);

eachEngine('token and capability housekeeping prune every table completely in small batches', async ({ open }) => {
  const storage = await open();
  const { db } = storage;
  await addNonces(storage, 'old', 5, NOW - 1);
  await db
    .insertInto('token_issue_proofs')
    .values(Array.from({ length: 7 }, (_, i) => ({ proof_digest: `p${i}`, agent_did: 'did:x', expires_at: NOW - i })))
    .execute();
  await db
    .insertInto('capability_proofs')
    .values(Array.from({ length: 9 }, (_, i) => ({ proof_digest: `c${i}`, expires_at: NOW - 1 - i })))
    .execute();
  await db.insertInto('capability_proofs').values({ proof_digest: 'c-edge', expires_at: NOW }).execute();

  const counts = await pruneExpired(db, storage.engine, NOW - 1, 2);
  assert.deepEqual(counts, { token_revocations: 0, token_nonces: 10, issued_tokens: 0, token_issue_proofs: 6 });
  // The proof expiring at NOW is not at or before NOW - 1: kept.
  assert.deepEqual(
    (await db.selectFrom('token_issue_proofs').select('proof_digest').execute()).map((r) => r.proof_digest),
    ['p0'],
  );
  // Capability rows are useless only after their expiry: the one expiring at NOW stays.
  await pruneCapabilities(db, storage.engine, NOW, 2);
  assert.deepEqual(
    (await db.selectFrom('capability_proofs').select('proof_digest').execute()).map((r) => r.proof_digest),
    ['c-edge'],
  );
});

eachEngine('deleteExpired refuses arguments that would delete the wrong rows or loop', async ({ open }) => {
  const storage = await open();
  await addNonces(storage, 'old', 2, NOW - 1);
  const bad = [
    { op: '<', before: NOW, batchRows: 0 },
    { op: '<', before: NOW, batchRows: 1.5 },
    { op: '<', before: Number.NaN },
    { op: '<', before: NOW + 0.5 },
    { op: '>=', before: NOW },
    { op: '< 0 or 1=1 --', before: NOW },
    // A column of the table that is no expiry: every nonce was consumed before NOW, live or not.
    { op: '<', before: NOW, column: 'consumed_at' },
  ];
  for (const opts of bad) {
    await assert.rejects(
      deleteExpired(storage.db, storage.engine, 'token_nonces', opts as never),
      (err: Error) => err instanceof Error && !/syntax/i.test(err.message),
      JSON.stringify(opts),
    );
  }
  assert.equal((await nonceNames(storage)).length, 4);
});
