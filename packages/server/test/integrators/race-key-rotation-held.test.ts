// An integrator's key rotated while a batch sent with the old key holds it (docs/PROTOCOL.md: the old key stops
// working at once): the batch checks its key inside its transaction and, on PostgreSQL, holds the integrator's row
// (FOR SHARE) to its commit, so a rotation that comes after that check waits for the batch, and nothing is stored with
// the old key after the rotation was answered. race-key-rotation.test.ts covers a rotation committed before the
// batch's transaction; reading the key without holding it (mutation: drop `.forShare()` in apiKeyLiveHeld) answered the
// rotation first while the batch went on to store with the rotated key. Two processes on one database; SQLite has
// one writer, which serializes them anyway.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { blockedBehind, pausingAfterSelect } from '../helpers/interleave.ts';
import { hashSecret } from '../../src/http/secrets.ts';
import { ingestEvents } from '../../src/modules/reputation/ingest.ts';
import { ADMIN, allow, createIntegrator, event, ingest, post, registerAgent } from './helpers.ts';

const ENV = { VOUCH_PUBLIC_URL: 'https://vouch.test', VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'silent' };
const METRICS = [{ metricKey: 'sale', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const }];

eachEngine('a rotation sent while a batch holds the key it checked is answered after the batch', async (ctx) => {
  if (ctx.engine !== 'postgres') return; // one writer: nothing can come between the check and the commit
  const s1 = await ctx.open();
  const s2 = await ctx.open();
  const a = await makeApp(s1, { env: ENV });
  const b = await makeApp(s2, { env: ENV, kek: a.kek, clock: a.clock });
  try {
    const oldKey = await createIntegrator(a, 'shop', METRICS);
    const agent = await registerAgent(a);
    await allow(a, agent, 'shop');
    const order: string[] = [];
    let rotation: Promise<{ status: number; apiKey: string }> | undefined;
    // The first read of `integrators` on b's database is the batch's key check, inside its transaction.
    const racing = pausingAfterSelect(s2, 'integrators', async () => {
      const held = await sql<{ pid: number }>`select pid from pg_locks
        where relation = 'integrators'::regclass and mode = 'RowShareLock' and granted`.execute(s1.db);
      rotation = post(a, '/api/v1/admin/integrators/shop/rotate-key', {}, ADMIN).then((res) => {
        order.push('rotation answered');
        return { status: res.statusCode, apiKey: (res.json() as { apiKey: string }).apiKey };
      });
      const holder = held.rows[0]?.pid;
      // Held: the rotation waits behind the batch. Not held: nothing stops it, and it is answered first.
      if (holder !== undefined) await Promise.race([blockedBehind(s1.db, holder, 1).catch(() => undefined), rotation]);
      else await rotation;
    });
    const mv = [{ metricKey: 'sale', numberValue: 1 }];
    const answer = await ingestEvents(
      { ...b.ctx, storage: racing },
      'shop',
      [event('shop', agent, mv, { externalEventId: 'during-rotation' })],
      hashSecret(oldKey),
    );
    order.push('batch answered');
    assert.ok(rotation !== undefined, 'the rotation was sent while the batch held the key');
    const rotated = await rotation;
    assert.equal(rotated.status, 200);
    assert.deepEqual(order, ['batch answered', 'rotation answered'], 'the rotation waited for the batch');
    assert.deepEqual(
      answer.results.map((r) => [r.externalEventId, r.inserted]),
      [['during-rotation', true]],
    );
    // From now on the old key is refused; the new one works.
    assert.equal((await ingest(a, oldKey, [event('shop', agent, mv)])).status, 401);
    assert.equal((await ingest(a, rotated.apiKey, [event('shop', agent, mv)])).body.count, 1);
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
