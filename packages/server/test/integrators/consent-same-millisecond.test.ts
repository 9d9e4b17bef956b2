// An allow and a revoke signed in the same millisecond (an SDK agent's grantConsent then revokeConsent): consents are
// ordered by signedAt, and at equal signedAt a revoke outranks an allow. The revoke is stored (it answered 409
// CONSENT_STALE), the order stays strict, so neither statement can be replayed over the other: the allow again, or
// an allow of that millisecond sent after the revoke, is 409 and the consent stays revoked.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { consentPayloadHash, getConsentStatus } from '../../src/modules/integrators/service.ts';
import { createIntegrator, event, ingest, post, recordSignature, registerAgent, repApp } from './helpers.ts';
import type { TestAgent } from './helpers.ts';
import type { TestApp } from '../helpers/app.ts';

async function signedConsent(t: TestApp, agent: TestAgent, action: 'allow' | 'revoke', signedAt: number) {
  const payloadHash = consentPayloadHash({ did: agent.did, integratorSlug: 'shop', action, signedAt });
  const signatureHash = await recordSignature(t, agent, payloadHash, signedAt);
  return { integratorSlug: 'shop', did: agent.did, action, signatureHash, signedAt };
}

eachEngine('a revoke signed in the same millisecond as the allow before it is stored', async ({ open }) => {
  const t = await repApp(await open());
  try {
    const key = await createIntegrator(t, 'shop', [
      { metricKey: 'sale', polarity: 'boost', weight: 1, lane: 'conduct' },
    ]);
    const agent = await registerAgent(t);
    const at = t.clock.now();
    const allowBody = await signedConsent(t, agent, 'allow', at);
    const revokeBody = await signedConsent(t, agent, 'revoke', at);
    assert.equal((await post(t, '/api/v1/integrators/consent', allowBody)).statusCode, 200);

    const revoked = await post(t, '/api/v1/integrators/consent', revokeBody);
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.deepEqual(revoked.json(), { did: agent.did, integratorSlug: 'shop', status: 'revoked', signedAt: at });
    assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'revoked');
    const refused = await ingest(t, key, [event('shop', agent, [{ metricKey: 'sale', numberValue: 1 }])]);
    assert.equal(refused.body.results[0]!.code, 'CONSENT_REQUIRED');

    // The allow replayed does not outrank the revoke of its millisecond; the revoke again answers the same.
    const replay = await post(t, '/api/v1/integrators/consent', allowBody);
    assert.equal(replay.statusCode, 409, replay.body);
    assert.equal(replay.json().code, 'CONSENT_STALE');
    assert.equal((await post(t, '/api/v1/integrators/consent', revokeBody)).statusCode, 200);
    assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'revoked');

    // A later allow is an ordinary one.
    t.clock.advance(1);
    assert.equal(
      (await post(t, '/api/v1/integrators/consent', await signedConsent(t, agent, 'allow', at + 1))).statusCode,
      200,
    );
    assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'allowed');
  } finally {
    await t.app.close();
  }
});

eachEngine(
  'an allow signed in the same millisecond as the revoke before it stays 409 CONSENT_STALE',
  async ({ open }) => {
    const t = await repApp(await open());
    try {
      await createIntegrator(t, 'shop', []);
      const agent = await registerAgent(t);
      const at = t.clock.now();
      const revokeBody = await signedConsent(t, agent, 'revoke', at);
      const allowBody = await signedConsent(t, agent, 'allow', at);
      assert.equal((await post(t, '/api/v1/integrators/consent', revokeBody)).statusCode, 200);
      const res = await post(t, '/api/v1/integrators/consent', allowBody);
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json().code, 'CONSENT_STALE');
      assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'revoked');
    } finally {
      await t.app.close();
    }
  },
);
