// Only a retired capability key has a drop time (modules/keys/published.ts). Every test looked at the active capability
// key only in its first day, within the time a retired key would stay listed: computing a drop time for active keys as
// well passed them all, and took the active capability key off /.well-known/vouch-keys.json (and marked it unpublished
// in GET /api/v1/admin/keys) a day after its creation, while the gateway still issued and verified tokens with it.
import assert from 'node:assert/strict';
import { ensureServerKey } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { adminKeys } from '../helpers/admin-keys.ts';
import { VOUCH_KEYS_URL } from './vouch-keys-list.ts';
import type { ListedKey } from './vouch-keys-list.ts';

const DAY_MS = 86_400_000;

eachEngine('the active capability key stays listed, with no drop time, long after its creation', async ({ open }) => {
  const storage = await open();
  const t = await makeApp(storage);
  try {
    await ensureServerKey(storage, t.kek, 'capability', 'EdDSA', t.clock.now());
    t.clock.advance(30 * DAY_MS);

    const res = await t.app.inject({ method: 'GET', url: VOUCH_KEYS_URL });
    assert.equal(res.statusCode, 200, res.body);
    const active = (res.json() as { keys: ListedKey[] }).keys.filter((k) => k.purpose === 'capability');
    assert.equal(active.length, 1, 'the active capability key is listed');
    assert.equal(active[0]!.status, 'active');
    assert.ok(!('drops_at' in active[0]!), 'an active key has no drop time');
    // Nothing listed drops, so caches keep the list the full 5 minutes.
    assert.equal(res.headers['cache-control'], 'public, max-age=300');

    const row = (await adminKeys(t)).find((k) => k.kid === active[0]!.kid)!;
    assert.deepEqual([row.status, row.published, row.drops_at], ['active', true, null]);
  } finally {
    await t.app.close();
  }
});
