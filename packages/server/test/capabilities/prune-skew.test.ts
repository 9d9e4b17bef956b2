// Capability housekeeping (pruneCapabilityState) keeps every record for the clock skew past its time: another
// gateway process on the same database may run up to VOUCH_CLOCK_SKEW behind, and until its clock passes a token's
// expiry it needs the revocation to refuse the token. After that the token's record, its revocation and spent proofs
// all go, so the tables do not grow with every token ever issued.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { pruneCapabilityState } from '../../src/modules/capabilities/service.ts';
import { consumeProof } from '../../src/modules/capabilities/store.ts';
import { admin, post } from '../registry/fixtures.ts';
import { intercept, issue } from './helpers.ts';

const X = 'agent:my-assistant:v1';
const SKEW_MS = 60_000; // VOUCH_CLOCK_SKEW's default

eachEngine(
  'a revocation outlives its token by the skew, so a gateway whose clock lags still refuses the token',
  async ({ open }) => {
    const storage = await open();
    const a = await makeApp(storage);
    const issued = await issue(a.app, { agentId: X, resource: 'payments:invoices', action: 'read' }, admin(a.adminKey));
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const { tokenId, token } = issued.body as { tokenId: string; token: string };
    const revoked = await post(a.app, '/v1/tokens/revoke', { tokenId }, admin(a.adminKey));
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    const expMs = Date.parse((issued.body as { expiresAt: string }).expiresAt);

    // A's clock is 30 s past the expiry; B, another process on the same database, runs 31 s behind A.
    a.clock.set(expMs + 30_000);
    const b = await makeApp(await open(), { kek: a.kek, clock: new ManualClock(expMs - 1_000) });
    try {
      assert.deepEqual(await pruneCapabilityState(a.ctx), {
        capability_tokens: 0,
        capability_revocations: 0,
        capability_proofs: 0,
      });
      assert.equal((await intercept(b.app, token, X)).code, 'TOKEN_REVOKED', 'the lagging gateway still refuses it');

      // Past the expiry by more than the skew, no process within the skew can accept the token: its records go.
      a.clock.set(expMs + SKEW_MS + 1);
      assert.deepEqual(await pruneCapabilityState(a.ctx), {
        capability_tokens: 1,
        capability_revocations: 1,
        capability_proofs: 0,
      });
      assert.equal((await intercept(a.app, token, X)).code, 'TOKEN_EXPIRED');
      const again = await post(a.app, '/v1/tokens/revoke', { tokenId }, admin(a.adminKey));
      assert.equal(again.status, 404, JSON.stringify(again.body));
      assert.equal((again.body as { code: string }).code, 'NOT_FOUND');
    } finally {
      await b.app.close();
      await a.app.close();
    }
  },
);

eachEngine(
  'a live token keeps its record through housekeeping; a spent proof stays spent for the skew',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const issued = await issue(
        app.app,
        { agentId: X, resource: 'payments:invoices', action: 'read' },
        admin(app.adminKey),
      );
      const { token } = issued.body as { token: string };
      const now = app.clock.now();
      assert.equal(await consumeProof(storage.db, 'a'.repeat(64), now - 1), true);
      assert.equal(await consumeProof(storage.db, 'b'.repeat(64), now - SKEW_MS - 1), true);

      const counts = await pruneCapabilityState(app.ctx);
      assert.deepEqual(counts, { capability_tokens: 0, capability_revocations: 0, capability_proofs: 1 });
      assert.equal((await intercept(app.app, token, X)).decision, 'allow', 'the live token is still on record');
      assert.equal(
        await consumeProof(storage.db, 'a'.repeat(64), now - 1),
        false,
        'spent within the skew: still spent',
      );
    } finally {
      await app.app.close();
    }
  },
);
