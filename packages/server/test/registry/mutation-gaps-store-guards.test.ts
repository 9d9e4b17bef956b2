// Gaps found by mutation testing in the authority's write guard against applying a step twice (registry/store.ts):
// `replaceDocument` changes the document only while it is still at the sequence, and for a re-sign the `updated_at`,
// that the caller read. The registry lock (`withRegistryLock`) hides the guard's absence from the race tests: with
// either condition of the guard dropped, race-proposals and authority tests all passed on both engines (dropping the
// lock's FOR UPDATE instead is caught there, on PostgreSQL). This checks the guard on its own, as the defense left
// when the lock is not held (a caller outside withRegistryLock, a lock statement changed).
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import * as store from '../../src/modules/registry/store.ts';

const row = (sequence: number, updatedAt: number, chain: string) => ({
  sequence,
  chain_hash: chain.repeat(64),
  document: `{"sequence":${sequence},"chain":"${chain}"}`,
  updated_at: updatedAt,
  expires_at: updatedAt + 1000,
});

eachEngine('a step written from a stale read of the authority document changes nothing', async ({ open }) => {
  const storage = await open();
  const db = storage.db;
  assert.equal(await store.insertDocument(db, { name: 'authority', ...row(1, 100, 'a') }), true);

  // Two applications of sequence 2, each made from a read of sequence 1: the first writes, the second is refused.
  assert.equal(await store.replaceDocument(db, 'authority', { sequence: 1 }, row(2, 200, 'b')), true);
  assert.equal(await store.replaceDocument(db, 'authority', { sequence: 1 }, row(2, 300, 'c')), false);
  let held = await store.readDocument(db, 'authority');
  assert.equal(held?.sequence, 2);
  assert.equal(held?.chain_hash, 'b'.repeat(64));

  // A re-sign of sequence 2 read before another re-sign of it (an older updated_at) changes nothing either.
  assert.equal(await store.replaceDocument(db, 'authority', { sequence: 2, updatedAt: 200 }, row(2, 400, 'b')), true);
  assert.equal(await store.replaceDocument(db, 'authority', { sequence: 2, updatedAt: 200 }, row(2, 500, 'b')), false);
  held = await store.readDocument(db, 'authority');
  assert.equal(held?.updated_at, 400);
  // Nor does a re-sign of a sequence applied over since.
  assert.equal(await store.replaceDocument(db, 'authority', { sequence: 1, updatedAt: 100 }, row(1, 600, 'a')), false);
  assert.equal((await store.readDocument(db, 'authority'))?.sequence, 2);
});
