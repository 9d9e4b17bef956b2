// store.tokenStanding over a chain of ids (a delegated token: its ancestors, then its own): the revocation of any of
// them, and the revocation of the agent any of them was issued to, counts. The gateway copies the parent's agent to
// the child, so no intercept tells the chain's agents apart: with the chain's agent check cut down to the token's
// own row every test passed. Here the ancestor is another agent's token, so only the chain check sees it.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, type TestApp } from '../helpers/app.ts';
import { tokenStanding } from '../../src/modules/capabilities/store.ts';
import { admin, post } from '../registry/fixtures.ts';
import { registerAgent, revokeAgent } from '../tokens/helpers.ts';
import { issue } from './helpers.ts';

async function adminToken(app: TestApp, agentId: string): Promise<{ token: string; tokenId: string }> {
  const res = await issue(app.app, { agentId, resource: 'docs:*', action: 'read' }, admin(app.adminKey));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { token: res.body.token!, tokenId: res.body.tokenId! };
}

eachEngine(
  'tokenStanding: an ancestor revoked, or issued to a revoked agent, makes the chain stand no more',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage, { env: { VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'silent' } });
    try {
      const first = await registerAgent(app, { slug: 'first-bot' });
      await registerAgent(app, { slug: 'second-bot' });
      const ancestor = await adminToken(app, 'first-bot');
      const own = await adminToken(app, 'second-bot');
      const standing = () => tokenStanding(storage.db, [ancestor.tokenId, own.tokenId], own.token, null);

      const fresh = await standing();
      assert.deepEqual([fresh.revoked, fresh.agentRevoked, fresh.recorded], [false, false, true]);
      assert.equal(
        (await tokenStanding(storage.db, [ancestor.tokenId, own.tokenId], ancestor.token, null)).recorded,
        false,
      );

      await revokeAgent(app, first.did);
      const agentGone = await standing();
      assert.deepEqual([agentGone.revoked, agentGone.agentRevoked], [false, true]);
      assert.equal((await tokenStanding(storage.db, [own.tokenId], own.token, null)).agentRevoked, false);

      const revoked = await post(app.app, '/v1/tokens/revoke', { tokenId: ancestor.tokenId }, admin(app.adminKey));
      assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
      assert.equal((await standing()).revoked, true);
      assert.equal((await tokenStanding(storage.db, [own.tokenId], own.token, null)).revoked, false);
    } finally {
      await app.app.close();
    }
  },
);
