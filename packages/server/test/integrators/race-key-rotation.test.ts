// An integrator's key rotated while a batch sent with the old key is under way (two processes): the batch was
// authenticated before the rotation, its transaction begins after the rotation was answered. "The old key stops
// working at once" (docs/PROTOCOL.md): nothing may be stored with it once the rotation is answered, so the batch is
// refused (401) and writes nothing; the new key works.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { beforeNextTransaction } from '../helpers/interleave.ts';
import { ADMIN, allow, createIntegrator, event, ingest, post, registerAgent } from './helpers.ts';

const ENV = { VOUCH_PUBLIC_URL: 'https://vouch.test', VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'silent' };
const METRICS = [{ metricKey: 'sale', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const }];

eachEngine('a batch sent with a key rotated while it is under way stores nothing', async ({ open }) => {
  const s1 = await open();
  const s2 = await open();
  const a = await makeApp(s1, { env: ENV });
  const b = await makeApp(s2, { env: ENV, kek: a.kek, clock: a.clock });
  try {
    const oldKey = await createIntegrator(a, 'shop', METRICS);
    const agent = await registerAgent(a);
    await allow(a, agent, 'shop');
    const mv = [{ metricKey: 'sale', numberValue: 1 }];
    assert.equal((await ingest(b, oldKey, [event('shop', agent, mv)])).body.count, 1, 'the key works before');

    const before = await tableCounts(s1);
    let newKey: string | undefined;
    // Process b has authenticated the batch with the old key; process a rotates the key (answered) before b's
    // transaction begins.
    beforeNextTransaction(s2.db, async () => {
      const res = await post(a, '/api/v1/admin/integrators/shop/rotate-key', {}, ADMIN);
      assert.equal(res.statusCode, 200, res.body);
      newKey = (res.json() as { apiKey: string }).apiKey;
    });
    const late = await ingest(b, oldKey, [event('shop', agent, mv, { externalEventId: 'with-old-key' })]);
    assert.ok(newKey !== undefined, 'the rotation ran inside the batch');
    assert.equal(late.status, 401, JSON.stringify(late.body));
    assert.equal(late.body.code, 'UNAUTHORIZED');
    const after = await tableCounts(s1);
    assert.equal(after.reputation_events, before.reputation_events, 'nothing stored with the rotated key');
    assert.deepEqual(after, { ...before, audit_log: after.audit_log }, 'only the rotation was written');

    // The old key is refused from now on; the new one works.
    assert.equal((await ingest(b, oldKey, [event('shop', agent, mv)])).status, 401);
    assert.equal((await ingest(b, newKey!, [event('shop', agent, mv)])).body.count, 1);
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
