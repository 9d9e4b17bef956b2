// Every token this server issues names its agent by DID in `sub` (docs/PROTOCOL.md, "Tokens"), and offline verifiers
// and the token's users read `sub` as that DID. The agents module also finds an agent by slug or internal id, but a
// token whose `sub` is one of those (only a leaked active key signs one) names no agent registered under that DID:
// 401 AGENT_NOT_FOUND on both engines, as a cached standing of the real agent does not change.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { registerAgent, rejected, signedWithServerKey, tokenApp, verify } from './helpers.ts';

eachEngine(
  "a token whose sub is its agent's slug or internal id, not its DID, is AGENT_NOT_FOUND",
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t, { slug: 'shop-bot' });
    const id = agent.did.slice('did:identity:'.length);
    // The DID passes (and is then cached), before and after the other forms are tried.
    assert.equal((await verify(t, { token: await signedWithServerKey(t, agent.did, 'by-did') })).status, 200);
    await rejected(t, { token: await signedWithServerKey(t, 'shop-bot', 'by-slug') }, 'AGENT_NOT_FOUND');
    await rejected(t, { token: await signedWithServerKey(t, id, 'by-id') }, 'AGENT_NOT_FOUND');
    assert.equal((await verify(t, { token: await signedWithServerKey(t, agent.did, 'by-did-again') })).status, 200);
    await t.app.close();
  },
);
