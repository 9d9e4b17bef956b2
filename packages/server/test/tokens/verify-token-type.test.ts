// POST /api/registry/verify can require the token type, as the SDK's verifiers can (tokenType): a service that
// authenticates agents by identity token must be able to refuse a session token another audience received and
// forwarded (audience-bound tokens passing where an unbound "I am this agent" token is expected).
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { ISS, issue, post, registerAgent, rejected, tokenApp, verify } from './helpers.ts';

eachEngine(
  'verify with token_type refuses the other type (TOKEN_TYPE_MISMATCH) and accepts its own',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const identity = (await issue(t, agent)).token;
    const session = (await issue(t, agent, { token_type: 'session', audience: 'shop-a', nonce: 'n-1' })).token;

    // A session token shop-a received, forwarded to a service that wants an identity token.
    await rejected(t, { token: session, token_type: 'identity' }, 'TOKEN_TYPE_MISMATCH');
    await rejected(t, { token: identity, token_type: 'session' }, 'TOKEN_TYPE_MISMATCH');

    const ok = await verify(t, { token: identity, token_type: 'identity' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.claims![`${ISS}/claims/token_type`], 'identity');
    const s = await verify(t, { token: session, token_type: 'session', audience: 'shop-a' });
    assert.equal(s.status, 200, JSON.stringify(s.body));

    // Not a type: 400 naming the field, like any other bad body.
    const bad = await post(t, '/api/registry/verify', { token: identity, token_type: 'capability' });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(bad.json().code, 'VALIDATION_FAILED');
    await t.app.close();
  },
);
