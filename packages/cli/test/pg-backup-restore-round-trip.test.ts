// The pg_dump and pg_restore commands `vouch backup` and `vouch restore` print for PostgreSQL, run as printed on a
// real database. The restore carried `--schema=<name>`, with which pg_restore skips the dump's CREATE SCHEMA: into a
// fresh database, or after the schema was dropped, it exited 1 (`schema "…" does not exist`) and restored nothing.
// It now restores the schema-scoped dump whole: over the schema as it is, and where there is none.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { checkKek, openStorage, readKek } from '../../server/src/storage/index.ts';
import { writeTestKek } from '../../server/test/helpers/app.ts';
import { dropSchema, freshSchema } from '../../server/test/helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../../server/test/helpers/storage.ts';
import { runBin, tempDir } from './helpers.ts';

const PATH = `${process.env.PATH ?? ''}:/usr/bin`;

/** Why the PostgreSQL client programs cannot run here, or undefined when they can. */
function missingPrograms(): string | undefined {
  const missing = ['pg_dump', 'pg_restore'].filter((p) => spawnSync(p, ['--version'], { env: { PATH } }).status !== 0);
  return missing.length === 0 ? undefined : `${missing.join(' and ')} not found on PATH or in /usr/bin: test skipped`;
}

/** Skips `t` (saying why) unless a test database and the client programs are there; else the database URL. */
function databaseOrSkip(t: TestContext): string | undefined {
  const why = TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : missingPrograms();
  if (why !== undefined) t.skip(why);
  return why === undefined ? TEST_DATABASE_URL : undefined;
}

/** `url` with a password: its own, or one the test server's trust authentication ignores. */
function withPassword(url: string): { url: string; password: string } {
  const parsed = new URL(url);
  if (parsed.password === '') parsed.password = 'never-printed';
  return { url: parsed.toString(), password: decodeURIComponent(parsed.password) };
}

interface Deployment {
  dir: string;
  env: Record<string, string>;
  password: string;
  open: () => Promise<{ keys: string[]; close: () => Promise<void> }>;
}

/** What `vouch <args>` prints on stderr: one line, exit code 2, without the password. */
async function hint(d: Deployment, ...args: string[]): Promise<string> {
  const r = await runBin(args, d.env, d.dir);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.ok(!r.err.includes(d.password), r.err);
  return r.err.trim();
}

/** The command `vouch <args>` prints: its line from `program` on (after `: `). */
async function printed(d: Deployment, program: string, ...args: string[]): Promise<string> {
  const line = await hint(d, ...args);
  const at = line.indexOf(`: ${program} `);
  assert.ok(at !== -1, line);
  return line.slice(at + 2);
}

/** Runs `command` in a shell as an operator would, the password from PGPASSWORD. */
function shell(d: Deployment, command: string): { status: number | null; stderr: string } {
  const r = spawnSync('sh', ['-c', command], {
    cwd: d.dir,
    env: { PATH, PGPASSWORD: d.password },
    encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr };
}

/** A migrated deployment on `url` (schema `schema`, or the search_path's) bound to its KEK, with meta key `before`. */
async function deployment(t: TestContext, url: string, schema: string | undefined): Promise<Deployment> {
  const dir = await tempDir(t, 'vouch-pg-restore-');
  const kekFile = join(dir, 'kek.key');
  writeTestKek(kekFile);
  const kek = await readKek(kekFile);
  const { url: databaseUrl, password } = withPassword(url);
  const options = { dataDir: join(dir, 'data'), databaseUrl, ...(schema === undefined ? {} : { pgSchema: schema }) };
  const open = async () => {
    const storage = await openStorage(options);
    await checkKek(storage, kek, 1);
    const { rows } = await sql<{ key: string }>`select key from meta order by key`.execute(storage.db);
    return { keys: rows.map((r) => r.key), close: () => storage.close() };
  };
  const storage = await openStorage(options);
  await checkKek(storage, kek, 1);
  await sql`insert into meta (key, value, created_at) values ('before', 'x', 1)`.execute(storage.db);
  await storage.close();
  const env = {
    VOUCH_DATABASE_URL: databaseUrl,
    VOUCH_KEK_FILE: kekFile,
    ...(schema === undefined ? {} : { VOUCH_DATABASE_SCHEMA: schema }),
  };
  return { dir, env, password, open };
}

/** Runs the printed restore and finds meta key `before` (and not `after`, written after the backup) once reopened. */
async function restoreAndCheck(d: Deployment, restore: string): Promise<void> {
  const r = shell(d, restore);
  assert.equal(r.status, 0, r.stderr);
  const reopened = await d.open();
  try {
    assert.ok(reopened.keys.includes('before'), reopened.keys.join());
    assert.ok(!reopened.keys.includes('after'), reopened.keys.join());
  } finally {
    await reopened.close();
  }
}

/** Writes meta key `after` into the deployment's database. */
async function writeAfter(d: Deployment): Promise<void> {
  const client = new pg.Client({ connectionString: d.env.VOUCH_DATABASE_URL });
  await client.connect();
  try {
    const schema = d.env.VOUCH_DATABASE_SCHEMA;
    const table = schema === undefined ? 'meta' : `"${schema}".meta`;
    await client.query(`insert into ${table} (key, value, created_at) values ('after', 'x', 2)`);
  } finally {
    await client.end();
  }
}

/**
 * Runs the printed pg_dump into `vouch.dump`, writes meta key `after`, then runs the printed restore over the
 * deployment and checks it; the dump file and the restore command, for more runs.
 */
async function backUpAndRestoreOver(d: Deployment): Promise<{ file: string; restore: string }> {
  const file = join(d.dir, 'vouch.dump');
  const dump = shell(d, await printed(d, 'pg_dump', 'backup', '--output', file));
  assert.equal(dump.status, 0, dump.stderr);
  const restore = await printed(d, 'pg_restore', 'restore', '--input', file);
  await writeAfter(d);
  await restoreAndCheck(d, restore);
  return { file, restore };
}

test('the printed pg_restore restores a schema backup over the schema and where it was dropped', async (t) => {
  const url = databaseOrSkip(t);
  if (url === undefined) return;
  const schema = freshSchema();
  t.after(() => dropSchema(url, schema));
  const d = await deployment(t, url, schema);
  const { file, restore } = await backUpAndRestoreOver(d);
  await dropSchema(url, schema);
  await restoreAndCheck(d, restore);

  // A newer version's table (one the backup lacks) makes pg_restore refuse, changing nothing; with the schema
  // dropped, as the printed line says, it restores.
  await writeAfter(d);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create table "${schema}".from_a_newer_version (id integer)`);
  } finally {
    await client.end();
  }
  assert.notEqual(shell(d, restore).status, 0);
  const untouched = await d.open();
  await untouched.close();
  assert.ok(untouched.keys.includes('after'), untouched.keys.join());
  assert.match(await hint(d, 'restore', '--input', file), new RegExp(`DROP SCHEMA ${schema} CASCADE`));

  await dropSchema(url, schema);
  await restoreAndCheck(d, restore);
});

test('the printed pg_restore restores a database backup (no schema set) over it and into a fresh database', async (t) => {
  const url = databaseOrSkip(t);
  if (url === undefined) return;
  const name = freshSchema();
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  try {
    await admin(`create database ${name}`);
  } catch (err) {
    t.skip(`the test database's role cannot create a database (${(err as Error).message}): test skipped`);
    return;
  }
  t.after(() => admin(`drop database if exists ${name} with (force)`));
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  const d = await deployment(t, parsed.toString(), undefined);
  const { restore } = await backUpAndRestoreOver(d);

  await admin(`drop database ${name} with (force)`);
  await admin(`create database ${name}`);
  await restoreAndCheck(d, restore);
});
