// Event ingestion and resolve (issue 6, targets of issue 9):
// - events ingested per second over HTTP (POST /api/v1/ingest, batches of 500 events for 50 agents with two metric
//   values each, one batch in flight: the incremental reputation update serializes per agent anyway), on SQLite and
//   on PostgreSQL (when BENCH_DATABASE_URL or VOUCH_TEST_DATABASE_URL is set), next to the same statements the
//   request issues replayed as raw prepared SQL through the driver in one transaction (the limit; target ≥ 0.5×);
// - resolve latency (GET /api/v1/agents/:id with an integrator key the agent allowed) with ~1k stored events and
//   with 1M (100k when BENCH_TIME_MS < 1000), the bulk history inserted by raw SQL outside the measurement.
// The Vouch server runs in a child process pinned with taskset to core 0, the load client in another pinned to core
// 1; the raw replay runs in a child pinned to core 0 too (the server's core), while the server is idle. The raw and
// ingest rows are measured in interleaved rounds (raw, 1 in flight, 2 in flight, raw, ...), each figure its median
// round. A note gives CPU ms per batch of each side in every round (read from /proc), which other load on the
// machine skews less than throughput.
import { spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStorage, type Storage } from '../packages/server/src/storage/index.ts';
import {
  defineSuite,
  dropSchema,
  freshSchema,
  PG_URL,
  cpuMs,
  pinned,
  reportNote,
  spawnAnnouncing,
  stopChildren,
  type BenchCase,
  type Measurement,
  type MeasureOptions,
} from './lib/index.ts';
import { bulkInsertEvents, countEvents } from './ingest/bulk.ts';
import type { ServerInfo } from './ingest/server.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const BATCH = 500;
const AGENTS = 50;
const QUICK = Number(process.env.BENCH_TIME_MS ?? 1500) < 1000;
const BIG = QUICK ? 100_000 : 1_000_000;
const BIG_LABEL = QUICK ? '100k' : '1M';
const ROUNDS = 3;
// Each round measures for half the case's duration (suite.ts); these rows get the default 1.5 s per round.
const ROUND_OPTIONS = { durationMs: 2 * Number(process.env.BENCH_TIME_MS ?? 1500) };

const children: ChildProcessWithoutNullStreams[] = [];
const cleanups: Array<() => Promise<void>> = [];

async function release(): Promise<void> {
  await stopChildren(children);
  for (const c of cleanups.splice(0).reverse()) await c();
}

/** What the children print: a Measurement, their own CPU time per operation and how many warm-up operations ran. */
type ChildMeasurement = Measurement & { cpuUsPerOp: number; warmupOps: number };

/** Runs a child of bench/ingest/client.ts pinned to `core` and returns the Measurement it prints. */
function runChild(core: number, args: string[]): ChildMeasurement {
  const cmd = [...pinned(core), process.execPath, '--import', 'tsx', join(here, 'ingest', 'client.ts'), ...args];
  const res = spawnSync(cmd[0]!, cmd.slice(1), { cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (res.status !== 0) throw new Error(`ingest bench child failed: ${res.stderr.slice(0, 2000)}`);
  return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as ChildMeasurement;
}

/**
 * Duration and warm-up for a child: at least 1 s of warm-up, since every child is a fresh process (and the first
 * batches of a fresh server run cold code) and one batch takes tens of ms.
 */
const timing = (o: MeasureOptions) => [String(o.durationMs ?? 1500), String(Math.max(1000, o.warmupMs ?? 300))];

async function engineCases(engine: 'sqlite' | 'postgres'): Promise<BenchCase[]> {
  const dataDir = await mkdtemp(join(tmpdir(), `vouch-bench-ingest-${engine}-`));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const pgSchema = engine === 'postgres' ? freshSchema() : undefined;
  if (pgSchema !== undefined) cleanups.push(() => dropSchema(PG_URL!, pgSchema));
  const infoFile = join(dataDir, 'bench-info.json');
  const args = [engine, dataDir, infoFile, String(AGENTS), String(BATCH), ...(pgSchema ? [PG_URL!, pgSchema] : [])];
  const { info: announced, child } = await spawnAnnouncing<{ port: number }>(
    join(here, 'ingest', 'server.ts'),
    args,
    '{"port"',
    { cwd: root, children },
  );
  const port = String(announced.port);
  const info = JSON.parse(await readFile(infoFile, 'utf8')) as ServerInfo;
  // The parent's own handle on the database, for the bulk history and counts (outside any measurement).
  const storage: Storage = await openStorage({
    dataDir,
    ...(pgSchema ? { databaseUrl: PG_URL, pgSchema, pgPoolMax: 2 } : {}),
  });
  cleanups.push(() => storage.close());
  const target = { engine, storage };

  // CPU ms per batch in each round: the raw replay's, and the server's per batches in flight.
  const rawCpu: number[] = [];
  const serverCpu = new Map<number, number[]>();
  const noted = new Set<number>();
  // Once both the raw replay and a server case have every round (rounds alternate direction, so either may finish last).
  const noteCpu = (): void => {
    if (rawCpu.length < ROUNDS) return;
    const ms = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
    for (const [inFlight, mine] of serverCpu) {
      if (mine.length < ROUNDS || noted.has(inFlight)) continue;
      noted.add(inFlight);
      reportNote(
        `${engine}, ${inFlight} in flight: CPU ms per batch of ${BATCH}, round by round: raw replay ` +
          `${ms(rawCpu)} (its process, driver included), Vouch server ${ms(mine)}`,
      );
    }
  };
  const HTTP = `Vouch POST /api/v1/ingest [${engine}]`;
  const RAW = `same ${info.recorded.length} statements, raw prepared SQL [${engine}]`;
  const R1K = `resolve, 1k stored events [${engine}]`;
  const ingestGroup = `ingestion, batches of ${BATCH} events (${AGENTS} agents, 2 metric values each)`;
  const resolveGroup = 'resolve GET /api/v1/agents/:id (integrator with consent), sequential';
  const ingestCase = (name: string, inFlight: number): BenchCase => ({
    group: ingestGroup,
    name,
    unit: 'events/s',
    run: async (o) => {
      const before = cpuMs(child.pid);
      const m = runChild(1, ['http', infoFile, port, `ingest:${BATCH}:${inFlight}`, ...timing(o)]);
      const after = cpuMs(child.pid);
      if (before !== undefined && after !== undefined) {
        // CPU time is skewed less than throughput by other load on the machine (the server's includes warm-up).
        const mine = serverCpu.get(inFlight) ?? [];
        serverCpu.set(inFlight, mine);
        mine.push((after - before) / (m.ops / BATCH + m.warmupOps));
        noteCpu();
      }
      return m;
    },
    compareTo: [RAW],
    rounds: ROUNDS,
    options: ROUND_OPTIONS,
  });
  return [
    {
      group: resolveGroup,
      name: R1K,
      run: async (o) => {
        reportNote(`${R1K}: ${await countEvents(target)} events stored`);
        return runChild(1, ['http', infoFile, port, 'resolve', ...timing(o)]);
      },
    },
    {
      group: ingestGroup,
      name: RAW,
      unit: 'events/s',
      run: async (o) => {
        const m = runChild(0, ['raw', infoFile, ...timing(o), String(BATCH)]);
        rawCpu.push(m.cpuUsPerOp / 1000);
        noteCpu();
        return m;
      },
      rounds: ROUNDS,
      options: ROUND_OPTIONS,
    },
    // One batch in flight: the client's work (building the body, reading the per-event answers) runs between the
    // server's batches, so this row is latency-bound. Two in flight keep the server busy, as concurrent integrators
    // do; that row carries the target (throughput next to the raw statements).
    ingestCase(HTTP, 1),
    { ...ingestCase(`${HTTP}, 2 batches in flight`, 2), target: { vs: RAW, min: 0.5 } },
    {
      group: resolveGroup,
      name: `resolve, ${BIG_LABEL} stored events [${engine}]`,
      run: async (o) => {
        const have = await countEvents(target);
        if (have < BIG) await bulkInsertEvents(target, BIG - have, 1);
        reportNote(`resolve [${engine}]: ${await countEvents(target)} events stored for the ${BIG_LABEL} row`);
        return runChild(1, ['http', infoFile, port, 'resolve', ...timing(o)]);
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
      const pin = pinned(0).length > 0 ? 'server and raw replay on core 0, client on core 1' : 'unpinned';
      reportNote(`ingest: Vouch server in its own process (${pin}).`);
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
