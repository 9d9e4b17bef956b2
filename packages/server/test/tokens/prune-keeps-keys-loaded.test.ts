// Token housekeeping (pruneTokenState, every 60 s in every process) must not make the verification hot path reload
// the token keys: it forgot them on every run, so the next verification read them again (and unsealed every
// private key) once a minute, with or without a retired key to drop. The keys are now checked against the database
// and reloaded only when they changed.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { countQueries, selectsFrom } from '../helpers/query-count.ts';
import { pruneTokenState, verifyToken } from '../../src/modules/tokens/service.ts';
import { ADMIN, issue, post, registerAgent, tokenApp } from './helpers.ts';

eachEngine('housekeeping leaves the loaded token keys to the verifications that follow', async ({ open }) => {
  const keyReads = countQueries(await open(), (node) => selectsFrom(node, 'server_keys'));
  const t = await tokenApp(keyReads.storage);
  try {
    const agent = await registerAgent(t);
    const old = await issue(t, agent, { expires_in: '24h' });
    await verifyToken(t.ctx, old.token);

    const keysReadAfterPrune = async (): Promise<number> => {
      await pruneTokenState(t.ctx);
      const before = keyReads.counted();
      await verifyToken(t.ctx, old.token);
      return keyReads.counted() - before;
    };
    assert.equal(await keysReadAfterPrune(), 0, 'no retired key: the keys stay loaded');

    // With a retired key not due yet (its token lives a day), housekeeping looks and drops nothing.
    t.clock.advance(60_000);
    assert.equal((await post(t, '/api/v1/admin/keys/rotate', {}, ADMIN)).statusCode, 201);
    await verifyToken(t.ctx, old.token);
    assert.equal(await keysReadAfterPrune(), 0, 'a retired key not due: the keys stay loaded');
  } finally {
    await t.app.close();
  }
});
