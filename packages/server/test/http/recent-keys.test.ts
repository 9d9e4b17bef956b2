// The recent-keys cache that picks an owner's, integrator's or agent's rate-limit bucket is bounded: a full cache
// forgets the key used longest ago, so no number of keys grows a process's memory past RECENT_KEYS_MAX per kind.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashSecret } from '../../src/http/secrets.ts';
import { RECENT_KEYS_MAX, RecentKeys, recentKeysOf } from '../../src/http/recent-keys.ts';
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
