// Score arithmetic against the formula of docs/reputation.md, every cap included, and the resolve route.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { countQueries, selectsFrom } from '../helpers/query-count.ts';
import { applyReportPenalty, getGlobalScore } from '../../src/modules/reputation/service.ts';
import {
  appWithAllowingAgent,
  createIntegrator,
  event,
  ingest,
  registerAgent,
  allow,
  resolve,
} from '../integrators/helpers.ts';
import type { MetricSpec } from '../integrators/helpers.ts';
import type { TestApp } from '../helpers/app.ts';
import type { Storage } from '../../src/storage/index.ts';

const DAY = 86_400_000;
const r2 = (x: number) => Math.round(x * 100) / 100;
const clamp = (x: number) => Math.min(100, Math.max(0, x));
/** The formula, written out independently of the implementation. */
function expected(lanes: { origin: number; presence: number; conduct: number }, penalty = 0) {
  const o = clamp(50 + lanes.origin);
  const p = clamp(50 + lanes.presence);
  const c = clamp(50 + lanes.conduct);
  return {
    score: r2(clamp(0.2 * o + 0.3 * p + 0.5 * c - penalty)),
    laneScores: { origin: r2(o), presence: r2(p), conduct: r2(c) },
  };
}

const METRICS: MetricSpec[] = [
  { metricKey: 'tasks', polarity: 'boost', weight: 1.5, lane: 'conduct' },
  { metricKey: 'flagged', polarity: 'hurt', weight: 2, lane: 'presence' },
  { metricKey: 'tier', polarity: 'boost', weight: 3, lane: 'origin' },
  { metricKey: 'colour', polarity: 'neutral', weight: 5, lane: 'conduct' },
  { metricKey: 'daily', polarity: 'boost', weight: 1, lane: 'conduct', maxPerDay: 3 },
  { metricKey: 'tiny', polarity: 'boost', weight: 0.1, lane: 'presence', maxPerDay: 1000 },
  { metricKey: 'huge', polarity: 'boost', weight: 100, lane: 'origin' },
  { metricKey: 'ruin', polarity: 'hurt', weight: 100, lane: 'conduct' },
];

const setup = (storage: Storage) => appWithAllowingAgent(storage, 'shop', METRICS, 'Scored Agent');

async function ok(t: TestApp, key: string, events: unknown[]): Promise<void> {
  const res = await ingest(t, key, events);
  assert.equal(res.status, 200);
  assert.ok(res.body.success, JSON.stringify(res.body));
}

eachEngine('contributions: weight × sign × v, booleans, enums, the number cap, neutral metrics', async ({ open }) => {
  const { t, key, agent } = await setup(await open());
  assert.equal(await getGlobalScore(t.ctx, agent.id), 50, 'a new agent has 50');
  await ok(t, key, [
    event('shop', agent, [
      { metricKey: 'tasks', numberValue: 4 }, // +6 conduct
      { metricKey: 'flagged', booleanValue: true }, // -2 presence
      { metricKey: 'tier', enumValue: 'gold' }, // +3 origin
      { metricKey: 'colour', numberValue: 100 }, // neutral: nothing
    ]),
    event('shop', agent, [
      { metricKey: 'tasks', numberValue: 25 }, // min(25, 10) = 10 -> +15
      { metricKey: 'flagged', booleanValue: false }, // 0
    ]),
  ]);
  const want = expected({ origin: 3, presence: -2, conduct: 21 });
  const r = await resolve(t, agent.did, key);
  assert.equal(r.status, 200);
  assert.deepEqual({ score: r.body.score.score, laneScores: r.body.score.laneScores }, want);
  assert.equal(r.body.score.updatedAt, t.clock.now());
  assert.deepEqual({ score: r.body.integratorScore.score, laneScores: r.body.integratorScore.laneScores }, want);
  assert.equal(r.body.integratorScore.environmentCount, 1);
  assert.equal(await getGlobalScore(t.ctx, agent.id), want.score);
  const breakdown = Object.fromEntries(
    r.body.metricBreakdown.map((m: { metricKey: string }) => [m.metricKey, m]),
  ) as Record<
    string,
    { totalEvents: number; weightedContribution: number; environmentId: string; lastEventAt: number }
  >;
  assert.deepEqual(breakdown.tasks, {
    environmentId: 'shop.production.v1',
    metricKey: 'tasks',
    totalEvents: 2,
    weightedContribution: 21,
    lastEventAt: t.clock.now(),
  });
  assert.equal(breakdown.flagged!.totalEvents, 2);
  assert.equal(breakdown.flagged!.weightedContribution, -2);
  assert.equal(breakdown.colour!.totalEvents, 1);
  assert.equal(breakdown.colour!.weightedContribution, 0);
  assert.equal(r.body.contextKey, 'integrator:shop');
  await t.app.close();
});

eachEngine('maxPerDay counts per agent, environment, metric and UTC day of occurredAt', async ({ open }) => {
  const { t, key, agent } = await setup(await open());
  t.clock.set(Date.UTC(2026, 0, 2, 12));
  const day1Late = Date.UTC(2026, 0, 1, 23, 59);
  const day2Early = Date.UTC(2026, 0, 2, 0, 1);
  const daily = (occurredAt: number, ns = 'production') =>
    event('shop', agent, [{ metricKey: 'daily', booleanValue: true }], { occurredAt, envId: `shop.${ns}.v1` });
  // Five on day 1 (3 count), four on day 2 (3 count), two on day 1 in another environment (2 count).
  await ok(t, key, [
    ...Array.from({ length: 5 }, () => daily(day1Late)),
    ...Array.from({ length: 4 }, () => daily(day2Early)),
    daily(day1Late - DAY + 1), // day 0: counts
    daily(day1Late, 'staging'),
    daily(day1Late, 'staging'),
  ]);
  const r = await resolve(t, agent.did, key);
  assert.deepEqual(r.body.score.laneScores, expected({ origin: 0, presence: 0, conduct: 3 + 3 + 1 + 2 }).laneScores);
  const prod = r.body.metricBreakdown.find((m: { environmentId: string }) => m.environmentId === 'shop.production.v1');
  assert.equal(prod.totalEvents, 10, 'every event counts in totalEvents, capped or not');
  assert.equal(prod.weightedContribution, 7);
  assert.equal(r.body.integratorScore.environmentCount, 2);
  // A later batch on a full day adds nothing; the other metric of the same day is not affected.
  await ok(t, key, [
    daily(day1Late),
    event('shop', agent, [{ metricKey: 'tasks', numberValue: 1 }], { occurredAt: day1Late }),
  ]);
  const r2nd = await resolve(t, agent.did, key);
  assert.equal(r2nd.body.score.laneScores.conduct, r2(50 + 9 + 1.5));
  await t.app.close();
});

eachEngine('at most 50 contributions count per agent and environment, over all metrics and days', async ({ open }) => {
  const { t, key, agent } = await setup(await open());
  const other = await registerAgent(t);
  await allow(t, other, 'shop');
  // 40 'tiny' (+0.1 presence each) and 20 'tasks' (+1.5 conduct) on different days: the first 50 in arrival order
  // count, so 40 tiny and 10 tasks.
  const batch = [
    ...Array.from({ length: 40 }, (_, i) =>
      event('shop', agent, [{ metricKey: 'tiny', numberValue: 1 }], { occurredAt: t.clock.now() - i * DAY }),
    ),
    ...Array.from({ length: 20 }, (_, i) =>
      event('shop', agent, [{ metricKey: 'tasks', numberValue: 1 }], { occurredAt: t.clock.now() - i * DAY }),
    ),
    // Zero contributions and neutral metrics take no slot.
    event('shop', agent, [
      { metricKey: 'flagged', booleanValue: false },
      { metricKey: 'colour', enumValue: 'red' },
    ]),
    // Another agent has its own allowance.
    event('shop', other, [{ metricKey: 'tasks', numberValue: 1 }]),
  ];
  await ok(t, key, batch);
  const r = await resolve(t, agent.did, key);
  assert.deepEqual(r.body.score.laneScores, expected({ origin: 0, presence: 4, conduct: 15 }).laneScores);
  // The cap is per environment: another namespace counts again.
  await ok(t, key, [
    event('shop', agent, [{ metricKey: 'tasks', numberValue: 2 }], { envId: 'shop.staging.v1' }),
    event('shop', agent, [{ metricKey: 'tasks', numberValue: 2 }]),
  ]);
  const after = await resolve(t, agent.did, key);
  assert.equal(after.body.score.laneScores.conduct, r2(50 + 15 + 3));
  const o = await resolve(t, other.did, key);
  assert.equal(o.body.score.laneScores.conduct, 51.5);
  await t.app.close();
});

eachEngine('lanes clamp to 0..100; report penalties lower only the global score', async ({ open }) => {
  const { t, key, agent } = await setup(await open());
  await ok(t, key, [
    event('shop', agent, [{ metricKey: 'huge', numberValue: 10 }]), // origin +1000 -> 100
    event('shop', agent, [{ metricKey: 'ruin', booleanValue: true }]), // conduct -100 -> 0
  ]);
  const base = expected({ origin: 1000, presence: 0, conduct: -100 });
  assert.deepEqual(base.laneScores, { origin: 100, presence: 50, conduct: 0 });
  let r = await resolve(t, agent.did, key);
  assert.equal(r.body.score.score, base.score);
  await t.ctx.storage.db.transaction().execute((trx) => applyReportPenalty(trx, agent.id, 5, t.clock.now() + 1));
  await applyReportPenalty(t.ctx.storage.db, agent.id, 2, t.clock.now() + 2);
  r = await resolve(t, agent.did, key);
  assert.equal(r.body.score.score, expected({ origin: 1000, presence: 0, conduct: -100 }, 7).score);
  assert.equal(r.body.score.updatedAt, t.clock.now() + 2);
  assert.equal(r.body.integratorScore.score, base.score, 'the integrator score has no penalties');
  // Penalties floor the global score at 0.
  await applyReportPenalty(t.ctx.storage.db, agent.id, 100, t.clock.now());
  assert.equal(await getGlobalScore(t.ctx, agent.id), 0);
  await t.app.close();
});

eachEngine('resolve: public profile and global score without consent, everything with it', async ({ open }) => {
  const { t, key, agent } = await setup(await open());
  const bankKey = await createIntegrator(t, 'bank', METRICS);
  await ok(t, key, [event('shop', agent, [{ metricKey: 'tasks', numberValue: 2 }])]);

  const anonymous = await resolve(t, agent.did);
  assert.equal(anonymous.status, 200);
  assert.deepEqual(Object.keys(anonymous.body).sort(), ['score', 'subject']);
  assert.deepEqual(anonymous.body.subject.type, 'agent');
  assert.equal(anonymous.body.subject.identifier, agent.did);
  assert.equal(anonymous.body.subject.id, agent.id);
  assert.equal(anonymous.body.subject.profile.did, agent.did);
  assert.equal(anonymous.body.subject.profile.publicName, 'Scored Agent');
  assert.equal(anonymous.body.subject.profile.status, 'unclaimed');
  assert.equal(anonymous.body.score.score, expected({ origin: 0, presence: 0, conduct: 3 }).score);

  // Bank has no consent: its key adds only who it is.
  const bank = await resolve(t, agent.did, bankKey);
  assert.deepEqual(Object.keys(bank.body).sort(), ['consent', 'integrator', 'score', 'subject']);
  assert.equal(bank.body.consent, 'none');
  assert.equal(bank.body.integrator.slug, 'bank');

  const shop = await resolve(t, agent.id, key);
  assert.deepEqual(Object.keys(shop.body).sort(), [
    'consent',
    'contextKey',
    'integrator',
    'integratorScore',
    'metricBreakdown',
    'score',
    'subject',
  ]);
  assert.deepEqual(Object.keys(shop.body.integrator).sort(), ['id', 'name', 'slug']);

  // A wrong key is the public view, not a 401 (the route is public).
  const wrong = await resolve(t, agent.did, 'vik_wrong');
  assert.deepEqual(Object.keys(wrong.body).sort(), ['score', 'subject']);
  const missing = await resolve(t, `did:identity:${'a'.repeat(26)}`, key);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 'NOT_FOUND');
  await t.app.close();
});

eachEngine('two integrators add up in the global score, each sees only its own', async ({ open }) => {
  const { t, key, agent } = await setup(await open());
  const bankKey = await createIntegrator(t, 'bank', METRICS);
  await allow(t, agent, 'bank');
  await ok(t, key, [event('shop', agent, [{ metricKey: 'tasks', numberValue: 2 }])]);
  await ok(t, bankKey, [event('bank', agent, [{ metricKey: 'flagged', numberValue: 3 }])]);
  const shop = await resolve(t, agent.did, key);
  const bank = await resolve(t, agent.did, bankKey);
  const global = expected({ origin: 0, presence: -6, conduct: 3 });
  assert.equal(shop.body.score.score, global.score);
  assert.equal(bank.body.score.score, global.score);
  assert.equal(shop.body.integratorScore.score, expected({ origin: 0, presence: 0, conduct: 3 }).score);
  assert.equal(bank.body.integratorScore.score, expected({ origin: 0, presence: -6, conduct: 0 }).score);
  assert.deepEqual(
    shop.body.metricBreakdown.map((m: { metricKey: string }) => m.metricKey),
    ['tasks'],
  );
  assert.deepEqual(
    bank.body.metricBreakdown.map((m: { metricKey: string }) => m.metricKey),
    ['flagged'],
  );
  await t.app.close();
});

eachEngine('resolve with an integrator key reads the integrator once and shows it', async ({ open }) => {
  const q = countQueries(await open(), (node) => selectsFrom(node, 'integrators'));
  const { t, key, agent } = await appWithAllowingAgent(q.storage, 'shop', [
    { metricKey: 'tasks', polarity: 'boost', weight: 1.5, lane: 'conduct' },
  ]);
  const before = q.counted();
  const r = await resolve(t, agent.did, key);
  assert.equal(r.status, 200);
  // The authenticator's read by key hash; the route shows the same row rather than reading it again by slug.
  assert.equal(q.counted() - before, 1);
  const row = await q.storage.db.selectFrom('integrators').selectAll().where('slug', '=', 'shop').executeTakeFirst();
  assert.deepEqual(r.body.integrator, { id: row!.id, slug: 'shop', name: row!.name });
  assert.equal(r.body.consent, 'allowed');
  // A wrong key is the public view, as before.
  const anon = await resolve(t, agent.did, `${key}x`);
  assert.equal(anon.status, 200);
  assert.equal(anon.body.integrator, undefined);
  await t.app.close();
});
