// Consent: an agent allows or revokes an integrator by referencing a signature it recorded over the canonical
// consent object (RFC 8785), with real Ed25519 keys end to end.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import { consentPayloadHash, getConsentStatus } from '../../src/modules/integrators/service.ts';
import { createIntegrator, post, recordSignature, registerAgent, repApp, revokeAgent, sendConsent } from './helpers.ts';

eachEngine('an agent allows, then revokes, an integrator with signed consent payloads', async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  await createIntegrator(t, 'shop', []);
  const agent = await registerAgent(t);
  assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'none');

  const signedAt = t.clock.now();
  const res = await sendConsent(t, agent, 'shop', 'allow', signedAt);
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), { did: agent.did, integratorSlug: 'shop', status: 'allowed', signedAt });
  assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'allowed');

  t.clock.advance(1000);
  const revoked = await sendConsent(t, agent, 'shop', 'revoke');
  assert.equal(revoked.statusCode, 200, revoked.body);
  assert.equal(revoked.json().status, 'revoked');
  assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'revoked');
  await t.app.close();
});

eachEngine("consent refusals: wrong payload, someone else's signature, older signedAt, unknowns", async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  await createIntegrator(t, 'shop', []);
  await createIntegrator(t, 'bank', []);
  const agent = await registerAgent(t);
  const other = await registerAgent(t);
  const now = t.clock.now();

  // A signature over a different object (another integrator, another action, another signedAt, a plain text).
  const forBank = await recordSignature(
    t,
    agent,
    consentPayloadHash({ did: agent.did, integratorSlug: 'bank', action: 'allow', signedAt: now }),
    now,
  );
  const revokeHash = await recordSignature(
    t,
    agent,
    consentPayloadHash({ did: agent.did, integratorSlug: 'shop', action: 'revoke', signedAt: now }),
    now,
  );
  // The other agent signs the right object for `agent`: the signature is not the agent's.
  const byOther = await recordSignature(
    t,
    other,
    consentPayloadHash({ did: agent.did, integratorSlug: 'shop', action: 'allow', signedAt: now }),
    now,
  );
  const before = await tableCounts(storage);
  const body = { integratorSlug: 'shop', did: agent.did, action: 'allow', signedAt: now };
  const cases: Array<[Record<string, unknown>, number, string]> = [
    [{ ...body, signatureHash: forBank }, 400, 'CONSENT_MISMATCH'],
    [{ ...body, signatureHash: revokeHash }, 400, 'CONSENT_MISMATCH'],
    [{ ...body, signatureHash: revokeHash, signedAt: now + 1, action: 'revoke' }, 400, 'CONSENT_MISMATCH'],
    [{ ...body, signatureHash: byOther }, 403, 'FORBIDDEN'],
    [{ ...body, signatureHash: 'a'.repeat(64) }, 404, 'NOT_FOUND'],
    [{ ...body, signatureHash: forBank, integratorSlug: 'nobody' }, 404, 'NOT_FOUND'],
    [{ ...body, signatureHash: forBank, did: `did:identity:${'a'.repeat(25)}a` }, 404, 'NOT_FOUND'],
    [{ ...body, signatureHash: forBank, action: 'maybe' }, 400, 'VALIDATION_FAILED'],
    [{ ...body, signatureHash: 'XYZ' }, 400, 'VALIDATION_FAILED'],
    [{ ...body, signatureHash: forBank, signedAt: '1' }, 400, 'VALIDATION_FAILED'],
  ];
  for (const [payload, status, code] of cases) {
    const res = await post(t, '/api/v1/integrators/consent', payload);
    assert.equal(res.statusCode, status, `${JSON.stringify(payload)} -> ${res.body}`);
    assert.equal(res.json().code, code, res.body);
  }
  assert.deepEqual(await tableCounts(storage), before);

  // Newer consent stored; the same request again answers the same; an older one is 409 and changes nothing.
  t.clock.advance(10_000);
  const newer = await sendConsent(t, agent, 'shop', 'allow', now + 10_000);
  assert.equal(newer.statusCode, 200, newer.body);
  const older = await sendConsent(t, agent, 'shop', 'revoke', now + 5_000);
  assert.equal(older.statusCode, 409, older.body);
  assert.equal(older.json().code, 'CONSENT_STALE');
  assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'allowed');
  // (A consent of the same signedAt: consent-same-millisecond.test.ts.)
  await t.app.close();
});

eachEngine('the same consent twice answers the same; a revoked agent cannot consent', async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  await createIntegrator(t, 'shop', []);
  const agent = await registerAgent(t);
  const signedAt = t.clock.now();
  const payloadHash = consentPayloadHash({ did: agent.did, integratorSlug: 'shop', action: 'allow', signedAt });
  const signatureHash = await recordSignature(t, agent, payloadHash, signedAt);
  const body = { integratorSlug: 'shop', did: agent.did, action: 'allow', signatureHash, signedAt };
  const first = await post(t, '/api/v1/integrators/consent', body);
  const second = await post(t, '/api/v1/integrators/consent', body);
  assert.equal(first.statusCode, 200, first.body);
  assert.equal(second.statusCode, 200, second.body);
  assert.deepEqual(second.json(), first.json());

  await revokeAgent(t, agent.did);
  const res = await post(t, '/api/v1/integrators/consent', { ...body, action: 'revoke' });
  assert.equal(res.statusCode, 403, res.body);
  assert.equal(res.json().code, 'AGENT_REVOKED');
  await t.app.close();
});
