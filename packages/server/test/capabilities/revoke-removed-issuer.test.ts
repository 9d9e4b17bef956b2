// An issuer removed from the registry can do nothing with POST /v1/tokens/revoke, a retry of a revoke that succeeded
// while it was an issuer included: 403 ISSUER_REVOKED, fresh proof or stale, token revoked or not, known or not,
// decided from the public registry before its signature is looked at. Unlike an active issuer's stale retry (200
// alreadyRevoked, revoke-stale-retry.test.ts), a removed issuer's key may be the reason for its removal, so the server
// takes nothing from it and tells it nothing about a token; nothing is lost by this, as every token bound to it is
// denied from the removal on, and the admin can still revoke and see them.
import assert from 'node:assert/strict';
import { signRevocationRequest } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { listAudit } from '../../src/storage/index.ts';
import { admin, post } from '../registry/fixtures.ts';
import { boundToken, genesis, intercept, removeIssuer } from './helpers.ts';

const X = 'agent:my-assistant:v1';

eachEngine(
  'a removed issuer gets ISSUER_REVOKED for every revoke, its own earlier one retried too',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const reg = await genesis(app);
      const acme = reg.issuers.acme!;
      const revokedEarlier = await boundToken(app, acme, X);
      const live = await boundToken(app, acme, X);
      const sign = (jti: string, key = acme.pair.privateKey) =>
        signRevocationRequest({ jti, issuerId: 'acme' }, key, { now: app.clock.now() });
      const revoke = (body: Record<string, unknown>, headers = {}) => post(app.app, '/v1/tokens/revoke', body, headers);
      const refused = async (body: Record<string, unknown>, what: string) => {
        const before = await tableCounts(storage);
        const res = await revoke(body);
        assert.deepEqual([res.status, res.body.code], [403, 'ISSUER_REVOKED'], `${what}: ${JSON.stringify(res.body)}`);
        assert.deepEqual(await tableCounts(storage), before, `${what}: nothing written`);
      };

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
      await refused({ tokenId: revokedEarlier.tokenId, proof }, 'retry, fresh');
      await refused({ tokenId: live.tokenId, proof: liveProof }, 'live token, fresh');
      await refused({ tokenId: 'no-such-token', proof: unknownProof }, 'unknown token, fresh');
      await refused(
        {
          tokenId: revokedEarlier.tokenId,
          proof: await sign(revokedEarlier.tokenId, reg.issuers.bolt!.pair.privateKey),
        },
        'another key',
      );
      app.clock.advance(90_000);
      await refused({ tokenId: revokedEarlier.tokenId, proof }, 'retry, stale');
      await refused({ tokenId: live.tokenId, proof: liveProof }, 'live token, stale');
      await refused({ tokenId: 'no-such-token', proof: unknownProof }, 'unknown token, stale');

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
