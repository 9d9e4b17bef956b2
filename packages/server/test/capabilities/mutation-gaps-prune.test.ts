// The gateway's periodic prune drops only what can no longer matter: a revocation once its token has expired, a
// used proof of possession once it is too old to be accepted. Pruning earlier would let a revoked token allow again,
// or a used proof be replayed.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { consumeProof, prune } from '../../src/modules/capabilities/store.ts';
import { admin, post } from '../registry/fixtures.ts';
import { intercept, issue } from './helpers.ts';

const X = 'agent:my-assistant:v1';
const REQ = { agentId: X, resource: 'payments:invoices', action: 'read' };

eachEngine('prune keeps the revocation of a token that has not expired yet', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  try {
    const res = await issue(app.app, { ...REQ, expiresIn: 600 }, admin(app.adminKey));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const revoked = await post(app.app, '/v1/tokens/revoke', { tokenId: res.body.tokenId }, admin(app.adminKey));
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.equal((await intercept(app.app, res.body.token!, X)).code, 'TOKEN_REVOKED');

    app.clock.advance(300_000); // half its life
    await prune(storage.db, storage.engine, app.clock.now());
    assert.equal((await intercept(app.app, res.body.token!, X)).code, 'TOKEN_REVOKED', 'still revoked after a prune');
    const rows = await storage.db.selectFrom('capability_revocations').select('jti').execute();
    assert.deepEqual(rows, [{ jti: res.body.tokenId }]);

    // Once the token has expired the revocation is useless, and goes.
    app.clock.advance(300_001);
    await prune(storage.db, storage.engine, app.clock.now());
    assert.deepEqual(await storage.db.selectFrom('capability_revocations').select('jti').execute(), []);
    assert.equal((await intercept(app.app, res.body.token!, X)).code, 'TOKEN_EXPIRED');
  } finally {
    await app.app.close();
  }
});

eachEngine('prune keeps a used proof until it is too old to be presented again', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  try {
    const now = app.clock.now();
    assert.equal(await consumeProof(storage.db, 'a'.repeat(64), now + 60_000), true);
    assert.equal(await consumeProof(storage.db, 'b'.repeat(64), now - 1), true);
    await prune(storage.db, storage.engine, now);
    // The live one is still spent; the stale one is gone.
    assert.equal(await consumeProof(storage.db, 'a'.repeat(64), now + 60_000), false, 'a used proof stays used');
    const left = await storage.db.selectFrom('capability_proofs').select('proof_digest').execute();
    assert.deepEqual(left, [{ proof_digest: 'a'.repeat(64) }]);
  } finally {
    await app.app.close();
  }
});
