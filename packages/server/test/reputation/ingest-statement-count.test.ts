// docs/reputation.md ("Incremental, never recomputed on read") counts the statements one ingestion request costs, on
// each engine, and says the count does not grow with the batch. It said 11 on SQLite and 12 on PostgreSQL while the
// request sent 13 and 14: the key and the agents' revocation, each read again (held) inside the transaction, were left
// out. Counted at the drivers here, for two batch sizes, against the numbers the document gives. Rate limiting is
// left out: SQLite counts it in memory, and PostgreSQL writes its hits on a timer, apart from any one request.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { eachEngine } from '../helpers/storage.ts';
import { recordStatements } from '../helpers/driver-statements.ts';
import { allow, createIntegrator, ingest, registerAgent, repApp } from '../integrators/helpers.ts';
import type { TestAgent } from '../integrators/helpers.ts';

const DOC = readFileSync(new URL('../../../../docs/reputation.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');

/** The counts the document states: "costs N statements on SQLite and M on PostgreSQL". */
function documented(): { sqlite: number; postgres: number } {
  const m = /costs (\d+) statements on SQLite and (\d+) on PostgreSQL/.exec(DOC);
  assert.ok(m, 'docs/reputation.md states the statements of an ingestion request');
  return { sqlite: Number(m[1]), postgres: Number(m[2]) };
}

let next = 0;
/** `size` new agent events spread over `agents`, each with a boost and a hurt value. */
function batch(agents: TestAgent[], size: number) {
  return Array.from({ length: size }, (_, i) => ({
    envId: 'shop.production.v1',
    externalEventId: `s-${next++}`,
    eventType: 'task.completed',
    subjectType: 'agent',
    subjectId: agents[i % agents.length]!.did,
    actorType: 'human',
    actorId: 'user-1',
    metricValues: [
      { metricKey: 'tasks', numberValue: 1 + (i % 3) },
      { metricKey: 'spam', booleanValue: i % 5 === 0 },
    ],
  }));
}

eachEngine('an ingestion request costs the statements docs/reputation.md counts, whatever its size', async (c) => {
  const t = await repApp(await c.open());
  try {
    const key = await createIntegrator(t, 'shop', [
      { metricKey: 'tasks', polarity: 'boost', weight: 1, lane: 'conduct', maxPerDay: 1_000_000 },
      { metricKey: 'spam', polarity: 'hurt', weight: 2, lane: 'presence', maxPerDay: 1_000_000 },
    ]);
    const agents: TestAgent[] = [];
    for (let i = 0; i < 8; i++) {
      const agent = await registerAgent(t);
      await allow(t, agent, 'shop');
      agents.push(agent);
    }
    // A first batch fills the per-process caches (the environment's metrics), as on a server that has been running.
    assert.equal((await ingest(t, key, batch(agents, 10))).body.count, 10);
    const counts: number[] = [];
    for (const [size, of] of [
      [10, 2],
      [200, 8],
    ] as const) {
      const { result, statements } = await recordStatements(() => ingest(t, key, batch(agents.slice(0, of), size)));
      assert.equal(result.body.count, size, JSON.stringify(result.body).slice(0, 300));
      // The change listener's heartbeat (its LISTEN, every 15 s on its own connection) is no part of the request.
      counts.push(statements.filter((s) => !/"rate_limits"/.test(s) && !/^\s*LISTEN\b/i.test(s)).length);
    }
    assert.deepEqual(counts, [documented()[c.engine], documented()[c.engine]]);
  } finally {
    await t.app.close();
  }
});
