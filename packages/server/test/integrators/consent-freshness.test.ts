// Consent is ordered by its signedAt, so the server binds signedAt to its own clock and to the time the referenced
// signature was recorded (a far-future allow would outrank every later revoke), refuses a signature by a key the
// agent rotated away from, and an ingestion batch that read a consent before a revoke stores nothing after it.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import { beforeNextTransaction } from '../helpers/interleave.ts';
import type { TestApp } from '../helpers/app.ts';
import { newPair, signedInject, signText } from '../agents/helpers.ts';
import { rotationStatement } from '../../src/modules/agents/auth.ts';
import { consentPayloadHash, getConsentStatus } from '../../src/modules/integrators/service.ts';
import { signedMessageText } from '@vouch/sdk';
import { ingestEvents } from '../../src/modules/reputation/ingest.ts';
import { createIntegrator, event, post, recordSignature, registerAgent, repApp, sendConsent } from './helpers.ts';
import type { TestAgent } from './helpers.ts';

const FAR_FUTURE = 8_640_000_000_000_000; // the schema's maximum signedAt

/**
 * Signs the consent object dated `consentAt` and records the signature (its own signedAt the server's now), then
 * posts the consent; returns the response and the request body.
 */
async function consentDated(t: TestApp, agent: TestAgent, action: 'allow' | 'revoke', consentAt: number) {
  const payloadHash = consentPayloadHash({ did: agent.did, integratorSlug: 'shop', action, signedAt: consentAt });
  const signatureHash = await recordSignature(t, agent, payloadHash, t.clock.now());
  const body = { integratorSlug: 'shop', did: agent.did, action, signatureHash, signedAt: consentAt };
  return { body, res: await post(t, '/api/v1/integrators/consent', body) };
}

function assertCode(res: { statusCode: number; body: string; json(): unknown }, status: number, code: string) {
  assert.equal(res.statusCode, status, res.body);
  assert.equal((res.json() as { code: string }).code, code, res.body);
}

/** Rotates the agent's key through the agents route (signed by the old key); the agent then holds the new one. */
async function rotateKey(t: TestApp, agent: TestAgent): Promise<void> {
  const next = await newPair();
  const now = t.clock.now();
  const payload = {
    newPublicKey: next.publicKeyBase64!,
    newKeySignature: await signText(
      next,
      rotationStatement(agent.did, agent.key.publicKeyBase64!, next.publicKeyBase64!, now),
    ),
  };
  const url = `/api/v1/agents/${agent.did}/rotate-key`;
  const res = await signedInject(t.app, agent.key, agent.did, 'POST', url, payload, now);
  assert.equal(res.statusCode, 200, res.body);
  agent.key = next;
}

eachEngine('a consent dated in the future beyond the clock skew is refused and writes nothing', async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  await createIntegrator(t, 'shop', []);
  const agent = await registerAgent(t);
  const skewMs = t.ctx.config.clockSkewSeconds * 1000;
  const now = t.clock.now();

  for (const at of [FAR_FUTURE, now + skewMs + 1]) {
    const payloadHash = consentPayloadHash({ did: agent.did, integratorSlug: 'shop', action: 'allow', signedAt: at });
    const signatureHash = await recordSignature(t, agent, payloadHash, now);
    const before = await tableCounts(storage);
    const res = await post(t, '/api/v1/integrators/consent', {
      integratorSlug: 'shop',
      did: agent.did,
      action: 'allow',
      signatureHash,
      signedAt: at,
    });
    assertCode(res, 400, 'SIGNED_AT_OUT_OF_WINDOW');
    assert.deepEqual(await tableCounts(storage), before);
  }
  assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'none');

  // Within the skew is accepted (the clocks may disagree that much), and outranks later consents only that long.
  assert.equal((await consentDated(t, agent, 'allow', now + skewMs)).res.statusCode, 200);
  t.clock.advance(1000);
  assertCode(await sendConsent(t, agent, 'shop', 'revoke'), 409, 'CONSENT_STALE');
  t.clock.advance(skewMs);
  const revoked = await sendConsent(t, agent, 'shop', 'revoke');
  assert.equal(revoked.statusCode, 200, revoked.body);
  assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'revoked');
  await t.app.close();
});

eachEngine('a consent cannot be dated later than its signature was recorded (plus the skew)', async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  await createIntegrator(t, 'shop', []);
  const agent = await registerAgent(t);
  const later = t.clock.now() + 4 * 60_000;
  // Recorded now, dated four minutes ahead, sent when that time comes: it was never signed at that time.
  const { body, res } = await consentDated(t, agent, 'allow', later);
  assertCode(res, 400, 'SIGNED_AT_OUT_OF_WINDOW'); // ahead of the server's time as well, at first
  t.clock.set(later);
  const before = await tableCounts(storage);
  assertCode(await post(t, '/api/v1/integrators/consent', body), 400, 'SIGNED_AT_OUT_OF_WINDOW');
  assert.deepEqual(await tableCounts(storage), before);
  assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'none');
  await t.app.close();
});

// The test above dates its consent four minutes (four times the skew) after the signature was recorded, so a bound too
// generous by up to three times the skew (mutation: + 2 * skewMs) passed the suite. Both sides of the edge, to the ms.
eachEngine(
  'a consent dated the skew after its signature was recorded counts, a millisecond more does not',
  async (c) => {
    const storage = await c.open();
    const t = await repApp(storage);
    await createIntegrator(t, 'shop', []);
    const agent = await registerAgent(t);
    const skewMs = t.ctx.config.clockSkewSeconds * 1000;
    const recordedAt = t.clock.now();
    // Both signatures recorded now. The edge is as far ahead of the server's time as of the recording: accepted.
    const edge = await consentDated(t, agent, 'allow', recordedAt + skewMs);
    assert.equal(edge.res.statusCode, 200, edge.res.body);
    const over = await consentDated(t, agent, 'allow', recordedAt + skewMs + 1);
    assertCode(over.res, 400, 'SIGNED_AT_OUT_OF_WINDOW');
    // A millisecond later the server's time no longer refuses it; only the time its signature was recorded does.
    t.clock.advance(1);
    const before = await tableCounts(storage);
    const refused = await post(t, '/api/v1/integrators/consent', over.body);
    assertCode(refused, 400, 'SIGNED_AT_OUT_OF_WINDOW');
    assert.match(refused.body, /after the referenced signature was recorded/);
    assert.deepEqual(await tableCounts(storage), before);
    assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'allowed');
    await t.app.close();
  },
);

eachEngine(
  'a consent older than the signature window is refused; a stored one retried later answers the same',
  async ({ open }) => {
    const storage = await open();
    const t = await repApp(storage);
    await createIntegrator(t, 'shop', []);
    const agent = await registerAgent(t);
    const windowMs = t.ctx.config.signatureWindowSeconds * 1000;

    const allowed = await consentDated(t, agent, 'allow', t.clock.now());
    assert.equal(allowed.res.statusCode, 200, allowed.res.body);
    // A revoke signed and recorded, but sent only after the window: a replay of an old statement.
    t.clock.advance(1000);
    const revokeAt = t.clock.now();
    const payloadHash = consentPayloadHash({
      did: agent.did,
      integratorSlug: 'shop',
      action: 'revoke',
      signedAt: revokeAt,
    });
    const signatureHash = await recordSignature(t, agent, payloadHash, revokeAt);
    const revoke = { integratorSlug: 'shop', did: agent.did, action: 'revoke', signatureHash, signedAt: revokeAt };

    t.clock.advance(windowMs + 1);
    const before = await tableCounts(storage);
    assertCode(await post(t, '/api/v1/integrators/consent', revoke), 400, 'SIGNED_AT_OUT_OF_WINDOW');
    assert.deepEqual(await tableCounts(storage), before);
    assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'allowed');

    // The stored allow, sent again after the window, answers as before and writes nothing.
    const retry = await post(t, '/api/v1/integrators/consent', allowed.body);
    assert.equal(retry.statusCode, 200, retry.body);
    assert.deepEqual(retry.json(), allowed.res.json());
    assert.deepEqual(await tableCounts(storage), before);

    // At the edge of the window it is still accepted.
    t.clock.advance(1000);
    const edgeAt = t.clock.now();
    const edgeHash = await recordSignature(
      t,
      agent,
      consentPayloadHash({ did: agent.did, integratorSlug: 'shop', action: 'revoke', signedAt: edgeAt }),
      edgeAt,
    );
    t.clock.advance(windowMs);
    const edge = await post(t, '/api/v1/integrators/consent', { ...revoke, signatureHash: edgeHash, signedAt: edgeAt });
    assert.equal(edge.statusCode, 200, edge.body);
    assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'revoked');
    await t.app.close();
  },
);

eachEngine(
  "a consent signed by a key the agent rotated away from is refused; the new key's works",
  async ({ open }) => {
    const storage = await open();
    const t = await repApp(storage);
    await createIntegrator(t, 'shop', []);
    const agent = await registerAgent(t);

    const allowed = await consentDated(t, agent, 'allow', t.clock.now());
    assert.equal(allowed.res.statusCode, 200, allowed.res.body);
    t.clock.advance(1000);
    // Signed and recorded with the old key, sent after the rotation.
    const signedAt = t.clock.now();
    const payloadHash = consentPayloadHash({ did: agent.did, integratorSlug: 'shop', action: 'revoke', signedAt });
    const signatureHash = await recordSignature(t, agent, payloadHash, signedAt);
    await rotateKey(t, agent);
    const before = await tableCounts(storage);
    const res = await post(t, '/api/v1/integrators/consent', {
      integratorSlug: 'shop',
      did: agent.did,
      action: 'revoke',
      signatureHash,
      signedAt,
    });
    assertCode(res, 403, 'SIGNATURE_KEY_ROTATED');
    assert.deepEqual(await tableCounts(storage), before);
    assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'allowed');

    // The consent stored before the rotation, retried, still answers the same (nothing new is authorized).
    const retry = await post(t, '/api/v1/integrators/consent', allowed.body);
    assert.equal(retry.statusCode, 200, retry.body);
    t.clock.advance(1000);
    const revoked = await sendConsent(t, agent, 'shop', 'revoke');
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'revoked');
    await t.app.close();
  },
);

eachEngine('a consent whose signature also covers a note counts (the note form verifies)', async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  await createIntegrator(t, 'shop', []);
  const agent = await registerAgent(t);
  const signedAt = t.clock.now();
  const payloadHash = consentPayloadHash({ did: agent.did, integratorSlug: 'shop', action: 'allow', signedAt });
  const publicNote = 'I allow shop to report on me';
  const signature = await signText(agent.key, await signedMessageText(payloadHash, signedAt, publicNote));
  const signed = await post(t, '/api/v1/signatures/sign', {
    did: agent.did,
    payloadHash,
    signature,
    signedAt,
    publicNote,
  });
  assert.equal(signed.statusCode, 201, signed.body);
  const { signatureHash } = signed.json() as { signatureHash: string };
  const res = await post(t, '/api/v1/integrators/consent', {
    integratorSlug: 'shop',
    did: agent.did,
    action: 'allow',
    signatureHash,
    signedAt,
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'allowed');
  await t.app.close();
});

eachEngine('a far-future consent stored before these checks existed gives way to a fresh revoke', async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  await createIntegrator(t, 'shop', []);
  const agent = await registerAgent(t);
  const now = t.clock.now();
  await storage.db
    .insertInto('integrator_consents')
    .values({
      integrator_slug: 'shop',
      agent_id: agent.id,
      status: 'allowed',
      signed_at: FAR_FUTURE,
      signature_hash: 'f'.repeat(64),
      updated_at: now,
    })
    .execute();
  const revoked = await sendConsent(t, agent, 'shop', 'revoke');
  assert.equal(revoked.statusCode, 200, revoked.body);
  assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'revoked');
  await t.app.close();
});

eachEngine(
  'a batch that read the consent before a revoke stores nothing once the revoke is answered',
  async ({ open }) => {
    const storage = await open();
    const t = await repApp(storage);
    await createIntegrator(t, 'shop', [{ metricKey: 'sale', polarity: 'boost', weight: 1, lane: 'conduct' }]);
    const agent = await registerAgent(t);
    const bystander = await registerAgent(t);
    for (const a of [agent, bystander]) assert.equal((await sendConsent(t, a, 'shop', 'allow')).statusCode, 200);
    t.clock.advance(1000);
    const retried = event('shop', agent, [{ metricKey: 'sale', numberValue: 1 }]);
    assert.equal((await ingestEvents(t.ctx, 'shop', [retried])).count, 1);

    const before = await tableCounts(storage);
    // The batch has read the consents (allowed); the revoke is recorded and answered before its transaction begins.
    beforeNextTransaction(t.ctx.storage.db, async () => {
      const res = await sendConsent(t, agent, 'shop', 'revoke');
      assert.equal(res.statusCode, 200, res.body);
    });
    const fresh = event('shop', agent, [{ metricKey: 'sale', numberValue: 1 }]);
    const other = event('shop', bystander, [{ metricKey: 'sale', numberValue: 1 }]);
    const answer = await ingestEvents(t.ctx, 'shop', [fresh, retried, other]);
    assert.equal(await getConsentStatus(t.ctx, 'shop', agent.id), 'revoked');
    assert.deepEqual(
      answer.results.map((r) => [r.inserted, r.code]),
      [
        [false, 'CONSENT_REQUIRED'],
        [false, undefined], // already stored: a retry stays a retry
        [true, undefined],
      ],
    );
    assert.equal(answer.count, 1);
    const after = await tableCounts(storage);
    assert.equal(after.reputation_events, before.reputation_events! + 1);
    await t.app.close();
  },
);
