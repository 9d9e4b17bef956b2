// POST /api/registry/revoke with {token} by an owner: an owner revokes the tokens of its agents, and a token's agent
// is the one registered under the DID in its `sub` (verify refuses a `sub` that is a slug or internal id:
// AGENT_NOT_FOUND, verify-sub-not-did). A token this server has no record of (only a leaked key signs one) whose
// `sub` is the owner's agent's slug or id names no agent of the owner's: 403 FORBIDDEN and nothing written, as for a
// `sub` naming no agent at all. Before, the lookup took the slug or id for the agent and stored the revocation with
// that slug as its agent_did. With the DID it still passes; the admin still revokes any such token.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import { ADMIN, createOwner, post, registerAgent, signedWithServerKey, tokenApp } from './helpers.ts';

eachEngine(
  "an owner revoking an unrecorded token whose sub is its agent's slug or id, not its DID, is 403 FORBIDDEN",
  async ({ open }) => {
    const storage = await open();
    const t = await tokenApp(storage);
    const owner = await createOwner(t);
    const agent = await registerAgent(t, { owner, slug: 'shop-bot' });
    const id = agent.did.slice('did:identity:'.length);
    // Signed first: the first signature creates the server's signing key.
    const tokens = [
      await signedWithServerKey(t, 'shop-bot', 'by-slug'),
      await signedWithServerKey(t, id, 'by-id'),
      await signedWithServerKey(t, 'did:identity:aaaaaaaaaaaaaaaaaaaaaaaaaa', 'no-such-agent'),
    ];
    const before = await tableCounts(storage);
    for (const token of tokens) {
      const res = await post(t, '/api/registry/revoke', { token }, owner.headers);
      assert.equal(res.statusCode, 403, res.body);
      assert.equal((res.json() as { code: string }).code, 'FORBIDDEN', res.body);
    }
    assert.deepEqual(await tableCounts(storage), before, 'nothing written');

    const byDid = await post(
      t,
      '/api/registry/revoke',
      { token: await signedWithServerKey(t, agent.did, 'by-did') },
      owner.headers,
    );
    assert.equal(byDid.statusCode, 200, byDid.body);
    const byAdmin = await post(
      t,
      '/api/registry/revoke',
      { token: await signedWithServerKey(t, 'shop-bot', 'by-slug') },
      ADMIN,
    );
    assert.equal(byAdmin.statusCode, 200, byAdmin.body);
    await t.app.close();
  },
);
