// POST /v1/tokens/revoke retried with the issuer's proof after its 60 s window: a client whose answer was lost
// (the SDK retries this route, Retry-After up to 30 s) must learn the token is revoked, not PROOF_STALE. A stale
// proof only ever answers a revocation already in place, and only when it would have been accepted fresh.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { listAudit } from '../../src/storage/index.ts';
import { admin } from '../registry/fixtures.ts';
import { boundToken, intercept, revokeFrame } from './helpers.ts';

const X = 'agent:my-assistant:v1';

eachEngine(
  'a stale issuer proof answers alreadyRevoked for a revoked token, PROOF_STALE otherwise',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const { reg, acme, sign, revoke, refused } = await revokeFrame(app);
      const { tokenId, token } = await boundToken(app, acme, X);
      const answeredRevoked = async (body: Record<string, unknown>, id: string) => {
        const before = await tableCounts(storage);
        const res = await revoke(body);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(res.body, { tokenId: id, revoked: true, alreadyRevoked: true });
        assert.deepEqual(await tableCounts(storage), before, 'nothing written');
      };

      // Not revoked yet: a proof 61 s old is refused, and the token still allows.
      const early = await sign(tokenId, 'acme');
      app.clock.advance(61_000);
      await refused({ tokenId, proof: early }, 401, 'PROOF_STALE');
      assert.equal((await intercept(app.app, token, X)).decision, 'allow');

      // Revoked with a fresh proof; its answer is lost, and the retry comes 90 s later with the same proof.
      const proof = await sign(tokenId, 'acme');
      const first = await revoke({ tokenId, proof, reason: 'agent retired' });
      assert.deepEqual(first.body, { tokenId, revoked: true, alreadyRevoked: false });
      app.clock.advance(90_000);
      await answeredRevoked({ tokenId, proof }, tokenId);
      await answeredRevoked({ tokenId, proof: early, reason: 'another reason' }, tokenId);
      assert.equal((await intercept(app.app, token, X)).code, 'TOKEN_REVOKED');
      const audit = await listAudit(storage.db, { action: 'capability.revoke' });
      assert.deepEqual(
        audit.map((a) => [a.actor, a.target]),
        [['issuer:acme', tokenId]],
        'one revocation audited',
      );

      // Still checked on a revoked token: the key, the jti, the issuer the token is bound to.
      const forged = await sign(tokenId, 'acme', reg.issuers.bolt!.pair.privateKey);
      const otherJti = await sign('other-token', 'acme');
      const byBolt = await sign(tokenId, 'bolt', reg.issuers.bolt!.pair.privateKey);
      app.clock.advance(120_000);
      await refused({ tokenId, proof: forged }, 401, 'PROOF_INVALID');
      await refused({ tokenId, proof: otherJti }, 401, 'PROOF_INVALID');
      await refused({ tokenId, proof: byBolt }, 401, 'PROOF_STALE');

      // A stale proof for a token revoked by the admin: the issuer learns it is revoked.
      const second = await boundToken(app, acme, X);
      const late = await sign(second.tokenId, 'acme');
      app.clock.advance(61_000);
      await refused({ tokenId: second.tokenId, proof: late }, 401, 'PROOF_STALE');
      const byAdmin = await revoke({ tokenId: second.tokenId }, admin(app.adminKey));
      assert.deepEqual(byAdmin.body, { tokenId: second.tokenId, revoked: true, alreadyRevoked: false });
      await answeredRevoked({ tokenId: second.tokenId, proof: late }, second.tokenId);
    } finally {
      await app.app.close();
    }
  },
);
