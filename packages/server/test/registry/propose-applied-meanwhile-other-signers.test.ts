// A proposal posted with other co-signatures than the ones it was applied with is 409 REGISTRY_CONFLICT ("applied
// already", PROTOCOL.md), also when it was applied by another process between this post's read of the proposal and
// its registry lock. It was answered REGISTRY_PROPOSAL_STALE ("made for sequence 1 ... Propose it again"), which
// told the caller to propose again a change that had just been applied.
import assert from 'node:assert/strict';
import { listAudit } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { afterNextPoolQuery } from '../helpers/interleave.ts';
import { addEcho, foundersAndEcho, get, post } from './fixtures.ts';

eachEngine(
  'a proposal applied by another process while posted with other co-signatures is 409 REGISTRY_CONFLICT',
  async ({ open }) => {
    const a = await makeApp(await open());
    const bStorage = await open();
    const b = await makeApp(bStorage, { kek: a.kek, clock: a.clock });
    try {
      const { is, registry } = await foundersAndEcho(a);
      const now = a.clock.now();
      const byAlphaBravo = await addEcho(registry, is, [is.alpha!, is.bravo!], now);
      const byAlphaCharlie = await addEcho(registry, is, [is.alpha!, is.charlie!], now);
      let first: Awaited<ReturnType<typeof post>> | undefined;
      // b reads the proposal (not there yet), then a applies it with alpha and bravo before b takes the lock.
      afterNextPoolQuery(bStorage.db, /registry_proposals/, async () => {
        first = await post(a.app, '/v1/registry/proposals', byAlphaBravo);
      });
      const second = await post(b.app, '/v1/registry/proposals', byAlphaCharlie);
      assert.equal(first?.status, 201, JSON.stringify(first?.body));
      assert.equal(first.body.status, 'applied');
      assert.equal(second.status, 409, JSON.stringify(second.body));
      assert.equal(second.body.code, 'REGISTRY_CONFLICT');

      // The same answer as when the post comes after the application.
      const later = await post(b.app, '/v1/registry/proposals', byAlphaCharlie);
      assert.equal(later.status, 409, JSON.stringify(later.body));
      assert.equal(later.body.code, 'REGISTRY_CONFLICT');
      assert.equal((await get(b.app, '/v1/registry')).body.sequence, 2);
      assert.equal((await listAudit(bStorage.db, { action: 'registry.apply' })).length, 1);
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);
