// `npm run load`: a mixed workload against ONE Vouch server for LOAD_DURATION_S seconds (default 60), then a
// pass/fail verdict: zero errors (every answer 2xx and not refusing: an intercept allowed, a token valid, every
// ingested event without an error; no socket error or timeout), and the server's RSS after a forced GC at the end
// within 10 % of its RSS (also after a forced GC) at 10 s.
//
// Three roles in one file, each a process:
//   node --import tsx scripts/load.ts            the driver: starts the other two, prints the report, exits 0 or 1
//   ... scripts/load.ts --serve <dir>            the server (pinned to core 0, --expose-gc): the real app on SQLite
//                                                (or PostgreSQL with LOAD_DATABASE_URL), fixtures made in-process; it
//                                                answers {rss} and {gc} over its IPC channel (no extra HTTP route)
//   ... scripts/load.ts --drive <plan.json>      the load generator (pinned to core 1): one autocannon per workload,
//                                                all at once, printing one JSON line of results
// Workloads are the routes that exist: a workload whose route is not registered (or whose fixture cannot be made)
// is reported as skipped, so new modules join the mix by adding a workload below.
// To study one route: LOAD_ONLY=sign (workloads whose names contain a listed word), LOAD_SERVER_FLAGS="--cpu-prof"
// (extra node flags for the server process only), LOAD_PG_POOL=40 (the server's PostgreSQL pool, default 10).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, sign as nodeSign, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ask, waitForLine } from './load-ipc.ts';
import { loadSettings } from './load-settings.ts';
import { type Check, failures, refused } from './load-verdict.ts';

const self = fileURLToPath(import.meta.url);
const root = join(self, '..', '..');
const { durationS: DURATION_S, connections: CONNECTIONS } = loadSettings(process.env); // connections per workload
const SAMPLE_AT_S = Math.min(10, DURATION_S / 2);
const RSS_TOLERANCE = 0.1;

interface Workload {
  name: string;
  method: 'GET' | 'POST';
  /** Cycled through, one per request. */
  paths: string[];
  /** Cycled through, one per request (POST). */
  bodies?: string[];
  headers?: Record<string, string>;
  /** A 2xx answer carrying a verdict of its own, counted as refused when it refuses (see load-verdict.ts). */
  check?: Check;
}

interface Plan {
  url: string;
  duration: number;
  connections: number;
  workloads: Workload[];
}

interface WorkloadResult {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** 2xx answers that refused the request. */
  refused: number;
}

// ------------------------------------------------------------------------------------------------------ server

async function serve(dir: string): Promise<void> {
  const { adminKeyDigests, buildApp, loadConfig } = await import('../packages/server/src/index.ts');
  const { openStorage } = await import('../packages/server/src/storage/index.ts');
  const { issueToken } = await import('../packages/server/src/modules/tokens/service.ts');
  const { generateKeyPair } = await import('../packages/sdk/src/index.ts');
  const pgUrl = process.env.LOAD_DATABASE_URL;
  const pgSchema = pgUrl ? `load_${randomBytes(6).toString('hex')}` : undefined;
  const adminKey = randomBytes(24).toString('hex');
  const high = '1000000';
  const config = loadConfig({
    VOUCH_DATA_DIR: dir,
    VOUCH_LOG_LEVEL: 'silent',
    VOUCH_POW_DIFFICULTY: '0',
    VOUCH_PUBLIC_URL: 'https://vouch.load',
    // One client address sends everything: the limits are not what is measured.
    VOUCH_RATE_LIMIT_MAX: high,
    VOUCH_TOKEN_VERIFY_RATE_MAX: high,
    VOUCH_TOKEN_ISSUE_RATE_MAX: high,
    VOUCH_SIGN_RATE_MAX: high,
    VOUCH_INGEST_RATE_MAX: high,
    VOUCH_SIGNATURE_WINDOW: String(Math.min(86_400, DURATION_S + 600)),
  });
  const storage = await openStorage({
    dataDir: dir,
    ...(pgUrl ? { databaseUrl: pgUrl, pgSchema, pgPoolMax: Number(process.env.LOAD_PG_POOL ?? 10) } : {}),
  });
  const { app, ctx } = await buildApp({ config, storage, kek: randomBytes(32), adminKeys: adminKeyDigests(adminKey) });
  const admin = { 'x-api-key': adminKey };
  const inject = async (method: 'GET' | 'POST', url: string, payload?: unknown, headers?: Record<string, string>) => {
    const res = await app.inject({ method, url, payload: payload as object, headers });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res.json() as Record<string, unknown>;
  };

  // One agent does everything.
  const pair = await generateKeyPair('Ed25519');
  const { did } = (await inject('POST', '/api/v1/agents/register', {
    publicKey: pair.publicKeyBase64,
    powNonce: '0',
  })) as { did: string };
  const agentKey = createPrivateKey({ key: pair.privatePem!, format: 'pem' });

  // An integrator the agent allowed (its consent signed by the agent), for ingestion and resolve.
  let integrator: Promise<string> | undefined;
  const integratorKey = (): Promise<string> =>
    (integrator ??= (async () => {
      const { consentPayloadHash } = await import('../packages/server/src/modules/integrators/service.ts');
      const { apiKey } = (await inject(
        'POST',
        '/api/v1/admin/integrators',
        {
          slug: 'load',
          name: 'Load',
          domain: 'load.example',
          metrics: [
            { metricKey: 'tasks_completed', polarity: 'boost', weight: 1, lane: 'conduct', maxPerDay: 1_000_000 },
          ],
        },
        admin,
      )) as { apiKey: string };
      const signedAt = ctx.clock.now();
      const payloadHash = consentPayloadHash({ did, integratorSlug: 'load', action: 'allow', signedAt });
      const signature = nodeSign(null, Buffer.from(`${payloadHash}:${signedAt}`), agentKey).toString('base64');
      const { signatureHash } = await inject('POST', '/api/v1/signatures/sign', {
        did,
        payloadHash,
        signature,
        signedAt,
      });
      await inject('POST', '/api/v1/integrators/consent', {
        integratorSlug: 'load',
        did,
        action: 'allow',
        signatureHash,
        signedAt,
      });
      return apiKey;
    })());

  const candidates: Array<{ name: string; method: 'GET' | 'POST'; url: string; make: () => Promise<Workload> }> = [
    {
      name: 'verify (POST /api/registry/verify)',
      method: 'POST',
      url: '/api/registry/verify',
      make: async () => {
        const bodies: string[] = [];
        const who = { caller: 'admin', id: 'admin' } as const;
        for (let i = 0; i < 500; i++) {
          const { token } = await issueToken(ctx, who, { agentRef: did, tokenType: 'identity', deployer: 'load' });
          bodies.push(JSON.stringify({ token }));
        }
        return { name: '', method: 'POST', paths: ['/api/registry/verify'], bodies, check: 'verify' };
      },
    },
    {
      name: 'intercept (POST /v1/intercept)',
      method: 'POST',
      url: '/v1/intercept',
      make: async () => {
        const bodies: string[] = [];
        for (let i = 0; i < 50; i++) {
          const resource = `load:doc-${i}`;
          const { token } = (await inject(
            'POST',
            '/v1/tokens',
            { agentId: did, resource, action: 'read', tier: 'observe', expiresIn: 86_400 },
            admin,
          )) as { token: string };
          bodies.push(JSON.stringify({ token, agentId: did, resource, action: 'read' }));
        }
        return { name: '', method: 'POST', paths: ['/v1/intercept'], bodies, check: 'intercept' };
      },
    },
    {
      name: 'sign (POST /api/v1/signatures/sign)',
      method: 'POST',
      url: '/api/v1/signatures/sign',
      make: async () => {
        // Distinct signed messages; a repeated submission is answered idempotently (201, same hash).
        const bodies: string[] = [];
        const signedAt = ctx.clock.now();
        for (let i = 0; i < 20_000; i++) {
          const payloadHash = createHash('sha256').update(`load-${i}`).digest('hex');
          const signature = nodeSign(null, Buffer.from(`${payloadHash}:${signedAt}`), agentKey).toString('base64');
          bodies.push(JSON.stringify({ did, payloadHash, signature, signedAt }));
        }
        return { name: '', method: 'POST', paths: ['/api/v1/signatures/sign'], bodies };
      },
    },
    {
      name: 'ingest (POST /api/v1/ingest, 20 events)',
      method: 'POST',
      url: '/api/v1/ingest',
      make: async () => {
        const key = await integratorKey();
        const now = ctx.clock.now();
        // Every batch distinct (fresh external ids); a repeated batch is recognised as already ingested.
        const bodies = Array.from({ length: 4000 }, (_, b) =>
          JSON.stringify(
            Array.from({ length: 20 }, (_, i) => ({
              envId: 'load.production.v1',
              externalEventId: `load-${b}-${i}`,
              eventType: 'task.completed',
              subjectType: 'agent',
              subjectId: did,
              actorType: 'human',
              actorId: `user-${i}`,
              occurredAt: now - i * 1000,
              metricValues: [{ metricKey: 'tasks_completed', numberValue: 1 }],
            })),
          ),
        );
        return {
          name: '',
          method: 'POST',
          paths: ['/api/v1/ingest'],
          bodies,
          headers: { authorization: `Bearer ${key}` },
          check: 'ingest',
        };
      },
    },
    {
      name: 'resolve (GET /api/v1/agents/{id}, integrator)',
      method: 'GET',
      url: '/api/v1/agents/:id',
      make: async () => {
        const key = await integratorKey();
        const id = did.slice('did:identity:'.length);
        return {
          name: '',
          method: 'GET',
          paths: [`/api/v1/agents/${id}`],
          headers: { authorization: `Bearer ${key}` },
        };
      },
    },
    {
      name: 'profile read (GET /v1/identity/{slug})',
      method: 'GET',
      url: '/v1/identity/:slug',
      // The route takes a slug, a DID or an id.
      make: async () => ({ name: '', method: 'GET', paths: [`/v1/identity/${encodeURIComponent(did)}`] }),
    },
  ];

  const workloads: Workload[] = [];
  const skipped: string[] = [];
  // LOAD_ONLY=sign,ingest keeps the workloads whose names contain one of the words (to study one route alone).
  const only = (process.env.LOAD_ONLY ?? '').split(',').filter(Boolean);
  for (const c of candidates) {
    if (only.length > 0 && !only.some((word) => c.name.includes(word))) {
      skipped.push(`${c.name}: not in LOAD_ONLY`);
      continue;
    }
    if (!app.hasRoute({ method: c.method, url: c.url })) {
      skipped.push(`${c.name}: route not registered`);
      continue;
    }
    try {
      const w = { ...(await c.make()), name: c.name };
      // One probe per workload: a broken fixture is reported here, not as thousands of errors.
      const probe = await app.inject({
        method: w.method,
        url: w.paths[0]!,
        payload: w.bodies?.[0],
        headers: { 'content-type': 'application/json', ...w.headers },
      });
      if (probe.statusCode >= 300 || (w.check !== undefined && refused(w.check, probe.body))) {
        throw new Error(`probe answered ${probe.statusCode} ${probe.body.slice(0, 200)}`);
      }
      workloads.push(w);
    } catch (err) {
      skipped.push(`${c.name}: fixture failed: ${(err as Error).message}`);
    }
  }

  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const planFile = join(dir, 'workloads.json');
  await writeFile(planFile, JSON.stringify(workloads));
  const engine = storage.engine;
  process.send!({ type: 'ready', url: address, planFile, skipped, engine });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'rss' || m.type === 'gc') {
      const gc = (globalThis as { gc?: () => void }).gc;
      // An RSS read without the GC asked for would compare unlike readings: the driver fails instead.
      if (m.type === 'gc' && gc === undefined) {
        process.send!({ type: m.type, rss: 0, error: 'gc is not exposed (run with --expose-gc)' });
        return;
      }
      if (m.type === 'gc') gc!();
      process.send!({ type: m.type, rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed });
    } else if (m.type === 'stop') {
      void app
        .close()
        .then(() => storage.close())
        .then(async () => {
          if (pgUrl && pgSchema) {
            const pg = (await import('pg')).default;
            const client = new pg.Client({ connectionString: pgUrl });
            await client.connect();
            await client.query(`drop schema if exists "${pgSchema}" cascade`).finally(() => client.end());
          }
        })
        .finally(() => process.exit(0));
    }
  });
}

// ------------------------------------------------------------------------------------------------- load generator

interface AutocannonResult {
  requests: { total: number; average: number };
  duration: number;
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

async function drive(planFile: string): Promise<void> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const plan = JSON.parse(await readFile(planFile, 'utf8')) as Plan;
  // The driver's clock for the RSS samples starts here, not when this process was spawned (tsx takes seconds).
  console.log(JSON.stringify({ started: true }));
  const results = await Promise.all(
    plan.workloads.map(async (w): Promise<WorkloadResult> => {
      let next = 0;
      let refusals = 0;
      const r = await autocannon({
        url: plan.url,
        method: w.method,
        connections: plan.connections,
        duration: plan.duration,
        headers: { 'content-type': 'application/json', ...w.headers },
        requests: [
          {
            setupRequest: (req: Record<string, unknown>) => {
              const i = next++;
              return {
                ...req,
                path: w.paths[i % w.paths.length],
                ...(w.bodies ? { body: w.bodies[i % w.bodies.length] } : {}),
              };
            },
            ...(w.check
              ? {
                  onResponse: (status: number, body: string) => {
                    if (status < 300 && refused(w.check!, body)) refusals++;
                  },
                }
              : {}),
          },
        ],
      });
      return {
        name: w.name,
        requests: r.requests.total,
        rps: r.requests.total / r.duration,
        p50: r.latency.p50,
        p99: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        refused: refusals,
      };
    }),
  );
  console.log(JSON.stringify({ results }));
}

// --------------------------------------------------------------------------------------------------------- driver

function pinned(core: number): string[] {
  return cpus().length >= 2 ? ['taskset', '-c', String(core)] : [];
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-load-'));
  const serverCmd = [
    ...pinned(0),
    process.execPath,
    '--expose-gc',
    ...(process.env.LOAD_SERVER_FLAGS ?? '').split(' ').filter(Boolean),
    '--import',
    'tsx',
    self,
    '--serve',
    dir,
  ];
  const server = spawn(serverCmd[0]!, serverCmd.slice(1), {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let driver: ChildProcess | undefined;
  try {
    const ready = await new Promise<{ url: string; planFile: string; skipped: string[]; engine: string }>(
      (resolve, reject) => {
        server.once('message', (m) => resolve(m as never));
        server.once('exit', (code) => reject(new Error(`the server exited during setup (${code})`)));
      },
    );
    const workloads = JSON.parse(await readFile(ready.planFile, 'utf8')) as Workload[];
    console.log(
      `Vouch load: ${DURATION_S} s, ${workloads.length} workloads × ${CONNECTIONS} connections, ${ready.engine}, ` +
        `server ${pinned(0).length > 0 ? 'on core 0, load generator on core 1' : 'unpinned'}`,
    );
    for (const s of ready.skipped) console.log(`  skipped: ${s}`);
    if (workloads.length === 0) throw new Error('no workload could be prepared');

    const plan: Plan = { url: ready.url, duration: DURATION_S, connections: CONNECTIONS, workloads };
    const planFile = join(dir, 'plan.json');
    await writeFile(planFile, JSON.stringify(plan));
    const driveCmd = [...pinned(1), process.execPath, '--import', 'tsx', self, '--drive', planFile];
    const generator = spawn(driveCmd[0]!, driveCmd.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    driver = generator;
    let out = '';
    generator.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const driven = new Promise<number | null>((resolve) => generator.once('exit', resolve));
    await waitForLine(generator.stdout, '{"started"');

    const rssStart = await ask(server, 'rss');
    await new Promise((r) => setTimeout(r, SAMPLE_AT_S * 1000));
    const rssAt10 = await ask(server, 'rss');
    const rssAt10Gc = await ask(server, 'gc');
    const code = await driven;
    const rssEnd = await ask(server, 'rss');
    const rssEndGc = await ask(server, 'gc');
    const line = out.split('\n').find((l) => l.startsWith('{"results"'));
    if (code !== 0 || line === undefined) throw new Error(`the load generator failed (${code})`);
    const { results } = JSON.parse(line) as { results: WorkloadResult[] };

    const rows = results.map((r) => [
      r.name,
      String(r.requests),
      r.rps.toFixed(0),
      String(r.p50),
      String(r.p99),
      String(failures(r)),
    ]);
    const total = results.reduce((a, r) => a + r.requests, 0);
    const failed = results.reduce((a, r) => a + failures(r), 0);
    rows.push(['all', String(total), (total / DURATION_S).toFixed(0), '', '', String(failed)]);
    const head = ['workload', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'errors'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    console.log(['', fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n'));

    const growth = rssEndGc / rssAt10Gc - 1;
    console.log(
      `\nRSS: ${mib(rssStart)} before load, ${mib(rssAt10)} at ${SAMPLE_AT_S} s (${mib(rssAt10Gc)} after GC), ` +
        `${mib(rssEnd)} at ${DURATION_S} s (${mib(rssEndGc)} after GC): ${(growth * 100).toFixed(1)} % after GC`,
    );
    const errorsOk = failed === 0;
    const rssOk = growth <= RSS_TOLERANCE;
    console.log(`errors: ${errorsOk ? 'PASS' : 'FAIL'} (${failed})`);
    console.log(
      `RSS at ${DURATION_S} s within ${RSS_TOLERANCE * 100} % of ${SAMPLE_AT_S} s: ${rssOk ? 'PASS' : 'FAIL'}`,
    );
    if (!errorsOk || !rssOk) process.exitCode = 1;
  } finally {
    // A failure mid-run (the server gone, an answer never read) leaves no load generator behind.
    if (driver !== undefined && driver.exitCode === null && driver.signalCode === null) driver.kill();
    if (server.connected) server.send({ type: 'stop' });
    await new Promise((r) =>
      server.exitCode !== null || server.signalCode !== null ? r(null) : server.once('exit', r),
    );
    await rm(dir, { recursive: true, force: true });
  }
}

const [mode, arg] = process.argv.slice(2);
if (mode === '--serve') await serve(arg!);
else if (mode === '--drive') await drive(arg!);
else await main();
