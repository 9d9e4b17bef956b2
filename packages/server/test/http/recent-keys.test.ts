// The recent-keys cache that picks an owner's, integrator's or agent's rate-limit bucket is bounded: a full cache
// forgets the key used longest ago, so no number of keys grows a process's memory past RECENT_KEYS_MAX per kind (nor
// its index of keys by principal). Another process's announcement that a principal's keys were dropped forgets them
// all; the app that announced it forgot them itself and ignores its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashSecret } from '../../src/http/secrets.ts';
import { keysDroppedTopic, RECENT_KEYS_MAX, RecentKeys, recentKeysOf } from '../../src/http/recent-keys.ts';
import { forgetShared } from '../../src/cache-invalidation.ts';
import { EVERYTHING } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';

const digest = (i: number): string => hashSecret(`vouch_owner_key-${i}`);

test('a full cache forgets the key used longest ago', () => {
  const keys = new RecentKeys(3);
  for (let i = 0; i < 3; i++) keys.remember(digest(i), `owner-${i}`);
  assert.equal(keys.idOf(digest(0)), 'owner-0'); // used: now the most recent
  keys.remember(digest(1), 'owner-1'); // held again: moved, not added
  assert.equal(keys.size, 3);
  keys.remember(digest(3), 'owner-3');
  assert.equal(keys.size, 3);
  assert.equal(keys.idOf(digest(2)), undefined, 'the least recently used went');
  assert.deepEqual(
    [0, 1, 3].map((i) => keys.idOf(digest(i))),
    ['owner-0', 'owner-1', 'owner-3'],
  );
  for (let i = 10; i < 1000; i++) keys.remember(digest(i), `owner-${i}`);
  assert.equal(keys.size, 3);
  assert.equal(keys.principals, 3, 'the evicted keys left the index by principal too');
  assert.throws(() => new RecentKeys(0), RangeError);
});

test('forget drops one key, forgetId every key of a principal', () => {
  const keys = new RecentKeys(10);
  keys.remember(digest(0), 'owner-a');
  keys.remember(digest(1), 'owner-a');
  keys.remember(digest(2), 'owner-b');
  keys.forget(digest(2));
  assert.equal(keys.idOf(digest(2)), undefined);
  keys.forgetId('owner-a');
  assert.equal(keys.size, 0);
  assert.equal(keys.principals, 0);
  // A digest held again under another principal is that principal's only.
  keys.remember(digest(3), 'owner-a');
  keys.remember(digest(3), 'owner-b');
  keys.forgetId('owner-a');
  assert.equal(keys.idOf(digest(3)), 'owner-b');
  assert.equal(keys.principals, 1);
  keys.forgetId('owner-b');
  assert.equal(keys.size, 0);
});

eachEngine('an announced drop forgets the principal’s keys in every app but the announcing one', async ({ open }) => {
  const a = await makeApp(await open());
  const b = await makeApp(await open());
  const did = 'did:vouch:agent-1';
  try {
    for (const t of [a, b]) {
      const { owner, managementToken } = recentKeysOf(t.ctx);
      owner.remember(digest(0), 'owner-a');
      owner.remember(digest(1), 'owner-a');
      owner.remember(digest(2), 'owner-b');
      managementToken.remember(digest(3), did);
    }
    const { owner, managementToken } = recentKeysOf(b.ctx);
    // Neither a topic that is no drop of a known kind, nor the listener's reconnect, forgets anything.
    for (const topic of [
      'keys_dropped:owner',
      'keys_dropped:owner:',
      'keys_dropped:owner::owner-b',
      'keys_dropped:toString:abc:owner-b',
      'keys_dropped:admin:abc:owner-b',
      EVERYTHING,
    ]) {
      forgetShared(b.ctx, topic);
    }
    assert.equal(owner.size, 3);

    for (const t of [a, b]) forgetShared(t.ctx, keysDroppedTopic(a.ctx, 'owner', 'owner-a'));
    assert.equal(recentKeysOf(a.ctx).owner.size, 3, 'its own announcement: it forgot them itself');
    assert.deepEqual(
      [0, 1, 2].map((i) => owner.idOf(digest(i))),
      [undefined, undefined, 'owner-b'],
    );
    assert.equal(managementToken.idOf(digest(3)), did, 'another kind of key');
    forgetShared(b.ctx, keysDroppedTopic(a.ctx, 'integrator', did));
    assert.equal(managementToken.idOf(digest(3)), did, 'another kind of key');
    forgetShared(b.ctx, keysDroppedTopic(a.ctx, 'management-token', did));
    assert.equal(managementToken.size, 0, 'a DID, colons and all');
  } finally {
    await a.app.close();
    await b.app.close();
  }
});

eachEngine('each app holds at most RECENT_KEYS_MAX keys of each kind, its own', async ({ open }) => {
  const a = await makeApp(await open());
  const b = await makeApp(await open());
  try {
    const { owner, integrator, managementToken } = recentKeysOf(a.ctx);
    assert.equal(owner.max, RECENT_KEYS_MAX);
    assert.equal(integrator.max, RECENT_KEYS_MAX);
    assert.equal(managementToken.max, RECENT_KEYS_MAX);
    for (let i = 0; i <= RECENT_KEYS_MAX; i++) owner.remember(digest(i), `owner-${i}`);
    assert.equal(owner.size, RECENT_KEYS_MAX);
    assert.equal(integrator.size, 0);
    assert.equal(managementToken.size, 0);
    assert.equal(recentKeysOf(b.ctx).owner.size, 0, 'not shared between apps');
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
