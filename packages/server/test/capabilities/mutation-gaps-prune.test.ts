// The gateway's periodic prune drops only what can no longer matter: a revocation once its token has expired, a
// used proof of possession once it is too old to be accepted. Pruning earlier would let a revoked token allow again,
// or a used proof be replayed.
import assert from 'node:assert/strict';
import { generateKeyPair, signCapabilityProof } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { consumeProof, prune } from '../../src/modules/capabilities/store.ts';
import { pruneCapabilityState } from '../../src/modules/capabilities/service.ts';
import { admin, post } from '../registry/fixtures.ts';
import { credential, genesis, intercept, issue } from './helpers.ts';

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

// Found by mutation testing: the test above hands consumeProof its expiry, so nothing checked the one the gateway
// records for a proof it accepts (its iat plus the 60 s it stays fresh); recorded as the iat itself, housekeeping
// dropped the proof while it was still fresh, and it issued a second token. No clock skew, so no allowance hides it.
eachEngine(
  'a proof spent on an issue stays spent through housekeeping for as long as it is fresh',
  async ({ open }) => {
    const app = await makeApp(await open(), { env: { VOUCH_CLOCK_SKEW: '0' } });
    try {
      const reg = await genesis(app);
      const agentKey = await generateKeyPair('Ed25519');
      const agentCredential = await credential(app, reg.issuers.acme!, X, { agentKey: agentKey.publicKey });
      const proof = await signCapabilityProof(REQ, agentKey.privateKey, { now: app.clock.now() });
      const body = { ...REQ, issuerBinding: { issuerId: 'acme', agentCredential }, proof };
      assert.equal((await issue(app.app, body)).status, 201);

      app.clock.advance(60_000); // the proof's last fresh instant
      await pruneCapabilityState(app.ctx);
      const again = await issue(app.app, body);
      assert.deepEqual([again.status, again.body.code], [409, 'PROOF_REPLAYED'], JSON.stringify(again.body));
    } finally {
      await app.app.close();
    }
  },
);
