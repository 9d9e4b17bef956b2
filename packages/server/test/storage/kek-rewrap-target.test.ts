// `vouch kek rewrap` on settings that name no Vouch database (a mistyped VOUCH_DATABASE_SCHEMA, an empty schema, a
// SQLite file that is not Vouch's): refused before anything is opened for writing, and nothing is created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { rewrapDeploymentKek } from '../../src/kek-rewrap.ts';
import { startServer } from '../../src/start.ts';
import { StorageError } from '../../src/storage/index.ts';
import { serverEnv } from '../helpers/app.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';

const BIN = new URL('../../../cli/bin/vouch.js', import.meta.url).pathname;
const T0 = 1_750_000_000_000;
/** Every KEK file here is 0600: a warning about its mode would be a bug. */
const NO_WARNINGS = { warn: (_: unknown, message: string) => assert.fail(`unexpected warning: ${message}`) };

async function writeKek(file: string): Promise<void> {
  await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
}

/** How many tables a schema holds, or null when it does not exist. */
async function tablesIn(schema: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const ns = await client.query('select 1 from pg_namespace where nspname = $1', [schema]);
    if (ns.rows.length === 0) return null;
    const { rows } = await client.query<{ n: number }>(
      'select count(*)::int as n from information_schema.tables where table_schema = $1',
      [schema],
    );
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

async function runRewrap(
  env: Record<string, string>,
  newKekFile: string,
): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, [BIN, 'kek', 'rewrap', '--new-kek-file', newKekFile], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, err };
}

test(
  'PostgreSQL: a schema that holds no Vouch database is refused and left as it was',
  { timeout: 60_000 },
  async (t) => {
    if (TEST_DATABASE_URL === undefined) {
      t.skip(PG_SKIP_REASON);
      return;
    }
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-rewrap-target-'));
    const real = freshSchema();
    const typo = freshSchema();
    const empty = freshSchema();
    const half = freshSchema();
    try {
      const env = serverEnv('postgres', { dataDir, databaseUrl: TEST_DATABASE_URL, pgSchema: real });
      await writeKek(env.VOUCH_KEK_FILE!);
      const newKek = join(dataDir, 'kek.new');
      await writeKek(newKek);
      await (await startServer(loadConfig(env))).close();

      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`create schema "${empty}"`);
        // Migrated but never started (no KEK check value): no key was ever sealed there either.
        await client.query(`create schema "${half}"`);
        await client.query(`create table "${half}".vouch_migration (name text primary key, timestamp text)`);
        await client.query(`create table "${half}".meta (key text primary key, value text, created_at bigint)`);
      } finally {
        await client.end();
      }

      for (const [schema, before] of [
        [typo, null],
        [empty, 0],
        [half, 2],
      ] as const) {
        const err = await rewrapDeploymentKek(
          loadConfig({ ...env, VOUCH_DATABASE_SCHEMA: schema }),
          newKek,
          T0,
          NO_WARNINGS,
        ).catch((e: unknown) => e);
        assert.ok(err instanceof StorageError, String(err));
        assert.equal(err.code, 'DATABASE_UNAVAILABLE');
        assert.equal(
          err.message,
          `There is no Vouch database at ${schema} (VOUCH_DATABASE_SCHEMA); nothing was created.`,
        );
        assert.equal(await tablesIn(schema), before, `${schema} was changed`);
      }

      // Through the binary: exit 2 with the message and code, and still no schema.
      const cli = await runRewrap({ ...env, VOUCH_DATABASE_SCHEMA: typo }, newKek);
      assert.equal(cli.code, 2, cli.err);
      assert.match(cli.err, new RegExp(`no Vouch database at ${typo} .*\\(DATABASE_UNAVAILABLE\\)`));
      assert.equal(await tablesIn(typo), null);

      // The right schema still re-wraps.
      const done = await rewrapDeploymentKek(loadConfig(env), newKek, T0, NO_WARNINGS);
      assert.equal(done.keys, 4);
    } finally {
      for (const s of [real, typo, empty, half]) await dropSchema(TEST_DATABASE_URL, s);
      await rm(dataDir, { recursive: true, force: true });
    }
  },
);

test('SQLite: a vouch.db that is not a set-up Vouch database is refused and left empty', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-rewrap-target-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const env = serverEnv('sqlite', { dataDir });
  await writeKek(join(dataDir, 'kek.key'));
  const newKek = join(dataDir, 'kek.new');
  await writeKek(newKek);
  await writeFile(join(dataDir, 'vouch.db'), '');
  const err = await rewrapDeploymentKek(loadConfig(env), newKek, T0, NO_WARNINGS).catch((e: unknown) => e);
  assert.ok(err instanceof StorageError, String(err));
  assert.equal(err.code, 'DATABASE_UNAVAILABLE');
  assert.equal(err.message, `There is no Vouch database in ${dataDir}.`);
  const { default: Sqlite } = await import('better-sqlite3');
  const db = new Sqlite(join(dataDir, 'vouch.db'), { readonly: true });
  try {
    assert.deepEqual(db.prepare("select name from sqlite_master where type = 'table'").all(), []);
  } finally {
    db.close();
  }
});
