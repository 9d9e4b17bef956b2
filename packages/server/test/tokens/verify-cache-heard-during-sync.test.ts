// The verify cache (verify-cache.ts) reads another process's revocations when it hears them announced (PostgreSQL
// LISTEN/NOTIFY), and otherwise within REVOCATION_SYNC_MS. An announcement heard while a read of the list is under
// way may name a revocation that committed after that read queried the list: the read must then not count as fresh,
// or the next verifications answer valid for the revoked token until the interval passes. No test held that: a sync
// marking itself fresh whatever it heard meanwhile passed every test.
import assert from 'node:assert/strict';
import { announceChange } from '../../src/storage/index.ts';
import { REVOCATION_SYNC_MS, REVOCATIONS_TOPIC } from '../../src/modules/tokens/verify-cache.ts';
import { afterNextPoolQuery } from '../helpers/interleave.ts';
import { eachEngine } from '../helpers/storage.ts';
import { listenerHears } from '../helpers/listening.ts';
import { issue, registerAgent, rejected, tokenApp, verify } from './helpers.ts';

eachEngine(
  'a revocation announced while the verify cache reads the list is refused at the next verification',
  async ({ open, engine, t: test }) => {
    if (engine !== 'postgres') {
      test.skip('SQLite has no announcements: one process, whose own revocations the cache sees without them');
      return;
    }
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const target = await issue(t, agent);
    const control = await issue(t, agent);
    assert.equal((await verify(t, { token: target.token })).status, 200);
    // The listener up (it connects after the app is built): an announcement sent before its LISTEN is lost, and the
    // step below would wait for it forever (or hear "everything" at the connect instead).
    await listenerHears(t.ctx.storage);
    t.clock.advance(REVOCATION_SYNC_MS);

    let heard!: () => void;
    const announced = new Promise<void>((resolve) => (heard = resolve));
    // Heard by this app's subscriber after the app's own, which the caches listen through (its first).
    const unsubscribe = t.ctx.storage.changes.subscribe((topic) => {
      if (topic === REVOCATIONS_TOPIC) heard();
    });
    const { db } = t.ctx.storage;
    afterNextPoolQuery(db, /from "token_revocations" where "seq" >/, async () => {
      // The read has its rows. Another process revokes the token now (written behind this process's back: the
      // processes of this test share the watermark of what "this process" revoked), announced as revokeToken does.
      await db.transaction().execute(async (trx) => {
        const seq = await trx
          .updateTable('token_revocation_seq')
          .set((eb) => ({ value: eb('value', '+', 1) }))
          .where('name', '=', 'revocations')
          .returning('value')
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('token_revocations')
          .values({
            jti: target.jti,
            seq: Number(seq.value),
            revoked_at: t.clock.now(),
            expires_at: target.exp * 1000,
            reason: 'elsewhere',
            agent_did: agent.did,
            revoked_by: 'admin',
          })
          .execute();
        await announceChange(trx, 'postgres', REVOCATIONS_TOPIC);
      });
      await announced;
      unsubscribe();
    });
    // Finds the cache stale by time and reads the list; the announcement is heard before that read ends.
    assert.equal((await verify(t, { token: control.token })).status, 200);
    // Same clock: within REVOCATION_SYNC_MS of that read.
    await rejected(t, { token: target.token }, 'TOKEN_REVOKED');
    await t.app.close();
  },
);
