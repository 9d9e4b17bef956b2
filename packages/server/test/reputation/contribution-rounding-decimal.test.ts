// A contribution is round(w × v × 1,000,000) of the numbers as written, halves away from zero (docs/reputation.md,
// "The formula"). The product was taken in floating point, a few units in its last place off, and about one exact
// half in eight came out just under it: a weight of 0.0001245 and `true` is 124.5 micro-points, counted 124 (and -124
// for a hurt), as 48.115 was once published 48.11.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { contributionMicro } from '../../src/modules/reputation/formula.ts';
import type { MetricDefinition } from '../../src/modules/reputation/formula.ts';
import { rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import { appWithAllowingAgent, contributionsOf, event, ingest, resolve } from '../integrators/helpers.ts';
import type { MetricSpec } from '../integrators/helpers.ts';

const metric = (polarity: 'boost' | 'hurt', weight: number): MetricDefinition => ({
  metricKey: 'm',
  polarity,
  weight,
  lane: 'conduct',
  maxPerDay: 10,
});

eachEngine('an exact half micro-point rounds away from zero whatever floating point makes of it', async ({ open }) => {
  // The unit: weight × value, each as written, against the float product's rounding.
  for (const [weight, value, micro] of [
    [0.0001245, true, 125], // 124.49999999999999 in floating point
    [0.0004955, true, 496], // 495.49999999999994
    [0.1, 0.000075, 8], // 7.499999999999999
    [0.1, 0.004715, 472], // 471.49999999999994
    [1, 0.0000025, 3], // exact in floating point too
    [0.1, 0.00000749, 1], // 0.749: no half, no change
    [100, 10, 1_000_000_000],
  ] as const) {
    const mv =
      typeof value === 'boolean' ? { metricKey: 'm', booleanValue: value } : { metricKey: 'm', numberValue: value };
    assert.equal(contributionMicro(metric('boost', weight), mv), micro, `${weight} × ${value}`);
    assert.equal(contributionMicro(metric('hurt', weight), mv), -micro, `${weight} × ${value}, hurt`);
  }

  // Through ingestion, resolve and the rebuild.
  const METRICS: MetricSpec[] = [
    { metricKey: 'flag', polarity: 'boost', weight: 0.0001245, lane: 'conduct' },
    { metricKey: 'share', polarity: 'hurt', weight: 0.1, lane: 'presence' },
  ];
  const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', METRICS);
  const res = await ingest(
    t,
    key,
    event('shop', agent, [
      { metricKey: 'flag', booleanValue: true },
      { metricKey: 'share', numberValue: 0.000075 },
    ]),
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.count, 1);
  const { body } = await resolve(t, agent.did, key);
  const breakdown = contributionsOf(body);
  assert.deepEqual(breakdown, { flag: 0.000125, share: -0.000008 });
  assert.equal((await rebuildReputation(t.ctx, { dryRun: true })).consistent, true);
  await t.app.close();
});
