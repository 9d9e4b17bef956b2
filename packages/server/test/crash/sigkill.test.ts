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

/**
 * Acknowledged writes after which the server is killed: at the first later acknowledgement (of an agent or a proposal)
 * that comes while an event batch is in flight, so the kill always interrupts a batch, which the client retries.
 */
const KILL_AFTER_ACKS = 40;
const BATCH_SIZE = 25;

interface Stream {
  agents: Map<string, { key: GeneratedKeyPair; did?: string }>;
  batches: Map<string, { events: Array<Record<string, unknown>>; acked: boolean }>;
  /** Every proposal sent: `id` once its post was acknowledged, `applied` once its last signature was. */
  proposals: Array<{ proposal: unknown; id?: string; baseSequence: number; lastSignature: unknown; applied: boolean }>;
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
      const entry: Stream['proposals'][number] = {
        proposal: p,
        baseSequence: seq,
        lastSignature: cosignature(p, last, Date.now()),
        applied: false,
      };
      s.proposals.push(entry);
      const posted = await call(base, 'POST', '/v1/registry/proposals', p);
      assert.equal(posted.status, 201, JSON.stringify(posted.body));
      entry.id = posted.body.id as string;
      ctx.acks();
      if (stop.now) break;
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
  // Acknowledged agents exist with the key they were registered with; no agent registered by key lacks its key row
  // (one that names it), and no key row names an agent that is not there.
  const agents = await db.selectFrom('agents').select(['id', 'public_key']).execute();
  const keyRows = await db.selectFrom('agent_keys').select(['public_key', 'agent_id']).execute();
  const keyOwner = new Map(keyRows.map((k) => [k.public_key, k.agent_id]));
  for (const a of agents)
    if (a.public_key !== null) assert.equal(keyOwner.get(a.public_key), a.id, `agent ${a.id} without its key row`);
  const stored = new Map(agents.map((a) => [`did:identity:${a.id}`, a.public_key]));
  for (const k of keyRows) assert.ok(stored.has(`did:identity:${k.agent_id}`), `key row of a missing agent`);
  for (const [pub, a] of s.agents)
    if (a.did !== undefined) assert.equal(stored.get(a.did), pub, `acknowledged agent ${a.did} lost or rekeyed`);

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
    .select(['sequence', 'document'])
    .where('name', '=', 'authority')
    .executeTakeFirstOrThrow();
  const proposals = await db
    .selectFrom('registry_proposals')
    .select(['id', 'status', 'base_sequence', 'proposal', 'applied_sequence'])
    .execute();
  const applied = proposals.filter((p) => p.status === 'applied');
  assert.equal(Number(doc.sequence), 1 + applied.length, 'registry sequence disagrees with its applied proposals');
  assert.deepEqual(
    applied.map((p) => Number(p.applied_sequence)).sort((x, y) => x - y),
    applied.map((_, i) => i + 2),
  );
  // The signed document stored is the one the last applied proposal made: its sequence, its steps, its threshold
  // (each proposal flips it: the one applied at an odd base sequence sets 2, at an even one 3; genesis has 3).
  const served = JSON.parse(doc.document) as {
    sequence: number;
    governance: unknown[];
    threshold: { required: number };
  };
  assert.equal(served.sequence, Number(doc.sequence), 'stored document behind its row');
  assert.equal(served.governance.length, Number(doc.sequence), 'stored document without its steps');
  assert.equal(served.threshold.required, applied.length % 2 === 1 ? 2 : 3, 'stored document without its change');
  // No signature is stored without its effect: a pending proposal holds fewer signatures than its quorum (posted
  // at an odd base sequence under 3 of 4 with two, at an even one under 2 of 4 with one).
  for (const p of proposals.filter((r) => r.status === 'pending')) {
    const signatures = (JSON.parse(p.proposal) as { signatures: unknown[] }).signatures.length;
    const quorum = Number(p.base_sequence) % 2 === 1 ? 3 : 2;
    assert.ok(signatures < quorum, `proposal ${p.id} pending with ${signatures}/${quorum} signatures`);
  }
  const storedIds = new Map(proposals.map((p) => [p.id, p.status]));
  for (const p of s.proposals) {
    if (p.id !== undefined) assert.ok(storedIds.has(p.id), `acknowledged proposal ${p.id} lost`);
    if (p.applied) assert.equal(storedIds.get(p.id!), 'applied', `acknowledged proposal ${p.id} not applied`);
  }
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
      let interrupted: string | undefined;
      const victim = server;
      const streams = runStreams(
        base,
        s,
        {
          ingestKey,
          registry: g.body.registry as string,
          issuers,
          acks: () => {
            // The event stream always has its next batch in flight, except in the instant its own acknowledgement
            // runs: a kill from another stream's acknowledgement interrupts it.
            const batchInFlight = [...s.batches].find(([, b]) => !b.acked)?.[0];
            if (++acks >= KILL_AFTER_ACKS && batchInFlight !== undefined && !stop.now) {
              interrupted = batchInFlight;
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
        proposalPosts: s.proposals.filter((p) => p.id === undefined).length,
      };
      t.diagnostic(`killed after ${acks} acknowledged writes; in flight: ${JSON.stringify(unacked)}`);
      // Mid-stream: the kill was sent with an event batch in flight. Its answer may still have come (the server wrote
      // it before the signal landed): the client retries it all the same, as one that lost the connection would.
      assert.ok(interrupted !== undefined, 'no event batch was in flight at the kill');
      t.diagnostic(`batch in flight at the kill: ${interrupted}, acknowledged: ${s.batches.get(interrupted)!.acked}`);

      // Restarted on the same data, the client retries everything it did not see acknowledged.
      server = await serve(env);
      const again = server.url;
      for (const [pub, a] of s.agents) {
        if (a.did !== undefined) continue;
        const r = await call(again, 'POST', '/api/v1/agents/register', { publicKey: pub, powNonce: '0' });
        assert.ok(r.status === 201 || r.body.code === 'KEY_ALREADY_REGISTERED', JSON.stringify(r.body));
      }
      // And the last batch it saw acknowledged before that one, certainly stored: its retry must find every event.
      const lastAcked = [...s.batches].filter(([name, b]) => b.acked && name !== interrupted).at(-1)?.[0];
      assert.ok(lastAcked !== undefined, 'no batch was acknowledged before the kill');
      for (const [name, b] of s.batches) {
        if (b.acked && name !== interrupted && name !== lastAcked) continue;
        const r = await call(again, 'POST', '/api/v1/ingest', b.events, { authorization: `Bearer ${ingestKey}` });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        b.acked = true;
      }
      for (const p of s.proposals) {
        if (p.applied) continue;
        if (p.id === undefined) {
          // Its post was interrupted: posted again, it is recorded (201) or found as stored before the kill (200).
          const posted = await call(again, 'POST', '/v1/registry/proposals', p.proposal);
          assert.ok(posted.status === 201 || posted.status === 200, JSON.stringify(posted.body));
          p.id = posted.body.id as string;
        }
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
