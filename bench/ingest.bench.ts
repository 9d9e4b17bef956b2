// Event ingestion and resolve (issue 6):
// - events ingested per second over HTTP (POST /api/v1/ingest, batches of 500 events for 50 agents with two metric
//   values each, one batch in flight: the incremental reputation update serializes per agent anyway), on SQLite and
//   on PostgreSQL (when BENCH_DATABASE_URL or VOUCH_TEST_DATABASE_URL is set), next to the same statements the
//   request issues replayed as raw prepared SQL through the driver in one transaction (the limit);
// - resolve latency (GET /api/v1/agents/:id with an integrator key the agent allowed) with ~1k stored events and
//   with 1M (100k when BENCH_TIME_MS < 1000), the bulk history inserted by raw SQL outside the measurement.
// Server and client share this process (loopback HTTP); figures compare like with like on the same machine.
import { performance } from 'node:perf_hooks';
import { defineSuite, reportNote, type BenchCase, type Measurement, type MeasureOptions } from './lib/index.ts';
import { bulkInsertEvents, countEvents } from './ingest/bulk.ts';
import { createFixture, makeBatch, postBatch, type Fixture } from './ingest/fixture.ts';
import { rawReplayer, recordIngest, type RawReplayer } from './ingest/raw.ts';

const BATCH = 500;
const AGENTS = 50;
const PG_URL = process.env.BENCH_DATABASE_URL || process.env.VOUCH_TEST_DATABASE_URL || undefined;
const QUICK = Number(process.env.BENCH_TIME_MS ?? 1500) < 1000;
const BIG = QUICK ? 100_000 : 1_000_000;
const BIG_LABEL = QUICK ? '100k' : '1M';

const fixtures: Fixture[] = [];
const replayers: RawReplayer[] = [];

async function release(): Promise<void> {
  for (const r of replayers.splice(0)) await r.close();
  for (const f of fixtures.splice(0)) await f.close();
}

/** Repeats `op` for the measured time (after warm-up); each op moves `perOp` events (or 1 request). */
async function timed(options: MeasureOptions, perOp: number, op: () => Promise<void>): Promise<Measurement> {
  const duration = options.durationMs ?? 1500;
  const warmEnd = performance.now() + (options.warmupMs ?? 300);
  while (performance.now() < warmEnd) await op();
  let ops = 0;
  const start = performance.now();
  do {
    await op();
    ops++;
  } while (performance.now() - start < duration);
  const seconds = (performance.now() - start) / 1000;
  return {
    ops: ops * perOp,
    seconds,
    opsPerSec: (ops * perOp) / seconds,
    meanLatencyUs: (seconds * 1e6) / ops,
    async: true,
    concurrency: 1,
  };
}

async function resolveOnce(f: Fixture): Promise<void> {
  const res = await fetch(`${f.url}/api/v1/agents/${f.agents[0]!.did}`, {
    headers: { authorization: `Bearer ${f.apiKey}` },
  });
  const body = (await res.json()) as { integratorScore?: unknown };
  if (res.status !== 200 || body.integratorScore === undefined) throw new Error(`resolve answered ${res.status}`);
}

async function engineCases(engine: 'sqlite' | 'postgres'): Promise<BenchCase[]> {
  const f = await createFixture(engine, PG_URL, AGENTS);
  fixtures.push(f);
  // The recording's warm-up and recorded batches are the first 1,000 stored events (the first resolve row).
  const template = makeBatch(f, BATCH);
  const prefix = String(template[0]!.externalEventId).split('-')[0]! + '-';
  const recorded = await recordIngest(f, makeBatch(f, BATCH), template);
  const replayer = await rawReplayer(f, recorded, prefix);
  replayers.push(replayer);
  let k = 0;
  const HTTP = `Vouch POST /api/v1/ingest [${engine}]`;
  const RAW = `same ${recorded.length} statements, raw prepared SQL [${engine}]`;
  const R1K = `resolve, 1k stored events [${engine}]`;
  const ingestGroup = `ingestion, batches of ${BATCH} events (${AGENTS} agents, 2 metric values each)`;
  const resolveGroup = 'resolve GET /api/v1/agents/:id (integrator with consent), sequential';
  return [
    {
      group: resolveGroup,
      name: R1K,
      run: async (o) => {
        const n = await countEvents(f);
        reportNote(`${R1K}: ${n} events stored`);
        return timed(o, 1, () => resolveOnce(f));
      },
    },
    {
      group: ingestGroup,
      name: RAW,
      unit: 'events/s',
      run: (o) => timed(o, BATCH, () => replayer.replay(`raw${++k}-`)),
    },
    {
      group: ingestGroup,
      name: HTTP,
      unit: 'events/s',
      run: (o) => timed(o, BATCH, () => postBatch(f, makeBatch(f, BATCH))),
      compareTo: [RAW],
    },
    {
      group: resolveGroup,
      name: `resolve, ${BIG_LABEL} stored events [${engine}]`,
      run: async (o) => {
        const have = await countEvents(f);
        if (have < BIG) await bulkInsertEvents(f, BIG - have, 1);
        const n = await countEvents(f);
        reportNote(`resolve [${engine}]: ${n} events stored for the ${BIG_LABEL} row`);
        return timed(o, 1, () => resolveOnce(f));
      },
      compareTo: [R1K],
    },
  ];
}

export default defineSuite({
  name: 'ingest',
  description: `event ingestion over HTTP in batches of ${BATCH} vs raw SQL; resolve latency with 1k and ${BIG_LABEL} events`,
  async setup(): Promise<BenchCase[]> {
    try {
      const cases = await engineCases('sqlite');
      if (PG_URL === undefined) {
        reportNote('PostgreSQL cases skipped: BENCH_DATABASE_URL and VOUCH_TEST_DATABASE_URL are not set.');
        return cases;
      }
      return [...cases, ...(await engineCases('postgres'))];
    } catch (err) {
      await release();
      throw err;
    }
  },
  teardown: release,
});
