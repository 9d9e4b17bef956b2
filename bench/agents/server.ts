// Child process of agents.bench.ts (pinned to its own core with taskset when there are two): opens a fresh database,
// seeds it with <count> agents by direct insert, and serves two apps on it:
//   - the real Vouch app (every module, rate limits raised out of the way);
//   - a bare Fastify app with the raw limits: one indexed SELECT by slug, and one INSERT of an agent row.
//   server.ts <workDir> <count> [<postgresUrl> <schema>]
// Prints one JSON line {"vouch": port, "bare": port, "seedSeconds": s} once listening; stops on SIGTERM.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { adminKeyDigests, buildApp, loadConfig } from '../../packages/server/src/index.ts';
import { openStorage } from '../../packages/server/src/storage/index.ts';
import { newId } from '../../packages/server/src/modules/agents/ids.ts';
import { slugSkeleton } from '../../packages/server/src/modules/agents/slug-skeleton.ts';

const [workDir, countArg, pgUrl, pgSchema] = process.argv.slice(2);
const count = Number(countArg);

const storage = await openStorage({
  dataDir: workDir!,
  ...(pgUrl ? { databaseUrl: pgUrl, pgSchema, pgPoolMax: 10 } : {}),
});

/**
 * Direct inserts, bypassing the API: on SQLite through a second better-sqlite3 connection to the same file, prepared
 * statements in one transaction; on PostgreSQL one INSERT ... SELECT over generate_series. Every seeded agent has a
 * valid id, slug (`agent-<n>`) and its skeleton (`agent<n>` with 0, 1, 5 read as o, l, s), Ed25519-sized public key,
 * code hash and model, as a Treeship registration would.
 */
async function seed(): Promise<void> {
  const created = Date.UTC(2026, 0, 1);
  if (pgUrl) {
    await sql`insert into agents (id, slug, slug_skeleton, name, description, public_key, code_hash, model_id, status,
        registered_via, created_at, updated_at)
      select substr(translate(md5('id' || g), '0189', 'wxyz') || translate(md5('id2' || g), '0189', 'wxyz'), 1, 25) || 'a',
        'agent-' || g, translate('agent' || g, '015', 'ols'), 'Agent ' || g, 'Seeded for the benchmark', encode(sha256(('key' || g)::bytea), 'base64'),
        encode(sha256(('code' || g)::bytea), 'hex'), 'gpt-4-turbo', 'unclaimed', 'slug', ${created}::bigint + g, ${created}::bigint + g
      from generate_series(0, ${count - 1}::int) as g`.execute(storage.db);
    await sql`insert into agent_keys (public_key, agent_id, created_at)
      select public_key, id, created_at from agents where public_key is not null`.execute(storage.db);
    await sql`analyze agents`.execute(storage.db);
    return;
  }
  const raw = new BetterSqlite3(join(workDir!, 'vouch.db'));
  try {
    raw.pragma('busy_timeout = 5000');
    const agent = raw.prepare(`insert into agents (id, slug, slug_skeleton, name, description, public_key, code_hash,
      model_id, status, registered_via, created_at, updated_at) values (?, ?, ?, ?, 'Seeded for the benchmark', ?, ?, 'gpt-4-turbo',
      'unclaimed', 'slug', ?, ?)`);
    const key = raw.prepare('insert into agent_keys (public_key, agent_id, created_at) values (?, ?, ?)');
    const bytes = randomBytes(64 * count);
    raw.transaction(() => {
      for (let i = 0; i < count; i++) {
        const id = newId();
        const publicKey = bytes.subarray(64 * i, 64 * i + 32).toString('base64');
        const codeHash = bytes.subarray(64 * i + 32, 64 * i + 64).toString('hex');
        agent.run(
          id,
          `agent-${i}`,
          slugSkeleton(`agent-${i}`),
          `Agent ${i}`,
          publicKey,
          codeHash,
          created + i,
          created + i,
        );
        key.run(publicKey, id, created + i);
      }
    })();
    raw.exec('analyze');
  } finally {
    raw.close();
  }
}

const seedStart = performance.now();
await seed();
const seedSeconds = (performance.now() - seedStart) / 1000;

const config = loadConfig({
  VOUCH_DATA_DIR: workDir!,
  VOUCH_LOG_LEVEL: 'silent',
  // The server checks any difficulty with one hash; the bench pre-solves at 2 to keep solving short.
  VOUCH_POW_DIFFICULTY: '2',
  VOUCH_RATE_LIMIT_MAX: '1000000',
});
const { app } = await buildApp({
  config,
  storage,
  kek: randomBytes(32),
  adminKeys: adminKeyDigests(randomBytes(24).toString('hex')),
});

const bare = Fastify();
bare.get('/v1/identity/:slug', async (req, reply) => {
  const row = await storage.db
    .selectFrom('agents')
    .selectAll()
    .where('slug', '=', (req.params as { slug: string }).slug)
    .executeTakeFirst();
  if (row === undefined) return reply.code(404).send({ error: 'not found' });
  return row;
});
bare.post('/api/v1/agents/register', async (req, reply) => {
  const { publicKey } = req.body as { publicKey: string };
  const now = Date.now();
  const id = newId();
  await storage.db
    .insertInto('agents')
    .values({
      id,
      slug: null,
      name: null,
      description: null,
      public_key: publicKey,
      code_hash: null,
      model_id: null,
      status: 'unclaimed',
      owner_id: null,
      claimed_at: null,
      verified_domain: null,
      registered_via: 'pow',
      created_at: now,
      updated_at: now,
      revoked_at: null,
      revoked_by: null,
      revocation_reason: null,
    })
    .execute();
  return reply.code(201).send({ did: `did:identity:${id}`, linked: false });
});

const vouchAddress = await app.listen({ host: '127.0.0.1', port: 0 });
const bareAddress = await bare.listen({ host: '127.0.0.1', port: 0 });
console.log(
  JSON.stringify({ vouch: Number(new URL(vouchAddress).port), bare: Number(new URL(bareAddress).port), seedSeconds }),
);
process.once('SIGTERM', () => {
  void Promise.all([app.close(), bare.close()])
    .then(() => storage.close())
    .then(() => process.exit(0));
});
