// /.well-known/vouch-keys.json is read from the stored public halves: serving it to anyone opens no private key, and
// a process whose KEK a re-wrap replaced (it should have been stopped; this one was not) still answers it (a 500
// before).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { checkKek, rewrapKek } from '../../src/storage/index.ts';

eachEngine('vouch-keys.json answers without opening a sealed key, also under a replaced KEK', async ({ open }) => {
  const storage = await open();
  const a = await makeApp(storage);
  try {
    const get = (url: string, headers: Record<string, string> = {}) => a.app.inject({ method: 'GET', url, headers });
    const before = await get('/.well-known/vouch-keys.json');
    assert.equal(before.statusCode, 200, before.body);
    await checkKek(storage, a.kek, a.clock.now()); // as every start records it
    // Another KEK seals every key now, as `vouch kek rewrap` leaves them; this process still holds the old one.
    await rewrapKek(storage, a.kek, randomBytes(32), a.clock.now());
    const after = await get('/.well-known/vouch-keys.json');
    assert.equal(after.statusCode, 200, after.body);
    assert.deepEqual(after.json(), before.json());
    // The admin's list includes the token keyring's state, which opens the token keys: a clear refusal, not a 500.
    const listed = await get('/api/v1/admin/keys', { 'x-api-key': a.adminKey });
    assert.equal(listed.statusCode, 503, listed.body);
    assert.equal((listed.json() as { code: string }).code, 'KEK_MISMATCH');
  } finally {
    await a.app.close();
  }
});
