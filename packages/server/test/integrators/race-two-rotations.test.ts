// Two rotations of one integrator's key at once (two processes, or an admin's retry): both read the same key and
// each answers a new one, but only one can be the key. The rotation replaces the key it read (compare-and-set), so
// the one that comes second answers 409 CONFLICT and writes nothing: every key an answer shows works.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { beforeNextTransaction } from '../helpers/interleave.ts';
import { ADMIN, createIntegrator, ingest, post } from './helpers.ts';

const ENV = { VOUCH_PUBLIC_URL: 'https://vouch.test', VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'silent' };

eachEngine('of two concurrent key rotations one answers 409 CONFLICT; the key answered works', async ({ open }) => {
  const s1 = await open();
  const s2 = await open();
  const a = await makeApp(s1, { env: ENV });
  const b = await makeApp(s2, { env: ENV, kek: a.kek, clock: a.clock });
  try {
    const oldKey = await createIntegrator(a, 'shop', []);
    let first: Awaited<ReturnType<typeof post>> | undefined;
    let before: Record<string, number> | undefined;
    // Process a has begun its rotation; process b's rotation is answered before a's transaction begins.
    beforeNextTransaction(s1.db, async () => {
      first = await post(b, '/api/v1/admin/integrators/shop/rotate-key', {}, ADMIN);
      before = await tableCounts(s1);
    });
    const second = await post(a, '/api/v1/admin/integrators/shop/rotate-key', {}, ADMIN);
    assert.ok(first !== undefined, 'the other rotation ran inside this one');
    assert.equal(first.statusCode, 200, first.body);
    const firstKey = (first.json() as { apiKey: string }).apiKey;

    assert.equal(second.statusCode, 409, second.body);
    assert.equal(second.json().code, 'CONFLICT');
    assert.deepEqual(await tableCounts(s1), before, 'the refused rotation wrote nothing (no audit entry)');
    // The key answered is the integrator's key; the one before both is not.
    assert.notEqual((await ingest(a, firstKey, [])).status, 401, 'the key the winner answered works');
    assert.equal((await ingest(a, oldKey, [])).status, 401);

    // A rotation after both is an ordinary one.
    const third = await post(a, '/api/v1/admin/integrators/shop/rotate-key', {}, ADMIN);
    assert.equal(third.statusCode, 200, third.body);
    assert.notEqual((await ingest(b, (third.json() as { apiKey: string }).apiKey, [])).status, 401);
    assert.equal((await ingest(b, firstKey, [])).status, 401);
  } finally {
    await a.app.close();
    await b.app.close();
  }
});

eachEngine('rotating the key of an unknown integrator is 404 NOT_FOUND', async ({ open }) => {
  const a = await makeApp(await open(), { env: ENV });
  try {
    const res = await post(a, '/api/v1/admin/integrators/nobody/rotate-key', {}, ADMIN);
    assert.equal(res.statusCode, 404, res.body);
    assert.equal(res.json().code, 'NOT_FOUND');
  } finally {
    await a.app.close();
  }
});
