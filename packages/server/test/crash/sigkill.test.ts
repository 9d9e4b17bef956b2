// A real `vouch serve` killed with SIGKILL in the middle of a stream of writes (agent registrations, event batches,
// registry proposals), then restarted on the same data: every acknowledged write is there, nothing is half-written,
// and retrying what was interrupted creates no duplicates. On SQLite and on PostgreSQL.
import assert from 'node:assert/strict';
import { generateKeyPair } from '@vouch/sdk';
import type { GeneratedKeyPair } from '@vouch/sdk';
import { openStorage } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { serverEnv } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { cosignature, makeIssuers, proposal } from '../registry/fixtures.ts';
import type { TestIssuer } from '../registry/fixtures.ts';
import { ADMIN, call, serve } from '../instances/fixtures/serve.ts';
import type { VouchProcess } from '../instances/fixtures/serve.ts';

/** Acknowledged writes after which the server is killed, with more requests still in flight. */
const KILL_AFTER_ACKS = 40;
const BATCH_SIZE = 25;

interface Stream {
  agents: Map<string, { key: GeneratedKeyPair; did?: string }>;
  batches: Map<string, { events: Array<Record<string, unknown>>; acked: boolean }>;
  proposals: Array<{ id: string; baseSequence: number; lastSignature: unknown; applied: boolean }>;
}

function batchOf(name: string): Array<Record<string, unknown>> {
  return Array.from({ length: BATCH_SIZE }, (_, i) => ({
    envId: 'crash.production.v1',
    externalEventId: `${name}-${i}`,
    eventType: 'task.completed',
    subjectType: 'human',
    subjectId: `user-${i}`,
    actorType: 'system',
    actorId: 'sys:crash',
    metricValues: [],
  }));
}

/** Writes until `stop` is set: three independent streams, each with a request in flight at any time. */
async function runStreams(
  base: string,
  s: Stream,
  ctx: { ingestKey: string; registry: string; issuers: Record<string, TestIssuer>; acks: () => void },
  stop: { now: boolean; killed: boolean },
): Promise<void> {
  const agents = (async () => {
    for (let i = 0; !stop.now; i++) {
      const key = await generateKeyPair('Ed25519');
      s.agents.set(key.publicKeyBase64!, { key });
      const r = await call(base, 'POST', '/api/v1/agents/register', { publicKey: key.publicKeyBase64, powNonce: '0' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      s.agents.get(key.publicKeyBase64!)!.did = r.body.did as string;
      ctx.acks();
    }
  })();
  const events = (async () => {
    for (let i = 0; !stop.now; i++) {
      const name = `b${i}`;
      s.batches.set(name, { events: batchOf(name), acked: false });
      const r = await call(base, 'POST', '/api/v1/ingest', batchOf(name), { authorization: `Bearer ${ctx.ingestKey}` });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      s.batches.get(name)!.acked = true;
      ctx.acks();
    }
  })();
  const registry = (async () => {
    const { alpha, bravo, charlie } = ctx.issuers;
    for (let seq = 1; !stop.now; seq++) {
      // Genesis is 3 of 4; each proposal flips the threshold (3 → 2 → 3 ...), posted one signature short of the
      // quorum in force so that a separate last signature applies it.
      const odd = seq % 2 === 1;
      const p = await proposal(
        { registry: ctx.registry, baseSequence: seq, action: 'threshold', threshold: { required: odd ? 2 : 3 } },
        odd ? [alpha!, bravo!] : [alpha!],
        Date.now(),
      );
      const last = odd ? charlie! : bravo!;
      const posted = await call(base, 'POST', '/v1/registry/proposals', p);
      assert.equal(posted.status, 201, JSON.stringify(posted.body));
      const entry = {
        id: posted.body.id as string,
        baseSequence: seq,
        lastSignature: cosignature(p, last, Date.now()),
        applied: false,
      };
      s.proposals.push(entry);
      const r = await call(base, 'POST', `/v1/registry/proposals/${entry.id}/signatures`, entry.lastSignature);
      assert.equal(r.body.status, 'applied', JSON.stringify(r.body));
      entry.applied = true;
      ctx.acks();
    }
  })();
  // A killed server makes the in-flight requests fail: that is the point, not an error. Anything else is: an answer
  // the stream did not expect (an assertion), or a connection lost before the kill (the server died by itself). Such
  // a stream ends early, its write unacknowledged and retried after the restart, so it must fail the test here.
  const ended = await Promise.allSettled([agents, events, registry]);
  for (const [i, r] of ended.entries()) {
    if (r.status === 'fulfilled') continue;
    const lostToKill = r.reason instanceof TypeError && /^(fetch failed|terminated)$/.test(r.reason.message);
    if (!lostToKill || !stop.killed) {
      stop.now = true;
      throw new Error(`stream ${['agents', 'events', 'registry'][i]} failed before the kill`, { cause: r.reason });
    }
  }
}

/** The invariants that must hold on disk whatever moment the server died. */
async function checkConsistent(storage: Storage, s: Stream): Promise<void> {
  const db = storage.db;
  // Acknowledged agents exist with their key; no agent registered by key lacks one.
  const agents = await db.selectFrom('agents').select(['id', 'public_key']).execute();
  const keys = new Set((await db.selectFrom('agent_keys').select('public_key').execute()).map((k) => k.public_key));
  for (const a of agents) if (a.public_key !== null) assert.ok(keys.has(a.public_key), `agent ${a.id} without its key`);
  const stored = new Set(agents.map((a) => `did:identity:${a.id}`));
  for (const [, a] of s.agents)
    if (a.did !== undefined) assert.ok(stored.has(a.did), `acknowledged agent ${a.did} lost`);

  // Event batches are all or nothing; acknowledged ones are all there.
  const events = await db.selectFrom('reputation_events').select('external_event_id').execute();
  const ids = events.map((e) => e.external_event_id);
  assert.equal(new Set(ids).size, ids.length, 'an event stored twice');
  const have = new Set(ids);
  for (const [name, b] of s.batches) {
    const present = b.events.filter((e) => have.has(e.externalEventId as string)).length;
    assert.ok(present === 0 || present === BATCH_SIZE, `batch ${name} half-written: ${present}/${BATCH_SIZE}`);
    if (b.acked) assert.equal(present, BATCH_SIZE, `acknowledged batch ${name} lost`);
  }

  // The registry's sequence is exactly genesis plus the applied proposals, and every acknowledged one is applied.
  const doc = await db
    .selectFrom('registry_documents')
    .select(['sequence'])
    .where('name', '=', 'authority')
    .executeTakeFirstOrThrow();
  const applied = await db
    .selectFrom('registry_proposals')
    .select(['id', 'applied_sequence'])
    .where('status', '=', 'applied')
    .execute();
  assert.equal(Number(doc.sequence), 1 + applied.length, 'registry sequence disagrees with its applied proposals');
  assert.deepEqual(
    applied.map((p) => Number(p.applied_sequence)).sort((x, y) => x - y),
    applied.map((_, i) => i + 2),
  );
  const appliedIds = new Set(applied.map((p) => p.id));
  for (const p of s.proposals) if (p.applied) assert.ok(appliedIds.has(p.id), `acknowledged proposal ${p.id} lost`);
}

eachEngine(
  'SIGKILL mid-stream: acknowledged writes survive, nothing half-written, retries create no duplicates',
  async ({ engine, options, dataDir, t }) => {
    const env = {
      ...serverEnv(engine, { dataDir, databaseUrl: options.databaseUrl, pgSchema: options.pgSchema }),
      VOUCH_POW_DIFFICULTY: '0',
      VOUCH_RATE_LIMIT_MAX: '1000000',
    };
    const s: Stream = { agents: new Map(), batches: new Map(), proposals: [] };
    let server: VouchProcess | undefined = await serve(env);
    try {
      const base = server.url;
      const issuers = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta']);
      const g = await call(
        base,
        'POST',
        '/v1/registry/genesis',
        { issuers: Object.values(issuers).map((i) => i.entry), threshold: 3 },
        ADMIN,
      );
      assert.equal(g.status, 201, JSON.stringify(g.body));
      // Ingestion needs an integrator.
      const integrator = await call(
        base,
        'POST',
        '/api/v1/admin/integrators',
        {
          slug: 'crash',
          name: 'Crash',
          domain: 'crash.example',
          metrics: [{ metricKey: 'tasks_completed', polarity: 'boost', weight: 1, lane: 'conduct' }],
        },
        ADMIN,
      );
      // The integrators module is built in: without its key the event stream would silently send nothing.
      assert.equal(integrator.status, 201, JSON.stringify(integrator.body));
      const ingestKey = integrator.body.apiKey as string;

      const stop = { now: false, killed: false };
      let acks = 0;
      const victim = server;
      const streams = runStreams(
        base,
        s,
        {
          ingestKey,
          registry: g.body.registry as string,
          issuers,
          acks: () => {
            if (++acks === KILL_AFTER_ACKS) {
              stop.now = true;
              stop.killed = victim.child.kill('SIGKILL');
            }
          },
        },
        stop,
      );
      await streams;
      assert.equal(await victim.exited, 'SIGKILL');
      server = undefined;

      // On disk, before anything else touches it.
      const direct = await openStorage(options);
      try {
        await checkConsistent(direct, s);
      } finally {
        await direct.close();
      }

      const unacked = {
        agents: [...s.agents.values()].filter((a) => a.did === undefined).length,
        batches: [...s.batches.values()].filter((b) => !b.acked).length,
        proposals: s.proposals.filter((p) => !p.applied).length,
      };
      t.diagnostic(`killed after ${KILL_AFTER_ACKS} acknowledged writes; in flight: ${JSON.stringify(unacked)}`);

      // Restarted on the same data, the client retries everything it did not see acknowledged.
      server = await serve(env);
      const again = server.url;
      for (const [pub, a] of s.agents) {
        if (a.did !== undefined) continue;
        const r = await call(again, 'POST', '/api/v1/agents/register', { publicKey: pub, powNonce: '0' });
        assert.ok(r.status === 201 || r.body.code === 'KEY_ALREADY_REGISTERED', JSON.stringify(r.body));
      }
      for (const [, b] of s.batches) {
        if (b.acked) continue;
        const r = await call(again, 'POST', '/api/v1/ingest', b.events, { authorization: `Bearer ${ingestKey}` });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        b.acked = true;
      }
      for (const p of s.proposals) {
        if (p.applied) continue;
        const r = await call(again, 'POST', `/v1/registry/proposals/${p.id}/signatures`, p.lastSignature);
        // Applied now; or it was applied before the kill, and the retried signature is refused as already there
        // (409, or 400 duplicate-signer when the same signer retries). Either way it must now be applied, once.
        const already = r.body.code === 'REGISTRY_CONFLICT' || /duplicate-signer/.test(String(r.body.error));
        assert.ok(r.body.status === 'applied' || already, JSON.stringify(r.body));
        const state = await call(again, 'GET', `/v1/registry/proposals/${p.id}`);
        assert.equal(state.body.status, 'applied', `proposal ${p.id} holds its last signature but is not applied`);
        p.applied = true;
      }
      await server.stop();
      server = undefined;

      const after = await openStorage(options);
      try {
        await checkConsistent(after, s);
        // One agent per key sent, one event per event sent: the retries duplicated nothing.
        const agentCount = await after.db
          .selectFrom('agents')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        assert.equal(Number(agentCount.n), s.agents.size);
        const eventCount = await after.db
          .selectFrom('reputation_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        assert.equal(Number(eventCount.n), s.batches.size * BATCH_SIZE);
      } finally {
        await after.close();
      }
    } finally {
      await server?.stop('SIGKILL');
    }
  },
  { timeout: 240_000 },
);
