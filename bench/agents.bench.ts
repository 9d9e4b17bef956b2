// Agent identities over HTTP, on SQLite and on PostgreSQL, with 100,000 agents already stored (seeded by direct
// insert in the server process):
// - registrations/s: POST /api/v1/agents/register for 2,000 agents with pre-solved proofs of work (the server checks a
//   proof with one hash at any difficulty; they are solved at difficulty 2 to keep the setup short), next to a bare
//   Fastify route that only INSERTs one agent row (the raw limit of HTTP + one write);
// - profile reads/s: GET /v1/identity/{slug} on random slugs of the 100k (the whole app: rate limit, two queries, score,
//   JSON), next to a bare Fastify route that only SELECTs the row by slug.
// The server runs in a child process pinned to one core, autocannon in another pinned to a second core.
// PostgreSQL runs when BENCH_DATABASE_URL or VOUCH_TEST_DATABASE_URL is set (in a fresh schema, dropped afterwards).
import { spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair, solvePow } from '../packages/sdk/src/index.ts';
import {
  defineSuite,
  dropSchema,
  freshSchema,
  loadMeasurement,
  PG_URL,
  pinned,
  reportNote,
  spawnAnnouncing,
  stopChildren,
  type BenchCase,
  type Measurement,
  type MeasureOptions,
} from './lib/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const SEEDED = 100_000;
const REGISTRATIONS = 2_000;
const READ_CONNECTIONS = 64;
const WRITE_CONNECTIONS = 16;

const children: ChildProcessWithoutNullStreams[] = [];
const cleanups: Array<() => Promise<void>> = [];

interface Servers {
  vouch: number;
  bare: number;
  seedSeconds: number;
}

async function startServers(args: string[]): Promise<Servers> {
  const script = join(here, 'agents', 'server.ts');
  return (await spawnAnnouncing<Servers>(script, args, '{"vouch"', { cwd: root, children })).info;
}

interface LoadPlan {
  url: string;
  method: 'GET' | 'POST';
  connections: number;
  duration?: number;
  amount?: number;
  paths?: string[];
  bodies?: string[];
}

/** Runs autocannon in a pinned child process; refuses results with failed requests (a broken case measures nothing). */
async function load(plan: LoadPlan, dir: string): Promise<Measurement> {
  const file = join(dir, `plan-${randomBytes(4).toString('hex')}.json`);
  await writeFile(file, JSON.stringify(plan));
  const cmd = [...pinned(1), process.execPath, '--import', 'tsx', join(here, 'lib', 'http-load.ts'), file];
  const res = spawnSync(cmd[0]!, cmd.slice(1), { cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const line = res.stdout.split('\n').find((l) => l.startsWith('{"requests"'));
  if (res.status !== 0 || line === undefined) throw new Error(`autocannon failed: ${res.stderr.slice(0, 2000)}`);
  const r = JSON.parse(line) as {
    requests: number;
    seconds: number;
    latencyMeanMs: number;
    non2xx: number;
    errors: number;
  };
  if (r.non2xx > 0 || r.errors > 0) {
    throw new Error(`${plan.method} ${plan.url}: ${r.non2xx} non-2xx answers and ${r.errors} errors`);
  }
  return loadMeasurement(r, plan.connections);
}

/** `count` registration bodies with solved proofs of work, each key distinct. */
async function registrations(count: number): Promise<string[]> {
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) {
    const pair = await generateKeyPair('Ed25519');
    const publicKey = pair.publicKeyBase64!;
    const { nonce } = await solvePow(publicKey, { difficulty: 2 });
    bodies.push(JSON.stringify({ publicKey, powNonce: nonce, label: `bench-${i}` }));
  }
  return bodies;
}

async function casesFor(engine: 'sqlite' | 'postgres', dir: string): Promise<BenchCase[]> {
  const args = [join(dir, engine), String(SEEDED)];
  if (engine === 'postgres') {
    const schema = freshSchema();
    args.push(PG_URL!, schema);
    cleanups.push(() => dropSchema(PG_URL!, schema));
  }
  const servers = await startServers(args);
  process.stderr.write(
    `  ${engine}: seeded ${SEEDED.toLocaleString('en-US')} agents in ${servers.seedSeconds.toFixed(1)} s\n`,
  );
  const [vouchBodies, bareBodies] = [await registrations(REGISTRATIONS), await registrations(REGISTRATIONS)];
  const paths = Array.from({ length: 20_000 }, () => `/v1/identity/agent-${Math.floor(Math.random() * SEEDED)}`);
  const vouch = `http://127.0.0.1:${servers.vouch}`;
  const bare = `http://127.0.0.1:${servers.bare}`;
  const seconds = (o: MeasureOptions) => Math.max(2, Math.round(((o.durationMs ?? 1500) * 2) / 1000));

  const writes = `${engine}: register (${REGISTRATIONS.toLocaleString('en-US')} agents, PoW pre-solved)`;
  const reads = `${engine}: profile read (${SEEDED.toLocaleString('en-US')} agents stored)`;
  const RAW_INSERT = 'bare Fastify + one INSERT';
  const RAW_SELECT = 'bare Fastify + one SELECT';
  return [
    {
      group: writes,
      name: RAW_INSERT,
      concurrency: WRITE_CONNECTIONS,
      run: () =>
        load(
          {
            url: `${bare}/api/v1/agents/register`,
            method: 'POST',
            connections: WRITE_CONNECTIONS,
            amount: REGISTRATIONS,
            bodies: bareBodies,
          },
          dir,
        ),
    },
    {
      group: writes,
      name: 'POST /api/v1/agents/register',
      concurrency: WRITE_CONNECTIONS,
      compareTo: [RAW_INSERT],
      run: () =>
        load(
          {
            url: `${vouch}/api/v1/agents/register`,
            method: 'POST',
            connections: WRITE_CONNECTIONS,
            amount: REGISTRATIONS,
            bodies: vouchBodies,
          },
          dir,
        ),
    },
    {
      group: reads,
      name: RAW_SELECT,
      concurrency: READ_CONNECTIONS,
      run: (o) =>
        load(
          {
            url: `${bare}/v1/identity/agent-0`,
            method: 'GET',
            connections: READ_CONNECTIONS,
            duration: seconds(o),
            paths,
          },
          dir,
        ),
    },
    {
      group: reads,
      name: 'GET /v1/identity/{slug}',
      concurrency: READ_CONNECTIONS,
      compareTo: [RAW_SELECT],
      run: (o) =>
        load(
          {
            url: `${vouch}/v1/identity/agent-0`,
            method: 'GET',
            connections: READ_CONNECTIONS,
            duration: seconds(o),
            paths,
          },
          dir,
        ),
    },
  ];
}

export default defineSuite({
  name: 'agents',
  description: 'agent registration and profile reads over HTTP, SQLite and PostgreSQL, 100k agents stored',
  async setup() {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-bench-agents-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const cases = await casesFor('sqlite', dir);
    if (PG_URL === undefined) {
      reportNote('PostgreSQL cases skipped: BENCH_DATABASE_URL and VOUCH_TEST_DATABASE_URL are not set.');
    } else {
      cases.push(...(await casesFor('postgres', dir)));
    }
    return cases;
  },
  async teardown() {
    await stopChildren(children);
    for (const cleanup of cleanups.reverse()) await cleanup();
  },
});
