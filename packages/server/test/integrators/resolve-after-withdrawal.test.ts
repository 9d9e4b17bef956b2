// Resolve (docs/PROTOCOL.md): an integrator sees the agent's integrator-scoped score and per-metric breakdown only
// while the agent's consent is `allowed`. Only the never-asked case (`none`) was tested, so a check that hid them
// only then (mutation: `consent === 'none'` for `consent !== 'allowed'` in resolve.ts) kept showing them after the
// agent withdrew its consent.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { appWithAllowingAgent, event, ingest, resolve, sendConsent } from './helpers.ts';

eachEngine(
  'after the agent revokes its consent, resolve shows the integrator the public view only',
  async ({ open }) => {
    const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', [
      { metricKey: 'tasks', polarity: 'boost', weight: 2, lane: 'conduct' },
    ]);
    const res = await ingest(t, key, [event('shop', agent, [{ metricKey: 'tasks', numberValue: 1 }])]);
    assert.equal(res.body.count, 1);
    const allowed = await resolve(t, agent.did, key);
    assert.equal(allowed.body.consent, 'allowed');
    assert.equal(allowed.body.metricBreakdown.length, 1);

    t.clock.advance(1000);
    const revoked = await sendConsent(t, agent, 'shop', 'revoke');
    assert.equal(revoked.statusCode, 200, revoked.body);
    const after = await resolve(t, agent.did, key);
    assert.equal(after.status, 200);
    assert.equal(after.body.consent, 'revoked');
    assert.equal(after.body.integrator.slug, 'shop');
    assert.equal('integratorScore' in after.body, false);
    assert.equal('metricBreakdown' in after.body, false);
    assert.equal('contextKey' in after.body, false);
    // The global score stays public, the same as anyone reads it.
    assert.deepEqual(after.body.score, (await resolve(t, agent.did)).body.score);
    await t.app.close();
  },
);
