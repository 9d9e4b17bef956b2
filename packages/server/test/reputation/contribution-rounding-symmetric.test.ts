// A hurt value is the exact negative of the same boost value, down to the micro-point: contributions round half away
// from zero (Math.round alone rounds -2.5 to -2 but 2.5 to 3, so a boost and a hurt of the same size did not cancel,
// and a hurt of half a micro-point rounded to 0 and took no allowance slot while the same boost counted).
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { appWithAllowingAgent, contributionsOf, event, ingest, resolve } from '../integrators/helpers.ts';

const METRICS = [
  { metricKey: 'good', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const },
  { metricKey: 'bad', polarity: 'hurt' as const, weight: 1, lane: 'conduct' as const },
  { metricKey: 'good_half', polarity: 'boost' as const, weight: 1, lane: 'presence' as const },
  { metricKey: 'bad_half', polarity: 'hurt' as const, weight: 1, lane: 'presence' as const },
];

eachEngine('a hurt contribution rounds to the negative of the same boost contribution', async ({ open }) => {
  const storage = await open();
  const { t, key, agent } = await appWithAllowingAgent(storage, 'shop', METRICS);
  // 2.5 micro-points each way, and half a micro-point each way.
  const res = await ingest(
    t,
    key,
    event('shop', agent, [
      { metricKey: 'good', numberValue: 0.0000025 },
      { metricKey: 'bad', numberValue: 0.0000025 },
      { metricKey: 'good_half', numberValue: 0.0000005 },
      { metricKey: 'bad_half', numberValue: 0.0000005 },
    ]),
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.count, 1);

  const { body } = await resolve(t, agent.did, key);
  const breakdown = contributionsOf(body);
  assert.deepEqual(breakdown, { bad: -0.000003, bad_half: -0.000001, good: 0.000003, good_half: 0.000001 });
  // Each pair cancels in its lane: the lanes are back at exactly 50.
  assert.deepEqual(body.integratorScore.laneScores, { origin: 50, presence: 50, conduct: 50 });
  const slots = await storage.db.selectFrom('reputation_env_counts').select('counted').executeTakeFirstOrThrow();
  assert.equal(
    Number(slots.counted),
    4,
    'the hurt half micro-point took a slot of the environment cap, as the boost one',
  );
  const rebuilt = await t.app.inject({
    method: 'POST',
    url: '/api/v1/admin/reputation/rebuild',
    headers: { 'x-api-key': t.adminKey },
    payload: { dryRun: true },
  });
  assert.equal(rebuilt.json().consistent, true);
});
