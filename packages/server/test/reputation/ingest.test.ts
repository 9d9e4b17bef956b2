// Event ingestion over HTTP: single events and batches, per-event results, idempotent retries, consent gating,
// and refusals that write nothing.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import type { Storage } from '../../src/storage/index.ts';
import {
  allow,
  appWithAllowingAgent,
  bearer,
  createIntegrator,
  event,
  ingest,
  post,
  registerAgent,
  repApp,
  revokeAgent,
  sendConsent,
} from '../integrators/helpers.ts';

const METRICS = [
  { metricKey: 'tasks_completed', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const },
  { metricKey: 'flagged', polarity: 'hurt' as const, weight: 2, lane: 'conduct' as const },
];

async function eventCount(storage: Storage): Promise<number> {
  const r = await storage.db
    .selectFrom('reputation_events')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

eachEngine(
  'one event or a batch, on /ingest and /api/v1/ingest; a replayed batch inserts nothing',
  async ({ open }) => {
    const storage = await open();
    const { t, key, agent } = await appWithAllowingAgent(storage, 'shop', METRICS);

    const single = event('shop', agent, [{ metricKey: 'tasks_completed', numberValue: 1 }], { externalEventId: 'e-1' });
    const one = await ingest(t, key, single, '/ingest');
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.deepEqual(one.body, { success: true, count: 1, results: [{ externalEventId: 'e-1', inserted: true }] });

    const batch = [
      event('shop', agent, [{ metricKey: 'tasks_completed', booleanValue: true }], { externalEventId: 'e-2' }),
      event('shop', 'user-9', [], {
        externalEventId: 'e-3',
        subjectType: 'human',
        actorType: 'system',
        actorId: 'sys:cron',
      }),
      event('shop', agent, [], { externalEventId: 'e-1' }), // already stored
      event('shop', agent, [], { externalEventId: 'e-2' }), // repeated within the batch
    ];
    const res = await ingest(t, key, batch);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      success: true,
      count: 2,
      results: [
        { externalEventId: 'e-2', inserted: true },
        { externalEventId: 'e-3', inserted: true },
        { externalEventId: 'e-1', inserted: false },
        { externalEventId: 'e-2', inserted: false },
      ],
    });
    const before = await tableCounts(storage);
    const replay = await ingest(t, key, batch, '/ingest');
    assert.equal(replay.status, 200);
    assert.equal(replay.body.count, 0);
    assert.ok(replay.body.results.every((r) => r.inserted === false && r.error === undefined));
    assert.deepEqual(await tableCounts(storage), before, 'a replay changes no row, scores included');
    const row = await storage.db
      .selectFrom('reputation_events')
      .selectAll()
      .where('external_event_id', '=', 'e-3')
      .executeTakeFirstOrThrow();
    assert.equal(row.agent_id, null);
    assert.equal(row.actor_id, 'sys:cron');
    assert.equal(row.occurred_at, t.clock.now(), 'occurredAt defaults to now');
    await t.app.close();
  },
);

eachEngine('one bad event never rejects its valid neighbours', async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  const key = await createIntegrator(t, 'shop', METRICS);
  await createIntegrator(t, 'bank', METRICS);
  const allowed = await registerAgent(t);
  const silent = await registerAgent(t);
  const revokedConsent = await registerAgent(t);
  const revoked = await registerAgent(t);
  await allow(t, allowed, 'shop');
  await allow(t, revoked, 'shop');
  await allow(t, revokedConsent, 'shop');
  t.clock.advance(1000);
  assert.equal((await sendConsent(t, revokedConsent, 'shop', 'revoke')).statusCode, 200);
  await revokeAgent(t, revoked.did);
  const good = (id: string) =>
    event('shop', allowed, [{ metricKey: 'tasks_completed', numberValue: 2 }], { externalEventId: id });
  const batch: unknown[] = [
    good('ok-1'),
    event('shop', silent, [], { externalEventId: 'no-consent' }),
    event('shop', revokedConsent, [], { externalEventId: 'consent-revoked' }),
    event('shop', revoked, [], { externalEventId: 'agent-revoked' }),
    event('shop', `did:identity:${'a'.repeat(26)}`, [], { externalEventId: 'no-agent' }),
    { ...good('other-slug'), envId: 'bank.production.v1' },
    { ...good('bad-env'), envId: 'shop' },
    { ...good('no-version'), envId: 'shop.production.v9' },
    event('shop', allowed, [{ metricKey: 'nope', numberValue: 1 }], { externalEventId: 'unknown-metric' }),
    event('shop', allowed, [{ metricKey: 'tasks_completed', numberValue: 1, booleanValue: true }], {
      externalEventId: 'two-values',
    }),
    event('shop', allowed, [{ metricKey: 'tasks_completed', numberValue: -1 }], { externalEventId: 'negative' }),
    { ...good('big-data'), data: { blob: 'x'.repeat(16 * 1024) } },
    { ...good('bad-type'), eventType: 'not dot notation' },
    { ...good('bad-system'), actorType: 'system', actorId: 'cron' },
    { ...good('future'), occurredAt: t.clock.now() + 3_600_000 },
    { ...good('extra'), colour: 'blue' },
    { ...good('bad-severity'), severity: 'extreme' },
    'not an object',
    good('ok-2'),
    { ...good('ok-3'), data: { blob: 'x'.repeat(16 * 1024 - 20) }, severity: 'high', interactionId: 'i-1' },
  ];
  const res = await ingest(t, key, batch);
  assert.equal(res.status, 200);
  const byId = new Map(res.body.results.map((r, i) => [r.externalEventId ?? `#${i}`, r]));
  const codes: Record<string, string> = {
    'no-consent': 'CONSENT_REQUIRED',
    'consent-revoked': 'CONSENT_REQUIRED',
    'agent-revoked': 'AGENT_REVOKED',
    'no-agent': 'AGENT_NOT_FOUND',
    'other-slug': 'FORBIDDEN',
    'bad-env': 'VALIDATION_FAILED',
    'no-version': 'ENVIRONMENT_NOT_FOUND',
    'unknown-metric': 'METRIC_UNKNOWN',
    'two-values': 'VALIDATION_FAILED',
    negative: 'VALIDATION_FAILED',
    'big-data': 'VALIDATION_FAILED',
    'bad-type': 'VALIDATION_FAILED',
    'bad-system': 'VALIDATION_FAILED',
    future: 'VALIDATION_FAILED',
    extra: 'VALIDATION_FAILED',
    'bad-severity': 'VALIDATION_FAILED',
    '#17': 'VALIDATION_FAILED',
  };
  for (const [id, code] of Object.entries(codes)) {
    const r = byId.get(id);
    assert.ok(r, id);
    assert.equal(r.inserted, false, id);
    assert.equal(r.code, code, `${id}: ${JSON.stringify(r)}`);
    assert.equal(typeof r.error, 'string');
  }
  for (const id of ['ok-1', 'ok-2', 'ok-3']) assert.equal(byId.get(id)?.inserted, true, id);
  assert.equal(res.body.success, false);
  assert.equal(res.body.count, 3);
  assert.equal(res.body.results.length, batch.length);
  assert.equal(await eventCount(storage), 3);
  await t.app.close();
});

eachEngine('refused ingestion requests write nothing', async ({ open }) => {
  const storage = await open();
  const { t, key, agent } = await appWithAllowingAgent(storage, 'shop', METRICS);
  const before = await tableCounts(storage);
  const tooMany = Array.from({ length: 1001 }, (_, i) => event('shop', agent, [], { externalEventId: `x-${i}` }));
  const cases: Array<[unknown, Record<string, string>, number, string]> = [
    [tooMany, bearer(key), 400, 'VALIDATION_FAILED'],
    [[], bearer(key), 400, 'VALIDATION_FAILED'],
    [[event('shop', agent)], {}, 401, 'UNAUTHORIZED'],
    [[event('shop', agent)], bearer('vik_wrong'), 401, 'UNAUTHORIZED'],
    [[event('shop', agent)], { 'x-api-key': 'test-admin-key-0123456789abcdef' }, 401, 'UNAUTHORIZED'],
  ];
  for (const [payload, headers, status, code] of cases) {
    const res = await post(t, '/api/v1/ingest', payload, headers);
    assert.equal(res.statusCode, status, res.body);
    assert.equal(res.json().code, code);
  }
  for (const text of ['[{"envId": ', '"text"', '42', 'null']) {
    const raw = await t.app.inject({
      method: 'POST',
      url: '/ingest',
      payload: text,
      headers: { ...bearer(key), 'content-type': 'application/json' },
    });
    assert.equal(raw.statusCode, 400, `${text} -> ${raw.body}`);
  }
  assert.deepEqual(await tableCounts(storage), before);
  await t.app.close();
});

eachEngine(
  'a full batch of 1,000 events is acknowledged and durable',
  async ({ open }) => {
    const storage = await open();
    const t = await repApp(storage);
    const key = await createIntegrator(t, 'shop', METRICS);
    const agents = [await registerAgent(t), await registerAgent(t)];
    for (const a of agents) await allow(t, a, 'shop');
    const batch = Array.from({ length: 1000 }, (_, i) =>
      event('shop', agents[i % 2]!, [{ metricKey: 'tasks_completed', numberValue: 1 }], {
        externalEventId: `full-${i}`,
        data: { i },
      }),
    );
    const res = await ingest(t, key, batch);
    assert.equal(res.status, 200);
    assert.equal(res.body.count, 1000);
    await t.app.close();
    // Another "process" on the same database sees every acknowledged event.
    const other = await open();
    assert.equal(await eventCount(other), 1000);
  },
  { timeout: 60_000 },
);

eachEngine(
  'stored events keep every character of their fields, in batch order (PostgreSQL binds columns as arrays)',
  async ({ open }) => {
    const storage = await open();
    const { t, key, agent } = await appWithAllowingAgent(storage, 'shop', METRICS);
    // What an array literal or a multi-row statement could get wrong: quotes, backslashes, braces, commas, the word
    // NULL, blanks at the ends, non-ASCII text.
    const tricky = ['a"b', 'back\\slash\\', '{x,y}', 'NULL', 'null', ' both ends ', 'ünï 😀 ٣', "it's", '""', '\\"'];
    const batch = tricky.map((s, i) =>
      event('shop', i % 2 === 0 ? agent : `human ${s}`, [{ metricKey: 'tasks_completed', numberValue: i / 3 }], {
        externalEventId: `${s}#${i}`,
        ...(i % 2 === 0 ? {} : { subjectType: 'human' }),
        actorId: s,
        counterpartyType: 'agent',
        counterpartyId: s,
        interactionId: i % 3 === 0 ? null : s,
        severity: i % 4 === 0 ? 'high' : undefined,
        occurredAt: 1_700_000_000_000 + i,
        data: { s, i, nested: [s, { s }] },
      }),
    );
    const res = await ingest(t, key, batch);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.count, tricky.length);
    const rows = await storage.db.selectFrom('reputation_events').selectAll().orderBy('seq').execute();
    assert.deepEqual(
      rows.map((r) => ({
        id: r.external_event_id,
        subject: r.subject_id,
        agent: r.agent_id,
        actor: r.actor_id,
        counterparty: r.counterparty_id,
        interaction: r.interaction_id,
        severity: r.severity,
        at: Number(r.occurred_at),
        values: JSON.parse(r.metric_values) as unknown,
        data: JSON.parse(r.data!) as unknown,
      })),
      tricky.map((s, i) => ({
        id: `${s}#${i}`,
        subject: i % 2 === 0 ? agent.did : `human ${s}`,
        agent: i % 2 === 0 ? agent.did.slice('did:identity:'.length) : null,
        actor: s,
        counterparty: s,
        interaction: i % 3 === 0 ? null : s,
        severity: i % 4 === 0 ? 'high' : null,
        at: 1_700_000_000_000 + i,
        values: [{ metricKey: 'tasks_completed', numberValue: i / 3 }],
        data: { s, i, nested: [s, { s }] },
      })),
    );
    await t.app.close();
  },
);
