// Incremental scores equal the rebuild from history: random event streams (fast-check, fixed seed) with
// duplicates, out-of-order days, two integrators, a metric change, report penalties and their withdrawal (a
// reporter's revocation); and the admin rebuild repairing damaged rows.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { eachEngine } from '../helpers/storage.ts';
import { applyReportPenalty, withdrawReportPenalties } from '../../src/modules/reputation/service.ts';
import { readDerivedState, rebuildReputation } from '../../src/modules/reputation/rebuild.ts';
import {
  ADMIN,
  allow,
  appWithAllowingAgent,
  createIntegrator,
  ingest,
  post,
  registerAgent,
  repApp,
  resolve,
} from '../integrators/helpers.ts';
import type { MetricSpec, TestAgent } from '../integrators/helpers.ts';

const DAY = 86_400_000;
const METRICS: MetricSpec[] = [
  { metricKey: 'm_boost', polarity: 'boost', weight: 1.7, lane: 'conduct', maxPerDay: 2 },
  { metricKey: 'm_hurt', polarity: 'hurt', weight: 3.3, lane: 'presence', maxPerDay: 3 },
  { metricKey: 'm_origin', polarity: 'boost', weight: 0.35, lane: 'origin' },
  { metricKey: 'm_neutral', polarity: 'neutral', weight: 9, lane: 'origin' },
];
const KEYS = METRICS.map((m) => m.metricKey);

const valueArb = fc.oneof(
  fc.record({ numberValue: fc.oneof(fc.integer({ min: 0, max: 15 }), fc.double({ min: 0, max: 20, noNaN: true })) }),
  fc.record({ booleanValue: fc.boolean() }),
  fc.record({ enumValue: fc.constantFrom('a', 'b') }),
);
const eventArb = fc.record({
  agent: fc.nat(2),
  integrator: fc.nat(1),
  namespace: fc.constantFrom('prod', 'test'),
  day: fc.integer({ min: -3, max: 0 }),
  minute: fc.nat(1439),
  id: fc.nat(40), // small range: duplicates happen
  values: fc.uniqueArray(fc.tuple(fc.constantFrom(...KEYS), valueArb), { maxLength: 4, selector: (v) => v[0] }),
});
const stepArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('batch' as const),
      events: fc.array(eventArb, { minLength: 1, maxLength: 25 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('penalty' as const),
      agent: fc.nat(2),
      penalty: fc.constantFrom(2, 5),
      reporter: fc.option(fc.nat(2), { nil: undefined }), // undefined: an anonymous report
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('withdraw' as const), reporter: fc.nat(2) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('metrics' as const),
      integrator: fc.nat(1),
      weight: fc.constantFrom(0.5, 2.25),
    }),
  },
);

eachEngine(
  'random event streams: the incremental scores equal the rebuild exactly',
  async ({ open }) => {
    const storage = await open();
    // A small environment cap, so the stream reaches it.
    const t = await repApp(storage, { VOUCH_REPUTATION_ENVIRONMENT_CAP: '12' });
    const slugs = ['alpha', 'beta'];
    const keys = [await createIntegrator(t, 'alpha', METRICS), await createIntegrator(t, 'beta', METRICS)];
    const versions = [1, 1];
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 8 }), async (steps) => {
        run++;
        const agents: TestAgent[] = [];
        for (let i = 0; i < 3; i++) {
          const a = await registerAgent(t);
          for (const s of slugs) await allow(t, a, s);
          agents.push(a);
        }
        for (const step of steps) {
          t.clock.advance(1000);
          if (step.kind === 'penalty') {
            const reporter = step.reporter === undefined ? null : agents[step.reporter]!.id;
            await applyReportPenalty(storage.db, agents[step.agent]!.id, step.penalty, t.clock.now(), reporter);
          } else if (step.kind === 'withdraw') {
            await withdrawReportPenalties(t.ctx, storage.db, agents[step.reporter]!.id, t.clock.now());
          } else if (step.kind === 'metrics') {
            const i = step.integrator;
            const res = await t.app.inject({
              method: 'PUT',
              url: `/api/v1/admin/integrators/${slugs[i]}/metrics`,
              headers: ADMIN,
              payload: { metrics: METRICS.map((m) => ({ ...m, weight: m.weight * step.weight })) },
            });
            assert.equal(res.statusCode, 200, res.body);
            versions[i] = res.json().environmentVersion;
          } else {
            // Events go to each integrator in its own request, in stream order.
            for (const i of [0, 1]) {
              const events = step.events
                .filter((e) => e.integrator === i)
                .map((e) => ({
                  envId: `${slugs[i]}.${e.namespace}.v${versions[i]}`,
                  externalEventId: `r${run}-e${e.id}`,
                  eventType: 'random.step',
                  subjectType: 'agent',
                  subjectId: agents[e.agent]!.did,
                  actorType: 'system',
                  actorId: 'sys:fuzz',
                  occurredAt: t.clock.now() + e.day * DAY - e.minute * 60_000,
                  metricValues: e.values.map(([metricKey, v]) => ({ metricKey, ...v })),
                }));
              if (events.length === 0) continue;
              const res = await ingest(t, keys[i]!, events);
              assert.equal(res.status, 200, JSON.stringify(res.body));
              assert.ok(
                res.body.results.every((r) => r.error === undefined),
                JSON.stringify(res.body),
              );
            }
          }
        }
        const incremental = await readDerivedState(storage.db);
        const report = await rebuildReputation(t.ctx, { dryRun: true });
        assert.equal(report.consistent, true);
        assert.equal(report.written, false);
        assert.deepEqual(await readDerivedState(storage.db), incremental);
      }),
      { seed: 20261201, numRuns: 12, endOnFailure: true },
    );
    // The full rebuild rewrites nothing that differs.
    const before = await readDerivedState(storage.db);
    const report = await rebuildReputation(t.ctx);
    assert.equal(report.consistent, true);
    assert.ok(report.events > 0);
    assert.deepEqual(await readDerivedState(storage.db), before);
    await t.app.close();
  },
  { timeout: 240_000 },
);

eachEngine('the admin rebuild recomputes damaged scores from history', async ({ open }) => {
  const storage = await open();
  const { t, key, agent } = await appWithAllowingAgent(storage, 'shop', METRICS);
  const res = await ingest(t, key, [
    {
      envId: 'shop.prod.v1',
      externalEventId: 'x1',
      eventType: 'a.b',
      subjectType: 'agent',
      subjectId: agent.did,
      actorType: 'human',
      actorId: 'u',
      metricValues: [{ metricKey: 'm_boost', numberValue: 3 }],
    },
  ]);
  assert.equal(res.body.count, 1);
  await applyReportPenalty(storage.db, agent.id, 5, t.clock.now());
  const good = await resolve(t, agent.did, key);
  const snapshot = await readDerivedState(storage.db);

  // Damage the derived rows.
  await storage.db.updateTable('reputation_scores').set({ conduct_micro: 0, penalty: 0 }).execute();
  await storage.db.deleteFrom('reputation_day_counts').execute();
  assert.notDeepEqual(await resolve(t, agent.did, key), good);

  const dry = await post(t, '/api/v1/admin/reputation/rebuild', { dryRun: true }, ADMIN);
  assert.equal(dry.statusCode, 200, dry.body);
  assert.deepEqual(dry.json(), { events: 1, penalties: 1, agents: 1, consistent: false, written: false });
  const fixed = await post(t, '/api/v1/admin/reputation/rebuild', {}, ADMIN);
  assert.equal(fixed.statusCode, 200, fixed.body);
  assert.equal(fixed.json().consistent, false);
  assert.equal(fixed.json().written, true);
  assert.deepEqual(await readDerivedState(storage.db), snapshot);
  assert.deepEqual(await resolve(t, agent.did, key), good);
  const audit = await storage.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', 'reputation.rebuild')
    .execute();
  assert.equal(audit.length, 1);
  const anonymous = await post(t, '/api/v1/admin/reputation/rebuild', {});
  assert.equal(anonymous.statusCode, 401);
  await t.app.close();

  // A server started afresh has no metric set cached: the rebuild reads them inside its own transaction (on
  // SQLite, outside it would wait for the connection the transaction holds, and hang the server).
  const restarted = await repApp(storage);
  // No body at all is a rebuild that writes (`{dryRun?}` is optional).
  const again = await restarted.app.inject({ method: 'POST', url: '/api/v1/admin/reputation/rebuild', headers: ADMIN });
  assert.equal(again.statusCode, 200, again.body);
  assert.deepEqual(again.json(), { events: 1, penalties: 1, agents: 1, consistent: true, written: true });
  const ready = await restarted.app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 200, ready.body);
  await restarted.app.close();
});
