// An issuer removed from the registry can do nothing with POST /v1/tokens/revoke, a retry of a revoke that succeeded
// while it was an issuer included: 403 ISSUER_REVOKED, fresh proof or stale, token revoked or not, known or not,
// decided from the public registry before its signature is looked at. Unlike an active issuer's stale retry (200
// alreadyRevoked, revoke-stale-retry.test.ts), a removed issuer's key may be the reason for its removal, so the server
// takes nothing from it and tells it nothing about a token; nothing is lost by this, as every token bound to it is
// denied from the removal on, and the admin can still revoke and see them.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { listAudit } from '../../src/storage/index.ts';
import { admin } from '../registry/fixtures.ts';
import { boundToken, intercept, removeIssuer, revokeFrame } from './helpers.ts';

const X = 'agent:my-assistant:v1';

eachEngine(
  'a removed issuer gets ISSUER_REVOKED for every revoke, its own earlier one retried too',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const { reg, acme, sign, revoke, refused } = await revokeFrame(app);
      const revokedEarlier = await boundToken(app, acme, X);
      const live = await boundToken(app, acme, X);
      // 403 ISSUER_REVOKED, and nothing written.
      const gone = (body: Record<string, unknown>, what: string) => refused(body, 403, 'ISSUER_REVOKED', what);

      // acme revokes a token while an issuer; the answer is lost.
      const proof = await sign(revokedEarlier.tokenId);
      const first = await revoke({ tokenId: revokedEarlier.tokenId, proof });
      assert.deepEqual(first.body, { tokenId: revokedEarlier.tokenId, revoked: true, alreadyRevoked: false });
      const liveProof = await sign(live.tokenId);
      const unknownProof = await sign('no-such-token');

      // Governance removes acme before the retry arrives.
      app.clock.advance(1000);
      await removeIssuer(app, reg, 'acme', ['bolt', 'coda', 'dyad']);

      // Within the proof's 60 s and after them: the same answer for the token it revoked, one it did not, one that does
      // not exist, and a proof acme's key never signed. No answer tells a revoked token from another.
      await gone({ tokenId: revokedEarlier.tokenId, proof }, 'retry, fresh');
      await gone({ tokenId: live.tokenId, proof: liveProof }, 'live token, fresh');
      await gone({ tokenId: 'no-such-token', proof: unknownProof }, 'unknown token, fresh');
      await gone(
        {
          tokenId: revokedEarlier.tokenId,
          proof: await sign(revokedEarlier.tokenId, 'acme', reg.issuers.bolt!.pair.privateKey),
        },
        'another key',
      );
      app.clock.advance(90_000);
      await gone({ tokenId: revokedEarlier.tokenId, proof }, 'retry, stale');
      await gone({ tokenId: live.tokenId, proof: liveProof }, 'live token, stale');
      await gone({ tokenId: 'no-such-token', proof: unknownProof }, 'unknown token, stale');

      // Nothing is lost: both tokens are denied, the one acme revoked as revoked.
      assert.equal((await intercept(app.app, revokedEarlier.token, X)).code, 'TOKEN_REVOKED');
      assert.equal((await intercept(app.app, live.token, X)).code, 'ISSUER_REVOKED');
      // The admin still revokes, and is told what is revoked already.
      const byAdmin = await revoke({ tokenId: revokedEarlier.tokenId }, admin(app.adminKey));
      assert.deepEqual(byAdmin.body, { tokenId: revokedEarlier.tokenId, revoked: true, alreadyRevoked: true });
      const audit = await listAudit(storage.db, { action: 'capability.revoke' });
      assert.deepEqual(
        audit.map((a) => [a.actor, a.target]),
        [['issuer:acme', revokedEarlier.tokenId]],
      );
    } finally {
      await app.app.close();
    }
  },
);
