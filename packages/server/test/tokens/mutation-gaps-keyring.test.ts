// Gaps found by mutation testing in the token keyring (keyring.ts): a kid the loaded keys no longer hold (dropped,
// e.g. after a compromised rotation, between the signature check and the retirement check) must count as retired
// before anything it signed, never as the active key, so verifyToken's retired-key check still runs for it.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { keyringOf } from '../../src/modules/tokens/keyring.ts';
import { ADMIN, issue, post, registerAgent, tokenApp } from './helpers.ts';

eachEngine(
  'retiredAt: null for the active key, the retirement time for a retired one, 0 for an unknown kid',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    await issue(t, agent, { expires_in: '24h' }); // keeps the first key published after its rotation
    const keyring = keyringOf(t.ctx);
    const first = await keyring.signingKey();
    assert.equal(await keyring.retiredAt(first.kid), null);
    assert.equal(await keyring.retiredAt('no-such-kid'), 0);
    t.clock.advance(60_000);
    const rotatedAt = t.clock.now();
    assert.equal((await post(t, '/api/v1/admin/keys/rotate', {}, ADMIN)).statusCode, 201);
    const second = await keyring.signingKey();
    assert.notEqual(second.kid, first.kid);
    assert.equal(await keyring.retiredAt(second.kid), null);
    assert.equal(await keyring.retiredAt(first.kid), rotatedAt);
    assert.equal(await keyring.retiredAt('no-such-kid'), 0);
    await t.app.close();
  },
);
