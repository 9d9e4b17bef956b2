// Ingestion asks for the consent of the subject agent for the calling integrator, not for any integrator: an agent
// that allowed one integrator (or revoked another) is not thereby open to the others.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import {
  allow,
  createIntegrator,
  event,
  ingest,
  registerAgent,
  repApp,
  resolve,
  sendConsent,
} from '../integrators/helpers.ts';
import type { MetricSpec } from '../integrators/helpers.ts';

const METRICS: MetricSpec[] = [{ metricKey: 'tasks', polarity: 'boost', weight: 1, lane: 'conduct' }];

eachEngine("one integrator's consent does not let another integrator ingest", async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  const shopKey = await createIntegrator(t, 'shop', METRICS);
  const bankKey = await createIntegrator(t, 'bank', METRICS);
  const zooKey = await createIntegrator(t, 'zoo', METRICS);
  const agent = await registerAgent(t);
  // Allowed shop; revoked bank after allowing it; never answered zoo.
  await allow(t, agent, 'bank');
  t.clock.advance(1000);
  assert.equal((await sendConsent(t, agent, 'bank', 'revoke')).statusCode, 200);
  t.clock.advance(1000);
  await allow(t, agent, 'shop');

  for (const [slug, key] of [
    ['bank', bankKey],
    ['zoo', zooKey],
  ] as const) {
    const res = await ingest(t, key, [event(slug, agent, [{ metricKey: 'tasks', numberValue: 3 }])]);
    assert.equal(res.status, 200);
    assert.equal(res.body.results[0]!.inserted, false, slug);
    assert.equal(res.body.results[0]!.code, 'CONSENT_REQUIRED', slug);
  }
  const shop = await ingest(t, shopKey, [event('shop', agent, [{ metricKey: 'tasks', numberValue: 1 }])]);
  assert.equal(shop.body.results[0]!.inserted, true);

  const stored = await storage.db.selectFrom('reputation_events').select('integrator_slug').execute();
  assert.deepEqual(
    stored.map((r) => r.integrator_slug),
    ['shop'],
  );
  assert.equal((await resolve(t, agent.did)).body.score.laneScores.conduct, 51);
  await t.app.close();
});
