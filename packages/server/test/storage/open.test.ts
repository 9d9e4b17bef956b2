import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import {
  hitRateLimit,
  MIGRATIONS,
  openStorage,
  recordAudit,
  StorageError,
  toStorageError,
} from '../../src/storage/index.ts';
import type { Engine, OpenStorageOptions, Storage } from '../../src/storage/index.ts';
import { describeCause } from '../../src/storage/lib/error-cause.ts';
import { eachEngine, PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { writeTestKek } from '../helpers/app.ts';

const T0 = 1_750_000_000_000;

async function appliedMigrations(storage: Storage): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from vouch_migration order by name`.execute(storage.db);
  return rows.map((r) => r.name);
}

eachEngine('migrations run at open, create every table, and are idempotent', async ({ open, engine, options }) => {
  const first = await open();
  assert.equal(first.engine, engine);
  assert.deepEqual(
    await appliedMigrations(first),
    MIGRATIONS.map(([name]) => name),
  );
  await first.db.insertInto('meta').values({ key: 'k', value: 'v', created_at: T0 }).execute();
  await first.close();

  const second = await open();
  assert.deepEqual(
    await appliedMigrations(second),
    MIGRATIONS.map(([name]) => name),
  );
  assert.deepEqual(await second.db.selectFrom('meta').selectAll().execute(), [
    { key: 'k', value: 'v', created_at: T0 },
  ]);
  for (const table of ['meta', 'server_keys', 'audit_log', 'rate_limits'] as const) {
    await second.db.selectFrom(table).selectAll().execute();
  }
  if (engine === 'postgres') {
    // Everything lives in the test's own schema, nothing in public.
    const { rows } = await sql<{ table_name: string }>`select table_name from information_schema.tables
      where table_schema = ${options.pgSchema} order by table_name`.execute(second.db);
    const names = rows.map((r) => r.table_name);
    for (const t of ['audit_log', 'meta', 'rate_limits', 'server_keys', 'vouch_migration', 'vouch_migration_lock']) {
      assert.ok(names.includes(t), `${t} is in the test's schema`);
    }
  }
});

eachEngine('concurrent opens of a fresh database all succeed and migrate once', async ({ open }) => {
  // Every migration creates tables without IF NOT EXISTS: a second run would fail, so success means one run.
  const storages = await Promise.all([open(), open(), open(), open()]);
  for (const s of storages) {
    assert.deepEqual(
      await appliedMigrations(s),
      MIGRATIONS.map(([name]) => name),
    );
  }
});

/** Table names, read around the storage layer (which refuses to open this database). */
async function tableNames(engine: Engine, options: OpenStorageOptions): Promise<string[]> {
  if (engine === 'sqlite') {
    const raw = new BetterSqlite3(join(options.dataDir, 'vouch.db'));
    const rows = raw.prepare("select name as t from sqlite_master where type = 'table'").all() as { t: string }[];
    raw.close();
    return rows.map((r) => r.t);
  }
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ t: string }>(
      'select table_name as t from information_schema.tables where table_schema = $1',
      [options.pgSchema],
    );
    return rows.map((r) => r.t);
  } finally {
    await client.end();
  }
}

eachEngine(
  'a failing migration is MIGRATION_FAILED and leaves no partial schema behind',
  async ({ engine, options }) => {
    // A stray table with the name of the LAST table 0001 creates makes 0001 fail after its other tables exist.
    if (engine === 'postgres') {
      const client = new pg.Client({ connectionString: options.databaseUrl });
      await client.connect();
      await client.query(`create schema "${options.pgSchema}"; create table "${options.pgSchema}".rate_limits (x int)`);
      await client.end();
    } else {
      await mkdir(options.dataDir, { recursive: true });
      new BetterSqlite3(join(options.dataDir, 'vouch.db')).exec('create table rate_limits (x int)').close();
    }
    const err = await openStorage(options).catch((e: unknown) => e);
    assert.ok(err instanceof StorageError);
    assert.equal(err.code, 'MIGRATION_FAILED');
    assert.match(err.message, /0001_foundation/);
    // And why, from the database: the table that was already there.
    assert.match(err.message, /already exists/);

    // Nothing 0001 created before failing survived.
    const tables = await tableNames(engine, options);
    assert.ok(!tables.includes('meta') && !tables.includes('audit_log'), `left behind: ${tables.join()}`);
  },
);

const fixture = fileURLToPath(new URL('./fixtures/start-process.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('../../', import.meta.url));

interface Started {
  kid: string;
  count: number;
  /** Each rotation asked for: 'rotated' or the StorageError code. */
  rotations: string[];
}

function startProcess(input: unknown): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, JSON.stringify(input)], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as Started);
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

eachEngine(
  'separate processes starting at once share one schema, one KEK, one server key and one counter',
  async ({ open, options, dataDir, engine }) => {
    const kekFile = engine === 'postgres' ? join(dataDir, 'shared-kek.key') : undefined;
    if (kekFile !== undefined) writeTestKek(kekFile); // never created on PostgreSQL
    const results = await Promise.all([1, 2].map(() => startProcess({ options, kekFile, nowMs: T0 })));
    assert.equal(new Set(results.map((r) => r.kid)).size, 1);
    assert.deepEqual(results.map((r) => r.count).sort(), [1, 2]);
    const storage = await open();
    assert.equal((await storage.db.selectFrom('server_keys').selectAll().execute()).length, 1);
    assert.match(await readFile(kekFile ?? join(dataDir, 'kek.key'), 'utf8'), /^[0-9a-f]{64}\n$/);
  },
  // A backstop for a hang: two child processes start, 8 s here while another suite ran.
  { timeout: 90_000 },
);

eachEngine(
  'processes rotating one key at once: each rotation applies or is SERVER_KEY_CONFLICT, one active key at the end',
  async ({ open, options, dataDir, engine }) => {
    const kekFile = engine === 'postgres' ? join(dataDir, 'shared-kek.key') : undefined;
    if (kekFile !== undefined) writeTestKek(kekFile); // never created on PostgreSQL
    const started = await Promise.all([1, 2, 3].map(() => startProcess({ options, kekFile, nowMs: T0, rotations: 4 })));
    const outcomes = started.flatMap((r) => r.rotations);
    // Never SQLITE_BUSY answered as DATABASE_UNAVAILABLE: a rotation waits for another process's, or collides cleanly.
    for (const outcome of outcomes) assert.ok(['rotated', 'SERVER_KEY_CONFLICT'].includes(outcome), outcome);
    const applied = outcomes.filter((o) => o === 'rotated').length;
    assert.ok(applied >= 1);
    const storage = await open();
    const rows = await storage.db.selectFrom('server_keys').selectAll().where('purpose', '=', 'identity').execute();
    assert.equal(rows.length, 1 + applied);
    assert.equal(rows.filter((r) => r.status === 'active').length, 1);
    assert.deepEqual(
      rows.map((r) => r.generation).sort((a, b) => a - b),
      Array.from({ length: rows.length }, (_, i) => i + 1),
    );
  },
  { timeout: 60_000 },
);

eachEngine('ping answers while open; once closed, ping and queries report DATABASE_UNAVAILABLE', async ({ open }) => {
  const storage = await open();
  await storage.ping();
  await storage.close();
  await storage.close(); // idempotent
  await assert.rejects(storage.ping(), { name: 'StorageError', code: 'DATABASE_UNAVAILABLE' });
  // Queries through the storage modules say the same, so the HTTP layer can answer 503 rather than 500.
  await assert.rejects(hitRateLimit(storage.db, 'b', 1000, T0), { code: 'DATABASE_UNAVAILABLE' });
  await assert.rejects(recordAudit(storage.db, { at: T0, actor: 'a', action: 'b' }), { code: 'DATABASE_UNAVAILABLE' });
});

eachEngine('int8 columns and generated ids read back as numbers', async ({ open }) => {
  const storage = await open();
  const big = 8_640_000_000_000_000; // the largest Date, still below 2^53
  await storage.db.insertInto('meta').values({ key: 'big', value: 'x', created_at: big }).execute();
  const row = await storage.db.selectFrom('meta').select('created_at').where('key', '=', 'big').executeTakeFirst();
  assert.equal(row?.created_at, big);
  const { id } = await storage.db
    .insertInto('audit_log')
    .values({ at: T0, actor: 'a', action: 'b', target: null, details: null, request_id: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  assert.equal(typeof id, 'number');
  const count = await storage.db
    .selectFrom('meta')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  assert.equal(Number(count?.n), 1);
});

test(
  'a PostgreSQL int8 beyond 2^53 fails its query instead of reading back rounded',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false },
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-int8-'));
    const schema = freshSchema();
    const storage = await openStorage({ dataDir, databaseUrl: TEST_DATABASE_URL, pgSchema: schema, pgPoolMax: 1 });
    t.after(async () => {
      await storage.close();
      await dropSchema(TEST_DATABASE_URL!, schema);
      await rm(dataDir, { recursive: true, force: true });
    });
    // Written by something other than Vouch (its writes check for safe integers first): 2^53 + 1 has no double.
    await sql`insert into meta (key, value, created_at) values ('huge', 'x', 9007199254740993)`.execute(storage.db);
    const read = storage.db.selectFrom('meta').select('created_at').where('key', '=', 'huge').execute();
    await assert.rejects(read, /outside the safe integer range/);
    // The largest safe one reads back exactly, and the pool goes on.
    await sql`update meta set created_at = 9007199254740991 where key = 'huge'`.execute(storage.db);
    const row = await storage.db.selectFrom('meta').select('created_at').where('key', '=', 'huge').executeTakeFirst();
    assert.equal(row?.created_at, Number.MAX_SAFE_INTEGER);
  },
);

test('SQLite runs with WAL, foreign keys, no synchronous busy wait and synchronous=NORMAL; vouch.db is 0600', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-storage-'));
  const storage = await openStorage({ dataDir });
  try {
    const pragma = async (name: string): Promise<unknown> =>
      Object.values((await sql.raw(`pragma ${name}`).execute(storage.db)).rows[0] as object)[0];
    assert.equal(await pragma('journal_mode'), 'wal');
    assert.equal(await pragma('foreign_keys'), 1);
    // Once open, a busy statement fails at once and the driver waits asynchronously (test/storage/sqlite-busy).
    assert.equal(await pragma('busy_timeout'), 0);
    assert.equal(await pragma('synchronous'), 1); // NORMAL
    assert.equal((await stat(join(dataDir, 'vouch.db'))).mode & 0o777, 0o600);
  } finally {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a transaction on SQLite takes the write lock first; a stale snapshot is DATABASE_UNAVAILABLE, not a raw error', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-storage-'));
  const storage = await openStorage({ dataDir });
  const other = new BetterSqlite3(join(dataDir, 'vouch.db'));
  try {
    other.pragma('busy_timeout = 0');
    // While a Vouch transaction is open (even one that has only read), another connection cannot write.
    await storage.db.transaction().execute(async (trx) => {
      await trx.selectFrom('meta').selectAll().execute();
      assert.throws(() => other.exec("insert into meta (key, value, created_at) values ('x', 'y', 1)"), {
        code: 'SQLITE_BUSY',
      });
    });
    other.exec("insert into meta (key, value, created_at) values ('x', 'y', 1)");
    // What a deferred transaction meets when another process committed after its read: the driver's extended code.
    other.exec('begin');
    other.prepare('select count(*) from meta').get();
    const raw = new BetterSqlite3(join(dataDir, 'vouch.db'));
    raw.exec("insert into meta (key, value, created_at) values ('z', 'y', 1)");
    raw.close();
    let err: unknown;
    try {
      other.exec("insert into meta (key, value, created_at) values ('w', 'y', 1)");
    } catch (e) {
      err = e;
    }
    other.exec('rollback');
    assert.equal((err as { code?: string }).code, 'SQLITE_BUSY_SNAPSHOT');
    const mapped = toStorageError(err);
    assert.ok(mapped instanceof StorageError);
    assert.equal(mapped.code, 'DATABASE_UNAVAILABLE');
    for (const code of ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR_WRITE', 'SQLITE_BUSY_TIMEOUT']) {
      assert.equal(
        (toStorageError(Object.assign(new Error('x'), { code })) as StorageError).code,
        'DATABASE_UNAVAILABLE',
      );
    }
    for (const code of ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_BUSYNESS', 'SQLITE_ERROR']) {
      assert.ok(!(toStorageError(Object.assign(new Error('x'), { code })) instanceof StorageError), code);
    }
  } finally {
    other.close();
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('openStorage creates a missing data directory with mode 0700', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'vouch-storage-'));
  try {
    const dataDir = join(parent, 'a', 'data');
    const storage = await openStorage({ dataDir });
    await storage.close();
    assert.equal((await stat(dataDir)).mode & 0o777, 0o700);
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
});

test('an unreachable PostgreSQL is DATABASE_UNAVAILABLE and the URL (password) is not in the message', async () => {
  const err = await openStorage({ dataDir: '/tmp', databaseUrl: 'postgres://vouch:hunter2@127.0.0.1:1/none' }).then(
    () => assert.fail('opened'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StorageError);
  assert.equal(err.code, 'DATABASE_UNAVAILABLE');
  assert.doesNotMatch(err.message, /hunter2|vouch:/);
  // It says why: the errno, so "nothing listens" reads differently from a missing database or role.
  assert.match(err.message, /ECONNREFUSED/);
});

test(
  'a reachable PostgreSQL that refuses says why (SQLSTATE and message), never the URL or its password',
  {
    skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false,
  },
  async () => {
    const base = new URL(TEST_DATABASE_URL!);
    const cases: Array<[string, (u: URL) => void, RegExp]> = [
      [
        'a missing database',
        (u) => (u.pathname = '/vouch_no_such_database'),
        /3D000: database "vouch_no_such_database" does not exist/,
      ],
      ['an unknown role', (u) => ((u.username = 'vouch_no_such_role'), (u.password = 'hunter2secret')), /28000|28P01/],
    ];
    for (const [what, change, expected] of cases) {
      const url = new URL(base.href);
      change(url);
      const err = await openStorage({ dataDir: '/tmp', databaseUrl: url.href }).then(
        () => assert.fail(`${what}: opened`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof StorageError, what);
      assert.equal(err.code, 'DATABASE_UNAVAILABLE', what);
      assert.match(err.message, expected, what);
      assert.doesNotMatch(err.message, /hunter2secret|postgres(ql)?:\/\//, what);
    }
  },
);

test('a cause is printed without the connection string or its password', () => {
  const url = 'postgres://vouch:p%40ss@db.internal:5432/vouch';
  assert.equal(describeCause(new Error(`bad url ${url} (p@ss)`), url), 'bad url *** (***)');
  assert.equal(describeCause(Object.assign(new Error('no\n  such'), { code: '3D000' })), '3D000: no such');
});

test('a database URL that is not postgres:// is INVALID_ARGUMENT', async () => {
  await assert.rejects(openStorage({ dataDir: '/tmp', databaseUrl: 'mysql://x' }), { code: 'INVALID_ARGUMENT' });
  await assert.rejects(
    openStorage({ dataDir: '/tmp', databaseUrl: 'postgres://127.0.0.1:1/x', pgSchema: 'bad"name' }),
    { code: 'INVALID_ARGUMENT' },
  );
});
